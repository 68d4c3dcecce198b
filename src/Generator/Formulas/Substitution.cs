using System;
using System.Linq;

namespace StochasticBackprop.Generator.Formulas;

/// <summary>Structural rewrites and queries over formula trees, shared by the analysis stages.</summary>
internal static class Substitution
{
    /// <summary>Replaces every occurrence of the symbol <paramref name="symbol"/> by <paramref name="value"/>; spans of the rest are kept.</summary>
    public static Expr Substitute(Expr expression, string symbol, Expr value) => expression switch
    {
        SymbolExpr s when s.Name == symbol => value,
        NegateExpr n => new NegateExpr(Substitute(n.Operand, symbol, value)) { Span = n.Span },
        BinaryExpr b => new BinaryExpr(b.Operator, Substitute(b.Left, symbol, value), Substitute(b.Right, symbol, value)) { Span = b.Span },
        CallExpr c => c.WithArguments(c.Arguments.Select(a => Substitute(a, symbol, value))) with { Span = c.Span },
        _ => expression,
    };

    /// <summary>Whether some node of <paramref name="expression"/> satisfies <paramref name="predicate"/>.</summary>
    public static bool Any(Expr expression, Func<Expr, bool> predicate) => predicate(expression) || expression switch
    {
        NegateExpr n => Any(n.Operand, predicate),
        BinaryExpr b => Any(b.Left, predicate) || Any(b.Right, predicate),
        CallExpr c => c.Arguments.Any(a => Any(a, predicate)),
        _ => false,
    };

    /// <summary>Whether <paramref name="expression"/> mentions the symbol <paramref name="symbol"/>.</summary>
    public static bool Mentions(Expr expression, string symbol) => Any(expression, e => e is SymbolExpr s && s.Name == symbol);

    /// <summary>Whether <paramref name="expression"/> contains the imaginary unit.</summary>
    public static bool ContainsImaginaryUnit(Expr expression) => Any(expression, e => e is ImaginaryUnitExpr);
}
