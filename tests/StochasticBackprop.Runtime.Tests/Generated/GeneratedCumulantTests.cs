using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Distributions;
using StochasticBackprop.Samples.Distributions;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Generated;

/// <summary>
/// The cumulants the generator derived from each sample distribution's characteristic function,
/// evaluated by the generated code, against their closed forms; and their gradients against
/// autograd on those closed forms. Exact arithmetic in float64: tolerance 1e-9 relative.
/// </summary>
public sealed class GeneratedCumulantTests
{
    private const double Tolerance = 1e-9;

    private static double Factorial(int n)
    {
        double result = 1;
        for (int i = 2; i <= n; i++) result *= i;
        return result;
    }

    public static IEnumerable<object[]> Orders()
    {
        for (int n = 1; n <= 8; n++) yield return new object[] { n };
    }

    [Theory]
    [MemberData(nameof(Orders))]
    public void Gamma_Cumulant_IsShapeTimesScalePowerTimesFactorial(int n)
    {
        TorchBackend.EnsureAvailable();
        AssertCumulant(p => new Gamma(p[0], p[1]), new[] { 2.5, 0.7 },
            p => p[0] * p[1].pow(n) * Factorial(n - 1), n);
    }

    [Theory]
    [MemberData(nameof(Orders))]
    public void Normal_Cumulant_IsMeanThenVarianceThenZero(int n)
    {
        TorchBackend.EnsureAvailable();
        AssertCumulant(p => new Normal(p[0], p[1]), new[] { -0.3, 1.7 },
            p => n == 1 ? p[0].clone() : n == 2 ? p[1].pow(Scalars.Of(2)) : zeros_like(p[0]), n);
        var normal = new Normal(tensor(0.0, float64), tensor(1.0, float64));
        Assert.Equal(n >= 3, normal.CumulantVanishes(n));
    }

    [Theory]
    [MemberData(nameof(Orders))]
    public void Laplace_Cumulant_EvenOrdersAreFactorialTimesScalePowerOverHalfOrder(int n)
    {
        TorchBackend.EnsureAvailable();
        // log φ(s) = mu s − log(1 − b² s²) = mu s + Σ_m b^{2m} s^{2m} / m  ⇒  κ_{2m} = (2m)! b^{2m} / m.
        AssertCumulant(p => new Laplace(p[0], p[1]), new[] { 0.4, 1.3 },
            p => n == 1 ? p[0].clone() : n % 2 == 1 ? zeros_like(p[0]) : p[1].pow(n) * (Factorial(n) / (n / 2)), n);
    }

    [Theory]
    [MemberData(nameof(Orders))]
    public void Exponential_Cumulant_IsFactorialOverRatePower(int n)
    {
        TorchBackend.EnsureAvailable();
        AssertCumulant(p => new Exponential(p[0]), new[] { 1.8 }, p => Factorial(n - 1) / p[0].pow(n), n);
    }

    [Theory]
    [MemberData(nameof(Orders))]
    public void Dirac_Cumulant_IsThePointThenZero(int n)
    {
        TorchBackend.EnsureAvailable();
        AssertCumulant(p => new Dirac(p[0]), new[] { 0.9 }, p => n == 1 ? p[0].clone() : zeros_like(p[0]), n);
    }

    [Theory]
    [MemberData(nameof(Orders))]
    public void UserChiSquared_Cumulant_IsTwoPowerTimesFactorialTimesDegrees(int n)
    {
        TorchBackend.EnsureAvailable();
        AssertCumulant(p => new ChiSquared(p[0]), new[] { 3.0 }, p => p[0] * (Math.Pow(2, n - 1) * Factorial(n - 1)), n);
    }

    [Fact]
    public void WrongClosedForm_FailsTheSameComparison()
    {
        // Sensitivity: n! where (n − 1)! belongs must not pass the comparison used above.
        TorchBackend.EnsureAvailable();
        Assert.ThrowsAny<Exception>(() => AssertCumulant(p => new Gamma(p[0], p[1]), new[] { 2.5, 0.7 },
            p => p[0] * p[1].pow(Scalars.Of(3)) * Factorial(3), 3));
    }

    [Fact]
    public void CumulantOrderOutsideTheDerivedRange_Throws()
    {
        TorchBackend.EnsureAvailable();
        var gamma = new Gamma(tensor(2.0, float64), tensor(1.0, float64));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => gamma.Cumulant(9));
        Assert.Contains("1 to 8", error.Message);
    }

    /// <summary>
    /// Checks κn from the generated code against <paramref name="closedForm"/> at a batch of
    /// parameter values, and ∂κn/∂θ from the generated code against autograd on the closed form.
    /// </summary>
    private static void AssertCumulant(Func<Tensor[], IDistribution> create, double[] values, Func<Tensor[], Tensor> closedForm, int n)
    {
        using var scope = NewDisposeScope();
        // A batch of three parameter points around the given values.
        var parameters = Array.ConvertAll(values, v => tensor(new[] { v, v * 1.3, v * 0.6 }, float64).requires_grad_());
        var distribution = (ICumulantDistribution)create(parameters);

        Tensor generated = distribution.Cumulant(n).detach();
        Tensor expected = closedForm(parameters);
        AssertClose(expected.detach(), generated, $"κ{n}");

        IReadOnlyList<Tensor> gradient = distribution.CumulantGradient(n);
        Tensor[] autograd = expected.requires_grad
            ? TorchSharp.torch.autograd.grad(new[] { expected.sum() }, parameters, allow_unused: true)
                .Select(g => g is null || g.IsInvalid ? zeros_like(parameters[0]) : g).ToArray()
            : Array.ConvertAll(parameters, p => zeros_like(p));
        for (int p = 0; p < parameters.Length; p++)
        {
            AssertClose(autograd[p], gradient[p].detach(), $"∂κ{n}/∂{distribution.ParameterNames[p]}");
        }
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        double[] e = expected.data<double>().ToArray();
        double[] a = actual.data<double>().ToArray();
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++)
        {
            double scale = Math.Max(1.0, Math.Abs(e[i]));
            Assert.True(Math.Abs(e[i] - a[i]) <= Tolerance * scale, $"{what}[{i}]: expected {e[i]:R}, generated {a[i]:R}");
        }
    }
}
