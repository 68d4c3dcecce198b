using System;
using System.Collections.Generic;
using StochasticBackprop;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.TestDistributions;

/// <summary>How a <see cref="TestGamma"/> is deliberately broken, so tests can show they catch it.</summary>
public enum GammaDefect
{
    None,

    /// <summary>∂κ_n/∂θ with n! where (n − 1)! belongs.</summary>
    CumulantFactorial,

    /// <summary>The sampler's output detached from k (what TorchSharp's Gamma.rsample does).</summary>
    DetachedSampler,
}

/// <summary>
/// Gamma(k, theta) with shape k and scale theta, written by hand the way the generator will emit
/// it: implicit reparameterization theta·StandardGamma(k), log density, score, and cumulants
/// κ_n = k θⁿ (n − 1)!.
/// </summary>
public sealed class TestGamma : IReparameterizedDistribution, IScoredDistribution, ICumulantDistribution
{
    private readonly GammaDefect defect;

    public TestGamma(Tensor k, Tensor theta, GammaDefect defect = GammaDefect.None)
    {
        K = ParameterCheck.Positive("Gamma", "k", k);
        Theta = ParameterCheck.Positive("Gamma", "theta", theta);
        BatchShape = Shapes.Broadcast(k, theta);
        this.defect = defect;
    }

    public Tensor K { get; }

    public Tensor Theta { get; }

    public string Name => "Gamma";

    public IReadOnlyList<string> ParameterNames { get; } = new[] { "k", "theta" };

    public IReadOnlyList<Tensor> Parameters => new[] { K, Theta };

    public long[] BatchShape { get; }

    public bool IsImplicit => true;

    public int FourierOrder => 4;

    public int CumulantOrder => 8;

    public Tensor Sample(long sampleCount, Generator? generator = null)
    {
        using (torch.no_grad())
        {
            return Reparameterize(Parameters, sampleCount, generator).detach();
        }
    }

    // z = theta·ζ, ζ ~ Gamma(k, 1) with libtorch's implicit gradient ∂ζ/∂k.
    public Tensor Reparameterize(IReadOnlyList<Tensor> parameters, long sampleCount, Generator? generator = null)
    {
        Tensor shape = parameters[0].expand(Shapes.Sampled(sampleCount, BatchShape));
        if (defect == GammaDefect.DetachedSampler)
        {
            shape = shape.detach();
        }
        return parameters[1] * Noise.StandardGamma(shape, generator);
    }

    // log p = (k − 1) log z − z/theta − log Γ(k) − k log theta
    public Tensor? LogDensity(Tensor z) =>
        (K - 1) * z.log() - z / Theta - K.lgamma() - K * Theta.log();

    // ∂k = log z − ψ(k) − log theta, ∂theta = z/theta² − k/theta
    public IReadOnlyList<Tensor> Score(Tensor z) => new[]
    {
        (z.log() - K.digamma() - Theta.log()).expand(z.shape),
        (z / Theta.pow(2) - K / Theta).expand(z.shape),
    };

    public bool CumulantVanishes(int order) => false;

    // κ_n = k θⁿ (n − 1)!
    public Tensor Cumulant(int order) => Shapes.ToBatch(K * Theta.pow(order) * Factorial(order - 1), BatchShape);

    // ∂κ_n/∂k = θⁿ (n − 1)!, ∂κ_n/∂θ = n k θ^{n−1} (n − 1)!
    public IReadOnlyList<Tensor> CumulantGradient(int order)
    {
        double factorial = defect == GammaDefect.CumulantFactorial ? Factorial(order) : Factorial(order - 1);
        return new[]
        {
            Shapes.ToBatch(Theta.pow(order) * factorial, BatchShape),
            Shapes.ToBatch(order * K * Theta.pow(order - 1) * factorial, BatchShape),
        };
    }

    private static double Factorial(int n)
    {
        double result = 1;
        for (int i = 2; i <= n; i++)
        {
            result *= i;
        }
        return result;
    }
}
