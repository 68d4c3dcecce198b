using System;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Fallback;

/// <summary>
/// At run time, a distribution whose declaration has an error keeps its constructor (with its parameter checks) and
/// parameters, and every other member throws an exception naming the error, its line and column: never a number.
/// </summary>
public sealed class FallbackTests
{
    private static Tensor T(double value) => torch.tensor(value, dtype: ScalarType.Float64);

    [Fact]
    public void TheConstructorAndParameters_Work_AndTheirChecksToo()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var gamma = new GammaWithUnclosedParenthesis(T(2), torch.tensor(new[] { 0.5, 1.5 }, dtype: ScalarType.Float64));
        Assert.Equal(2.0, gamma.K.item<double>());
        Assert.Equal(new long[] { 2 }, gamma.BatchShape);
        Assert.Equal(new[] { "k", "theta" }, gamma.ParameterNames);
        Assert.Equal(4, gamma.FourierOrder);
        var error = Assert.ThrowsAny<ArgumentException>(() => new GammaWithUnclosedParenthesis(T(-1), T(1)));
        Assert.Contains("k", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryOtherMember_ThrowsNamingTheError()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var gamma = new GammaWithUnclosedParenthesis(T(2), T(0.5));
        var f = Objective.Separable(z => z * z);
        Action[] uses =
        {
            () => gamma.Sample(10),
            () => gamma.RSample(10),
            () => gamma.Cumulant(1),
            () => gamma.LogProb(T(1)),
            () => _ = gamma.Mean,
            () => gamma.Pathwise(f, 10),
            () => gamma.ScoreFunction(f, 10),
            () => gamma.Fourier(f, 10),
            () => gamma.Hybrid(f, 10),
        };
        foreach (Action use in uses)
        {
            var error = Assert.Throws<InvalidOperationException>(use);
            Assert.Contains("GammaWithUnclosedParenthesis.", error.Message, StringComparison.Ordinal);
            Assert.Contains("SBG001 (line 11, column", error.Message, StringComparison.Ordinal);
            Assert.Contains("parenthesis", error.Message, StringComparison.Ordinal);
        }
        Assert.StartsWith("SBG001", GammaWithUnclosedParenthesis.DeclarationErrors, StringComparison.Ordinal);
    }
}
