using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using StochasticBackprop.Generator.Formulas;
using StochasticBackprop.Generator.Numerics;
using StochasticBackprop.Generator.Tests.Infrastructure;
using Xunit;
using static StochasticBackprop.Generator.Tests.Formulas.FormulaTestSupport;

namespace StochasticBackprop.Generator.Tests.Formulas;

/// <summary>
/// The function catalog: one complete row per function, and the columns agree with each other (the derivative
/// column with finite differences of the evaluator column, the printer with the parser, the tensor column
/// compiles against TorchSharp), and the evaluator's special functions with known values.
/// </summary>
public sealed class FunctionCatalogTests
{
    /// <summary>Each function at arguments inside its domain (polygamma's order a literal).</summary>
    public static IEnumerable<object[]> Calls => new[]
    {
        "exp(mu)", "log(mu)", "log1p(mu)", "sqrt(mu)", "abs(mu)", "lgamma(mu)", "digamma(mu)", "sigmoid(mu)", "softplus(mu)",
        "sum(mu)", "logsumexp(mu)", "sinh(mu)", "cosh(mu)", "tanh(mu)", "tan(mu/2)", "erf(mu)", "lbeta(mu, sigma)", "polygamma(2, mu)",
    }.Select(c => new object[] { c });

    [Fact]
    public void EveryFunctionKind_HasExactlyOneCompleteRow()
    {
        var kinds = Enum.GetValues(typeof(FunctionKind)).Cast<FunctionKind>().ToArray();
        Assert.Equal(kinds.OrderBy(k => k), FunctionCatalog.Rows.Select(r => r.Kind).OrderBy(k => k));
        Assert.Equal(FunctionCatalog.Rows.Count, FunctionCatalog.Rows.Select(r => r.Name).Distinct().Count());
        foreach (FunctionRow row in FunctionCatalog.Rows)
        {
            Assert.Same(row, FunctionCatalog.Get(row.Kind));
            Assert.False(string.IsNullOrWhiteSpace(row.Name), row.Kind.ToString());
            Assert.InRange(row.Arity, 1, 2);
            Assert.StartsWith(row.Name + "(", row.Signature);
            Assert.False(string.IsNullOrWhiteSpace(row.Description), row.Name);
            Assert.InRange(row.IntegerOrderArgument, -1, row.Arity - 1);
            Assert.NotNull(row.Print);
            Assert.NotNull(row.Derivative);
            Assert.NotNull(row.Series);
            Assert.NotNull(row.Tensor);
            Assert.NotNull(row.Evaluate);
            // A kernel method or the reason there is none, never both and never neither.
            Assert.True((row.ScalarMethod is null) != (row.NoScalarKernel is null), row.Name + ": scalar kernel column");
            Assert.True((row.VectorMethod is null) != (row.NoVectorKernel is null), row.Name + ": vector kernel column");
        }

        Assert.Equal(kinds.Length, Calls.Count());
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public void Printer_RoundTripsThroughTheParser(string call)
    {
        Expr parsed = Parse(call);
        Assert.Equal(call, FormulaPrinter.Print(parsed));
        Assert.Equal(parsed, Parse(FormulaPrinter.Print(parsed)));
        Assert.Equal(parsed, Simplifier.Simplify(parsed));
    }

    /// <summary>The derivative column against a central difference of the evaluator column, for every argument (but polygamma's order).</summary>
    [Theory]
    [MemberData(nameof(Calls))]
    public void DerivativeColumn_MatchesFiniteDifferenceOfTheEvaluator(string call)
    {
        Expr expression = Parse(call);
        foreach (string symbol in new[] { "mu", "sigma" })
        {
            DerivativeResult derivative = Differentiator.Differentiate(expression, symbol);
            Assert.True(derivative.Success, derivative.Error);
            foreach (double mu in new[] { 0.3, 1.1, 2.6 })
            {
                var point = new Dictionary<string, double> { ["mu"] = mu, ["sigma"] = 1.7 };
                double h = 1e-5;
                var up = new Dictionary<string, double>(point) { [symbol] = point[symbol] + h };
                var down = new Dictionary<string, double>(point) { [symbol] = point[symbol] - h };
                double difference = (EvaluateReal(expression, up) - EvaluateReal(expression, down)) / (2 * h);
                double symbolic = EvaluateReal(derivative.Result!, point);
                // Central difference error ~h²·f‴/6 plus rounding ~1e-16/h: 1e-7 relative is ~100 times both.
                Assert.True(Math.Abs(symbolic - difference) <= 1e-7 * Math.Max(1, Math.Abs(difference)), $"d/d{symbol} {call} at mu = {mu}: {FormulaPrinter.Print(derivative.Result!)} = {symbolic}, difference {difference}");
            }
        }
    }

    [Fact]
    public void DerivativeCheck_CatchesAWrongRow()
    {
        // tanh' written as 1 + tanh² instead of 1 − tanh²: the same comparison must fail.
        FunctionRow wrong = FunctionCatalog.Get(FunctionKind.Tanh) with
        {
            Derivative = d => new BinaryExpr(BinaryOperator.Multiply, new BinaryExpr(BinaryOperator.Add, new NumberExpr(1), new BinaryExpr(BinaryOperator.Power, d.Call, new NumberExpr(2))), d.Derive(d.Call.Argument)),
        };
        Expr derivative = wrong.Derivative(new DerivativeSite((CallExpr)Parse("tanh(mu)"), "mu", false, e => e is SymbolExpr { Name: "mu" } ? new NumberExpr(1) : new NumberExpr(0), _ => { }));
        var point = new Dictionary<string, double> { ["mu"] = 0.7 };
        double difference = (Math.Tanh(0.7 + 1e-5) - Math.Tanh(0.7 - 1e-5)) / 2e-5;
        Assert.False(Math.Abs(EvaluateReal(derivative, point) - difference) <= 1e-7);
    }

    /// <summary>The skew-normal log density written with erf: its derived score in alpha against the closed form.</summary>
    [Fact]
    public void ErfLogDensity_SkewNormal_ScoreIsTheClosedForm()
    {
        var scope = new FormulaScope(new[] { "z" }, new[] { "alpha" });
        ParsedFormula parsed = FormulaParser.Parse("-z^2/2 - log(2*pi)/2 + log1p(erf(alpha*z/sqrt(2)))", scope);
        Assert.True(parsed.Success);
        DerivativeResult score = Differentiator.Differentiate(parsed.Root!, "alpha");
        Assert.True(score.Success, score.Error);
        foreach ((double alpha, double z) in new[] { (1.4, -1.2), (1.4, 0.1), (-0.6, 2.3) })
        {
            // d/dα log(1 + erf(αz/√2)) = (2/√π)·exp(−α²z²/2)·(z/√2) / (1 + erf(αz/√2)); erf(0.0989…) etc. from the evaluator's erf,
            // itself checked against known values below.
            double u = alpha * z / Math.Sqrt(2);
            double expected = 2 / Math.Sqrt(Math.PI) * Math.Exp(-u * u) * (z / Math.Sqrt(2)) / (1 + SpecialFunctions.Erf(u));
            double actual = EvaluateReal(score.Result!, new Dictionary<string, double> { ["alpha"] = alpha, ["z"] = z });
            Assert.True(Math.Abs(actual - expected) <= 1e-13 * Math.Max(1, Math.Abs(expected)), $"alpha = {alpha}, z = {z}: {FormulaPrinter.Print(score.Result!)} = {actual}, closed form {expected}");
        }
    }

    /// <summary>The tensor column of every row, of tensor and of constant arguments, compiles against TorchSharp.</summary>
    [Fact]
    public void TensorColumn_CompilesForTensorAndConstantArguments()
    {
        var symbolCode = new Dictionary<string, string> { ["mu"] = "mu", ["sigma"] = "sigma" };
        var bodies = new List<string>();
        foreach (object[] row in Calls)
        {
            string call = (string)row[0];
            foreach (string text in new[] { call, call.Replace("mu", "0.5").Replace("sigma", "2") })
            {
                if (text.StartsWith("sum(", StringComparison.Ordinal) || text.StartsWith("logsumexp(", StringComparison.Ordinal))
                {
                    if (text.Contains("0.5")) continue; // reductions need a tensor: their refusal is tested below.
                }

                TensorCode code = TensorCodeWriter.Write(Parse(text), symbolCode);
                Assert.True(code.Success, text + ": " + code.Error);
                bodies.Add(code.IsTensor ? code.Code! : $"global::TorchSharp.torch.tensor({code.Code})");
            }
        }

        var source = new StringBuilder("using Tensor = global::TorchSharp.torch.Tensor;\ninternal static class Formulas\n{\n");
        for (int n = 0; n < bodies.Count; n++) source.Append($"    internal static Tensor F{n}(Tensor mu, Tensor sigma) => {bodies[n]};\n");
        source.Append("}\n");
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(source.ToString());
        Diagnostic[] errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 0, source + string.Join("\n", errors.Select(e => e.ToString())));
    }

    [Fact]
    public void TensorColumn_NewFunctions_AreScalarSafe()
    {
        var symbolCode = new Dictionary<string, string> { ["mu"] = "mu", ["sigma"] = "sigma" };
        string Code(string formula) => TensorCodeWriter.Write(Parse(formula), symbolCode).Code!;
        Assert.Equal("global::TorchSharp.torch.sinh(mu)", Code("sinh(mu)"));
        Assert.Equal("global::TorchSharp.torch.erf(mu)", Code("erf(mu)"));
        Assert.Equal("global::TorchSharp.torch.special.polygamma(3, mu)", Code("polygamma(3, mu)"));
        Assert.Equal("global::System.Math.Cosh(0.5)", Code("cosh(0.5)"));
        Assert.Equal("global::TorchSharp.torch.erf(global::TorchSharp.torch.tensor(0.5))", Code("erf(0.5)"));
        // lbeta through lgamma, sums with Scalars.One (a + b would pass a temporary alpha).
        Assert.Equal(
            "global::TorchSharp.torch.lgamma(mu).add(global::TorchSharp.torch.lgamma(sigma), global::StochasticBackprop.Scalars.One) - global::TorchSharp.torch.lgamma(mu.add(sigma, global::StochasticBackprop.Scalars.One))",
            Code("lbeta(mu, sigma)"));
    }

    [Fact]
    public void ScalarKernelColumn_UsesMathWhereItHasTheFunction()
    {
        var symbolCode = new Dictionary<string, string> { ["mu"] = "mu" };
        ScalarKernel? kernel = ScalarKernelWriter.Write(Parse("tanh(z - mu) + cosh(z)"), "z", "zi", symbolCode);
        Assert.NotNull(kernel);
        Assert.Equal("global::System.Math.Tanh(zi - h0) + global::System.Math.Cosh(zi)", kernel!.Code);
        Assert.Null(kernel.VectorCode);
        Assert.Null(ScalarKernelWriter.Write(Parse("erf(z)"), "z", "zi", symbolCode));
        Assert.Null(ScalarKernelWriter.Write(Parse("lbeta(z, mu)"), "z", "zi", symbolCode));
    }

    [Theory]
    [InlineData("lbeta(mu)", "'lbeta' takes 2 arguments, as in 'lbeta(a, b)', not 1", 0, 9)]
    [InlineData("exp(mu, sigma)", "'exp' takes one argument, as in 'exp(x)', not 2", 0, 14)]
    [InlineData("polygamma(mu, sigma)", "The order of 'polygamma(n, x)' must be an integer literal from 0 to 30, not 'mu'", 10, 2)]
    [InlineData("polygamma(1.5, sigma)", "The order of 'polygamma(n, x)' must be an integer literal from 0 to 30, not '1.5'", 10, 3)]
    [InlineData("polygamma(-1, sigma)", "The order of 'polygamma(n, x)' must be an integer literal from 0 to 30, not '-1'", 10, 2)]
    [InlineData("mu + lbeta", "The function 'lbeta' must be called with 2 arguments, as in 'lbeta(a, b)'", 5, 5)]
    [InlineData("sech(mu)", "Unknown function 'sech'.", 0, 4)]
    public void Parser_WrongArityOrOrder_IsALocatedError(string formula, string message, int start, int length)
    {
        ParsedFormula parsed = FormulaParser.Parse(formula, Scope);
        FormulaError error = Assert.Single(parsed.Errors);
        Assert.StartsWith(message, error.Message);
        Assert.Equal((start, length), (error.Span.Start, error.Span.Length));
    }

    [Fact]
    public void Simplifier_FoldsTheNewFunctionsAtZero()
    {
        Assert.Equal("1 + mu", FormulaPrinter.Print(Simplifier.Simplify(Parse("cosh(0) + sinh(0) + tanh(0) + erf(0) + mu"))));
        Assert.Equal("digamma(mu)", FormulaPrinter.Print(Simplifier.Simplify(Parse("polygamma(0, mu)"))));
    }

    /// <summary>The evaluator's special functions against known values (independent of the generator's code).</summary>
    [Fact]
    public void SpecialFunctions_MatchKnownValues()
    {
        const double eulerGamma = 0.57721566490153286;
        const double zeta3 = 1.2020569031595943;
        void Close(double expected, double actual, string what) =>
            Assert.True(Math.Abs(expected - actual) <= 1e-13 * Math.Max(1, Math.Abs(expected)), $"{what}: {actual} vs {expected}");
        Close(Math.Log(Math.Sqrt(Math.PI)), SpecialFunctions.LogGamma(0.5), "lgamma(1/2)");
        Close(Math.Log(362880), SpecialFunctions.LogGamma(10), "lgamma(10)");
        Close(-eulerGamma, SpecialFunctions.Digamma(1), "digamma(1)");
        Close(-eulerGamma - 2 * Math.Log(2), SpecialFunctions.Digamma(0.5), "digamma(1/2)");
        Close(Math.PI * Math.PI / 6, SpecialFunctions.Polygamma(1, 1), "trigamma(1)");
        Close(Math.PI * Math.PI / 2, SpecialFunctions.Polygamma(1, 0.5), "trigamma(1/2)");
        Close(-2 * zeta3, SpecialFunctions.Polygamma(2, 1), "polygamma(2, 1)");
        Close(Math.Pow(Math.PI, 4) / 15, SpecialFunctions.Polygamma(3, 1), "polygamma(3, 1)");
        Close(0.84270079294971487, SpecialFunctions.Erf(1), "erf(1)");
        Close(0.52049987781304654, SpecialFunctions.Erf(0.5), "erf(1/2)");
        Close(0.99997790950300141, SpecialFunctions.Erf(3), "erf(3)");
        Close(-0.99999999999846254, SpecialFunctions.Erf(-5), "erf(-5)");
        foreach (double x in new[] { 0.3, 1.7, 6.2 })
        {
            Close(LogGamma(x), SpecialFunctions.LogGamma(x), $"lgamma({x}) against the test's own");
            Close(Digamma(x), SpecialFunctions.Digamma(x), $"digamma({x}) against the test's own");
            Close(Series.FunctionSeriesTests.IndependentPolygamma(4, x), SpecialFunctions.Polygamma(4, x), $"polygamma(4, {x}) by summation");
        }

        Assert.True(double.IsNaN(SpecialFunctions.LogGamma(-1)));
        Assert.True(double.IsNaN(FunctionCatalog.Get(FunctionKind.Erf).Evaluate(new[] { new Complex(1, 1) }).Real));
    }
}
