using System;
using StochasticBackprop.Distributions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Robustness;

/// <summary>The bad-input cases fail when a check is missing or a formula is wrong (docs/ARCHITECTURE.md#testing): the suite proves something.</summary>
public sealed class MissingCheckTests
{
    private static Tensor T(double value) => torch.tensor(value, dtype: ScalarType.Float64);

    [Fact]
    public void NaNObjective_WithTheFiniteCheckOff_IsClassifiedSilent_AndWithItOn_AsDocumented()
    {
        Objective Make(bool check)
        {
            Objective f = Objective.Separable(z => z.log()); // NaN at every negative draw of a Normal
            f.CheckFinite = check;
            return f;
        }
        BadInputCase Case(bool check) => BadInputCase.Throws<ArgumentException>("log z, score function", () =>
            BadInputCase.MeansOf(new Normal(T(0), T(1)).ScoreFunction(Make(check), 64, generator: new Generator(1, torch.CPU))), "not finite");

        Assert.Equal(BadInputOutcome.AsDocumented, Case(check: true).Classify(out _));
        Assert.Equal(BadInputOutcome.Silent, Case(check: false).Classify(out string detail));
        var error = Assert.Throws<ObjectiveCheckException>(() => new Normal(T(0), T(1)).ScoreFunction(Make(true), 64));
        Assert.Equal(ObjectiveCheck.Finite, error.Check);
        Assert.Equal(64, error.SampleCount);
    }

    [Fact]
    public void WrongTruth_ForTheSameEstimate_IsClassifiedSilent()
    {
        // Normal(1, 2), f = z²: dμ = 2μ = 2 and dσ = 2σ = 4. A coefficient off by 10% (4.4) must fail the same z-test.
        Objective square = Objective.Separable(z => z.pow(Scalars.Of(2)));
        BadInputCase Case(double sigmaTruth) => BadInputCase.Value("Normal(1, 2) score", new[] { 2.0, sigmaTruth }, () =>
            BadInputCase.MeansOf(new Normal(T(1), T(2)).ScoreFunction(square, 20000, generator: new Generator(18, torch.CPU))));
        Assert.Equal(BadInputOutcome.AsDocumented, Case(4.0).Classify(out _));
        Assert.Equal(BadInputOutcome.Silent, Case(4.4).Classify(out _));
    }

    [Fact]
    public void DetachedObjective_Pathwise_ThrowsTheDependenceCheck()
    {
        var error = Assert.Throws<ObjectiveCheckException>(() =>
            new Normal(T(1), T(1)).Pathwise(Objective.Separable(z => z.detach().pow(Scalars.Of(2))), 32));
        Assert.Equal(ObjectiveCheck.DependsOnSamples, error.Check);
    }
}
