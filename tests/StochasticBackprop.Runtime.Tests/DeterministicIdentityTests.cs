using System;
using System.Linq;
using MathNet.Numerics;
using StochasticBackprop.Runtime.Tests.Support;
using StochasticBackprop.Runtime.Tests.TestDistributions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests;

/// <summary>Same seed, a handful of samples: each estimator's algebra against a hand formula to 1e-10 (docs/ARCHITECTURE.md#testing).</summary>
public sealed class DeterministicIdentityTests
{
    private const double Tolerance = 1e-10;
    private const double Mu = 0.4;
    private const double Sigma = 1.3;
    private const double C = ClosedForms.Shift;

    private static StochasticBackprop.Distributions.Normal Normal() => DistributionFactory.Normal(DistributionFactory.Scalar(Mu), DistributionFactory.Scalar(Sigma));

    private static Objective Square() => Objective.Separable(z => (z - Scalars.Of(C)).pow(Scalars.Of(2)));

    private static double[] Values(Tensor t) => t.detach().to_type(ScalarType.Float64).contiguous().flatten().data<double>().ToArray();

    [Theory]
    [InlineData("none")]
    [InlineData("constant")]
    [InlineData("leave-one-out")]
    public void Score_PerSampleGradient_EqualsCentredValueTimesScore(string baselineName)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var normal = Normal();
        Tensor samples = normal.Sample(5, new Generator(11, torch.CPU));
        Baseline? baseline = baselineName switch { "constant" => Baseline.Constant(0.3), "leave-one-out" => Baseline.LeaveOneOut, _ => null };

        GradientEstimate estimate = Estimators.ScoreFunctionAt(normal, Square(), samples, baseline);

        double[] z = Values(samples);
        double[] f = z.Select(v => (v - C) * (v - C)).ToArray();
        double[] b = baselineName switch
        {
            "constant" => f.Select(_ => 0.3).ToArray(),
            "leave-one-out" => f.Select(v => (f.Sum() - v) / (f.Length - 1)).ToArray(),
            _ => new double[f.Length],
        };
        double[] expectedMu = z.Select((v, i) => (f[i] - b[i]) * (v - Mu) / (Sigma * Sigma)).ToArray();
        double[] expectedSigma = z.Select((v, i) => (f[i] - b[i]) * ((v - Mu) * (v - Mu) - Sigma * Sigma) / Math.Pow(Sigma, 3)).ToArray();
        AssertClose(expectedMu, Values(estimate.PerSampleGradient("mu")));
        AssertClose(expectedSigma, Values(estimate.PerSampleGradient("sigma")));
        AssertClose(f, Values(estimate.Values));
        Assert.Equal(f.Average(), estimate.Value.item<double>(), 12);
    }

    [Fact]
    public void MovingAverageBaseline_UsesEarlierBatchesOnly()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var normal = Normal();
        Baseline baseline = Baseline.MovingAverage(0.5);
        Tensor first = normal.Sample(4, new Generator(12, torch.CPU));
        Tensor second = normal.Sample(4, new Generator(13, torch.CPU));

        GradientEstimate a = Estimators.ScoreFunctionAt(normal, Square(), first, baseline);
        GradientEstimate b = Estimators.ScoreFunctionAt(normal, Square(), second, baseline);

        double[] z1 = Values(first), z2 = Values(second);
        double mean1 = z1.Average(v => (v - C) * (v - C));
        // Batch 1 had no history (b = 0); batch 2 uses batch 1's mean only.
        AssertClose(z1.Select(v => (v - C) * (v - C) * (v - Mu) / (Sigma * Sigma)).ToArray(), Values(a.PerSampleGradient("mu")));
        AssertClose(z2.Select(v => ((v - C) * (v - C) - mean1) * (v - Mu) / (Sigma * Sigma)).ToArray(), Values(b.PerSampleGradient("mu")));
    }

    [Fact]
    public void Pathwise_Normal_PerSampleGradient_IsChainRuleThroughMuPlusSigmaEpsilon()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        GradientEstimate estimate = Estimators.Pathwise(Normal(), Square(), 5, new Generator(14, torch.CPU));
        double[] z = Values(estimate.Samples);
        AssertClose(z.Select(v => 2 * (v - C)).ToArray(), Values(estimate.PerSampleGradient("mu")));
        AssertClose(z.Select(v => 2 * (v - C) * (v - Mu) / Sigma).ToArray(), Values(estimate.PerSampleGradient("sigma")));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Fourier_Normal_Quadratic_PerSampleGradient_IsPriceBonnet(int order)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        GradientEstimate estimate = Estimators.Fourier(Normal(), Square(), 5, order, new Generator(15, torch.CPU));
        double[] z = Values(estimate.Samples);
        // ∂μ: ∂κ₁/∂μ·f′ = 2(z − c);  ∂σ: ∂κ₂/∂σ/2!·f″ = 2σ·2/2 = 2σ.
        AssertClose(z.Select(v => 2 * (v - C)).ToArray(), Values(estimate.PerSampleGradient("mu")));
        AssertClose(z.Select(_ => 2 * Sigma).ToArray(), Values(estimate.PerSampleGradient("sigma")));
        Assert.Equal($"fourier(N={order})", estimate.Estimator);
    }

    [Fact]
    public void Fourier_Gamma_Cubic_PerSampleGradient_IsTheCumulantSeries()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        const double k = 1.7, theta = 0.6;
        var gamma = DistributionFactory.Gamma(DistributionFactory.Scalar(k), DistributionFactory.Scalar(theta));
        GradientEstimate estimate = Estimators.Fourier(gamma, Objective.Separable(z => z.pow(Scalars.Of(3))), 5, 4, new Generator(16, torch.CPU));
        double[] z = Values(estimate.Samples);
        // f′ = 3z², f″ = 6z, f‴ = 6; ∂κ_n/∂k /n! = θⁿ/n, ∂κ_n/∂θ /n! = kθ^{n−1}.
        AssertClose(z.Select(v => theta * 3 * v * v + theta * theta / 2 * 6 * v + Math.Pow(theta, 3) / 3 * 6).ToArray(), Values(estimate.PerSampleGradient("k")));
        AssertClose(z.Select(v => k * 3 * v * v + k * theta * 6 * v + k * theta * theta * 6).ToArray(), Values(estimate.PerSampleGradient("theta")));
    }

    [Fact]
    public void Pathwise_Gamma_ImplicitGradient_MatchesFiniteDifferenceOfTheCdf()
    {
        // dz/dk = −(∂F/∂k)/p(z) for z = θζ, ζ ~ Gamma(k, 1): the implicit reparameterization identity (docs/ARCHITECTURE.md#testing).
        // libtorch computes ∂ζ/∂k with series/asymptotic approximations (measured relative error ~1.5e-5
        // here), so this identity holds to 1e-4 relative, not 1e-10: a property of libtorch, not of the estimator.
        using DisposeScope scope = torch.NewDisposeScope();
        const double k = 2.3, theta = 1.4, h = 1e-6;
        var gamma = DistributionFactory.Gamma(DistributionFactory.Scalar(k), DistributionFactory.Scalar(theta));
        GradientEstimate estimate = Estimators.Pathwise(gamma, Objective.Separable(z => z), 6, new Generator(17, torch.CPU));
        double[] z = Values(estimate.Samples);
        double[] expected = z.Select(v =>
        {
            double zeta = v / theta;
            double dF = (SpecialFunctions.GammaLowerRegularized(k + h, zeta) - SpecialFunctions.GammaLowerRegularized(k - h, zeta)) / (2 * h);
            double density = Math.Exp((k - 1) * Math.Log(zeta) - zeta - SpecialFunctions.GammaLn(k));
            return -theta * dF / density;
        }).ToArray();
        double[] actual = Values(estimate.PerSampleGradient("k"));
        for (int i = 0; i < z.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4 * Math.Abs(expected[i]), $"sample {i}: {actual[i]:R} vs finite difference {expected[i]:R}");
        }
        AssertClose(z.Select(v => v / theta).ToArray(), Values(estimate.PerSampleGradient("theta")));
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance * (1 + Math.Abs(expected[i])), $"[{i}] expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
