using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Generator.Analysis;
using StochasticBackprop.Generator.Formulas;
using StochasticBackprop.Generator.Tests.Formulas;
using Xunit;

namespace StochasticBackprop.Generator.Tests.Analysis;

/// <summary>
/// K(s) = log φ(−i·s): the substitution, simplification and structural log give the textbook forms, the
/// values equal the closed forms, and a formula the simplifier cannot make real is refused, never guessed.
/// </summary>
public sealed class CumulantGeneratingFunctionDeriverTests
{
    private static readonly FormulaScope Scope = new(new[] { "w" }, new[] { "mu", "sigma", "k", "theta", "b", "rate", "p" });

    private static readonly HashSet<string> Positive = new(StringComparer.Ordinal) { "sigma", "k", "theta", "b", "rate" };

    [Theory]
    [InlineData("(1 - i*theta*w)^(-k)", false, "-k*log(1 - theta*s)", "1 - theta*s > 0")]
    [InlineData("exp(i*mu*w - sigma^2*w^2/2)", false, "mu*s + sigma^2*s^2/2", "")]
    [InlineData("exp(i*mu*w) / (1 + b^2*w^2)", false, "mu*s - log(1 - b^2*s^2)", "1 - b^2*s^2 > 0")]
    [InlineData("rate/(rate - i*w)", false, "log(rate) - log(rate - s)", "rate - s > 0")]
    [InlineData("rate*(exp(i*w) - 1)", true, "(exp(s) - 1)*rate", "")]
    [InlineData("1 - p + p*exp(i*w)", false, "log(1 + p*exp(s) - p)", "1 + p*exp(s) - p > 0")]
    [InlineData("(1 - 2*i*w)^(-k/2)", false, "-k*log(1 - 2*s)/2", "1 - 2*s > 0")]
    [InlineData("i*mu*w - sigma^2*w^2/2", true, "mu*s + sigma^2*s^2/2", "")]
    public void SampleCharacteristicFunctions_GiveTheTextbookCumulantGeneratingFunction(string formula, bool isLog, string expected, string condition)
    {
        CumulantGeneratingFunctionResult result = Derive(formula, isLog);
        Assert.Null(result.Failure);
        Assert.Equal(expected, FormulaPrinter.Print(result.Value!));
        Assert.Equal(condition.Length == 0 ? Array.Empty<string>() : new[] { condition }, result.Conditions);
    }

    [Theory]
    [InlineData("(1 - i*theta*w)^(-k)", false)]
    [InlineData("exp(i*mu*w) / (1 + b^2*w^2)", false)]
    [InlineData("rate/(rate - i*w)", false)]
    [InlineData("1 - p + p*exp(i*w)", false)]
    [InlineData("-rate/(i*w - rate)", false)]
    [InlineData("rate*(exp(i*w) - 1)", true)]
    public void DerivedValue_EqualsLogOfThePhiAtMinusIS_InsideTheDomain(string formula, bool isLog)
    {
        Expr phi = Parse(formula);
        Expr k = Derive(formula, isLog).Value!;
        var point = new Dictionary<string, double> { ["mu"] = 0.3, ["sigma"] = 0.8, ["k"] = 2.5, ["theta"] = 0.7, ["b"] = 0.9, ["rate"] = 1.6, ["p"] = 0.35 };
        foreach (double s in new[] { -1.0, -0.3, 0.2, 0.5 })
        {
            var at = new Dictionary<string, double>(point) { ["s"] = s };
            // φ evaluated at w = −i·s in complex arithmetic: the definition, independent of the simplifier.
            System.Numerics.Complex value = FormulaTestSupport.Evaluate(Substitution.Substitute(phi, "w", new NegateExpr(new BinaryExpr(BinaryOperator.Multiply, new ImaginaryUnitExpr(), new SymbolExpr("s")))), at);
            double expected = isLog ? value.Real : Math.Log(value.Real);
            Assert.True(Math.Abs(value.Imaginary) < 1e-12, $"φ(-i*{s}) is not real");
            Assert.Equal(expected, FormulaTestSupport.EvaluateReal(k, at), 12);
        }
    }

    [Fact]
    public void NegativeFactorAtZero_IsNotSplitIntoLogsOfNegativeNumbers()
    {
        // −rate·(s − rate)⁻¹: neither factor is positive at s = 0, so the log stays whole; split, it would
        // be log(−rate) − log(s − rate), NaN everywhere.
        Expr k = Derive("-rate/(i*w - rate)", false).Value!;
        Assert.Equal("log(-rate/(s - rate))", FormulaPrinter.Print(k));
    }

    [Fact]
    public void IntegerPowerPastThePole_IsNaNNotAFiniteNumber()
    {
        // (1 − θs)⁻² is positive on both sides of the pole, but only s < 1/θ is the domain: log((1 − θs)⁻²)
        // would be finite past the pole; the split −2·log(1 − θs) is NaN there, and says what it needs.
        CumulantGeneratingFunctionResult result = Derive("(1 - i*theta*w)^(-2)", false);
        Assert.Equal("-2*log(1 - theta*s)", FormulaPrinter.Print(result.Value!));
        Assert.Equal(new[] { "1 - theta*s > 0" }, result.Conditions);
    }

    [Fact]
    public void ImaginaryUnitFactoredOutOfASum_StaysComplexAndIsRefused()
    {
        // The Normal with i factored out: the simplifier does not distribute i over the sum, so i survives.
        CumulantGeneratingFunctionResult result = Derive("i*(mu*w + i*sigma^2*w^2/2)", true);
        Assert.Null(result.Value);
        Assert.Contains("still contains i", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void ParameterNamedLikeTheVariable_GetsAnotherName()
    {
        var scope = new FormulaScope(new[] { "w" }, new[] { "s" });
        ParsedFormula parsed = FormulaParser.Parse("exp(i*s*w)", scope);
        CumulantGeneratingFunctionResult result = CumulantGeneratingFunctionDeriver.Derive(parsed.Root!, false, "w", "s_", _ => false, 4);
        Assert.Equal("s*s_", FormulaPrinter.Print(result.Value!));
    }

    [Theory]
    [InlineData("(1 - i*theta*w)^(-k)", false)]
    [InlineData("exp(i*mu*w) / (1 + b^2*w^2)", false)]
    [InlineData("1 - p + p*exp(i*w)", false)]
    public void TaylorCoefficientsOfK_AreTheCumulants(string formula, bool isLog)
    {
        // The guard inside the deriver, checked from outside: K's n-th derivative at 0 by finite differences ≈ κn.
        Expr k = Derive(formula, isLog).Value!;
        var expansion = StochasticBackprop.Generator.Series.CumulantExpander.Expand(Parse(formula), isLog, "w", 2);
        var point = new Dictionary<string, double> { ["mu"] = 0.3, ["k"] = 2.5, ["theta"] = 0.7, ["b"] = 0.9, ["p"] = 0.35 };
        double K(double s) => FormulaTestSupport.EvaluateReal(k, new Dictionary<string, double>(point) { ["s"] = s });
        const double h = 1e-4;
        double first = (K(h) - K(-h)) / (2 * h);
        double second = (K(h) - 2 * K(0) + K(-h)) / (h * h);
        Assert.Equal(FormulaTestSupport.EvaluateReal(expansion.Cumulants[0], point), first, 6);
        Assert.Equal(FormulaTestSupport.EvaluateReal(expansion.Cumulants[1], point), second, 5);
    }

    private static Expr Parse(string formula)
    {
        ParsedFormula parsed = FormulaParser.Parse(formula, Scope);
        Assert.True(parsed.Errors.Count == 0, string.Join("; ", parsed.Errors.Select(e => e.Message)));
        return parsed.Root!;
    }

    private static CumulantGeneratingFunctionResult Derive(string formula, bool isLog)
        => CumulantGeneratingFunctionDeriver.Derive(Parse(formula), isLog, "w", "s", Positive.Contains, 8);
}
