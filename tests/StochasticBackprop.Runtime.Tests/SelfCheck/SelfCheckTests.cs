using System;
using System.Linq;
using StochasticBackprop.Checking;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;
using SampleDistributions = StochasticBackprop.Samples.Distributions;
using StandardDistributions = StochasticBackprop.Distributions;

namespace StochasticBackprop.Runtime.Tests.SelfCheck;

/// <summary>
/// The self-check passes on every sample distribution at two parameter points (and a batched Gamma), and fails, by many
/// standard errors, on each kind of wrong declaration: the <c>k+1</c> typo of issue 12 in the Gamma's log density, a wrong
/// characteristic function, a wrong reparameterization, a wrong <c>[Score]</c>. Tolerance 5 SE (the default); fixed seeds;
/// 10,000 samples per check (Dirichlet 4,000).
/// </summary>
public sealed class SelfCheckTests
{
    private static readonly SelfCheckOptions Options = new() { SampleCount = SampleDistributionCases.SampleCount, Seed = 12 };

    private readonly ITestOutputHelper output;

    public SelfCheckTests(ITestOutputHelper output) => this.output = output;

    private static Tensor T(double value) => torch.tensor(value, ScalarType.Float64);

    public static TheoryData<string> Cases() => new(SampleDistributionCases.Names().Select(row => (string)row[0]));

    [Theory]
    [MemberData(nameof(Cases))]
    public void SampleDistribution_PassesTheSelfCheck(string name)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        (IDistribution distribution, long sampleCount) = SampleDistributionCases.Create(name);
        SelfCheckReport report = Checking.SelfCheck.Run(distribution, new SelfCheckOptions { SampleCount = sampleCount, Seed = Options.Seed });
        output.WriteLine(report.ToString());
        report.AssertPassed();
        // Something was compared: every distribution has a sampler, and a density, a score or a characteristic function.
        Assert.True(report.Items.Count(item => item.Outcome == SelfCheckOutcome.Passed) >= 3, report.ToString());
    }

    [Fact]
    public void Cases_CoverEverySampleDistribution()
    {
        Type[] declared = SampleDistributionCases.Declared
            .SelectMany(place => place.Assembly.GetTypes().Where(t => t.Namespace == place.Namespace))
            .Where(t => typeof(IDistribution).IsAssignableFrom(t) && !t.IsAbstract)
            .Where(t => t.Name != nameof(SampleDistributions.NormalizedMalliavinNormal)) // biased by design: failed below
            .ToArray();
        Type[] covered = SampleDistributionCases.CoveredTypes().ToArray();
        Assert.Empty(declared.Except(covered).Select(t => t.Name));
        Assert.True(declared.Length >= 13);
    }

    [Fact]
    public void GammaWithPlusOneTypo_FailsNormalisationAndDensityChecks_ByManyStandardErrors()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        const double k = 2.0, theta = 1.5;
        // The default options (20,000 samples, seed 1, 5 SE), as the README runs it; the README's report is this one's output.
        SelfCheckReport right = Checking.SelfCheck.Run(new StandardDistributions.Gamma(T(k), T(theta)));
        SelfCheckReport typo = Checking.SelfCheck.Run(new GammaWithPlusOneTypo(T(k), T(theta)));
        output.WriteLine(typo.ToString());

        right.AssertPassed();
        Assert.False(typo.Passed);
        // With (k+1)·log z the density integrates to Γ(k+2)θ^{k+2}/(Γ(k)θ^k) = k(k+1)θ² = 13.5 (closed form).
        SelfCheckItem normalisation = Single(typo, "normalisation");
        Assert.Equal(SelfCheckOutcome.Failed, normalisation.Outcome);
        Assert.Equal(k * (k + 1) * theta * theta, normalisation.Value, 6);
        // Normalised, it is the Gamma(k + 2, θ) density: mean (k + 2)θ = 6 against the sampler's kθ = 3.
        SelfCheckItem mean = typo.Items.Single(item => item.Check == "sampler vs density" && item.Statistic.StartsWith("mean", StringComparison.Ordinal));
        Assert.Equal((k + 2) * theta, mean.Expected, 6);
        Assert.True(mean.ZScore < -50, typo.ToString());
        Assert.All(typo.Items.Where(item => item.Check == "φ vs density"), item => Assert.Equal(SelfCheckOutcome.Failed, item.Outcome));
        // The typo adds log z, which does not depend on θ: the derived score is unchanged, and so are E[score] and pathwise vs score.
        Assert.All(typo.Items.Where(item => item.Check is "E[score] = 0" or "pathwise vs score" or "score = ∂ log p"), item => Assert.True(item.Passed, item.ToString()));
    }

    [Fact]
    public void GammaWithWrongCharacteristicFunction_FailsCumulantAndCharacteristicFunctionChecks()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        SelfCheckReport report = Checking.SelfCheck.Run(new GammaWithWrongCharacteristicFunction(T(2.5), T(0.8)), Options);
        output.WriteLine(report.ToString());
        Assert.False(report.Passed);
        Assert.Contains(report.Failures, item => item.Check == "sampler vs cumulants" && item.Statistic.StartsWith("mean", StringComparison.Ordinal) && Math.Abs(item.ZScore) > 50);
        Assert.Contains(report.Failures, item => item.Check == "φ vs sampler" && Math.Abs(item.ZScore) > 20);
        Assert.Contains(report.Failures, item => item.Check == "φ vs density");
        // The density, the score and the sampler are right.
        Assert.All(report.Items.Where(item => item.Check is "normalisation" or "E[score] = 0" or "sampler vs density" or "pathwise vs score"), item => Assert.True(item.Passed, item.ToString()));
    }

    [Fact]
    public void NormalWithWrongReparameterization_FailsSamplerAndPathwiseChecks()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        // mu + sigma²·eps at sigma = 1.5: the samples have standard deviation 2.25, not 1.5.
        SelfCheckReport report = Checking.SelfCheck.Run(new NormalWithWrongReparameterization(T(0.3), T(1.5)), Options);
        output.WriteLine(report.ToString());
        Assert.False(report.Passed);
        Assert.Contains(report.Failures, item => item.Check == "sampler vs cumulants" && item.Statistic.StartsWith("variance", StringComparison.Ordinal) && item.ZScore > 20);
        Assert.Contains(report.Failures, item => item.Check == "sampler vs density" && item.Statistic.StartsWith("variance", StringComparison.Ordinal));
        Assert.Contains(report.Failures, item => item.Check == "E[score] = 0" && item.Statistic.Contains("sigma", StringComparison.Ordinal));
        Assert.Contains(report.Failures, item => item.Check == "pathwise vs score" && Math.Abs(item.ZScore) > 20);
        Assert.All(report.Items.Where(item => item.Check is "normalisation" or "φ vs density" or "score = ∂ log p"), item => Assert.True(item.Passed, item.ToString()));
    }

    [Fact]
    public void NormalWithWrongScore_FailsScoreChecks()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        // [Score("sigma", "(z - mu)^2/sigma^3")]: the −1/sigma is missing, so E[score] = 1/sigma.
        SelfCheckReport report = Checking.SelfCheck.Run(new NormalWithWrongScore(T(0.3), T(1.5)), Options);
        output.WriteLine(report.ToString());
        Assert.False(report.Passed);
        SelfCheckItem scoreMean = report.Items.Single(item => item.Check == "E[score] = 0" && item.Statistic.Contains("sigma", StringComparison.Ordinal));
        Assert.Equal(SelfCheckOutcome.Failed, scoreMean.Outcome);
        Assert.True(scoreMean.ZScore > 50, report.ToString());
        Assert.Contains(report.Failures, item => item.Check == "score = ∂ log p" && item.Statistic.Contains("sigma", StringComparison.Ordinal));
        // A constant error in the score is invisible to the score-function estimator with its leave-one-out baseline
        // (E[(f − b)·c] = 0), so pathwise vs score passes here: E[score] = 0 and the autograd comparison are what see it.
        // mu's score is derived, and right.
        Assert.All(report.Items.Where(item => item.Statistic.Contains("∂/∂mu", StringComparison.Ordinal) || item.Statistic.Contains("∂mu", StringComparison.Ordinal)), item => Assert.True(item.Passed, item.ToString()));
    }

    [Fact]
    public void NormalizedMalliavinNormal_ItsScaledScore_FailsTheAutogradComparison()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        // The θ-score divided by √(1 + α²) still has mean zero, so only the comparison with ∂ log p/∂θ sees it at once.
        SelfCheckReport report = Checking.SelfCheck.Run(new SampleDistributions.NormalizedMalliavinNormal(T(0.5), T(0.8)), Options);
        output.WriteLine(report.ToString());
        SelfCheckItem theta = report.Items.Single(item => item.Check == "score = ∂ log p" && item.Statistic.Contains("theta", StringComparison.Ordinal));
        Assert.Equal(SelfCheckOutcome.Failed, theta.Outcome);
        Assert.Equal(theta.Expected / Math.Sqrt(1 + 0.8 * 0.8), theta.Value, 9);
        Assert.True(report.Items.Single(item => item.Check == "score = ∂ log p" && item.Statistic.Contains("alpha", StringComparison.Ordinal)).Passed);
    }

    [Fact]
    public void Report_Text_ListsItemsMeaningsAndReasons_AndAssertPassedThrowsWithTheFailures()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var options = new SelfCheckOptions { SampleCount = 2_000, Seed = 3, Frequencies = new[] { 1.0 } };
        SelfCheckReport failing = Checking.SelfCheck.Run(new GammaWithPlusOneTypo(T(2), T(1.5)), options);
        string text = failing.ToString();
        output.WriteLine(text);
        string[] lines = text.Split('\n');
        Assert.StartsWith("Self-check of GammaWithPlusOneTypo(k = 2; theta = 1.5): 2,000 samples, seed 3, tolerance 5 SE; one coordinate.", lines[0]);
        Assert.Equal(new[] { "check", "statistic", "value", "expected", "SE", "z", "result" }, lines[1].Split("  ", StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()));
        Assert.Contains(lines, line => line.StartsWith("normalisation", StringComparison.Ordinal) && line.Contains("13.5", StringComparison.Ordinal) && line.EndsWith("FAILED", StringComparison.Ordinal));
        Assert.Contains($"{failing.Failures.Count} of {failing.Items.Count} checks FAILED:", text);
        Assert.Contains("- normalisation, ∫ p (z = ", text);
        Assert.Contains("the log density's normalising constant or its dependence on z is wrong", text);

        SelfCheckFailedException thrown = Assert.Throws<SelfCheckFailedException>(failing.AssertPassed);
        Assert.Same(failing, thrown.Report);
        Assert.StartsWith($"The self-check of GammaWithPlusOneTypo(k = 2; theta = 1.5) failed {failing.Failures.Count} item(s):", thrown.Message);
        foreach (SelfCheckItem failure in failing.Failures)
        {
            Assert.Contains($"- {failure.Check}, {failure.Statistic}: ", thrown.Message);
        }

        SelfCheckReport dirac = Checking.SelfCheck.Run(new SampleDistributions.Dirac(T(0.7)), options);
        dirac.AssertPassed();
        string diracText = dirac.ToString();
        Assert.Contains("All checks passed.", diracText);
        Assert.Contains("Not applicable:\n- normalisation: not applicable: no [LogDensity]", diracText);
        Assert.Contains("- pathwise vs score: not applicable: no [LogDensity] or [Score], so no score-function estimator", diracText);
    }

    [Fact]
    public void BatchedDistribution_ChecksTheFirstCoordinates_AndSaysSo()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var gamma = new StandardDistributions.Gamma(torch.tensor(new[] { 2.0, 3.0, 4.0, 5.0 }, ScalarType.Float64), T(1.0));
        SelfCheckReport report = Checking.SelfCheck.Run(gamma, new SelfCheckOptions { SampleCount = 2_000, MaxCoordinates = 2, Frequencies = new[] { 1.0 } });
        Assert.Equal("the first 2 of 4 coordinates checked", report.Coverage);
        Assert.Contains("batch [4]", report.Distribution);
        Assert.Contains(report.Items, item => item.Statistic == "mean vs κ1 [1]");
        Assert.DoesNotContain(report.Items, item => item.Statistic.EndsWith("[2]", StringComparison.Ordinal) && item.Check != "pathwise vs score");
        // κ1 of coordinate 1 is k θ = 3.
        Assert.Equal(3.0, report.Items.Single(item => item.Statistic == "mean vs κ1 [1]").Expected, 12);
    }

    [Fact]
    public void Options_OutOfRange_AreRefusedNamingTheOption()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var normal = new StandardDistributions.Normal(T(0), T(1));
        Assert.Equal("SampleCount", Assert.Throws<ArgumentOutOfRangeException>(() => Checking.SelfCheck.Run(normal, new SelfCheckOptions { SampleCount = 10 })).ParamName);
        Assert.Equal("Tolerance", Assert.Throws<ArgumentOutOfRangeException>(() => Checking.SelfCheck.Run(normal, new SelfCheckOptions { Tolerance = 0 })).ParamName);
        Assert.Equal("MaxCoordinates", Assert.Throws<ArgumentOutOfRangeException>(() => Checking.SelfCheck.Run(normal, new SelfCheckOptions { MaxCoordinates = 0 })).ParamName);
        Assert.Equal("Frequencies", Assert.Throws<ArgumentOutOfRangeException>(() => Checking.SelfCheck.Run(normal, new SelfCheckOptions { Frequencies = new[] { double.NaN } })).ParamName);
        Assert.Equal("Support", Assert.Throws<ArgumentOutOfRangeException>(() => Checking.SelfCheck.Run(normal, new SelfCheckOptions { Support = (1, 0) })).ParamName);
        Assert.Throws<ArgumentNullException>(() => Checking.SelfCheck.Run(null!));
    }

    private static SelfCheckItem Single(SelfCheckReport report, string check) => report.Items.Single(item => item.Check == check);
}
