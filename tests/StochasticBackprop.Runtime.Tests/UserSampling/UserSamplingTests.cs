using System;
using System.Linq;
using Normal = MathNet.Numerics.Distributions.Normal;
using StochasticBackprop.Checking;
using StochasticBackprop.Runtime.Tests.Support;
using InverseGaussian = StochasticBackprop.Samples.Distributions.InverseGaussian;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.UserSampling;

/// <summary>
/// Distributions sampled by C# the user writes (a partial <c>Draw</c>), with the inverse Gaussian of src/Samples as the
/// example: its generated cumulants against the closed forms, its sampler's CDF against the closed-form CDF, every
/// estimator the catalog offers it (none needs a pathwise map) unbiased for ∂ E z³ against the closed form, the
/// self-check, and the checks on what Draw returns. Then a distribution declared by its reparameterization alone.
/// Tolerance 4 SE (<see cref="StatisticalAssert"/>), fixed seeds; a wrong sampler fails the same tests.
/// </summary>
public sealed class UserSamplingTests
{
    private const double Mu = 1.3, Lambda = 2.1;
    private const long SampleCount = 400_000;
    private readonly ITestOutputHelper output;

    public UserSamplingTests(ITestOutputHelper output) => this.output = output;

    private static Tensor T(double value) => torch.tensor(value, dtype: ScalarType.Float64);

    /// <summary>The closed-form CDF: Φ(√(λ/z)(z/μ − 1)) + e^{2λ/μ} Φ(−√(λ/z)(z/μ + 1)).</summary>
    private static double Cdf(double z, double mu, double lambda)
        => Normal.CDF(0, 1, Math.Sqrt(lambda / z) * (z / mu - 1)) + Math.Exp(2 * lambda / mu) * Normal.CDF(0, 1, -Math.Sqrt(lambda / z) * (z / mu + 1));

    /// <summary>∂/∂μ and ∂/∂λ of E z³ = 3μ⁵/λ² + 3μ⁴/λ + μ³ (the raw moment from κ1..κ3).</summary>
    private static double[] CubeGradient(double mu, double lambda)
        => new[] { 15 * Math.Pow(mu, 4) / (lambda * lambda) + 12 * Math.Pow(mu, 3) / lambda + 3 * mu * mu, -6 * Math.Pow(mu, 5) / Math.Pow(lambda, 3) - 3 * Math.Pow(mu, 4) / (lambda * lambda) };

    [Fact]
    public void InverseGaussian_Cumulants_AreTheClosedForms()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var distribution = new InverseGaussian(T(Mu), T(Lambda));
        double[] expected = { Mu, Math.Pow(Mu, 3) / Lambda, 3 * Math.Pow(Mu, 5) / (Lambda * Lambda), 15 * Math.Pow(Mu, 7) / Math.Pow(Lambda, 3) };
        for (int n = 1; n <= expected.Length; n++)
        {
            Assert.Equal(expected[n - 1], distribution.Cumulant(n).item<double>(), 12);
        }
        // ∂κ2/∂μ = 3μ²/λ, ∂κ2/∂λ = −μ³/λ².
        var gradient = distribution.CumulantGradient(2);
        Assert.Equal(3 * Mu * Mu / Lambda, gradient[0].item<double>(), 12);
        Assert.Equal(-Math.Pow(Mu, 3) / (Lambda * Lambda), gradient[1].item<double>(), 12);
    }

    [Fact]
    public void InverseGaussian_Sampler_MatchesTheClosedFormCdf_AndAWrongSamplerDoesNot()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        double[] points = { 0.3, 0.7, 1.0, 1.5, 2.5, 4.0 };
        double[] truth = points.Select(z => Cdf(z, Mu, Lambda)).ToArray();
        Tensor Indicators(IDistribution distribution)
        {
            Tensor z = distribution.Sample(SampleCount, new Generator(20261203, torch.CPU));
            Assert.Equal(new[] { SampleCount }, z.shape);
            Assert.False(z.requires_grad);
            return torch.stack(points.Select(p => (z <= torch.tensor(p, dtype: ScalarType.Float64)).to_type(ScalarType.Float64)).ToArray(), 1);
        }
        Tensor right = Indicators(new InverseGaussian(T(Mu), T(Lambda)));
        (double[] mean, double[] standardError) = StatisticalAssert.MeanAndStandardError(right);
        for (int j = 0; j < points.Length; j++)
        {
            output.WriteLine($"P(z ≤ {points[j]}): sampled {mean[j]:F5} ± {standardError[j]:F5}, closed form {truth[j]:F5}");
        }
        StatisticalAssert.WithinStandardErrors(right, truth, "inverse Gaussian sampler CDF");
        StatisticalAssert.FailsAgainst(Indicators(new InverseGaussianWithoutReflection(T(Mu), T(Lambda))), truth, "sampler without the second root");
    }

    [Fact]
    public void InverseGaussian_EveryCatalogEstimator_IsUnbiased_WithoutAPathwiseMap()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var distribution = new InverseGaussian(T(Mu), T(Lambda));
        Assert.IsNotAssignableFrom<IReparameterizedDistribution>(distribution);
        var entries = EstimatorCatalog.For(distribution).Where(e => !e.Biased).ToList();
        string[] names = entries.Select(e => e.Name).ToArray();
        output.WriteLine("estimators: " + string.Join(", ", names));
        Assert.Contains(names, name => name.Contains("score", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(names, name => name.Contains("fourier", StringComparison.OrdinalIgnoreCase));

        double[] truth = CubeGradient(Mu, Lambda);
        var cube = Objective.Separable(z => z * z * z);
        ulong seed = 20261210;
        foreach (EstimatorEntry entry in entries)
        {
            using GradientEstimate estimate = entry.Estimate(new InverseGaussian(T(Mu), T(Lambda)), cube, SampleCount, new Generator(seed++, torch.CPU));
            Tensor perSample = torch.stack(new[] { estimate.PerSampleGradient("mu"), estimate.PerSampleGradient("lambda") }, 1);
            (double[] mean, double[] standardError) = StatisticalAssert.MeanAndStandardError(perSample);
            output.WriteLine($"{entry.Name}: ∂mu {mean[0]:G6} ± {standardError[0]:G3} (truth {truth[0]:G6}), ∂lambda {mean[1]:G6} ± {standardError[1]:G3} (truth {truth[1]:G6})");
            StatisticalAssert.WithinStandardErrors(perSample, truth, entry.Name + " ∂ E z³");
        }

        // The score-function estimator on the wrong sampler's draws: the same check fails.
        using GradientEstimate wrong = new InverseGaussianWithoutReflection(T(Mu), T(Lambda)).ScoreFunction(cube, SampleCount, generator: new Generator(seed, torch.CPU));
        StatisticalAssert.FailsAgainst(torch.stack(new[] { wrong.PerSampleGradient("mu"), wrong.PerSampleGradient("lambda") }, 1), truth, "score function with the wrong sampler");
    }

    [Fact]
    public void InverseGaussian_PassesTheSelfCheck_AndTheWrongSamplerFailsIt()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var options = new SelfCheckOptions { SampleCount = 20_000, Seed = 12 };
        SelfCheckReport right = Checking.SelfCheck.Run(new InverseGaussian(T(Mu), T(Lambda)), options);
        output.WriteLine(right.ToString());
        right.AssertPassed();
        SelfCheckReport wrong = Checking.SelfCheck.Run(new InverseGaussianWithoutReflection(T(Mu), T(Lambda)), options);
        output.WriteLine(wrong.ToString());
        Assert.Contains(wrong.Items, item => item.Outcome == SelfCheckOutcome.Failed);
    }

    [Theory]
    [InlineData("shape", "shape [S, ...BatchShape] = [10, 3]")]
    [InlineData("dtype", "Float32 samples; the parameters are Float64")]
    [InlineData("nan", "NaN or infinite samples")]
    [InlineData("inf", "30 NaN or infinite samples of 30")]
    public void Sample_RefusesWhatDrawGetsWrong(string mode, string expected)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        MisbehavingSampler.Mode = mode;
        try
        {
            var distribution = new MisbehavingSampler(torch.tensor(new[] { 0.0, 1.0, 2.0 }, dtype: ScalarType.Float64));
            var error = Assert.Throws<InvalidOperationException>(() => distribution.Sample(10, new Generator(1, torch.CPU)));
            Assert.Contains("MisbehavingSampler.Draw(10, …)", error.Message, StringComparison.Ordinal);
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
            // Every estimator reaches the sampler through Sample, so none sees the bad samples.
            Assert.Throws<InvalidOperationException>(() => distribution.ScoreFunction(Objective.Separable(z => z), 10, generator: new Generator(1, torch.CPU)));
        }
        finally
        {
            MisbehavingSampler.Mode = "";
        }
    }

    [Fact]
    public void Sample_RefusesACountBelowOne_BeforeDrawRuns()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var distribution = new MisbehavingSampler(T(0.5));
        int before = MisbehavingSampler.Calls;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => distribution.Sample(0));
        Assert.Equal("sampleCount", error.ParamName);
        Assert.Equal(before, MisbehavingSampler.Calls);
        Tensor z = distribution.Sample(5, new Generator(2, torch.CPU));
        Assert.Equal(new long[] { 5 }, z.shape);
        Assert.Equal(before + 1, MisbehavingSampler.Calls);
    }

    [Fact]
    public void ReparameterizationOnly_GivesThePathwiseEstimator_Unbiased()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        const double mu = 0.4, s = 0.7;
        var distribution = new LogisticByMapOnly(T(mu), T(s));
        Assert.IsNotAssignableFrom<IScoredDistribution>(distribution);
        Assert.IsNotAssignableFrom<ICumulantDistribution>(distribution);
        // E z² = μ² + s²π²/3.
        double[] truth = { 2 * mu, 2 * s * Math.PI * Math.PI / 3 };
        using GradientEstimate pathwise = distribution.Pathwise(Objective.Separable(z => z * z), SampleCount, new Generator(20261220, torch.CPU));
        Tensor perSample = torch.stack(new[] { pathwise.PerSampleGradient("mu"), pathwise.PerSampleGradient("s") }, 1);
        StatisticalAssert.WithinStandardErrors(perSample, truth, "logistic pathwise ∂ E z²");
        // The gradient of E z (1, 0) is told apart by the same test.
        StatisticalAssert.FailsAgainst(perSample, new[] { 1.0, 0.0 }, "logistic pathwise against E z's gradient");
    }
}
