using System.Linq;
using StochasticBackprop.Generator.Formulas;
using Xunit;
using static StochasticBackprop.Generator.Tests.Formulas.FormulaTestSupport;

namespace StochasticBackprop.Generator.Tests.Formulas;

public class FormulaParserTests
{
    private static readonly Expr X = new SymbolExpr("mu");
    private static readonly Expr Y = new SymbolExpr("sigma");
    private static readonly Expr Z = new SymbolExpr("z");

    private static Expr N(double v) => new NumberExpr(v);

    private static Expr B(BinaryOperator op, Expr l, Expr r) => new BinaryExpr(op, l, r);

    private static Expr Neg(Expr e) => new NegateExpr(e);

    [Fact]
    public void Parse_PrecedenceTable_BuildsTheExpectedTrees()
    {
        var cases = new (string Text, Expr Tree)[]
        {
            ("mu + sigma*z", B(BinaryOperator.Add, X, B(BinaryOperator.Multiply, Y, Z))),
            ("mu - sigma - z", B(BinaryOperator.Subtract, B(BinaryOperator.Subtract, X, Y), Z)),
            ("mu/sigma/z", B(BinaryOperator.Divide, B(BinaryOperator.Divide, X, Y), Z)),
            ("mu/sigma*z", B(BinaryOperator.Multiply, B(BinaryOperator.Divide, X, Y), Z)),
            ("mu^sigma^z", B(BinaryOperator.Power, X, B(BinaryOperator.Power, Y, Z))),
            ("-mu^2", Neg(B(BinaryOperator.Power, X, N(2)))),
            ("-mu/2", B(BinaryOperator.Divide, Neg(X), N(2))),
            ("mu^-2", B(BinaryOperator.Power, X, Neg(N(2)))),
            ("--mu", Neg(Neg(X))),
            ("mu*-sigma", B(BinaryOperator.Multiply, X, Neg(Y))),
            ("(mu + sigma)*z", B(BinaryOperator.Multiply, B(BinaryOperator.Add, X, Y), Z)),
            ("2*mu^2*sigma", B(BinaryOperator.Multiply, B(BinaryOperator.Multiply, N(2), B(BinaryOperator.Power, X, N(2))), Y)),
            ("exp(mu)^2", B(BinaryOperator.Power, new CallExpr(FunctionKind.Exp, X), N(2))),
            ("1e-3 + 0.5 + 2.5E+2", B(BinaryOperator.Add, B(BinaryOperator.Add, N(0.001), N(0.5)), N(250))),
            ("i*pi", B(BinaryOperator.Multiply, new ImaginaryUnitExpr(), new PiExpr())),
        };

        foreach ((string text, Expr tree) in cases)
        {
            Assert.Equal(tree, Parse(text));
        }
    }

    [Fact]
    public void Parse_Nodes_CarryTheirSourceSpans()
    {
        var root = (BinaryExpr)Parse("mu + log(sigma)");

        Assert.Equal((0, 15), (root.Span.Start, root.Span.Length));
        Assert.Equal((0, 2), (root.Left.Span.Start, root.Left.Span.Length));
        var call = (CallExpr)root.Right;
        Assert.Equal((5, 10), (call.Span.Start, call.Span.Length));
        Assert.Equal((9, 5), (call.Argument.Span.Start, call.Argument.Span.Length));
    }

    [Fact]
    public void Parse_SymbolsUsed_AreDistinctInOrderOfFirstUse()
    {
        ParsedFormula parsed = FormulaParser.Parse("sigma*z + mu*sigma - pi*i", Scope);

        Assert.Equal(new[] { "sigma", "z", "mu" }, parsed.SymbolsUsed);
    }

    [Theory]
    [InlineData("", 0, 0, "empty")]
    [InlineData("   ", 0, 3, "empty")]
    [InlineData("mu +", 3, 1, "'+' is missing its right operand")]
    [InlineData("mu + * sigma", 5, 1, "Unexpected '*'")]
    [InlineData("(mu + sigma", 0, 1, "Unclosed parenthesis")]
    [InlineData("exp(mu + (sigma)", 3, 1, "Unclosed parenthesis")]
    [InlineData("mu + sigma)", 10, 1, "no matching '('")]
    [InlineData("2mu", 1, 2, "implicit multiplication is not allowed")]
    [InlineData("2 (mu)", 2, 1, "implicit multiplication is not allowed")]
    [InlineData("mu sigma", 3, 5, "write 'mu*sigma'")]
    [InlineData("mu $ 2", 3, 1, "Unexpected character '$'")]
    [InlineData("+mu", 0, 1, "unary plus")]
    [InlineData("exp + 1", 0, 3, "must be called with one argument")]
    [InlineData("2*mu(sigma)", 2, 2, "'mu' is not a function")]
    [InlineData("()", 1, 1, "Empty parentheses")]
    public void Parse_SyntaxError_PointsAtTheOffendingColumn(string text, int start, int length, string messagePart)
    {
        ParsedFormula parsed = FormulaParser.Parse(text, Scope);

        Assert.Null(parsed.Root);
        FormulaError error = Assert.Single(parsed.Errors);
        Assert.Equal(FormulaErrorKind.Syntax, error.Kind);
        Assert.Equal((start, length), (error.Span.Start, error.Span.Length));
        Assert.Contains(messagePart, error.Message, System.StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Parse_UnknownIdentifier_PointsAtItsColumnAndSuggestsTheClosestName()
    {
        ParsedFormula parsed = FormulaParser.Parse("(z - mu)/sigmaa^2", Scope);

        Assert.Null(parsed.Root);
        FormulaError error = Assert.Single(parsed.Errors);
        Assert.Equal(FormulaErrorKind.UnknownIdentifier, error.Kind);
        Assert.Equal((9, 6), (error.Span.Start, error.Span.Length));
        Assert.Contains("'sigmaa'", error.Message);
        Assert.Contains("Did you mean 'sigma'?", error.Message);
    }

    [Fact]
    public void Parse_UnknownIdentifierFarFromEveryName_HasNoSuggestion()
    {
        FormulaError error = Assert.Single(FormulaParser.Parse("mu + lambda", Scope).Errors);

        Assert.Equal(FormulaErrorKind.UnknownIdentifier, error.Kind);
        Assert.DoesNotContain("Did you mean", error.Message);
    }

    [Fact]
    public void Parse_SeveralUnknownIdentifiers_AreAllReported()
    {
        ParsedFormula parsed = FormulaParser.Parse("alpha*z + beta - mu + gama(k)", Scope);

        Assert.Equal(
            new[] { (FormulaErrorKind.UnknownIdentifier, 0), (FormulaErrorKind.UnknownIdentifier, 10), (FormulaErrorKind.UnknownFunction, 22) },
            parsed.Errors.Select(e => (e.Kind, e.Span.Start)));
    }

    [Fact]
    public void Parse_UnknownFunction_PointsAtTheNameAndListsTheKnownFunctions()
    {
        ParsedFormula parsed = FormulaParser.Parse("mu + expp(sigma)", Scope);

        FormulaError error = Assert.Single(parsed.Errors);
        Assert.Equal(FormulaErrorKind.UnknownFunction, error.Kind);
        Assert.Equal((5, 4), (error.Span.Start, error.Span.Length));
        Assert.Contains("Did you mean 'exp'?", error.Message);
        Assert.Contains("exp, log, log1p, sqrt, abs, lgamma, digamma, sigmoid, softplus", error.Message);
    }

    [Fact]
    public void Parse_NumberOutOfRange_IsASyntaxError()
    {
        FormulaError error = Assert.Single(FormulaParser.Parse("1e999*mu", Scope).Errors);

        Assert.Equal((0, 5), (error.Span.Start, error.Span.Length));
    }

    [Theory]
    [InlineData("(((")]
    [InlineData(")))")]
    [InlineData("^^")]
    [InlineData("1.")]
    [InlineData("exp(")]
    [InlineData("-")]
    [InlineData("mu^")]
    [InlineData("é + ß")]
    public void Parse_Garbage_ReportsAnErrorWithoutThrowing(string text)
    {
        ParsedFormula parsed = FormulaParser.Parse(text, Scope);

        Assert.Null(parsed.Root);
        Assert.NotEmpty(parsed.Errors);
        Assert.All(parsed.Errors, e => Assert.InRange(e.Span.Start, 0, text.Length));
    }
}
