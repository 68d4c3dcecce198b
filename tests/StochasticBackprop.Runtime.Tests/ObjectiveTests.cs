using System;
using System.Linq;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests;

public sealed class ObjectiveTests
{
    private static Tensor Samples() => torch.tensor(new[] { 0.3, -1.2, 0.7, 2.0, -0.4, 1.1 }, dtype: ScalarType.Float64).reshape(3, 2);

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.False(actual.requires_grad);
        double error = (expected - actual).abs().max().item<double>();
        Assert.True(error < 1e-10, $"max error {error}");
    }

    [Fact]
    public void Separable_Derivatives_AreElementwiseDerivativesOfH()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor z = Samples();
        Objective f = Objective.Separable(x => x.pow(Scalars.Of(4)).add(x.sin(), Scalars.One));
        Assert.Equal(new[] { 3L }, f.Evaluate(z).shape);
        var d = f.CoordinateDerivatives(z, 5);
        AssertClose(4 * z.pow(Scalars.Of(3)) + z.cos(), d[0]);
        AssertClose(12 * z.pow(Scalars.Of(2)) - z.sin(), d[1]);
        AssertClose(24 * z - z.cos(), d[2]);
        AssertClose(24 + z.sin(), d[3]);
        AssertClose(z.cos(), d[4]);
    }

    [Fact]
    public void Separable_PolynomialDerivativesPastTheDegree_AreZeros()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor z = Samples();
        var d = Objective.Separable(x => x.pow(Scalars.Of(2))).CoordinateDerivatives(z, 4);
        AssertClose(torch.full_like(z, 2.0), d[1]);
        AssertClose(torch.zeros_like(z), d[2]);
        AssertClose(torch.zeros_like(z), d[3]);
    }

    [Fact]
    public void Separable_Kink_HasZeroSecondDerivative()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor z = Samples();
        var d = Objective.Separable(x => torch.nn.functional.relu(-(x - Scalars.Of(1)))).CoordinateDerivatives(z, 2);
        AssertClose(torch.where(z < 1, -torch.ones_like(z), torch.zeros_like(z)), d[0]);
        AssertClose(torch.zeros_like(z), d[1]);
    }

    [Fact]
    public void Ridge_Derivatives_AreHDerivativesTimesDirectionPowers()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor z = Samples();
        Tensor a = torch.tensor(new[] { 0.5, -2.0 }, dtype: ScalarType.Float64);
        Objective f = Objective.Ridge(u => u.exp(), a);
        Tensor u = (z * a).sum(new long[] { 1 });
        AssertClose(u.exp(), f.Evaluate(z));
        var d = f.CoordinateDerivatives(z, 3);
        for (int n = 1; n <= 3; n++)
        {
            AssertClose(u.exp().unsqueeze(1) * a.pow(n), d[n - 1]);
        }
    }

    [Fact]
    public void General_Derivatives_AreTheDiagonalOfTheDerivativeTensors()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor z = Samples();
        // f = (z₁z₂)² + z₁³: ∂₁f = 2z₁z₂² + 3z₁², ∂₁²f = 2z₂² + 6z₁, ∂₁³f = 6; ∂₂f = 2z₁²z₂, ∂₂²f = 2z₁², ∂₂³f = 0.
        Objective f = Objective.General(x => (x[.., 0] * x[.., 1]).pow(Scalars.Of(2)).add(x[.., 0].pow(Scalars.Of(3)), Scalars.One));
        var d = f.CoordinateDerivatives(z, 3);
        Tensor z1 = z[.., 0], z2 = z[.., 1];
        AssertClose(torch.stack(new[] { 2 * z1 * z2.pow(Scalars.Of(2)) + 3 * z1.pow(Scalars.Of(2)), 2 * z1.pow(Scalars.Of(2)) * z2 }, 1), d[0]);
        AssertClose(torch.stack(new[] { 2 * z2.pow(Scalars.Of(2)) + 6 * z1, 2 * z1.pow(Scalars.Of(2)) }, 1), d[1]);
        AssertClose(torch.stack(new[] { torch.full_like(z1, 6.0), torch.zeros_like(z2) }, 1), d[2]);
    }

    [Fact]
    public void General_OnASeparableFunction_AgreesWithSeparable()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor z = Samples();
        var general = Objective.General(x => (x * Scalars.Of(-0.7)).exp().sum(new long[] { 1 })).CoordinateDerivatives(z, 4);
        var separable = Objective.Separable(x => (x * Scalars.Of(-0.7)).exp()).CoordinateDerivatives(z, 4);
        for (int n = 0; n < 4; n++)
        {
            AssertClose(separable[n], general[n]);
        }
    }

    [Fact]
    public void OrderBelowOne_Throws()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Assert.Throws<ArgumentOutOfRangeException>(() => Objective.Separable(x => x).CoordinateDerivatives(Samples(), 0));
    }
}
