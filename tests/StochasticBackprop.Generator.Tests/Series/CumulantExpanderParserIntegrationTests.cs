using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Generator.Formulas;
using StochasticBackprop.Generator.Series;
using Xunit;

namespace StochasticBackprop.Generator.Tests.Series;

/// <summary>
/// The expander's own tests build trees with a small test parser; these check that the production
/// <see cref="FormulaParser"/> gives the same trees and so the same cumulants and error spans.
/// </summary>
public sealed class CumulantExpanderParserIntegrationTests
{
    [Theory]
    [InlineData("exp(i*mu*w - sigma^2*w^2/2)", false)]
    [InlineData("(1 - i*theta*w)^(-k)", false)]
    [InlineData("exp(i*mu*w) / (1 + b^2*w^2)", false)]
    [InlineData("rate/(rate - i*w)", false)]
    [InlineData("(1 - 2*i*w)^(-k/2)", false)]
    [InlineData("exp(rate*(exp(i*w) - 1))", false)]
    [InlineData("1 - p + p*exp(i*w)", false)]
    [InlineData("i*mu*w - sigma^2*w^2/2", true)]
    [InlineData("i*a*w + log(w)", true)]
    [InlineData("i*a*w + 1/w", true)]
    [InlineData("i*a*w + sqrt(w)", true)]
    [InlineData("i*a*w - abs(w)", true)]
    [InlineData("exp(i*a*w) * w", false)]
    [InlineData("exp(i*mu*w) * sigmoid(w + 1)", false)]
    [InlineData("exp(mu*w)", false)]
    [InlineData("2*exp(i*mu*w)", false)]
    [InlineData("i*w*(a+b+c+d+e+f+g+h)^8", true)]
    public void ProductionParser_GivesSameCumulantsAndErrorSpans(string formula, bool isLogForm)
    {
        var testTree = SeriesTestFormula.Parse(formula);
        var parameters = Symbols(testTree).Where(name => name != "w").Distinct().ToList();
        var parsed = FormulaParser.Parse(formula, new FormulaScope(new[] { "w" }, parameters));
        Assert.True(parsed.Success, string.Join("; ", parsed.Errors));

        var expected = CumulantExpander.Expand(testTree, isLogForm, "w", 8);
        var actual = CumulantExpander.Expand(parsed.Root!, isLogForm, "w", 8);
        Assert.Equal(expected.Cumulants.Select(FormulaPrinter.Print), actual.Cumulants.Select(FormulaPrinter.Print));
        Assert.Equal(expected.Vanishes, actual.Vanishes);
        Assert.Equal(
            expected.Errors.Select(e => (e.Kind, e.Span.Start, e.Span.Length, e.Message)),
            actual.Errors.Select(e => (e.Kind, e.Span.Start, e.Span.Length, e.Message)));
    }

    private static IEnumerable<string> Symbols(Expr expr) => expr switch
    {
        SymbolExpr symbol => new[] { symbol.Name },
        NegateExpr negate => Symbols(negate.Operand),
        BinaryExpr binary => Symbols(binary.Left).Concat(Symbols(binary.Right)),
        CallExpr call => Symbols(call.Argument),
        _ => Enumerable.Empty<string>(),
    };
}
