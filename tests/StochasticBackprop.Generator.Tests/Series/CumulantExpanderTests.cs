using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Generator.Formulas;
using StochasticBackprop.Generator.Series;
using Xunit;

namespace StochasticBackprop.Generator.Tests.Series;

public sealed class CumulantExpanderTests
{
    private const int Order = 8;
    private const double RelativeTolerance = 1e-9;

    // ---- closed forms, checked numerically at three fixed parameter points --------------------

    [Fact]
    public void Normal_CumulantsUpToEight_MatchClosedForm()
    {
        var expansion = AssertMatchesClosedForm(
            "exp(i*mu*w - sigma^2*w^2/2)",
            isLogForm: false,
            (n, p) => n switch { 1 => p["mu"], 2 => p["sigma"] * p["sigma"], _ => 0 },
            Points(11, "mu", "sigma"));
        Assert.Equal(new[] { false, false, true, true, true, true, true, true }, expansion.Vanishes);
        Assert.Equal("mu", Print(expansion, 1));
        Assert.Equal("sigma^2", Print(expansion, 2));
        Assert.Equal("0", Print(expansion, 3));
    }

    [Fact]
    public void NormalLogForm_CumulantsUpToEight_MatchClosedForm()
    {
        var expansion = AssertMatchesClosedForm(
            "i*mu*w - sigma^2*w^2/2",
            isLogForm: true,
            (n, p) => n switch { 1 => p["mu"], 2 => p["sigma"] * p["sigma"], _ => 0 },
            Points(12, "mu", "sigma"));
        Assert.Equal(new[] { false, false, true, true, true, true, true, true }, expansion.Vanishes);
    }

    [Fact]
    public void Gamma_CumulantsUpToEight_MatchClosedForm()
    {
        var expansion = AssertMatchesClosedForm(
            "(1 - i*theta*w)^(-k)",
            isLogForm: false,
            GammaClosedForm,
            Points(13, "k", "theta"));
        Assert.All(expansion.Vanishes, vanishes => Assert.False(vanishes));
        Assert.Equal("k*theta", Print(expansion, 1));
        Assert.Equal("2*k*theta^3", Print(expansion, 3));
    }

    [Fact]
    public void Gamma_CumulantsUpToSixteen_MatchClosedForm() =>
        AssertMatchesClosedForm("(1 - i*theta*w)^(-k)", isLogForm: false, GammaClosedForm, Points(14, "k", "theta"), order: CumulantExpander.MaxOrder);

    [Fact]
    public void GammaWithRate_CumulantsUpToEight_MatchClosedFormAndLogsOfRateCancel()
    {
        var expansion = AssertMatchesClosedForm(
            "(rate/(rate - i*w))^k",
            isLogForm: false,
            (n, p) => p["k"] * Factorial(n - 1) / Math.Pow(p["rate"], n),
            Points(15, "k", "rate"));
        Assert.Equal("k/rate", Print(expansion, 1));
    }

    [Fact]
    public void GammaWrittenAsExpOfLog_CumulantsUpToEight_MatchClosedForm() =>
        AssertMatchesClosedForm("exp(-k*log(1 - i*theta*w))", isLogForm: false, GammaClosedForm, Points(16, "k", "theta"));

    [Fact]
    public void Laplace_CumulantsUpToEight_MatchClosedFormAndOddOnesVanish()
    {
        var expansion = AssertMatchesClosedForm(
            "exp(i*mu*w) / (1 + b^2*w^2)",
            isLogForm: false,
            (n, p) => n == 1 ? p["mu"] : n % 2 == 1 ? 0 : Factorial(n) * Math.Pow(p["b"], n) / (n / 2),
            Points(17, "mu", "b"));
        for (int n = 3; n <= Order; n += 2) Assert.True(expansion.Vanishes[n - 1], $"κ{n} should vanish");
        for (int n = 2; n <= Order; n += 2) Assert.False(expansion.Vanishes[n - 1], $"κ{n} should not vanish");
        Assert.Equal("2*b^2", Print(expansion, 2));
        Assert.Equal("12*b^4", Print(expansion, 4));
    }

    [Fact]
    public void Exponential_CumulantsUpToEight_MatchClosedForm()
    {
        var expansion = AssertMatchesClosedForm(
            "rate/(rate - i*w)",
            isLogForm: false,
            (n, p) => Factorial(n - 1) / Math.Pow(p["rate"], n),
            Points(18, "rate"));
        Assert.Equal("1/rate", Print(expansion, 1));
        Assert.Equal("1/rate^2", Print(expansion, 2));
        Assert.Equal("6/rate^4", Print(expansion, 4));
    }

    [Fact]
    public void ExponentialAsReciprocal_CumulantsUpToEight_MatchClosedForm() =>
        AssertMatchesClosedForm("1/(1 - i*w/rate)", isLogForm: false, (n, p) => Factorial(n - 1) / Math.Pow(p["rate"], n), Points(19, "rate"));

    [Fact]
    public void Dirac_CumulantsUpToEight_AreTheLocationThenZero()
    {
        var expansion = AssertMatchesClosedForm("exp(i*a*w)", isLogForm: false, (n, p) => n == 1 ? p["a"] : 0, Points(20, "a"));
        Assert.Equal(new[] { false, true, true, true, true, true, true, true }, expansion.Vanishes);
        Assert.Equal("a", Print(expansion, 1));
    }

    [Fact]
    public void ChiSquared_CumulantsUpToEight_MatchClosedForm() =>
        AssertMatchesClosedForm(
            "(1 - 2*i*w)^(-k/2)",
            isLogForm: false,
            (n, p) => Math.Pow(2, n - 1) * Factorial(n - 1) * p["k"],
            Points(21, "k"));

    [Fact]
    public void Poisson_CumulantsUpToEight_AllEqualTheRate()
    {
        var expansion = AssertMatchesClosedForm("exp(rate*(exp(i*w) - 1))", isLogForm: false, (n, p) => p["rate"], Points(22, "rate"));
        Assert.All(Enumerable.Range(1, Order), n => Assert.Equal("rate", Print(expansion, n)));
    }

    [Fact]
    public void Bernoulli_CumulantsUpToEight_MatchTheDerivativeRecurrence()
    {
        var expansion = AssertMatchesClosedForm("1 - p + p*exp(i*w)", isLogForm: false, BernoulliClosedForm, Points(23, "p"));
        Assert.Equal("p", Print(expansion, 1));
        Assert.Equal("p - p^2", Print(expansion, 2));
        Assert.Equal("p - 3*p^2 + 2*p^3", Print(expansion, 3));
    }

    [Fact]
    public void IndependentSumOfNormalAndGamma_CumulantsUpToEight_AddUp() =>
        AssertMatchesClosedForm(
            "exp(i*mu*w - sigma^2*w^2/2) * (1 - i*theta*w)^(-k)",
            isLogForm: false,
            (n, p) => (n == 1 ? p["mu"] : n == 2 ? p["sigma"] * p["sigma"] : 0) + GammaClosedForm(n, p),
            Points(24, "mu", "sigma", "k", "theta"));

    [Fact]
    public void MixtureOfTwoDiracs_CumulantsUpToEight_MatchTheTwoPointDistribution() =>
        AssertMatchesClosedForm(
            "0.5*exp(i*a*w) + 0.5*exp(i*b*w)",
            isLogForm: false,
            // A two-point ±d/2 distribution around the midpoint: κ1 = mean, κ2 = d²/4, κ4 = −d⁴/8, odd n ≥ 3 zero.
            (n, p) =>
            {
                double d = p["a"] - p["b"];
                return n switch { 1 => (p["a"] + p["b"]) / 2, 2 => d * d / 4, 4 => -Math.Pow(d, 4) / 8, 6 => Math.Pow(d, 6) / 4, 8 => -17 * Math.Pow(d, 8) / 16, _ => 0 };
            },
            // Far-apart points: the expanded (a − b)^n cancels catastrophically in doubles when a ≈ b.
            new[]
            {
                new Dictionary<string, double> { ["a"] = 1.7, ["b"] = -0.6 },
                new Dictionary<string, double> { ["a"] = 0.3, ["b"] = 2.9 },
                new Dictionary<string, double> { ["a"] = -1.2, ["b"] = 0.8 },
            });

    [Fact]
    public void ZerothPowerOfW_IsOne_NotAnError() =>
        AssertMatchesClosedForm("exp(i*a*w) * w^0", isLogForm: false, (n, p) => n == 1 ? p["a"] : 0, Points(28, "a"));

    [Fact]
    public void WDependentExponent_IsExpandedAsExpOfLog()
    {
        var expansion = AssertMatchesClosedForm("2^(i*a*w)", isLogForm: false, (n, p) => n == 1 ? p["a"] * Math.Log(2) : 0, Points(25, "a"));
        Assert.Equal("a*log(2)", Print(expansion, 1));
    }

    [Fact]
    public void OpaqueParameterFunctions_ComeBackAsTheirSubexpressions()
    {
        var expansion = AssertMatchesClosedForm(
            "exp(i*w*sqrt(b)*log(k) - w^2*exp(mu)/2)",
            isLogForm: false,
            (n, p) => n switch { 1 => Math.Sqrt(p["b"]) * Math.Log(p["k"]), 2 => Math.Exp(p["mu"]), _ => 0 },
            Points(26, "b", "k", "mu"));
        Assert.Equal("log(k)*sqrt(b)", Print(expansion, 1));
        Assert.Equal("exp(mu)", Print(expansion, 2));
    }

    [Fact]
    public void WrongClosedForm_GammaWithFactorialOfN_IsDetectedByTheSameComparison()
    {
        var points = Points(13, "k", "theta");
        var expansion = Expand("(1 - i*theta*w)^(-k)", isLogForm: false, Order);
        var mismatches = FindMismatches(expansion, (n, p) => p["k"] * Math.Pow(p["theta"], n) * Factorial(n), points);
        // κ1 agrees (0! = 1! = 1); every higher cumulant at every point must be caught.
        Assert.Equal((Order - 1) * points.Length, mismatches.Count);
    }

    [Fact]
    public void WrongClosedForm_BernoulliVarianceOffByOnePercent_IsDetected()
    {
        var expansion = Expand("1 - p + p*exp(i*w)", isLogForm: false, Order);
        var mismatches = FindMismatches(expansion, (n, p) => BernoulliClosedForm(n, p) * (n == 2 ? 1.01 : 1), Points(23, "p"));
        Assert.Equal(3, mismatches.Count);
    }

    // ---- determinism ---------------------------------------------------------------------------

    [Theory]
    [InlineData("1 - p + p*exp(i*w)")]
    [InlineData("exp(i*w*sqrt(b)*log(k) - w^2*exp(mu)/2) * (1 - i*theta*w)^(-k)")]
    [InlineData("(rate/(rate - i*w))^k")]
    public void ExpandingTwice_GivesIdenticalPrintedCumulants(string formula)
    {
        var first = Expand(formula, isLogForm: false, Order);
        var second = Expand(formula, isLogForm: false, Order);
        Assert.Empty(first.Errors);
        Assert.Equal(first.Cumulants.Select(FormulaPrinter.Print), second.Cumulants.Select(FormulaPrinter.Print));
        Assert.Equal(first.Cumulants, second.Cumulants);
    }

    [Fact]
    public void CommutedFormula_GivesTheSamePrintedCumulants()
    {
        var first = Expand("exp(i*mu*w - sigma^2*w^2/2) * (1 - i*theta*w)^(-k)", isLogForm: false, Order);
        var second = Expand("(1 - w*theta*i)^(-k) * exp(-w^2*sigma^2/2 + w*mu*i)", isLogForm: false, Order);
        Assert.Equal(first.Cumulants.Select(FormulaPrinter.Print), second.Cumulants.Select(FormulaPrinter.Print));
    }

    // ---- errors, one per kind, with exact spans ----------------------------------------------

    [Fact]
    public void LogOfW_IsNotAnalyticAtZero_AtTheLogCall()
    {
        //                     0123456789012
        var error = SingleError("i*a*w + log(w)", isLogForm: true, SeriesErrorKind.NotAnalyticAtZero);
        AssertSpan(error, 8, 6);
    }

    [Fact]
    public void OneOverW_IsNotAnalyticAtZero_AtTheDivision()
    {
        //                     0123456789
        var error = SingleError("i*a*w + 1/w", isLogForm: true, SeriesErrorKind.NotAnalyticAtZero);
        AssertSpan(error, 8, 3);
    }

    [Fact]
    public void SqrtOfW_IsNotAnalyticAtZero_AtTheSqrtCall()
    {
        //                     0123456789012345
        var error = SingleError("i*a*w + sqrt(w)", isLogForm: true, SeriesErrorKind.NotAnalyticAtZero);
        AssertSpan(error, 8, 7);
    }

    [Fact]
    public void AbsOfW_IsNotAnalyticAtZero_AtTheAbsCall()
    {
        //                     012345678901234
        var error = SingleError("i*a*w - abs(w)", isLogForm: true, SeriesErrorKind.NotAnalyticAtZero);
        AssertSpan(error, 8, 6);
    }

    [Fact]
    public void FactorVanishingAtZero_InCharacteristicFunction_IsNotAnalyticAtThatFactor()
    {
        //                     0123456789012
        var error = SingleError("exp(i*a*w) * w", isLogForm: false, SeriesErrorKind.NotAnalyticAtZero);
        AssertSpan(error, 13, 1);
    }

    [Fact]
    public void SigmoidOfW_IsUnsupportedFunction_AtTheCall()
    {
        //                     0123456789012345678901234
        var error = SingleError("exp(i*mu*w) * sigmoid(w + 1)", isLogForm: false, SeriesErrorKind.UnsupportedFunction);
        AssertSpan(error, 14, 14);
        Assert.Contains("sigmoid", error.Message);
    }

    [Fact]
    public void LgammaOfParameter_IsAnOpaqueConstant_NotAnError()
    {
        var expansion = Expand("exp(i*w*lgamma(k))", isLogForm: false, Order);
        Assert.Empty(expansion.Errors);
        Assert.Equal("lgamma(k)", Print(expansion, 1));
    }

    [Fact]
    public void RealExponential_HasImaginaryCumulant_NamingWhichOne()
    {
        var error = SingleError("exp(mu*w)", isLogForm: false, SeriesErrorKind.ImaginaryCumulant);
        AssertSpan(error, 0, 9);
        Assert.Contains("κ1", error.Message);
    }

    [Fact]
    public void SkewedCharacteristicFunction_HasImaginaryThirdCumulant()
    {
        var error = SingleError("exp(i*mu*w - w^2/2 + a*w^3)", isLogForm: false, SeriesErrorKind.ImaginaryCumulant);
        Assert.Contains("κ3", error.Message);
        Assert.DoesNotContain("κ1,", error.Message);
    }

    [Fact]
    public void TwiceACharacteristicFunction_IsNotNormalized_SayingPhiOfZeroIsTwo()
    {
        var error = SingleError("2*exp(i*mu*w)", isLogForm: false, SeriesErrorKind.NotNormalized);
        AssertSpan(error, 0, 13);
        Assert.Contains("φ(0) = 2", error.Message);
    }

    [Fact]
    public void LogFormWithConstant_IsNotNormalized()
    {
        var error = SingleError("i*mu*w + 3", isLogForm: true, SeriesErrorKind.NotNormalized);
        Assert.Contains("log φ(0) = 3", error.Message);
    }

    [Fact]
    public void SymbolicScale_IsNotNormalized_SayingNotIdenticallyOne()
    {
        var error = SingleError("c*exp(i*mu*w)", isLogForm: false, SeriesErrorKind.NotNormalized);
        Assert.Contains("not identically 1", error.Message);
    }

    [Fact]
    public void HugeParameterPolynomial_IsTooComplex_AtThePower()
    {
        //                     0123456789012345678901234567890
        var error = SingleError("i*w*(a+b+c+d+e+f+g+h)^8", isLogForm: true, SeriesErrorKind.TooComplex);
        AssertSpan(error, 4, 19);
    }

    [Fact]
    public void OrderOutOfRange_IsReportedNotThrown()
    {
        var expansion = Expand("exp(i*a*w)", isLogForm: false, CumulantExpander.MaxOrder + 1);
        Assert.Equal(SeriesErrorKind.TooComplex, Assert.Single(expansion.Errors).Kind);
    }

    [Theory]
    [InlineData("w^w")]
    [InlineData("log(0)")]
    [InlineData("0^(-1)")]
    [InlineData("(1 - i*w)^(1/0)")]
    [InlineData("log(-1) + exp(i*pi)")]
    [InlineData("exp(exp(exp(i*w)))")]
    [InlineData("(1 + i*w)^(i*w)")]
    [InlineData("log1p(w) + abs(-2) + softplus(a)*w")]
    [InlineData("1/(a + b - i*w)")]
    public void OddFormulas_NeverThrow(string formula)
    {
        var expr = SeriesTestFormula.Parse(formula);
        foreach (bool isLogForm in new[] { false, true })
        {
            var expansion = CumulantExpander.Expand(expr, isLogForm, "w", Order);
            Assert.True(expansion.Errors.Count > 0 || expansion.Cumulants.Count == Order);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static double GammaClosedForm(int n, IReadOnlyDictionary<string, double> p) => p["k"] * Math.Pow(p["theta"], n) * Factorial(n - 1);

    /// <summary>Bernoulli cumulants from κ1 = p, κ_{n+1} = p(1 − p) dκ_n/dp, on coefficient arrays in p.</summary>
    private static double BernoulliClosedForm(int n, IReadOnlyDictionary<string, double> p)
    {
        var coefficients = new List<double> { 0, 1 };
        for (int m = 1; m < n; m++)
        {
            var derivative = coefficients.Select((c, j) => c * j).Skip(1).ToList();
            var next = new double[derivative.Count + 2];
            for (int j = 0; j < derivative.Count; j++)
            {
                next[j + 1] += derivative[j];
                next[j + 2] -= derivative[j];
            }

            coefficients = next.ToList();
        }

        return coefficients.Select((c, j) => c * Math.Pow(p["p"], j)).Sum();
    }

    private static double Factorial(int n) => Enumerable.Range(1, Math.Max(n, 0)).Aggregate(1.0, (product, k) => product * k);

    /// <summary>Three parameter points drawn once from a fixed seed, in (0.1, 0.9) so they also suit probabilities.</summary>
    private static Dictionary<string, double>[] Points(int seed, params string[] names)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, 3)
            .Select(_ => names.ToDictionary(name => name, _ => 0.1 + 0.8 * random.NextDouble()))
            .ToArray();
    }

    private static CumulantExpansion Expand(string formula, bool isLogForm, int order) =>
        CumulantExpander.Expand(SeriesTestFormula.Parse(formula), isLogForm, "w", order);

    private static CumulantExpansion AssertMatchesClosedForm(
        string formula,
        bool isLogForm,
        Func<int, IReadOnlyDictionary<string, double>, double> closedForm,
        Dictionary<string, double>[] points,
        int order = Order)
    {
        var expansion = Expand(formula, isLogForm, order);
        Assert.True(expansion.Errors.Count == 0, string.Join("\n", expansion.Errors));
        Assert.Equal(order, expansion.Cumulants.Count);
        Assert.Equal(order, expansion.Vanishes.Count);
        var mismatches = FindMismatches(expansion, closedForm, points);
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        return expansion;
    }

    private static List<string> FindMismatches(
        CumulantExpansion expansion,
        Func<int, IReadOnlyDictionary<string, double>, double> closedForm,
        Dictionary<string, double>[] points)
    {
        var mismatches = new List<string>();
        for (int n = 1; n <= expansion.Cumulants.Count; n++)
        {
            foreach (var point in points)
            {
                double actual = SeriesTestEvaluator.Evaluate(expansion.Cumulants[n - 1], point);
                double expected = closedForm(n, point);
                double difference = Math.Abs(actual - expected);
                if (difference != 0 && !(difference <= RelativeTolerance * Math.Max(Math.Abs(expected), Math.Abs(actual))))
                {
                    mismatches.Add($"κ{n} = {FormulaPrinter.Print(expansion.Cumulants[n - 1])} at {string.Join(", ", point.Select(kv => kv.Key + "=" + kv.Value))}: {actual} vs closed form {expected}");
                }
            }
        }

        return mismatches;
    }

    private static string Print(CumulantExpansion expansion, int n) => FormulaPrinter.Print(expansion.Cumulants[n - 1]);

    private static SeriesError SingleError(string formula, bool isLogForm, SeriesErrorKind kind)
    {
        var expansion = Expand(formula, isLogForm, Order);
        var error = Assert.Single(expansion.Errors);
        Assert.True(error.Kind == kind, $"expected {kind}, got {error.Kind}: {error.Message}");
        Assert.Empty(expansion.Cumulants);
        return error;
    }

    private static void AssertSpan(SeriesError error, int start, int length)
    {
        // SourceSpan equality ignores positions on purpose, so compare them explicitly.
        Assert.Equal((start, length), (error.Span.Start, error.Span.Length));
    }
}
