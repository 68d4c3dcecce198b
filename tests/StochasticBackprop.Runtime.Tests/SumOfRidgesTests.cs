using System;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests;

/// <summary>The sum-of-ridges objective agrees with the exact coordinate-by-coordinate derivatives of <see cref="Objective.General"/>.</summary>
public sealed class SumOfRidgesTests
{
    private static void AssertClose(Tensor expected, Tensor actual, string label)
    {
        Assert.Equal(expected.shape, actual.shape);
        double error = (expected - actual).abs().max().item<double>();
        double scale = 1 + expected.abs().max().item<double>();
        Assert.True(error < 1e-10 * scale, $"{label}: max error {error}");
    }

    [Fact]
    public void LogisticLikelihood_ValuesAndDerivativesMatchGeneral()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var generator = new Generator(11, torch.CPU);
        Tensor a = torch.randn(new long[] { 5, 4 }, dtype: ScalarType.Float64, generator: generator);
        Tensor weights = torch.tensor(new[] { 1.0, 2.0, 0.5, 1.5, 3.0 }, dtype: ScalarType.Float64);
        Tensor z = torch.randn(new long[] { 7, 4 }, dtype: ScalarType.Float64, generator: generator);
        Func<Tensor, Tensor> h = u => torch.nn.functional.logsigmoid(u) * weights;
        Objective ridges = Objective.SumOfRidges(h, a);
        Objective general = Objective.General(x => h(x.matmul(a.t())).sum(new long[] { 1 }));

        AssertClose(general.Evaluate(z), ridges.Evaluate(z), "f");
        var expected = general.CoordinateDerivatives(z, 5);
        var actual = ridges.CoordinateDerivatives(z, 5);
        for (int n = 0; n < 5; n++)
        {
            AssertClose(expected[n], actual[n], $"order {n + 1}");
            Assert.False(actual[n].requires_grad);
        }
    }

    [Fact]
    public void MatrixBatchShape_DerivativesMatchGeneral()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var generator = new Generator(12, torch.CPU);
        Tensor a = torch.randn(new long[] { 3, 2, 2 }, dtype: ScalarType.Float64, generator: generator);
        Tensor z = torch.randn(new long[] { 4, 2, 2 }, dtype: ScalarType.Float64, generator: generator);
        Func<Tensor, Tensor> h = u => u.sin() + u.pow(Scalars.Of(3));
        Objective ridges = Objective.SumOfRidges(h, a);
        Objective general = Objective.General(x => h(x.flatten(1).matmul(a.flatten(1).t())).sum(new long[] { 1 }));
        var expected = general.CoordinateDerivatives(z, 4);
        var actual = ridges.CoordinateDerivatives(z, 4);
        for (int n = 0; n < 4; n++)
        {
            AssertClose(expected[n], actual[n], $"order {n + 1}");
        }
    }

    [Fact]
    public void ClosedFormLogSigmoid_MatchesAutogradToOrder12()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var generator = new Generator(13, torch.CPU);
        Tensor a = 3 * torch.randn(new long[] { 6, 3 }, dtype: ScalarType.Float64, generator: generator);
        Tensor z = torch.randn(new long[] { 5, 3 }, dtype: ScalarType.Float64, generator: generator);
        Objective autograd = Objective.SumOfRidges(u => torch.nn.functional.logsigmoid(u) * 2.5, a);
        Objective closedForm = Objective.SumOfRidges((u, n) => ScalarFunctions.LogSigmoid(u, n) * 2.5, a);
        AssertClose(autograd.Evaluate(z), closedForm.Evaluate(z), "f");
        var expected = autograd.CoordinateDerivatives(z, 12);
        var actual = closedForm.CoordinateDerivatives(z, 12);
        for (int n = 0; n < 12; n++)
        {
            AssertClose(expected[n], actual[n], $"order {n + 1}");
        }
    }

    [Fact]
    public void LogSigmoidDerivatives_AreKnownValuesAndStableInTheTails()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor u = torch.tensor(new[] { 0.0, 40.0, -40.0 }, dtype: ScalarType.Float64);
        // At u = 0 (s = t = 1/2): h1 = 1/2, h2 = -1/4, h3 = 0, h4 = 1/8.
        double[] atZero = { 0.5, -0.25, 0.0, 0.125 };
        for (int n = 1; n <= 4; n++)
        {
            Tensor d = ScalarFunctions.LogSigmoid(u, n);
            Assert.True(Math.Abs(d[0].item<double>() - atZero[n - 1]) < 1e-15, $"order {n} at 0: {d[0].item<double>()}");
            // In both tails every derivative of order >= 2 is about e^-40: tiny, not cancellation noise.
            if (n >= 2)
            {
                Assert.True(Math.Abs(d[1].item<double>()) < 1e-16 && Math.Abs(d[2].item<double>()) < 1e-16, $"order {n}: tails {d[1].item<double>()}, {d[2].item<double>()}");
            }
        }
        Assert.True(Math.Abs(ScalarFunctions.LogSigmoid(u, 1)[2].item<double>() - 1.0) < 1e-15);
    }

    [Fact]
    public void WrongDirections_AreRejected()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Objective ridges = Objective.SumOfRidges(u => u, torch.ones(3, 5, dtype: ScalarType.Float64));
        Assert.Throws<ArgumentException>(() => ridges.Evaluate(torch.ones(2, 4, dtype: ScalarType.Float64)));
        Assert.Throws<ArgumentException>(() => Objective.SumOfRidges(u => u, torch.ones(4, dtype: ScalarType.Float64)));
    }
}
