using System;
using System.Linq;
using StochasticBackprop.Distributions;
using StochasticBackprop.Runtime.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests;

/// <summary>
/// The closed-form Fourier estimator for exponential objectives: its coefficient ∇K(s)/s equals the
/// generated cumulant series Σ ∇κ_n sⁿ⁻¹/n! where that converges, it is unbiased against the closed form
/// (also where the series diverges, |s|θ &gt; 1), the generated K equals the hand-written one, s outside
/// K's domain is refused, and the wrong sign of s is caught.
/// </summary>
public sealed class ExponentialFourierTests
{
    private const long SampleCount = 100_000;

    /// <summary>The Gamma(k, θ) cumulant generating function, −k log(1 − θs), from its φ(w) = (1 − iθw)^{−k} at w = s/i.</summary>
    private static Tensor GammaCgf(System.Collections.Generic.IReadOnlyList<Tensor> p, double s) => -p[0] * torch.log1p(-s * p[1]);

    private static double[][] ExponentialTruth(double[] k, double[] theta, double eps)
    {
        Tensor kt = torch.tensor(k, dtype: ScalarType.Float64, requires_grad: true);
        Tensor tt = torch.tensor(theta, dtype: ScalarType.Float64, requires_grad: true);
        // E Σ_j e^{−ε z_j} = Σ_j (1 + εθ_j)^{−k_j}.
        Tensor expectation = (1 + eps * tt).pow(-kt).sum();
        return torch.autograd.grad(new[] { expectation }, new[] { kt, tt }).Select(g => g.data<double>().ToArray()).ToArray();
    }

    [Fact]
    public void Gamma_SmallRate_CoefficientMatchesGeneratedCumulantSeries()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var gamma = new Gamma(torch.tensor(new[] { 0.8, 2.0 }, dtype: ScalarType.Float64), torch.tensor(new[] { 0.5, 0.3 }, dtype: ScalarType.Float64));
        const double s = -0.2;
        // f = Σ e^{s z}: ∂f = s e^{s z}. The per-sample gradient divided by e^{s z} is the coefficient ∇K(s)/s·s = ∇K(s).
        GradientEstimate estimate = ExponentialFourier.Estimate(gamma, GammaCgf, s, Objective.Separable(z => (z * Scalars.Of(s)).exp()), 8, new Generator(3, torch.CPU));
        Tensor weight = (s * estimate.Samples).exp();
        for (int p = 0; p < 2; p++)
        {
            Tensor coefficient = (estimate.PerSampleGradients[p] / weight)[0];
            Tensor series = torch.zeros(2, dtype: ScalarType.Float64);
            for (int n = 1; n <= gamma.CumulantOrder; n++)
            {
                series = series + gamma.CumulantGradient(n)[p] * Math.Pow(s, n) / Enumerable.Range(1, n).Aggregate(1.0, (a, b) => a * b);
            }
            // |sθ| ≤ 0.1: the remainder after order 8 is about n·0.1ⁿ ≈ 1e-8 relative.
            double error = ((coefficient - series).abs() / series.abs()).max().item<double>();
            Assert.True(error < 1e-7, $"parameter {p}: relative difference {error}");
        }
    }

    [Fact]
    public void Gamma_DivergentSeriesRegion_IsUnbiased()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        double[] k = { 0.7, 3.0 };
        double[] theta = { 1.3, 4.0 }; // εθ = 0.64 and 1.96: the cumulant series diverges for the second coordinate
        const double eps = 0.49;
        var gamma = new Gamma(torch.tensor(k, dtype: ScalarType.Float64), torch.tensor(theta, dtype: ScalarType.Float64));
        // K from the generated CumulantGeneratingFunction.
        GradientEstimate estimate = ExponentialFourier.Estimate(gamma, -eps, Objective.Separable(z => (z * Scalars.Of(-eps)).exp()), SampleCount, new Generator(4, torch.CPU));
        double[][] truth = ExponentialTruth(k, theta, eps);
        StatisticalAssert.WithinStandardErrors(estimate.PerSampleGradient("k"), truth[0], "closed-form Fourier ∂k");
        StatisticalAssert.WithinStandardErrors(estimate.PerSampleGradient("theta"), truth[1], "closed-form Fourier ∂θ");
    }

    [Theory]
    [InlineData(-0.49)]
    [InlineData(0.3)]
    public void Gamma_GeneratedCgf_EqualsHandWrittenCgf_SampleBySample(double s)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var gamma = new Gamma(torch.tensor(new[] { 0.7, 3.0 }, dtype: ScalarType.Float64), torch.tensor(new[] { 1.3, 2.5 }, dtype: ScalarType.Float64));
        Objective objective = Objective.Separable(z => (z * Scalars.Of(s)).exp());
        Tensor samples = gamma.Sample(64, new Generator(5, torch.CPU));
        GradientEstimate generated = ExponentialFourier.EstimateAt(gamma, s, objective, samples);
        GradientEstimate handWritten = ExponentialFourier.EstimateAt(gamma, GammaCgf, s, objective, samples);
        for (int p = 0; p < 2; p++)
        {
            double difference = (generated.PerSampleGradients[p] - handWritten.PerSampleGradients[p]).abs().max().item<double>();
            double scale = handWritten.PerSampleGradients[p].abs().max().item<double>();
            Assert.True(difference <= 1e-12 * scale, $"parameter {p}: max difference {difference} at scale {scale}");
        }
    }

    [Fact]
    public void Gamma_RateOutsideTheDomain_ThrowsNamingSAndTheParameters()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        // s = 0.5 with θ = (1.3, 2.5): E e^{s z} is infinite for the second coordinate (sθ = 1.25 > 1).
        var gamma = new Gamma(torch.tensor(new[] { 0.7, 3.0 }, dtype: ScalarType.Float64), torch.tensor(new[] { 1.3, 2.5 }, dtype: ScalarType.Float64));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ExponentialFourier.Estimate(gamma, 0.5, Objective.Separable(z => (z * Scalars.Of(0.5)).exp()), 16, new Generator(6, torch.CPU)));
        Assert.Contains("s = 0.5", error.Message, StringComparison.Ordinal);
        Assert.Contains("coordinate 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("k = 3, theta = 2.5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gamma_WrongSignOfRate_IsCaught()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        double[] k = { 0.7, 3.0 };
        double[] theta = { 1.3, 0.4 };
        const double eps = 0.49;
        var gamma = new Gamma(torch.tensor(k, dtype: ScalarType.Float64), torch.tensor(theta, dtype: ScalarType.Float64));
        // K evaluated at +ε instead of −ε (φ at the conjugate point): a plausible slip.
        GradientEstimate wrong = ExponentialFourier.Estimate(gamma, (p, s) => GammaCgf(p, -s), -eps, Objective.Separable(z => (z * Scalars.Of(-eps)).exp()), SampleCount, new Generator(4, torch.CPU));
        double[][] truth = ExponentialTruth(k, theta, eps);
        StatisticalAssert.FailsAgainst(wrong.PerSampleGradient("theta"), truth[1], "closed-form Fourier with K(+ε)");
    }
}
