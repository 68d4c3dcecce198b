using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using StochasticBackprop.Generator.Formulas;
using Xunit;

namespace StochasticBackprop.Generator.Tests.Formulas;

/// <summary>Scope, corpus and a numeric evaluator shared by the formula-compiler tests.</summary>
internal static class FormulaTestSupport
{
    public static readonly FormulaScope Scope = new(
        new[] { "z", "w", "eps", "s" },
        new[] { "mu", "sigma", "k", "theta", "b", "rate" });

    /// <summary>Characteristic functions, log densities and reparameterisations as the product's users write them.</summary>
    public static readonly string[] Corpus =
    {
        "(1 - i*theta*w)^(-k)",
        "exp(i*mu*w)/(1 + b^2*w^2)",
        "exp(i*mu*w - sigma^2*w^2/2)",
        "-(z - mu)^2/(2*sigma^2) - log(sigma) - log(2*pi)/2",
        "(k - 1)*log(z) - z/theta - lgamma(k) - k*log(theta)",
        "log(rate) - rate*z",
        "-abs(z - mu)/b - log(2*b)",
        "mu + sigma*eps",
        "-k*log(1 - theta*s)",
        "mu*s - log(1 - b^2*s^2)",
        "sigmoid(mu)*softplus(z) - log1p(sigma^2)",
        "sqrt(sigma)*exp(-z/2)/(1 + z)^3",
        "2^k*theta - z^(1/3)",
        "0.5*mu - 1e-3*sigma + 2.5",
        "digamma(k) - log(theta)",
    };

    public static IEnumerable<object[]> CorpusData => Corpus.Select(f => new object[] { f });

    public static IEnumerable<object[]> RealCorpusData => Corpus.Where(f => !f.Contains("i*")).Select(f => new object[] { f });

    /// <summary>A point where every log, sqrt and lgamma argument in the corpus is positive.</summary>
    public static IReadOnlyDictionary<string, double> PointA => new Dictionary<string, double>
    {
        ["z"] = 1.3, ["w"] = 0.37, ["eps"] = -0.6, ["s"] = 0.21,
        ["mu"] = 0.4, ["sigma"] = 0.7, ["k"] = 2.2, ["theta"] = 1.5, ["b"] = 0.8, ["rate"] = 1.7,
    };

    public static IReadOnlyDictionary<string, double> PointB => new Dictionary<string, double>
    {
        ["z"] = 2.9, ["w"] = -0.8, ["eps"] = 0.3, ["s"] = -0.35,
        ["mu"] = -1.1, ["sigma"] = 1.9, ["k"] = 0.7, ["theta"] = 0.45, ["b"] = 1.2, ["rate"] = 0.3,
    };

    public static IReadOnlyDictionary<string, double> PointC => new Dictionary<string, double>
    {
        ["z"] = 0.35, ["w"] = 1.4, ["eps"] = 1.7, ["s"] = 0.05,
        ["mu"] = 2.3, ["sigma"] = 0.25, ["k"] = 5.5, ["theta"] = 0.9, ["b"] = 0.4, ["rate"] = 4.2,
    };

    public static IEnumerable<IReadOnlyDictionary<string, double>> Points => new[] { PointA, PointB, PointC };

    public static Expr Parse(string text)
    {
        ParsedFormula parsed = FormulaParser.Parse(text, Scope);
        Assert.True(parsed.Errors.Count == 0, $"'{text}': {string.Join("; ", parsed.Errors.Select(e => e.Message))}");
        return parsed.Root!;
    }

    /// <summary>Evaluates a formula in complex arithmetic (real special functions need a real argument).</summary>
    public static Complex Evaluate(Expr e, IReadOnlyDictionary<string, double> values) => e switch
    {
        NumberExpr n => n.Value,
        PiExpr => Math.PI,
        ImaginaryUnitExpr => Complex.ImaginaryOne,
        SymbolExpr s => values[s.Name],
        NegateExpr n => -Evaluate(n.Operand, values),
        BinaryExpr b => b.Operator switch
        {
            BinaryOperator.Add => Evaluate(b.Left, values) + Evaluate(b.Right, values),
            BinaryOperator.Subtract => Evaluate(b.Left, values) - Evaluate(b.Right, values),
            BinaryOperator.Multiply => Evaluate(b.Left, values) * Evaluate(b.Right, values),
            BinaryOperator.Divide => Evaluate(b.Left, values) / Evaluate(b.Right, values),
            _ => Power(Evaluate(b.Left, values), Evaluate(b.Right, values)),
        },
        CallExpr c => FunctionCatalog.Get(c.Function).Evaluate(c.Arguments.Select(a => Evaluate(a, values)).ToArray()),
        _ => throw new InvalidOperationException(e.ToString()),
    };

    public static double EvaluateReal(Expr e, IReadOnlyDictionary<string, double> values)
    {
        Complex value = Evaluate(e, values);
        Assert.True(Math.Abs(value.Imaginary) <= 1e-12 * Math.Max(1, Math.Abs(value.Real)), $"{FormulaPrinter.Print(e)} is not real: {value}");
        return value.Real;
    }

    public static void AssertClose(Complex expected, Complex actual, double relative, string because)
    {
        double scale = Math.Max(1, expected.Magnitude);
        Assert.True((expected - actual).Magnitude <= relative * scale, $"{because}: expected {expected}, got {actual}");
    }

    private static Complex Power(Complex b, Complex e)
    {
        // Integer powers of reals exactly (Complex.Pow of a negative real goes through log).
        if (b.Imaginary == 0 && e.Imaginary == 0 && e.Real == Math.Floor(e.Real)) return Math.Pow(b.Real, e.Real);
        return Complex.Pow(b, e);
    }

    /// <summary>log Γ(x) for x &gt; 0: recurrence up to 15, then Stirling's series (error below 1e-14).</summary>
    public static double LogGamma(double x)
    {
        double shift = 0;
        while (x < 15)
        {
            shift += Math.Log(x);
            x += 1;
        }

        double x2 = x * x;
        double series = (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - 1.0 / (1680 * x2)) / x2) / x2) / x;
        return ((x - 0.5) * Math.Log(x)) - x + (0.5 * Math.Log(2 * Math.PI)) + series - shift;
    }

    /// <summary>ψ(x) for x &gt; 0: recurrence up to 15, then the asymptotic series.</summary>
    public static double Digamma(double x)
    {
        double shift = 0;
        while (x < 15)
        {
            shift += 1 / x;
            x += 1;
        }

        double inv2 = 1 / (x * x);
        double series = inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 / 132))));
        return Math.Log(x) - (0.5 / x) - series - shift;
    }
}
