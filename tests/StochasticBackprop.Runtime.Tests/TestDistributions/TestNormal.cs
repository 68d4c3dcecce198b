using System;
using System.Collections.Generic;
using StochasticBackprop;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.TestDistributions;

/// <summary>
/// Normal(mu, sigma) written by hand the way the generator will emit it: z = mu + sigma·ε,
/// log density, score, cumulants κ₁ = mu, κ₂ = sigma², κ_{n≥3} = 0.
/// </summary>
public sealed class TestNormal : IReparameterizedDistribution, IScoredDistribution, ICumulantDistribution
{
    private readonly bool wrongSigmaScore;

    /// <param name="mu">The mean.</param>
    /// <param name="sigma">The standard deviation.</param>
    /// <param name="wrongSigmaScore">Deliberately drops the −1/σ term of ∂σ log p (a wrong formula tests must catch).</param>
    public TestNormal(Tensor mu, Tensor sigma, bool wrongSigmaScore = false)
    {
        Mu = ParameterCheck.Real("Normal", "mu", mu);
        Sigma = ParameterCheck.Positive("Normal", "sigma", sigma);
        BatchShape = Shapes.Broadcast(mu, sigma);
        this.wrongSigmaScore = wrongSigmaScore;
    }

    public Tensor Mu { get; }

    public Tensor Sigma { get; }

    public string Name => "Normal";

    public IReadOnlyList<string> ParameterNames { get; } = new[] { "mu", "sigma" };

    public IReadOnlyList<Tensor> Parameters => new[] { Mu, Sigma };

    public long[] BatchShape { get; }

    public bool IsImplicit => false;

    public int FourierOrder => 4;

    public int CumulantOrder => 8;

    public Tensor Sample(long sampleCount, Generator? generator = null)
    {
        using (torch.no_grad())
        {
            return Reparameterize(Parameters, sampleCount, generator).detach();
        }
    }

    // z = mu + sigma·ε
    public Tensor Reparameterize(IReadOnlyList<Tensor> parameters, long sampleCount, Generator? generator = null)
    {
        Tensor epsilon = Noise.StandardNormal(Shapes.Sampled(sampleCount, BatchShape), parameters[0], generator);
        return parameters[0] + parameters[1] * epsilon;
    }

    // log p = −(z − mu)²/(2 sigma²) − log sigma − ½ log 2π
    public Tensor? LogDensity(Tensor z) =>
        -(z - Mu).pow(2) / (2 * Sigma.pow(2)) - Sigma.log() - 0.5 * Math.Log(2 * Math.PI);

    // ∂mu = (z − mu)/sigma², ∂sigma = ((z − mu)² − sigma²)/sigma³
    public IReadOnlyList<Tensor> Score(Tensor z)
    {
        Tensor centred = z - Mu;
        Tensor sigmaScore = wrongSigmaScore ? centred.pow(2) / Sigma.pow(3) : (centred.pow(2) - Sigma.pow(2)) / Sigma.pow(3);
        return new[] { (centred / Sigma.pow(2)).expand(z.shape), sigmaScore.expand(z.shape) };
    }

    public bool CumulantVanishes(int order) => order > 2;

    public Tensor Cumulant(int order) => order switch
    {
        1 => Shapes.ToBatch(Mu, BatchShape),
        2 => Shapes.ToBatch(Sigma.pow(2), BatchShape),
        _ => Shapes.Full(BatchShape, 0.0, Mu),
    };

    public IReadOnlyList<Tensor> CumulantGradient(int order) => order switch
    {
        1 => new[] { Shapes.Full(BatchShape, 1.0, Mu), Shapes.Full(BatchShape, 0.0, Sigma) },
        2 => new[] { Shapes.Full(BatchShape, 0.0, Mu), Shapes.ToBatch(2 * Sigma, BatchShape) },
        _ => new[] { Shapes.Full(BatchShape, 0.0, Mu), Shapes.Full(BatchShape, 0.0, Sigma) },
    };
}
