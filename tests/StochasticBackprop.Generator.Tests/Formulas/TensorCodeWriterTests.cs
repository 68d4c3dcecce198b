using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using StochasticBackprop.Generator.Formulas;
using StochasticBackprop.Generator.Tests.Infrastructure;
using Xunit;
using static StochasticBackprop.Generator.Tests.Formulas.FormulaTestSupport;

namespace StochasticBackprop.Generator.Tests.Formulas;

public class TensorCodeWriterTests
{
    private static readonly string[] Symbols = Scope.Variables.Concat(Scope.Parameters).ToArray();

    private static readonly IReadOnlyDictionary<string, string> SymbolCode = Symbols.ToDictionary(s => s, s => s);

    private static string Code(string formula)
    {
        TensorCode code = TensorCodeWriter.Write(Parse(formula), SymbolCode);
        Assert.True(code.Success, code.Error);
        return code.Code!;
    }

    // Expected code drops the "global::StochasticBackprop." before Scalars for readability; the compile tests below check the full names.
    [Theory]
    [InlineData("mu + sigma*eps", "mu.add(sigma * eps, Scalars.One)")]
    [InlineData("2 + mu", "mu.add(Scalars.Of(2), Scalars.One)")]
    [InlineData("(mu + sigma) + z", "mu.add(sigma, Scalars.One).add(z, Scalars.One)")]
    [InlineData("(z - mu)/sigma^2", "(z - mu) / sigma.pow(Scalars.Of(2))")]
    [InlineData("exp(mu)", "global::TorchSharp.torch.exp(mu)")]
    [InlineData("softplus(z)", "-global::TorchSharp.torch.nn.functional.logsigmoid(-z)")]
    [InlineData("softplus(z - mu)", "-global::TorchSharp.torch.nn.functional.logsigmoid(-(z - mu))")]
    [InlineData("-z", "-z")]
    [InlineData("-(z - mu)", "-(z - mu)")]
    [InlineData("z^0.5", "z.pow(Scalars.Of(0.5))")]
    [InlineData("z^k", "z.pow(k)")]
    [InlineData("2^k", "global::TorchSharp.torch.exp(k * Scalars.Of(global::System.Math.Log(2.0)))")]
    [InlineData("1/2*mu", "Scalars.Of(1.0 / 2.0) * mu")]
    [InlineData("mu/2", "mu / Scalars.Of(2)")]
    [InlineData("2/mu", "Scalars.Of(2) / mu")]
    [InlineData("1 - mu", "-(mu - Scalars.Of(1))")]
    [InlineData("(k - 1)*log(z)", "(k - Scalars.Of(1)) * global::TorchSharp.torch.log(z)")]
    [InlineData("-2*sigma", "Scalars.Of(-2) * sigma")]
    [InlineData("mu - (sigma - z)", "mu - (sigma - z)")]
    [InlineData("log(2*pi)/2 + mu", "mu.add(Scalars.Of(global::System.Math.Log(2.0 * global::System.Math.PI) / 2.0), Scalars.One)")]
    [InlineData("lgamma(3)*mu", "global::TorchSharp.torch.lgamma(global::TorchSharp.torch.tensor(3.0)) * mu")]
    public void Write_KnownForm_EmitsReadableCSharp(string formula, string expected)
    {
        Assert.Equal(expected, Code(formula).Replace("global::StochasticBackprop.Scalars.", "Scalars."));
    }

    [Fact]
    public void Write_ConstantFormula_IsADouble()
    {
        TensorCode code = TensorCodeWriter.Write(Parse("1/3 + pi"), SymbolCode);

        Assert.False(code.IsTensor);
        Assert.Equal("1.0 / 3.0 + global::System.Math.PI", code.Code);
    }

    [Fact]
    public void Write_ImaginaryUnit_IsReportedAtItsColumn()
    {
        TensorCode code = TensorCodeWriter.Write(Parse("exp(i*mu*w)"), SymbolCode);

        Assert.False(code.Success);
        Assert.Contains("imaginary", code.Error);
        Assert.Equal((4, 1), (code.ErrorSpan.Start, code.ErrorSpan.Length));
    }

    [Fact]
    public void Write_UnboundSymbol_IsReported()
    {
        TensorCode code = TensorCodeWriter.Write(Parse("mu + z"), new Dictionary<string, string> { ["mu"] = "mu" });

        Assert.False(code.Success);
        Assert.Equal(5, code.ErrorSpan.Start);
    }

    public static IEnumerable<object[]> CompilableFormulas =>
        RealCorpusData
            .Concat(new[]
            {
                "-mu^2", "z^(-k)", "(1/2)^k", "-(-mu)", "sqrt(2)*abs(-3)*sigmoid(1)*softplus(-1)*log1p(-0.5)*exp(1)*mu",
                "digamma(2) - mu", "pi^k", "mu^-1", "2 - -mu", "z/(1 + z)^3",
            }.Select(f => new object[] { f }))
            .Select(row => new object[] { (string)row[0] });

    [Theory]
    [MemberData(nameof(CompilableFormulas))]
    public void Write_RealFormula_AsWrittenAndDerived_CompilesAgainstTorchSharp(string formula)
    {
        Expr expression = Parse(formula);
        var bodies = new List<string> { Write(expression) };
        bodies.Add(Write(Simplifier.Simplify(expression)));
        foreach (string symbol in new[] { "mu", "z" })
        {
            DerivativeResult derivative = Differentiator.Differentiate(expression, symbol);
            if (derivative.Success) bodies.Add(Write(derivative.Result!));
        }

        string parameters = string.Join(", ", Symbols.Select(s => "Tensor " + s));
        var source = new StringBuilder("#nullable enable\nusing Tensor = global::TorchSharp.torch.Tensor;\ninternal static class Formulas\n{\n");
        for (int n = 0; n < bodies.Count; n++)
        {
            source.Append($"    internal static Tensor F{n}({parameters}) => {bodies[n]};\n");
        }

        source.Append("}\n");
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation(source.ToString());

        Diagnostic[] errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 0, source + string.Join("\n", errors.Select(e => e.ToString())));
    }

    /// <summary>The code as a Tensor-typed body; a formula free of symbols is a double, lifted as generated code would.</summary>
    private static string Write(Expr expression)
    {
        TensorCode code = TensorCodeWriter.Write(expression, SymbolCode);
        Assert.True(code.Success, code.Error);
        return code.IsTensor ? code.Code! : $"global::TorchSharp.torch.tensor({code.Code})";
    }
}
