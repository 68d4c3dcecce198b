using System;
using StochasticBackprop.Runtime.Tests.Support;
using StochasticBackprop.Runtime.Tests.TestDistributions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests;

/// <summary>The likelihood-ratio second derivative f·(s_a s_b + ∂_b s_a) against closed forms, within 4 SE.</summary>
public sealed class SecondOrderEstimatorTests
{
    private const double Mu = 0.3, Sigma = 1.5;
    private const long SampleCount = 400_000;

    private static StochasticBackprop.Distributions.Normal Normal() => DistributionFactory.Normal(DistributionFactory.Scalar(Mu), DistributionFactory.Scalar(Sigma));

    private static StochasticBackprop.Distributions.Normal Rebuild(System.Collections.Generic.IReadOnlyList<Tensor> p) => DistributionFactory.Normal(p[0], p[1]);

    // E z³ = μ³ + 3μσ²: ∂²/∂μ² = 6μ, ∂²/∂σ² = 6μ, ∂²/∂μ∂σ = 6σ.
    [Theory]
    [InlineData("mu", "mu", 6 * Mu, 51)]
    [InlineData("sigma", "sigma", 6 * Mu, 52)]
    [InlineData("mu", "sigma", 6 * Sigma, 53)]
    [InlineData("sigma", "mu", 6 * Sigma, 54)]
    public void LikelihoodRatio_OfCube_MatchesClosedFormWithinFourStandardErrors(string first, string second, double truth, int seed)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor perSample = SecondOrderEstimators.LikelihoodRatio(Normal(), Rebuild, Objective.Separable(z => z.pow(Scalars.Of(3))), SampleCount, first, second, new Generator((ulong)seed, torch.CPU));
        Assert.Equal(new[] { SampleCount }, perSample.shape);
        StatisticalAssert.WithinStandardErrors(perSample, new[] { truth }, $"∂²E z³/∂{first}∂{second}");
    }

    [Fact]
    public void LikelihoodRatio_OfIndicator_GivesTheDensityDerivative()
    {
        // E 1{z > c} = Φ((μ − c)/σ): ∂²/∂μ² = −φ(d)·d/σ², d = (μ − c)/σ. A discontinuous f: pathwise would give 0.
        using DisposeScope scope = torch.NewDisposeScope();
        const double c = 1.0;
        double d = (Mu - c) / Sigma;
        double truth = -Math.Exp(-d * d / 2) / Math.Sqrt(2 * Math.PI) * d / (Sigma * Sigma);
        Tensor perSample = SecondOrderEstimators.LikelihoodRatio(Normal(), Rebuild, Objective.Separable(z => z.gt(Scalars.Of(c)).to_type(ScalarType.Float64)), SampleCount, "mu", "mu", new Generator(55, torch.CPU));
        StatisticalAssert.WithinStandardErrors(perSample, new[] { truth }, "∂²P(z > 1)/∂μ²");
    }

    [Fact]
    public void WithoutTheScoreDerivativeTerm_TheSameTestFails()
    {
        // The wrong weight s_a s_b (dropping ∂_b s_a), from the generated score at the same draws.
        using DisposeScope scope = torch.NewDisposeScope();
        var normal = Normal();
        Tensor z = normal.Sample(SampleCount, new Generator(52, torch.CPU));
        Tensor sigmaScore = normal.Score(z)[1];
        Tensor wrong = z.pow(Scalars.Of(3)) * sigmaScore * sigmaScore;
        StatisticalAssert.FailsAgainst(wrong, new[] { 6 * Mu }, "f·s_σ² without ∂s_σ/∂σ");
    }

    [Fact]
    public void NonScalarParameters_AreRejected()
    {
        var normal = DistributionFactory.Normal(DistributionFactory.Vector(0.1, 0.2), DistributionFactory.Vector(1.0, 1.0));
        Assert.Throws<ArgumentException>(() => SecondOrderEstimators.LikelihoodRatio(normal, Rebuild, Objective.Separable(z => z), 10, "mu", "mu"));
        Assert.Throws<ArgumentException>(() => SecondOrderEstimators.LikelihoodRatio(Normal(), Rebuild, Objective.Separable(z => z), 10, "mu", "nu"));
    }
}
