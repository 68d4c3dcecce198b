using StochasticBackprop.Generator.Formulas;
using Xunit;
using static StochasticBackprop.Generator.Tests.Formulas.FormulaTestSupport;

namespace StochasticBackprop.Generator.Tests.Formulas;

public class SimplifierTests
{
    private static string Simplified(string formula) => FormulaPrinter.Print(Simplifier.Simplify(Parse(formula)));

    [Theory]
    [MemberData(nameof(CorpusData), MemberType = typeof(FormulaTestSupport))]
    public void Simplify_Corpus_IsIdempotent(string formula)
    {
        Expr once = Simplifier.Simplify(Parse(formula));
        Expr twice = Simplifier.Simplify(once);

        Assert.Equal(FormulaPrinter.Print(once), FormulaPrinter.Print(twice));
        Assert.Equal(once, twice);
    }

    [Theory]
    [MemberData(nameof(CorpusData), MemberType = typeof(FormulaTestSupport))]
    public void Simplify_Corpus_KeepsTheValue(string formula)
    {
        Expr original = Parse(formula);
        Expr simplified = Simplifier.Simplify(original);

        foreach (var point in Points)
        {
            AssertClose(Evaluate(original, point), Evaluate(simplified, point), 1e-12, FormulaPrinter.Print(simplified));
        }
    }

    [Theory]
    [MemberData(nameof(CorpusData), MemberType = typeof(FormulaTestSupport))]
    public void Simplify_Corpus_PrintsTextThatParsesBackToTheSameTree(string formula)
    {
        Expr simplified = Simplifier.Simplify(Parse(formula));

        Assert.Equal(simplified, Parse(FormulaPrinter.Print(simplified)));
    }

    [Theory]
    [InlineData("mu + 0", "mu")]
    [InlineData("mu*1", "mu")]
    [InlineData("mu*0 + sigma", "sigma")]
    [InlineData("mu^1", "mu")]
    [InlineData("mu^0", "1")]
    [InlineData("--mu", "mu")]
    [InlineData("2 + 3*4 - 2^3", "6")]
    [InlineData("1/3 + 1/6", "1/2")]
    [InlineData("2/6", "1/3")]
    [InlineData("-1/3", "-1/3")]
    [InlineData("0.1 + 0.2", "3/10")]
    [InlineData("2*mu + 3*mu", "5*mu")]
    [InlineData("mu - mu", "0")]
    [InlineData("mu*mu", "mu^2")]
    [InlineData("mu^2/mu", "mu")]
    [InlineData("mu*mu^-1", "1")]
    [InlineData("exp(log(mu))", "mu")]
    [InlineData("log(exp(mu + sigma))", "mu + sigma")]
    [InlineData("(mu^2)^3", "mu^6")]
    [InlineData("(2*mu*sigma^2)^2", "4*mu^2*sigma^4")]
    [InlineData("sigma*2*mu", "2*mu*sigma")]
    [InlineData("z - mu", "z - mu")]
    [InlineData("-mu + z", "z - mu")]
    [InlineData("1 - theta*s", "1 - s*theta")]
    [InlineData("k - 1", "k - 1")]
    [InlineData("mu*sigma^-2", "mu/sigma^2")]
    [InlineData("-mu/2", "-mu/2")]
    [InlineData("mu/(2*sigma)", "mu/(2*sigma)")]
    [InlineData("i*i", "-1")]
    [InlineData("i*i*i*mu", "-i*mu")]
    [InlineData("2*(mu + sigma) - 2*mu", "2*sigma")]
    [InlineData("mu - (sigma - z)", "mu + z - sigma")]
    [InlineData("-(z - mu)*2", "-2*(z - mu)")]
    [InlineData("(z - mu)*(z - mu)", "(z - mu)^2")]
    [InlineData("sigma^2*w^2/2", "sigma^2*w^2/2")]
    [InlineData("0.001*mu", "0.001*mu")]
    [InlineData("abs(-3) + sqrt(9/4)", "9/2")]
    [InlineData("mu/0", "mu/0")]
    [InlineData("2^k*2^k", "2^(2*k)")]
    public void Simplify_KnownForm_PrintsTheExpectedText(string formula, string expected)
    {
        Assert.Equal(expected, Simplified(formula));
    }

    [Fact]
    public void Simplify_DeepNesting_TerminatesAndIsIdempotent()
    {
        string formula = "mu";
        // 40 levels of powers: the most the parser accepts (FormulaParser.MaxNonlinearDepth).
        for (int n = 0; n < FormulaParser.MaxNonlinearDepth; n++) formula = $"({formula} + sigma*{n % 3 + 1})^2/(1 + z)";

        Expr once = Simplifier.Simplify(Parse(formula));

        Assert.Equal(once, Simplifier.Simplify(once));
    }
}
