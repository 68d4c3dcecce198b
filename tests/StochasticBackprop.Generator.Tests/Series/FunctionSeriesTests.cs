using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Generator.Formulas;
using StochasticBackprop.Generator.Series;
using Xunit;

namespace StochasticBackprop.Generator.Tests.Series;

/// <summary>
/// Cumulants of characteristic functions that need the catalog's newer series rules: a removable 0/0 at
/// w = 0 (uniform, logistic), lgamma of an expression in w (log-gamma), cosh (hyperbolic secant). Each is
/// checked against its closed form at fixed parameter points, and each check is shown to fail for a
/// wrong rule or a wrong closed form.
/// </summary>
public sealed class FunctionSeriesTests
{
    private const int Order = 8;
    private const double RelativeTolerance = 1e-9;

    private const string UniformPhi = "(exp(i*b*w) - exp(i*a*w))/(i*(b - a)*w)";

    /// <summary>Bernoulli numbers B_0..B_8.</summary>
    private static readonly double[] Bernoulli = { 1, -0.5, 1.0 / 6, 0, -1.0 / 30, 0, 1.0 / 42, 0, -1.0 / 30 };

    /// <summary>The uniform on (a, b): κ1 = (a + b)/2, κn = B_n (b − a)ⁿ/n for n ≥ 2 (κ2 = (b − a)²/12, κ3 = 0, κ4 = −(b − a)⁴/120).</summary>
    private static double UniformClosedForm(int n, IReadOnlyDictionary<string, double> p) =>
        n == 1 ? (p["a"] + p["b"]) / 2 : Bernoulli[n] * Math.Pow(p["b"] - p["a"], n) / n;

    [Fact]
    public void Uniform_RemovableSingularity_GivesExactCumulants()
    {
        CumulantExpansion expansion = AssertMatchesClosedForm(UniformPhi, isLogForm: false, UniformClosedForm, UniformPoints());

        // The division by b − a is exact: the cumulants are polynomials, with no 1/(b − a) left to cancel numerically.
        Assert.Equal("a/2 + b/2", Print(expansion, 1));
        Assert.Equal("a^2/12 - a*b/6 + b^2/12", Print(expansion, 2));
        Assert.Equal("0", Print(expansion, 3));
        Assert.True(expansion.Vanishes[2] && expansion.Vanishes[4] && expansion.Vanishes[6]);
        Assert.DoesNotContain(expansion.Cumulants, k => FormulaPrinter.Print(k).Contains("^-1") || FormulaPrinter.Print(k).Contains("/(b - a)"));
    }

    [Fact]
    public void Uniform_WrongClosedForm_IsCaught()
    {
        // κ4 with the wrong sign: the same check must report it.
        CumulantExpansion expansion = Expand(UniformPhi, isLogForm: false, Order);
        List<string> mismatches = FindMismatches(expansion, (n, p) => n == 4 ? -UniformClosedForm(n, p) : UniformClosedForm(n, p), UniformPoints());
        Assert.Equal(3, mismatches.Count);
        Assert.All(mismatches, m => Assert.StartsWith("κ4", m));
    }

    [Fact]
    public void Logistic_RemovableSingularityOfSinh_GivesExactCumulants()
    {
        // φ(w) = πw/sinh(πw): κ2 = π²/3, κ4 = 2π⁴/15, κ6 = 16π⁶/63, κ8 = 16π⁸/15, odd ones 0.
        double[] even = { 0, 0, Math.Pow(Math.PI, 2) / 3, 0, 2 * Math.Pow(Math.PI, 4) / 15, 0, 16 * Math.Pow(Math.PI, 6) / 63, 0, 16 * Math.Pow(Math.PI, 8) / 15 };
        CumulantExpansion expansion = AssertMatchesClosedForm("pi*w/sinh(pi*w)", isLogForm: false, (n, _) => even[n], new[] { new Dictionary<string, double>() });
        Assert.Equal("pi^2/3", Print(expansion, 2));
    }

    [Fact]
    public void Quotient_WithAPoleAtZero_IsNotAnalytic_AtTheQuotient()
    {
        CumulantExpansion expansion = Expand("exp(i*a*w)*(exp(i*b*w) - 1)/w^2", isLogForm: false, Order);
        SeriesError error = Assert.Single(expansion.Errors);
        Assert.Equal(SeriesErrorKind.NotAnalyticAtZero, error.Kind);
        Assert.Contains("pole", error.Message);
    }

    /// <summary>log φ = lgamma(k + i·w) − lgamma(k): κn = ψ⁽ⁿ⁻¹⁾(k).</summary>
    [Fact]
    public void LogGamma_LgammaOfW_CumulantsArePolygammas()
    {
        CumulantExpansion expansion = AssertMatchesClosedForm("lgamma(k + i*w) - lgamma(k)", isLogForm: true, (n, p) => IndependentPolygamma(n - 1, p["k"]), Points(21, "k"));
        Assert.Equal("digamma(k)", Print(expansion, 1));
        Assert.Equal("polygamma(1, k)", Print(expansion, 2));
        Assert.Equal("polygamma(7, k)", Print(expansion, 8));
    }

    [Fact]
    public void LogGamma_WithScaleAndLocation_CumulantsScale()
    {
        // X = mu + theta·log G, G ~ Gamma(k): κ1 = mu + theta·ψ(k), κn = thetaⁿ·ψ⁽ⁿ⁻¹⁾(k).
        AssertMatchesClosedForm(
            "i*mu*w + lgamma(k + i*theta*w) - lgamma(k)",
            isLogForm: true,
            (n, p) => (n == 1 ? p["mu"] : 0) + Math.Pow(p["theta"], n) * IndependentPolygamma(n - 1, p["k"]),
            Points(22, "k", "mu", "theta"));
    }

    [Fact]
    public void LogGamma_WrongSeriesRule_IsCaught()
    {
        // lgamma's rule replaced by digamma's (its Taylor coefficients one polygamma order too high).
        FunctionRow wrong = FunctionCatalog.Get(FunctionKind.Lgamma) with { Series = (s, c) => s.PolygammaFamily(c, order: 0) };
        CumulantExpansion expansion = CumulantExpander.Expand(Parse("lgamma(k + i*w) - lgamma(k)"), isLogForm: true, "w", Order, kind => kind == FunctionKind.Lgamma ? wrong : FunctionCatalog.Get(kind));
        Assert.Empty(expansion.Errors);
        Assert.Equal(Order * 3, FindMismatches(expansion, (n, p) => IndependentPolygamma(n - 1, p["k"]), Points(21, "k")).Count);
    }

    [Fact]
    public void LgammaAtAPole_IsNotAnalytic()
    {
        CumulantExpansion expansion = Expand("lgamma(1 + i*w) - lgamma(i*w)", isLogForm: true, Order);
        SeriesError error = Assert.Single(expansion.Errors);
        Assert.Equal(SeriesErrorKind.NotAnalyticAtZero, error.Kind);
        Assert.Contains("pole", error.Message);
    }

    /// <summary>The hyperbolic secant distribution, density sech(πz/2)/2: φ = 1/cosh(w), κ2 = 1, κ4 = 2, κ6 = 16, κ8 = 272 (tangent numbers).</summary>
    [Fact]
    public void HyperbolicSecant_CoshOfW_GivesTangentNumbers()
    {
        double[] closed = { 0, 0, 1, 0, 2, 0, 16, 0, 272 };
        CumulantExpansion expansion = AssertMatchesClosedForm("exp(i*mu*w)/cosh(sigma*w)", isLogForm: false, (n, p) => (n == 1 ? p["mu"] : 0) + closed[n] * Math.Pow(p["sigma"], n), Points(23, "mu", "sigma"));
        Assert.Equal("sigma^2", Print(expansion, 2));
        Assert.Equal("2*sigma^4", Print(expansion, 4));
    }

    [Fact]
    public void HyperbolicSecant_WrongSeriesRule_IsCaught()
    {
        // cosh expanded as if it were exp: 1/exp(w) is a point mass, not the hyperbolic secant.
        FunctionRow wrong = FunctionCatalog.Get(FunctionKind.Cosh) with { Series = (s, c) => s.ExpOf(c) };
        CumulantExpansion expansion = CumulantExpander.Expand(Parse("1/cosh(w)"), isLogForm: false, "w", Order, kind => kind == FunctionKind.Cosh ? wrong : FunctionCatalog.Get(kind));
        double[] closed = { 0, 0, 1, 0, 2, 0, 16, 0, 272 };
        Assert.True(expansion.Errors.Count > 0 || FindMismatches(expansion, (n, _) => closed[n], new[] { new Dictionary<string, double>() }).Count > 0);
    }

    /// <summary>
    /// Every function with a series rule, checked against its own derivative column: log φ = f(x + i·w) − f(x) has
    /// κn = n!·[sⁿ] f(x + s) = f⁽ⁿ⁾(x), the n-th symbolic derivative, evaluated by the catalog's evaluator.
    /// </summary>
    [Theory]
    [InlineData("exp(x)")]
    [InlineData("log(x)")]
    [InlineData("log1p(x)")]
    [InlineData("sqrt(x)")]
    [InlineData("sinh(x)")]
    [InlineData("cosh(x)")]
    [InlineData("tanh(x)")]
    [InlineData("tan(x/2)")]
    [InlineData("erf(x)")]
    [InlineData("lgamma(x)")]
    [InlineData("digamma(x)")]
    [InlineData("polygamma(2, x)")]
    [InlineData("lbeta(x, 1.5)")]
    [InlineData("lbeta(2.5, x)")]
    public void SeriesRule_AgreesWithTheDerivativeColumn(string function)
    {
        const int order = 5;
        var atX = Parse(function);
        var shifted = Substitution.Substitute(atX, "x", Parse("x + i*w"));
        CumulantExpansion expansion = CumulantExpander.Expand(new BinaryExpr(BinaryOperator.Subtract, shifted, atX), isLogForm: true, "w", order);
        Assert.True(expansion.Errors.Count == 0, string.Join("\n", expansion.Errors));
        Expr derivative = atX;
        foreach (double x in new[] { 0.35, 0.8, 1.7 })
        {
            derivative = atX;
            var point = new Dictionary<string, double> { ["x"] = x };
            for (int n = 1; n <= order; n++)
            {
                DerivativeResult next = Differentiator.Differentiate(derivative, "x");
                Assert.True(next.Success, next.Error);
                derivative = next.Result!;
                double expected = SeriesTestEvaluator.Evaluate(derivative, point);
                double actual = SeriesTestEvaluator.Evaluate(expansion.Cumulants[n - 1], point);
                Assert.True(Math.Abs(actual - expected) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"{function}: κ{n} at x = {x}: series {actual} ({FormulaPrinter.Print(expansion.Cumulants[n - 1])}), derivative {expected}");
            }
        }
    }

    [Theory]
    [InlineData("abs(x + i*w) - abs(x)")]
    [InlineData("sigmoid(x + i*w) - sigmoid(x)")]
    public void FunctionsWithoutSeriesRule_AreUnsupported_AndSayWhatIs(string formula)
    {
        SeriesError error = Assert.Single(Expand(formula, isLogForm: true, Order).Errors);
        Assert.Equal(SeriesErrorKind.UnsupportedFunction, error.Kind);
        Assert.Contains("lgamma", error.Message);
        Assert.Equal(0, error.Span.Start);
    }

    // ---- helpers ----------------------------------------------------------------------------

    /// <summary>
    /// ψ⁽ᵐ⁾(x) computed independently of the generator: ψ(x) by the test's own recurrence and asymptotic series, and for
    /// m ≥ 1 (−1)ᵐ⁺¹ m! Σ_j 1/(x + j)ᵐ⁺¹ summed to j = 199 with the Euler–Maclaurin tail.
    /// </summary>
    internal static double IndependentPolygamma(int m, double x)
    {
        if (m == 0) return Formulas.FormulaTestSupport.Digamma(x);
        int power = m + 1;
        double sum = 0;
        const int terms = 200;
        for (int j = 0; j < terms; j++) sum += Math.Pow(x + j, -power);
        double y = x + terms;
        // Σ_{j≥N} f(j) ≈ ∫ f + f(N)/2 − f′(N)/12 + f‴(N)/720 − f⁽⁵⁾(N)/30240, with f(t) = (x + t)^(−power).
        double tail = Math.Pow(y, 1 - power) / (power - 1) + Math.Pow(y, -power) / 2
            + power * Math.Pow(y, -power - 1) / 12
            - power * (power + 1) * (power + 2) * Math.Pow(y, -power - 3) / 720
            + power * (power + 1.0) * (power + 2) * (power + 3) * (power + 4) * Math.Pow(y, -power - 5) / 30240;
        double factorial = Enumerable.Range(1, m).Aggregate(1.0, (a, b) => a * b);
        return (m % 2 == 1 ? 1 : -1) * factorial * (sum + tail);
    }

    private static Dictionary<string, double>[] UniformPoints() => new[]
    {
        new Dictionary<string, double> { ["a"] = -1.3, ["b"] = 0.4 },
        new Dictionary<string, double> { ["a"] = 0.2, ["b"] = 3.1 },
        new Dictionary<string, double> { ["a"] = 2.5, ["b"] = 2.9 },
    };

    private static Dictionary<string, double>[] Points(int seed, params string[] names)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, 3).Select(_ => names.ToDictionary(name => name, _ => 0.3 + 2.5 * random.NextDouble())).ToArray();
    }

    internal static Expr Parse(string formula)
    {
        var names = new[] { "a", "b", "k", "mu", "sigma", "theta", "x" };
        ParsedFormula parsed = FormulaParser.Parse(formula, new FormulaScope(new[] { "w" }, names));
        Assert.True(parsed.Success, string.Join("; ", parsed.Errors.Select(e => e.Message)));
        return parsed.Root!;
    }

    private static CumulantExpansion Expand(string formula, bool isLogForm, int order) => CumulantExpander.Expand(Parse(formula), isLogForm, "w", order);

    private static CumulantExpansion AssertMatchesClosedForm(string formula, bool isLogForm, Func<int, IReadOnlyDictionary<string, double>, double> closedForm, Dictionary<string, double>[] points)
    {
        CumulantExpansion expansion = Expand(formula, isLogForm, Order);
        Assert.True(expansion.Errors.Count == 0, string.Join("\n", expansion.Errors));
        List<string> mismatches = FindMismatches(expansion, closedForm, points);
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        return expansion;
    }

    private static List<string> FindMismatches(CumulantExpansion expansion, Func<int, IReadOnlyDictionary<string, double>, double> closedForm, Dictionary<string, double>[] points)
    {
        var mismatches = new List<string>();
        for (int n = 1; n <= expansion.Cumulants.Count; n++)
        {
            foreach (var point in points)
            {
                double actual = SeriesTestEvaluator.Evaluate(expansion.Cumulants[n - 1], point);
                double expected = closedForm(n, point);
                if (!(Math.Abs(actual - expected) <= RelativeTolerance * Math.Max(1, Math.Abs(expected))))
                {
                    mismatches.Add($"κ{n} = {FormulaPrinter.Print(expansion.Cumulants[n - 1])} at {string.Join(", ", point.Select(kv => kv.Key + "=" + kv.Value))}: {actual} vs closed form {expected}");
                }
            }
        }

        return mismatches;
    }

    private static string Print(CumulantExpansion expansion, int n) => FormulaPrinter.Print(expansion.Cumulants[n - 1]);
}
