using System;
using System.Linq;
using StochasticBackprop.Distributions;
using StochasticBackprop.Runtime.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests;

/// <summary>
/// The generalized reparameterization gradient (Ruiz et al. 2016): unbiased against closed forms for the
/// Gamma with the standardization of Ruiz et al. (2016) (4 SE, fixed seed), identical to the pathwise estimator for the
/// Normal with T = (z − μ)/σ (its correction vanishes sample by sample), and its pathwise part alone —
/// the formula without the correction — is caught as biased by the same test.
/// </summary>
public sealed class GeneralizedReparameterizationTests
{
    private const long SampleCount = 200_000;

    private static Gamma Gamma() => new(
        torch.tensor(new[] { 0.7, 2.5 }, dtype: ScalarType.Float64),
        torch.tensor(new[] { 1.3, 0.6 }, dtype: ScalarType.Float64));

    /// <summary>E z² = kθ²(k + 1): ∂k = θ²(2k + 1), ∂θ = 2kθ(k + 1).</summary>
    private static double[][] SquareTruth() => new[]
    {
        new[] { 1.3 * 1.3 * (2 * 0.7 + 1), 0.6 * 0.6 * (2 * 2.5 + 1) },
        new[] { 2 * 0.7 * 1.3 * 1.7, 2 * 2.5 * 0.6 * 3.5 },
    };

    [Fact]
    public void Gamma_GammaStandardization_IsUnbiasedForSquare()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        GradientEstimate estimate = GeneralizedReparameterization.Estimate(Gamma(), GeneralizedReparameterization.GammaShapeScale, Objective.Separable(z => z.pow(Scalars.Of(2))), SampleCount, new Generator(31, torch.CPU));
        double[][] truth = SquareTruth();
        StatisticalAssert.WithinStandardErrors(estimate.PerSampleGradient("k"), truth[0], "G-REP ∂k");
        StatisticalAssert.WithinStandardErrors(estimate.PerSampleGradient("theta"), truth[1], "G-REP ∂θ");
    }

    [Fact]
    public void Gamma_GammaStandardization_IsUnbiasedForExponential()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        const double eps = 0.49;
        // E e^{−εz} = (1 + εθ)^{−k}.
        Tensor k = torch.tensor(new[] { 0.7, 2.5 }, dtype: ScalarType.Float64, requires_grad: true);
        Tensor theta = torch.tensor(new[] { 1.3, 0.6 }, dtype: ScalarType.Float64, requires_grad: true);
        Tensor expectation = (1 + eps * theta).pow(-k).sum();
        var truth = torch.autograd.grad(new[] { expectation }, new[] { k, theta }).Select(g => g.data<double>().ToArray()).ToArray();
        GradientEstimate estimate = GeneralizedReparameterization.Estimate(Gamma(), GeneralizedReparameterization.GammaShapeScale, Objective.Separable(z => (-eps * z).exp()), SampleCount, new Generator(32, torch.CPU));
        StatisticalAssert.WithinStandardErrors(estimate.PerSampleGradient("k"), truth[0], "G-REP ∂k");
        StatisticalAssert.WithinStandardErrors(estimate.PerSampleGradient("theta"), truth[1], "G-REP ∂θ");
    }

    [Fact]
    public void Gamma_WithoutCorrection_IsCaughtAsBiased()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        GradientEstimate repOnly = GeneralizedReparameterization.Estimate(Gamma(), GeneralizedReparameterization.GammaShapeScale, Objective.Separable(z => z.pow(Scalars.Of(2))), SampleCount, new Generator(31, torch.CPU), correction: false);
        double[][] truth = SquareTruth();
        StatisticalAssert.FailsAgainst(repOnly.PerSampleGradient("k"), truth[0], "G-REP without correction ∂k");
    }

    [Fact]
    public void Normal_LocationScaleStandardization_EqualsPathwiseSampleBySample()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var normal = new Normal(torch.tensor(new[] { 0.3, -1.0 }, dtype: ScalarType.Float64), torch.tensor(new[] { 1.4, 0.5 }, dtype: ScalarType.Float64));
        Objective f = Objective.Separable(z => z.pow(Scalars.Of(3)) + z.sin());
        GradientEstimate pathwise = Estimators.Pathwise(normal, f, 64, new Generator(5, torch.CPU));
        GradientEstimate grep = GeneralizedReparameterization.EstimateAt(normal, (z, p) => (z - p[0]) / p[1], f, pathwise.Samples);
        for (int p = 0; p < 2; p++)
        {
            double error = (grep.PerSampleGradients[p] - pathwise.PerSampleGradients[p]).abs().max().item<double>();
            Assert.True(error < 1e-10, $"parameter {p}: max difference {error}");
        }
    }

    [Fact]
    public void GammaStandardization_UsesTrigammaScale()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        // k = 1, θ = 1: ε = (log z − ψ(1))/√ψ₁(1), ψ(1) = −γ, ψ₁(1) = π²/6.
        Tensor one = torch.ones(1, dtype: ScalarType.Float64);
        Tensor z = torch.tensor(new[] { 2.0 }, dtype: ScalarType.Float64);
        double eps = GeneralizedReparameterization.GammaShapeScale(z, new[] { one, one }).item<double>();
        double expected = (Math.Log(2.0) + 0.5772156649015329) / Math.Sqrt(Math.PI * Math.PI / 6);
        Assert.True(Math.Abs(eps - expected) < 1e-8, $"ε = {eps}, expected {expected}");
    }
}
