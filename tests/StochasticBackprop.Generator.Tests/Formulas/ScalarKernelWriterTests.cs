using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Generator.Formulas;
using Xunit;
using static StochasticBackprop.Generator.Tests.Formulas.FormulaTestSupport;

namespace StochasticBackprop.Generator.Tests.Formulas;

public class ScalarKernelWriterTests
{
    private static readonly IReadOnlyDictionary<string, string> SymbolCode = Scope.Parameters.ToDictionary(s => s, s => s);

    private static ScalarKernel? Kernel(string formula) => ScalarKernelWriter.Write(Parse(formula), "z", "zi", SymbolCode);

    // Expected code drops "global::System." and "global::StochasticBackprop." for readability.
    [Theory]
    [InlineData("(z - mu)/sigma^2", "(zi - h0) * h1", "mu|Scalars.Of(1) / sigma.pow(Scalars.Of(2))")]
    [InlineData("(z - mu)^2/sigma^3 - 1/sigma", "Kernel.Square(zi - h0) * h1 - h2", "mu|Scalars.Of(1) / sigma.pow(Scalars.Of(3))|Scalars.Of(1) / sigma")]
    [InlineData("log(z) - digamma(k) - log(theta)", "Math.Log(zi) - h0 - h1", "torch.digamma(k)|torch.log(theta)")]
    [InlineData("mu*(z - mu) + mu", "h0 * (zi - h0) + h0", "mu")]
    [InlineData("-z/2", "-zi * h0", "1.0 / 2.0")]
    [InlineData("sigmoid(z*mu) + softplus(z) + log1p(z) + exp(-z) + sqrt(abs(z))", "Kernel.Sigmoid(zi * h0) + Kernel.Softplus(zi) + Kernel.Log1p(zi) + Math.Exp(-zi) + Math.Sqrt(Math.Abs(zi))", "mu")]
    [InlineData("z^k", "Math.Pow(zi, h0)", "k")]
    public void Kernel_HoistsEverySampleFreePart_AndWritesTheRestAsDoubleArithmetic(string formula, string code, string hoisted)
    {
        ScalarKernel? kernel = Kernel(formula);
        Assert.NotNull(kernel);
        Assert.Equal(code, Strip(kernel!.Code));
        Assert.Equal(hoisted, string.Join("|", kernel.Hoisted.Select(Strip)));
    }

    [Fact]
    public void Kernel_SharesARepeatedPart()
    {
        ScalarKernel kernel = Kernel("(z - mu)*exp(mu) + (z + mu)*exp(mu)")!;
        Assert.Equal(2, kernel.Hoisted.Count);
        Assert.Equal(new[] { true, true }, kernel.HoistedIsTensor.ToArray());
    }

    [Theory]
    [InlineData("lgamma(z) - mu")]
    [InlineData("digamma(z*mu)")]
    [InlineData("sum(z*mu)")]
    public void Kernel_IsAbsent_WhenThePerSamplePartNeedsAFunctionMathLacks(string formula) => Assert.Null(Kernel(formula));

    private static string Strip(string code) => code
        .Replace("global::System.", "")
        .Replace("global::StochasticBackprop.", "")
        .Replace("global::TorchSharp.", "");
}
