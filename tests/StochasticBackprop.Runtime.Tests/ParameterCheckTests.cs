using System;
using StochasticBackprop.Runtime.Tests.TestDistributions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests;

public sealed class ParameterCheckTests
{
    [Fact]
    public void NegativeSigma_Throws_NamingDistributionParameterValueAndIndex()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            DistributionFactory.Normal(DistributionFactory.Vector(0, 0, 0, 0), DistributionFactory.Vector(1, 2, 3, -0.5)));
        Assert.Contains("Normal: parameter 'sigma' must be positive, got -0.5 at index [3]", error.Message);
        Assert.Equal("sigma", error.ParamName);
    }

    [Fact]
    public void NaNMu_Throws_NamingTheValue()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor mu = torch.tensor(new[] { 0.0, 1.0, double.NaN, 2.0 }, dtype: ScalarType.Float64).reshape(2, 2);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => DistributionFactory.Normal(mu, DistributionFactory.Scalar(1)));
        Assert.Contains("Normal: parameter 'mu' must be finite, got NaN at index [1, 0]", error.Message);
    }

    [Fact]
    public void InfiniteMu_And_ZeroGammaShape_Throw()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var infinite = Assert.Throws<ArgumentOutOfRangeException>(() => DistributionFactory.Normal(DistributionFactory.Scalar(double.PositiveInfinity), DistributionFactory.Scalar(1)));
        Assert.Contains("got Infinity", infinite.Message);
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => DistributionFactory.Gamma(DistributionFactory.Scalar(0), DistributionFactory.Scalar(1)));
        Assert.Contains("Gamma: parameter 'k' must be positive, got 0", zero.Message);
    }

    [Fact]
    public void NonNegativeAndUnitInterval_AcceptTheirBoundaries_AndRejectBeyond()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor boundaries = torch.tensor(new[] { 0.0, 1.0 }, dtype: ScalarType.Float64);
        Assert.Same(boundaries, ParameterCheck.NonNegative("D", "a", boundaries));
        Assert.Same(boundaries, ParameterCheck.UnitInterval("D", "p", boundaries));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ParameterCheck.UnitInterval("Bernoulli", "p", torch.tensor(new[] { 0.5, 1.25 })));
        Assert.Contains("Bernoulli: parameter 'p' must lie in [0, 1], got 1.25 at index [1]", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ParameterCheck.NonNegative("D", "a", torch.tensor(-1e-300, dtype: ScalarType.Float64)));
    }

    [Fact]
    public void ParameterThatRequiresGrad_IsCheckedWithoutTouchingItsGraph()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor sigma = torch.tensor(new[] { 0.5, 1.5 }, dtype: ScalarType.Float64).requires_grad_();
        Tensor derived = sigma * Scalars.Of(2);
        Assert.Same(derived, ParameterCheck.Positive("Normal", "sigma", derived));
        Assert.True(derived.requires_grad);
    }
}
