using System.Collections.Generic;
using StochasticBackprop.Generator.Model;

namespace StochasticBackprop.Generator.Formulas;

/// <summary>Where a node came from inside its formula string (0-based character offset and length).</summary>
/// <remarks>
/// A span is metadata, not identity: two nodes that differ only in where they were written are
/// the same expression. So <see cref="SourceSpan"/> compares equal to every other span, and the
/// records that carry one keep structural equality (the simplifier and the series expander rely
/// on it). <see cref="None"/> marks nodes the compiler made itself.
/// </remarks>
internal readonly struct SourceSpan : System.IEquatable<SourceSpan>
{
    public SourceSpan(int start, int length)
    {
        Start = start;
        Length = length;
    }

    public static SourceSpan None => new(-1, 0);

    public int Start { get; }

    public int Length { get; }

    public int End => Start + Length;

    public bool IsNone => Start < 0;

    public static SourceSpan Cover(SourceSpan a, SourceSpan b)
    {
        if (a.IsNone) return b;
        if (b.IsNone) return a;
        int start = System.Math.Min(a.Start, b.Start);
        return new SourceSpan(start, System.Math.Max(a.End, b.End) - start);
    }

    public bool Equals(SourceSpan other) => true;

    public override bool Equals(object? obj) => obj is SourceSpan;

    public override int GetHashCode() => 0;

    public override string ToString() => IsNone ? "(none)" : $"[{Start}..{End})";
}

/// <summary>The functions a formula may call; <see cref="FunctionCatalog"/> holds one row per member.</summary>
internal enum FunctionKind
{
    Exp,
    Log,
    Log1p,
    Sqrt,
    Abs,
    Lgamma,
    Digamma,
    Sigmoid,
    Softplus,

    /// <summary>The sum over the event axis (kept, so it broadcasts back against event-axis tensors).</summary>
    Sum,

    /// <summary>log Σ exp over the event axis (kept).</summary>
    Logsumexp,
    Sinh,
    Cosh,
    Tanh,

    /// <summary>The tangent (real argument; for inverse-CDF samplers such as the hyperbolic secant's).</summary>
    Tan,
    Erf,

    /// <summary>log B(a, b) = lgamma(a) + lgamma(b) − lgamma(a + b).</summary>
    Lbeta,

    /// <summary>polygamma(n, x) = ψ⁽ⁿ⁾(x), the n-th derivative of digamma; n is a non-negative integer literal.</summary>
    Polygamma,
}

internal enum BinaryOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Power,
}

/// <summary>A formula's syntax tree; equality is structural (spans excluded).</summary>
internal abstract record Expr
{
    protected Expr()
    {
        SymbolicBudget.Spend();
    }

    public SourceSpan Span { get; init; } = SourceSpan.None;
}

/// <summary>A real literal. <paramref name="Value"/> is exact for the integers and simple fractions formulas use.</summary>
internal sealed record NumberExpr(double Value) : Expr;

/// <summary>The imaginary unit <c>i</c>.</summary>
internal sealed record ImaginaryUnitExpr : Expr;

/// <summary>π, written <c>pi</c>.</summary>
internal sealed record PiExpr : Expr;

/// <summary>A parameter or a variable (<c>w</c>, <c>z</c>, <c>eps</c>).</summary>
internal sealed record SymbolExpr(string Name) : Expr;

internal sealed record NegateExpr(Expr Operand) : Expr;

internal sealed record BinaryExpr(BinaryOperator Operator, Expr Left, Expr Right) : Expr;

/// <summary>A call of a catalog function; <see cref="Arguments"/> has the function's arity.</summary>
internal sealed record CallExpr(FunctionKind Function, EquatableArray<Expr> Arguments) : Expr
{
    public CallExpr(FunctionKind function, params Expr[] arguments)
        : this(function, new EquatableArray<Expr>(arguments))
    {
    }

    /// <summary>The first (for most functions the only) argument.</summary>
    public Expr Argument => Arguments[0];

    /// <summary>The same call with other arguments (and no span).</summary>
    public CallExpr WithArguments(System.Collections.Generic.IEnumerable<Expr> arguments) => new(Function, new EquatableArray<Expr>(arguments));
}

internal static class FunctionNames
{
    /// <summary>Names as written in formulas.</summary>
    public static IReadOnlyDictionary<string, FunctionKind> ByName => FunctionCatalog.ByName;

    public static string NameOf(FunctionKind function) => FunctionCatalog.Get(function).Name;
}
