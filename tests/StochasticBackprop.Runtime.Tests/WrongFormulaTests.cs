using System.Linq;
using StochasticBackprop.Runtime.Tests.Support;
using StochasticBackprop.Runtime.Tests.TestDistributions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests;

/// <summary>
/// docs/ARCHITECTURE.md#testing: the statistical tests would catch a subtly wrong formula. Each deliberately broken
/// distribution runs with the same seed, sample size and k = 4 as the passing test, and must fail it.
/// </summary>
public sealed class WrongFormulaTests
{
    private const long SampleCount = 40_000;

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Gamma_CumulantGradientWithNFactorial_FailsTheFourierTest(int order)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Objective objective = Objective.Separable(z => ClosedForms.Apply(TestFunction.Square, z));
        double[][] truth = EstimatorRunner.Truth(DistributionKind.Gamma, TestFunction.Square);

        GradientEstimate right = Estimators.Fourier(EstimatorRunner.Gamma(), objective, SampleCount, order, new Generator(7, torch.CPU));
        // n! where (n − 1)! belongs: every ∂κn/∂θ of the Gamma scaled by n.
        var wrong = new DefectiveDistribution(EstimatorRunner.Gamma(), cumulantGradient: DefectiveDistribution.ScaleCumulantGradient(n => n));
        GradientEstimate broken = Estimators.Fourier(wrong, objective, SampleCount, order, new Generator(7, torch.CPU));

        for (int p = 0; p < 2; p++)
        {
            StatisticalAssert.WithinStandardErrors(right.PerSampleGradients[p], truth[p], $"correct Gamma, parameter {p}");
            StatisticalAssert.FailsAgainst(broken.PerSampleGradients[p], truth[p], $"n! instead of (n-1)!, parameter {p}");
        }
    }

    [Fact]
    public void Normal_ScoreMissingMinusOneOverSigma_FailsTheScoreTest()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Objective objective = Objective.Separable(z => ClosedForms.Apply(TestFunction.Square, z));
        double[][] truth = EstimatorRunner.Truth(DistributionKind.Normal, TestFunction.Square);
        // ∂σ log p without its −1/σ term.
        var wrong = new DefectiveDistribution(EstimatorRunner.Normal(), score: (z, correct) => new[] { correct[0], correct[1] + 1 / EstimatorRunner.Normal().Sigma });

        // Both without a baseline. A leave-one-out baseline would hide this defect: a score that is
        // off by a constant c adds c·(f_i − b_i), and f_i − b_i averages to exactly zero.
        GradientEstimate right = Estimators.ScoreFunction(EstimatorRunner.Normal(), objective, SampleCount, null, new Generator(8, torch.CPU));
        GradientEstimate broken = Estimators.ScoreFunction(wrong, objective, SampleCount, null, new Generator(8, torch.CPU));

        StatisticalAssert.WithinStandardErrors(right.PerSampleGradient("sigma"), truth[1], "correct score");
        StatisticalAssert.FailsAgainst(broken.PerSampleGradient("sigma"), truth[1], "score without -1/sigma");
    }

    [Fact]
    public void Gamma_PathwiseThroughADetachedSampler_FailsTheShapeGradientTest()
    {
        // TorchSharp's Gamma.rsample returns a detached tensor (docs/ARCHITECTURE.md#environment); a sampler like it must not pass.
        using DisposeScope scope = torch.NewDisposeScope();
        Objective objective = Objective.Separable(z => ClosedForms.Apply(TestFunction.Square, z));
        double[][] truth = EstimatorRunner.Truth(DistributionKind.Gamma, TestFunction.Square);
        var detached = new DefectiveDistribution(EstimatorRunner.Gamma(), detachSamples: true);

        GradientEstimate right = Estimators.Pathwise(EstimatorRunner.Gamma(), objective, SampleCount, new Generator(9, torch.CPU));
        GradientEstimate broken = Estimators.Pathwise(detached, objective, SampleCount, new Generator(9, torch.CPU));

        StatisticalAssert.WithinStandardErrors(right.PerSampleGradient("k"), truth[0], "implicit pathwise");
        StatisticalAssert.FailsAgainst(broken.PerSampleGradient("k"), truth[0], "detached sampler");
        Assert.Equal(0.0, broken.PerSampleGradient("k").abs().max().item<double>());
    }
}
