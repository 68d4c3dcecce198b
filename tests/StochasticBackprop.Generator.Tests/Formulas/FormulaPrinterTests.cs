using StochasticBackprop.Generator.Formulas;
using Xunit;
using static StochasticBackprop.Generator.Tests.Formulas.FormulaTestSupport;

namespace StochasticBackprop.Generator.Tests.Formulas;

public class FormulaPrinterTests
{
    [Theory]
    [MemberData(nameof(CorpusData), MemberType = typeof(FormulaTestSupport))]
    public void Print_ThenParse_GivesAnEqualTree(string formula)
    {
        Expr parsed = Parse(formula);

        Assert.Equal(parsed, Parse(FormulaPrinter.Print(parsed)));
    }

    [Theory]
    [InlineData("(z - mu)/sigma^2", "(z - mu)/sigma^2")]
    [InlineData("-k*log(1 - theta*s)", "-k*log(1 - theta*s)")]
    [InlineData("((mu))", "mu")]
    [InlineData("mu - (sigma - z)", "mu - (sigma - z)")]
    [InlineData("(mu - sigma) - z", "mu - sigma - z")]
    [InlineData("mu/(sigma*z)", "mu/(sigma*z)")]
    [InlineData("(mu/sigma)*z", "mu/sigma*z")]
    [InlineData("(mu^sigma)^z", "(mu^sigma)^z")]
    [InlineData("mu^(sigma^z)", "mu^sigma^z")]
    [InlineData("(-mu)^2", "(-mu)^2")]
    [InlineData("-(mu^2)", "-mu^2")]
    [InlineData("-(mu*sigma)", "-(mu*sigma)")]
    [InlineData("mu^(-k)", "mu^(-k)")]
    [InlineData("mu + -sigma", "mu + (-sigma)")]
    [InlineData("2.0*mu + 0.5 + 1e-3", "2*mu + 0.5 + 0.001")]
    [InlineData("(1 - i*theta*w)^(-k)", "(1 - i*theta*w)^(-k)")]
    public void Print_UsesPapersNotationWithMinimalParentheses(string formula, string expected)
    {
        Assert.Equal(expected, FormulaPrinter.Print(Parse(formula)));
    }

    [Fact]
    public void Print_IsCultureInvariant()
    {
        System.Globalization.CultureInfo saved = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Equal("0.25*mu", FormulaPrinter.Print(Parse("0.25*mu")));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = saved;
        }
    }
}
