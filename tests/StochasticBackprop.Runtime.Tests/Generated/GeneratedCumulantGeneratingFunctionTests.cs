using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Distributions;
using StochasticBackprop.Samples.Distributions;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Generated;

/// <summary>
/// The cumulant generating functions K(s) = log E[e^{sz}] the generator derived from the sample
/// distributions' characteristic functions: values and parameter gradients (by autograd through the
/// generated code) against the textbook closed forms, and their Taylor coefficients against the generated
/// cumulants. Deterministic float64 arithmetic: tolerance 1e-10 relative.
/// </summary>
public sealed class GeneratedCumulantGeneratingFunctionTests
{
    private const double Tolerance = 1e-10;

    private static readonly double[] Rates = { -1.1, -0.4, 0.05, 0.3 };

    /// <summary>A sample distribution, its parameter values, K(θ, s) in closed form and ∂K/∂θ in closed form.</summary>
    public sealed record Case(
        string Name,
        Func<Tensor[], ICumulantGeneratingFunction> Create,
        double[] Parameters,
        Func<double[], double, double> K,
        Func<double[], double, double[]> Gradient)
    {
        public override string ToString() => Name;
    }

    public static IEnumerable<object[]> Cases()
    {
        yield return new object[] { new Case("Normal", p => new Normal(p[0], p[1]), new[] { 0.4, 1.3 },
            (p, s) => p[0] * s + p[1] * p[1] * s * s / 2,
            (p, s) => new[] { s, p[1] * s * s }) };
        yield return new object[] { new Case("Gamma", p => new Gamma(p[0], p[1]), new[] { 2.5, 0.7 },
            (p, s) => -p[0] * Math.Log(1 - p[1] * s),
            (p, s) => new[] { -Math.Log(1 - p[1] * s), p[0] * s / (1 - p[1] * s) }) };
        yield return new object[] { new Case("Laplace", p => new Laplace(p[0], p[1]), new[] { -0.3, 0.6 },
            (p, s) => p[0] * s - Math.Log(1 - p[1] * p[1] * s * s),
            (p, s) => new[] { s, 2 * p[1] * s * s / (1 - p[1] * p[1] * s * s) }) };
        yield return new object[] { new Case("Exponential", p => new Exponential(p[0]), new[] { 1.6 },
            (p, s) => Math.Log(p[0] / (p[0] - s)),
            (p, s) => new[] { 1 / p[0] - 1 / (p[0] - s) }) };
        yield return new object[] { new Case("Poisson", p => new Poisson(p[0]), new[] { 3.2 },
            (p, s) => p[0] * (Math.Exp(s) - 1),
            (p, s) => new[] { Math.Exp(s) - 1 }) };
        yield return new object[] { new Case("Bernoulli", p => new Bernoulli(p[0]), new[] { 0.35 },
            (p, s) => Math.Log(1 - p[0] + p[0] * Math.Exp(s)),
            (p, s) => new[] { (Math.Exp(s) - 1) / (1 - p[0] + p[0] * Math.Exp(s)) }) };
        yield return new object[] { new Case("Dirac", p => new Dirac(p[0]), new[] { -0.8 },
            (p, s) => p[0] * s,
            (p, s) => new[] { s }) };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GeneratedCumulantGeneratingFunction_MatchesClosedFormAndItsGradient(Case c)
    {
        TorchBackend.EnsureAvailable();
        using var scope = NewDisposeScope();
        foreach (double s in Rates)
        {
            Tensor[] parameters = c.Parameters.Select(v => tensor(v, float64, requires_grad: true)).ToArray();
            Tensor k = c.Create(parameters).CumulantGeneratingFunction(tensor(s, float64));
            Assert.Empty(k.shape);
            AssertClose(c.K(c.Parameters, s), k.item<double>(), $"{c.Name} K({s})");
            IList<Tensor> gradient = autograd.grad(new[] { k }, parameters);
            double[] expected = c.Gradient(c.Parameters, s);
            for (int p = 0; p < parameters.Length; p++)
            {
                AssertClose(expected[p], gradient[p].item<double>(), $"{c.Name} ∂K({s})/∂θ{p}");
            }
        }
    }

    [Fact]
    public void Gamma_BatchOfParametersAndOneS_GivesOneKPerCoordinate()
    {
        TorchBackend.EnsureAvailable();
        using var scope = NewDisposeScope();
        var gamma = new Gamma(tensor(new[] { 0.5, 2.0, 4.0 }, float64), tensor(new[] { 0.2, 1.0, 0.3 }, float64));
        Tensor k = gamma.CumulantGeneratingFunction(tensor(-0.5, float64));
        Assert.Equal(new long[] { 3 }, k.shape);
        AssertClose(-2.0 * Math.Log(1.5), k[1].item<double>(), "coordinate 1");
    }

    [Fact]
    public void Gamma_OutsideTheDomain_IsNaNNotAFiniteNumber()
    {
        TorchBackend.EnsureAvailable();
        using var scope = NewDisposeScope();
        // s θ > 1: E e^{sz} = ∞. With an integer shape, (1 − θs)^(−k) would be a finite positive number; the log form is NaN.
        var gamma = new Gamma(tensor(2.0, float64), tensor(0.5, float64));
        Assert.True(double.IsNaN(gamma.CumulantGeneratingFunction(tensor(3.0, float64)).item<double>()));
    }

    [Theory]
    [InlineData("Normal")]
    [InlineData("Gamma")]
    [InlineData("Laplace")]
    [InlineData("Exponential")]
    public void TaylorCoefficients_AreTheGeneratedCumulants(string name)
    {
        TorchBackend.EnsureAvailable();
        using var scope = NewDisposeScope();
        Case c = Cases().Select(o => (Case)o[0]).Single(x => x.Name == name);
        var distribution = (ICumulantDistribution)c.Create(c.Parameters.Select(v => tensor(v, float64)).ToArray());
        foreach (double s in new[] { -0.03, 0.02 })
        {
            // Σ_{n≤8} κn sⁿ/n!: the remainder is O((s·scale)⁹), below 1e-13 at these s.
            double series = TaylorSum(distribution.CumulantOrder, n => distribution.Cumulant(n).item<double>(), s);
            double k = ((ICumulantGeneratingFunction)distribution).CumulantGeneratingFunction(tensor(s, float64)).item<double>();
            Assert.True(Math.Abs(series - k) <= 1e-12, $"{name}: K({s}) = {k}, Σ κn sⁿ/n! = {series}");
        }
    }

    [Theory]
    [InlineData("Poisson")]
    [InlineData("Bernoulli")]
    public void OnTheIntegers_KIsTheFactorialCumulantSeriesInExpSMinusOne(string name)
    {
        TorchBackend.EnsureAvailable();
        using var scope = NewDisposeScope();
        Case c = Cases().Select(o => (Case)o[0]).Single(x => x.Name == name);
        var distribution = (IFactorialCumulantDistribution)c.Create(c.Parameters.Select(v => tensor(v, float64)).ToArray());
        foreach (double s in new[] { -0.03, 0.02 })
        {
            // log E[e^{sz}] = log E[(1 + t)^z] = Σ ζn tⁿ/n! with t = e^s − 1.
            double series = TaylorSum(distribution.FactorialCumulantOrder, n => distribution.FactorialCumulant(n).item<double>(), Math.Exp(s) - 1);
            double k = ((ICumulantGeneratingFunction)distribution).CumulantGeneratingFunction(tensor(s, float64)).item<double>();
            Assert.True(Math.Abs(series - k) <= 1e-12, $"{name}: K({s}) = {k}, Σ ζn tⁿ/n! = {series}");
        }
    }

    [Fact]
    public void AWrongTaylorCoefficient_WouldBeCaught()
    {
        // The same comparison with κ2 off by 1%: the Gamma's K(0.02) moves by κ2·0.0002·0.01 ≈ 1e-6 ≫ 1e-12.
        TorchBackend.EnsureAvailable();
        using var scope = NewDisposeScope();
        var gamma = new Gamma(tensor(2.5, float64), tensor(0.7, float64));
        const double s = 0.02;
        double series = TaylorSum(gamma.CumulantOrder, n => gamma.Cumulant(n).item<double>() * (n == 2 ? 1.01 : 1), s);
        Assert.True(Math.Abs(series - gamma.CumulantGeneratingFunction(tensor(s, float64)).item<double>()) > 1e-8);
    }

    /// <summary>Σ_{n=1}^{order} coefficient(n)·xⁿ/n!.</summary>
    private static double TaylorSum(int order, Func<int, double> coefficient, double x)
    {
        double sum = 0, factorial = 1;
        for (int n = 1; n <= order; n++)
        {
            factorial *= n;
            sum += coefficient(n) * Math.Pow(x, n) / factorial;
        }
        return sum;
    }

    private static void AssertClose(double expected, double actual, string what)
        => Assert.True(Math.Abs(expected - actual) <= Tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");
}
