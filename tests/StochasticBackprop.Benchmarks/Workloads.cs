using System;
using System.Collections.Generic;
using StochasticBackprop.Distributions;
using StochasticBackprop.Samples.Distributions;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Benchmarks;

/// <summary>The six benchmark workloads W1–W6 on the library (float64, one libtorch thread).</summary>
/// <remarks>
/// Only the static call forms (<c>Estimators.X(distribution, ...)</c>, <c>new HybridEstimator().Estimate(...)</c>)
/// are used, so this compiles whether the estimators are static methods or extension methods.
/// </remarks>
public sealed class Workloads
{
    /// <summary>The workload identifiers, in table order.</summary>
    public static readonly IReadOnlyList<string> Ids = new[] { "W1", "W2", "W3", "W4", "W5", "W6" };

    /// <summary>One-line descriptions for the tables.</summary>
    public static readonly IReadOnlyDictionary<string, string> Descriptions = new Dictionary<string, string>
    {
        ["W1"] = "hybrid, CoupledNormal, N=100k",
        ["W2"] = "pathwise, CoupledNormal, N=100k",
        ["W3"] = "score, CoupledNormal, N=100k",
        ["W4"] = "Fourier N=4, Gamma, N=100k",
        ["W5"] = "local expectation, Bernoulli d=100, S=1k",
        ["W6"] = "score, Bernoulli d=100, S=1k",
    };

    public const long ContinuousSamples = 100_000;
    public const long BernoulliSamples = 1_000;
    public const int BernoulliDimension = 100;
    public const double Theta = 0.8;
    public const double Alpha = 2.0;

    private readonly Tensor theta;
    private readonly Tensor alpha;
    private readonly CoupledNormal coupled;
    private readonly Tensor gammaK;
    private readonly Tensor gammaTheta;
    private readonly Gamma gamma;
    private readonly Tensor p;
    private readonly Bernoulli bernoulli;
    private readonly Objective clippedQuadratic;
    private readonly Objective shiftedQuadratic;
    private readonly Objective bernoulliObjective;
    private readonly Dictionary<string, Generator> generators = new();

    public Workloads(ulong seed = 20261123)
    {
        TorchBackend.EnsureAvailable();
        torch.set_num_threads(1);

        // W1–W3: q = N(θ, σ = e^{αθ}); θ requires grad, α does not.
        theta = torch.tensor(Theta, float64, requires_grad: true);
        alpha = torch.tensor(Alpha, float64, requires_grad: false);
        coupled = new CoupledNormal(theta, alpha);
        // f(z) = min(z²/2, 2), the clipped quadratic of Oden (2025) (samples are [N]: the batch shape is scalar).
        clippedQuadratic = Objective.Separable(z => (z * z * Scalars.Of(0.5)).clamp_max(Scalars.Of(2.0)));

        // W4: Gamma(k = 2, θ = 1.5), f = (z − 1)².
        gammaK = torch.tensor(2.0, float64, requires_grad: true);
        gammaTheta = torch.tensor(1.5, float64, requires_grad: true);
        gamma = new Gamma(gammaK, gammaTheta);
        shiftedQuadratic = Objective.Separable(z => (z - Scalars.Of(1.0)).pow(Scalars.Of(2)));

        // W5–W6: Bernoulli with p_j = 0.3 + 0.4 j/(d − 1), a leaf requiring grad; f = Σ_j (z_j − 0.45)².
        var probabilities = new double[BernoulliDimension];
        for (int j = 0; j < BernoulliDimension; j++)
        {
            probabilities[j] = 0.3 + 0.4 * j / (BernoulliDimension - 1);
        }
        p = torch.tensor(probabilities, float64, requires_grad: true);
        bernoulli = new Bernoulli(p);
        bernoulliObjective = Objective.Separable(z => (z - Scalars.Of(0.45)).pow(Scalars.Of(2)));

        for (int w = 0; w < Ids.Count; w++)
        {
            generators[Ids[w]] = new Generator(seed + (ulong)w, torch.CPU);
        }
    }

    /// <summary>The estimate of one workload, in the caller's dispose scope.</summary>
    public GradientEstimate Estimate(string id)
    {
        Generator g = generators[id];
        return id switch
        {
            "W1" => new HybridEstimator().Estimate(coupled, clippedQuadratic, ContinuousSamples, g),
            "W2" => Estimators.Pathwise(coupled, clippedQuadratic, ContinuousSamples, g),
            "W3" => Estimators.ScoreFunction(coupled, clippedQuadratic, ContinuousSamples, null, g),
            "W4" => Estimators.Fourier(gamma, shiftedQuadratic, ContinuousSamples, 4, g),
            "W5" => Estimators.LocalExpectation(bernoulli, bernoulliObjective, BernoulliSamples, g),
            "W6" => Estimators.ScoreFunction(bernoulli, bernoulliObjective, BernoulliSamples, null, g),
            _ => throw new ArgumentException($"Unknown workload '{id}'; expected one of {string.Join(", ", Ids)}.", nameof(id)),
        };
    }

    /// <summary>
    /// The timed unit: one estimate inside its own dispose scope, ended by <c>Surrogate.backward()</c>
    /// (the gradient lands in the parameters' .grad, as in a training step; it accumulates across runs, as in the twin).
    /// </summary>
    public void Run(string id)
    {
        using var scope = torch.NewDisposeScope();
        GradientEstimate estimate = Estimate(id);
        estimate.Surrogate.backward();
    }

    /// <summary>
    /// The checked statistics of one estimate: per reported quantity, (mean, standard error over samples),
    /// plus λ for the hybrid. W1–W3: dθ; W4: dk and dθ; W5–W6: Σ_j dp_j.
    /// </summary>
    public (string Name, double Mean, double StandardError)[] Statistics(string id, out double? lambda)
    {
        using var scope = torch.NewDisposeScope();
        GradientEstimate e = Estimate(id);
        lambda = e.Lambdas is { } lambdas ? lambdas[0] : null;
        return id switch
        {
            "W1" or "W2" or "W3" => new[] { Summarize("d/dtheta", e.PerSampleGradient("theta")) },
            "W4" => new[] { Summarize("d/dk", e.PerSampleGradient("k")), Summarize("d/dtheta", e.PerSampleGradient("theta")) },
            _ => new[] { Summarize("sum_j d/dp_j", e.PerSampleGradient("p").sum(new long[] { 1 })) },
        };
    }

    private static (string, double, double) Summarize(string name, Tensor perSample)
    {
        double mean = perSample.mean().item<double>();
        double standardError = Math.Sqrt(perSample.var().item<double>() / perSample.shape[0]);
        return (name, mean, standardError);
    }
}
