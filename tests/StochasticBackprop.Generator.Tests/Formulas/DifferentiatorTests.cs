using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Generator.Formulas;
using Xunit;
using static StochasticBackprop.Generator.Tests.Formulas.FormulaTestSupport;

namespace StochasticBackprop.Generator.Tests.Formulas;

public class DifferentiatorTests
{
    private const string NormalLogDensity = "-(z - mu)^2/(2*sigma^2) - log(sigma) - log(2*pi)/2";
    private const string GammaLogDensity = "(k - 1)*log(z) - z/theta - lgamma(k) - k*log(theta)";

    public static IEnumerable<object[]> RealCorpusBySymbol =>
        RealCorpusData
            .Select(row => (string)row[0])
            .Where(f => !f.Contains("digamma"))
            .SelectMany(f => new[] { "z", "mu", "sigma", "k", "theta", "b", "rate", "s" }.Select(symbol => new object[] { f, symbol }));

    private static Expr Derivative(string formula, string symbol)
    {
        DerivativeResult result = Differentiator.Differentiate(Parse(formula), symbol);
        Assert.True(result.Success, result.Error);
        return result.Result!;
    }

    [Fact]
    public void Differentiate_NormalLogDensityByMu_IsTheTextbookScore()
    {
        Assert.Equal("(z - mu)/sigma^2", FormulaPrinter.Print(Derivative(NormalLogDensity, "mu")));
    }

    [Fact]
    public void Differentiate_NormalLogDensityBySigma_IsTheTextbookScore()
    {
        Expr expected = Simplifier.Simplify(Parse("(z - mu)^2/sigma^3 - 1/sigma"));

        Assert.Equal(FormulaPrinter.Print(expected), FormulaPrinter.Print(Derivative(NormalLogDensity, "sigma")));
    }

    [Fact]
    public void Differentiate_GammaLogDensityByShape_IsLogZMinusDigammaMinusLogTheta()
    {
        Assert.Equal("log(z) - digamma(k) - log(theta)", FormulaPrinter.Print(Derivative(GammaLogDensity, "k")));
    }

    [Fact]
    public void Differentiate_GammaLogDensityByScale_IsTheTextbookScore()
    {
        Expr expected = Simplifier.Simplify(Parse("z/theta^2 - k/theta"));

        Assert.Equal(expected, Derivative(GammaLogDensity, "theta"));
    }

    [Theory]
    [InlineData("exp(mu)", "exp(mu)")]
    [InlineData("log(mu)", "1/mu")]
    [InlineData("log1p(mu)", "1/(1 + mu)")]
    [InlineData("sqrt(mu)", "1/(2*sqrt(mu))")]
    [InlineData("abs(mu)", "mu/abs(mu)")]
    [InlineData("lgamma(mu)", "digamma(mu)")]
    [InlineData("sigmoid(mu)", "(1 - sigmoid(mu))*sigmoid(mu)")]
    [InlineData("softplus(mu)", "sigmoid(mu)")]
    [InlineData("mu^3", "3*mu^2")]
    [InlineData("2^mu", "2^mu*log(2)")]
    [InlineData("sigma*z", "0")]
    [InlineData("exp(i*mu*w)", "i*w*exp(i*mu*w)")]
    [InlineData("(1 - i*mu*w)^(-k)", "i*k*w*(1 - i*mu*w)^(-k - 1)")]
    public void Differentiate_EachRule_GivesTheExpectedForm(string formula, string expected)
    {
        Assert.Equal(expected, FormulaPrinter.Print(Derivative(formula, "mu")));
    }

    [Fact]
    public void Differentiate_DigammaOfTheSymbol_IsTrigamma()
    {
        Assert.Equal("polygamma(1, k)", FormulaPrinter.Print(Derivative("log(theta) + digamma(k)", "k")));
    }

    [Fact]
    public void Differentiate_DigammaOfAnotherSymbol_IsZero()
    {
        Assert.Equal("1/theta", FormulaPrinter.Print(Derivative("log(theta) + digamma(k)", "theta")));
    }

    [Theory]
    [MemberData(nameof(RealCorpusBySymbol))]
    public void Differentiate_RealCorpus_MatchesACentralFiniteDifference(string formula, string symbol)
    {
        Expr expression = Parse(formula);
        Expr derivative = Derivative(formula, symbol);

        foreach (IReadOnlyDictionary<string, double> point in Points)
        {
            double x = point[symbol];
            double h = 1e-5 * Math.Max(1, Math.Abs(x));
            double up = EvaluateReal(expression, With(point, symbol, x + h));
            double down = EvaluateReal(expression, With(point, symbol, x - h));
            double numeric = (up - down) / (2 * h);
            double symbolic = EvaluateReal(derivative, point);

            Assert.True(
                Math.Abs(numeric - symbolic) <= 1e-6 * Math.Max(1, Math.Abs(numeric)),
                $"d/d{symbol} {formula} = {FormulaPrinter.Print(derivative)}: symbolic {symbolic}, numeric {numeric}");
        }
    }

    [Theory]
    [MemberData(nameof(CorpusData), MemberType = typeof(FormulaTestSupport))]
    public void Differentiate_ComplexCorpusByW_MatchesACentralFiniteDifference(string formula)
    {
        if (formula.Contains("digamma")) return;
        Expr expression = Parse(formula);
        Expr derivative = Derivative(formula, "w");

        foreach (IReadOnlyDictionary<string, double> point in Points)
        {
            double x = point["w"];
            double h = 1e-5;
            var numeric = (Evaluate(expression, With(point, "w", x + h)) - Evaluate(expression, With(point, "w", x - h))) / (2 * h);
            AssertClose(numeric, Evaluate(derivative, point), 1e-6, $"d/dw {formula} = {FormulaPrinter.Print(derivative)}");
        }
    }

    private static IReadOnlyDictionary<string, double> With(IReadOnlyDictionary<string, double> point, string symbol, double value) =>
        point.ToDictionary(p => p.Key, p => p.Key == symbol ? value : p.Value);
}
