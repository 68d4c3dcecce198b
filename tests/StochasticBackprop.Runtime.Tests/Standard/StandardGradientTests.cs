using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Distributions;
using StochasticBackprop.Runtime.Tests.Support;
using TorchSharp;
using Xunit;
using static StochasticBackprop.Runtime.Tests.Standard.StandardTensors;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Standard;

/// <summary>
/// One estimator per standard distribution, unbiased for an objective whose expectation has a closed-form gradient:
/// the mean per-sample gradient within 4 SE of it (float64, 100,000 samples, fixed seeds). A wrong gradient (the
/// StudentT's without nu/(nu − 2)) fails the same test.
/// </summary>
public sealed class StandardGradientTests
{
    private const long SampleCount = 100_000;

    private static Scalar S(double value) => Scalars.Of(value);

    private static readonly Objective Square = Objective.Separable(z => z * z);

    /// <summary>An estimate and the exact gradient of each parameter (flattened).</summary>
    private sealed record Case(string Name, Func<Generator, GradientEstimate> Estimate, double[][] Exact);

    private static IEnumerable<Case> Cases()
    {
        // E z² = mu² + sigma²
        yield return new("Normal/pathwise", g => new Normal(T(0.3, -1.2), T(0.7, 2.0)).Pathwise(Square, SampleCount, g),
            new[] { new[] { 0.6, -2.4 }, new[] { 1.4, 4.0 } });
        // E z = exp(mu + sigma²/2)
        double[] logNormalMean = { Math.Exp(0.3 + 0.125), Math.Exp(-1.2 + 0.405) };
        yield return new("LogNormal/pathwise", g => new LogNormal(T(0.3, -1.2), T(0.5, 0.9)).Pathwise(Objective.Separable(z => z.clone()), SampleCount, g),
            new[] { logNormalMean, new[] { 0.5 * logNormalMean[0], 0.9 * logNormalMean[1] } });
        // E z² = mu² + 2b²
        yield return new("Laplace/score-function", g => new Laplace(T(0.3, -1.2), T(0.7, 2.0)).ScoreFunction(Square, SampleCount, Baseline.LeaveOneOut, g),
            new[] { new[] { 0.6, -2.4 }, new[] { 2.8, 8.0 } });
        // E z² = kθ²(1 + k)
        yield return new("Gamma/pathwise (implicit)", g => new Gamma(T(2.5, 0.4), T(1.5, 0.8)).Pathwise(Square, SampleCount, g),
            new[] { new[] { 2.25 * 6.0, 0.64 * 1.8 }, new[] { 2 * 2.5 * 1.5 * 3.5, 2 * 0.4 * 0.8 * 1.4 } });
        // E z² = 2/rate²
        yield return new("Exponential/fourier", g => new Exponential(T(0.5, 3.0)).Fourier(Square, SampleCount, 2, g),
            new[] { new[] { -4 / 0.125, -4 / 27.0 } });
        // Square = Σ z²: E z² = (low² + low·high + high²)/3, so ∂/∂low = (2 low + high)/3 and ∂/∂high = (low + 2 high)/3.
        yield return new("Uniform/pathwise", g => new Uniform(T(0.3, -1.2), T(1.5, 2.0)).Pathwise(Square, SampleCount, g),
            new[] { new[] { (0.6 + 1.5) / 3, (-2.4 + 2.0) / 3 }, new[] { (0.3 + 3.0) / 3, (-1.2 + 4.0) / 3 } });
        // The Fourier series through the cumulants of φ with its removable 0/0 at w = 0: exact at order 2 for a quadratic.
        yield return new("Uniform/fourier", g => new Uniform(T(0.3, -1.2), T(1.5, 2.0)).Fourier(Square, SampleCount, 2, g),
            new[] { new[] { (0.6 + 1.5) / 3, (-2.4 + 2.0) / 3 }, new[] { (0.3 + 3.0) / 3, (-1.2 + 4.0) / 3 } });
        // E z = a/(a + b)
        yield return new("Beta/pathwise (implicit)", g => new Beta(T(2.5, 0.6), T(1.5, 3.0)).Pathwise(Objective.Separable(z => z.clone()), SampleCount, g),
            new[] { new[] { 1.5 / 16.0, 3.0 / (3.6 * 3.6) }, new[] { -2.5 / 16.0, -0.6 / (3.6 * 3.6) } });
        // E Σ z_k² = Σ α_k(α_k + 1)/(α₀(α₀ + 1))
        double[] alpha = { 2.5, 0.6, 1.0 };
        double a0 = alpha.Sum(), numerator = alpha.Sum(a => a * (a + 1)), denominator = a0 * (a0 + 1);
        yield return new("Dirichlet/pathwise (implicit)", g => new Dirichlet(T(alpha)).Pathwise(Square, SampleCount, g),
            new[] { alpha.Select(a => (2 * a + 1) / denominator - numerator * (2 * a0 + 1) / (denominator * denominator)).ToArray() });
        // E (z − 0.3)² = p·0.49 + (1 − p)·0.09
        yield return new("Bernoulli/score-function", g => new Bernoulli(T(0.2, 0.65)).ScoreFunction(Objective.Separable(z => (z - S(0.3)) * (z - S(0.3))), SampleCount, null, g),
            new[] { new[] { 0.4, 0.4 } });
        // E z² = Σ p_k k² (as a function of the unconstrained table entries: ∂/∂p_k = k²)
        yield return new("Categorical/score-function", g => new Categorical(T(0.1, 0.6, 0.05, 0.25)).ScoreFunction(Square, SampleCount, null, g),
            new[] { new[] { 0.0, 1.0, 4.0, 9.0 } });
        // E z² = Σ softmax_k k²: ∂/∂logit_j = p_j (j² − E z²)
        double[] logits = { 0.4, -1.0, 2.2, 0.0 };
        double[] p = logits.Select(l => Math.Exp(l) / logits.Sum(Math.Exp)).ToArray();
        double secondMoment = p.Select((q, k) => q * k * k).Sum();
        yield return new("CategoricalLogits/local-expectation", g => new CategoricalLogits(T(logits)).LocalExpectation(Square, SampleCount, g),
            new[] { p.Select((q, j) => q * (j * j - secondMoment)).ToArray() });
        // E z² = rate + rate²
        yield return new("Poisson/score-function", g => new Poisson(T(0.7, 4.5)).ScoreFunction(Square, SampleCount, Baseline.LeaveOneOut, g),
            new[] { new[] { 1 + 1.4, 1 + 9.0 } });
        // E z² = mu² + sigma²·nu/(nu − 2)
        yield return new("StudentT/pathwise", g => StudentT().Pathwise(Square, SampleCount, g), StudentTGradient(withVarianceFactor: true));
        yield return new("StudentT/score-function", g => StudentT().ScoreFunction(Square, SampleCount, Baseline.LeaveOneOut, g), StudentTGradient(withVarianceFactor: true));
    }

    private static StudentT StudentT() => new(T(12.0, 9.0), T(0.3, -1.2), T(0.7, 2.0));

    private static double[][] StudentTGradient(bool withVarianceFactor)
    {
        double[] nu = { 12.0, 9.0 }, mu = { 0.3, -1.2 }, sigma = { 0.7, 2.0 };
        return new[]
        {
            nu.Select((n, j) => withVarianceFactor ? -2 * sigma[j] * sigma[j] / ((n - 2) * (n - 2)) : 0.0).ToArray(),
            mu.Select(m => 2 * m).ToArray(),
            sigma.Select((s, j) => withVarianceFactor ? 2 * s * nu[j] / (nu[j] - 2) : 2 * s).ToArray(),
        };
    }

    public static IEnumerable<object[]> Names() => Cases().Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(Names))]
    public void MeanGradient_MatchesExactGradient_Within4StandardErrors(string name)
    {
        using var scope = torch.NewDisposeScope();
        Case c = Cases().Single(x => x.Name == name);
        using GradientEstimate estimate = c.Estimate(new Generator(9100UL + (ulong)name.Sum(ch => ch), torch.CPU));
        Assert.Equal(c.Exact.Length, estimate.PerSampleGradients.Count);
        for (int p = 0; p < c.Exact.Length; p++)
        {
            StatisticalAssert.WithinStandardErrors(estimate.PerSampleGradients[p].reshape(SampleCount, -1), c.Exact[p], $"{name} ∂/∂{estimate.ParameterNames[p]}");
        }
    }

    [Fact]
    public void WrongGradient_IsDetected()
    {
        using var scope = torch.NewDisposeScope();
        using GradientEstimate estimate = StudentT().Pathwise(Square, SampleCount, new Generator(9101UL, torch.CPU));
        double[][] wrong = StudentTGradient(withVarianceFactor: false);
        StatisticalAssert.FailsAgainst(torch.cat(estimate.PerSampleGradients.ToArray(), 1), wrong.SelectMany(x => x).ToArray(), "StudentT with the Normal's gradient");
    }
}
