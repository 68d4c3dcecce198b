using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using StochasticBackprop.Generator.Numerics;

namespace StochasticBackprop.Generator.Formulas;

/// <summary>
/// Brings an expression to a canonical form that reads like a hand-written formula.
/// </summary>
/// <remarks>
/// <para>
/// The expression is first built into a normal form (<see cref="Node"/>): a constant (an
/// <see cref="Rational"/>), an atom (symbol, <c>pi</c>, <c>i</c>), a call, a sum
/// <c>c + Σ aₖ·mₖ</c> of distinct monomials, or a product <c>c · Π bⱼ^eⱼ</c> of distinct bases.
/// Each node has a canonical key; sums and products are kept sorted (by key, ordinal), so equal
/// normal forms are built identically. Normal forms are then written back as <see cref="Expr"/>
/// the way papers write them: positive terms first, then subtracted ones (a positive constant
/// leads, a negative one trails); the numeric coefficient first; negative powers under a
/// fraction bar.
/// </para>
/// <para>
/// Rules applied while building: constant folding (exact rationals), <c>x + 0</c>, <c>x*1</c>,
/// <c>x*0</c>, <c>x^0</c>, <c>x^1</c>, <c>--x</c>; like terms (<c>2*x + 3*x</c>) and like factors
/// (<c>x*x</c>, <c>x^2/x</c>) collected; <c>(x^a)^b = x^(a*b)</c> and <c>(x*y)^b = x^b*y^b</c> for
/// integer <c>b</c>; <c>i^2 = -1</c>; <c>exp(log x) = x</c>, <c>log(exp x) = x</c>; constant
/// <c>abs</c>, <c>sqrt</c> of a perfect square, <c>exp(0)</c>, <c>log(1)</c>, <c>log1p(0)</c>,
/// <c>sinh(0)</c>, <c>cosh(0)</c>, <c>tanh(0)</c>, <c>tan(0)</c>, <c>erf(0)</c>; <c>polygamma(0, x) = digamma(x)</c>.
/// A numeric multiple of a sum stays a product (<c>-2*(z - mu)</c>) on its own and is distributed
/// only when added to other terms, so factored forms such as <c>(z - mu)/sigma^2</c> survive.
/// Not done: expanding products of sums, factoring, common denominators, function identities
/// beyond the two inverse pairs, and assumptions (<c>exp(log x) = x</c> assumes <c>x &gt; 0</c>).
/// </para>
/// Every rule only shrinks or reorders, so simplification terminates, and writing a normal form
/// back and rebuilding it gives the same normal form, so <c>Simplify</c> is idempotent.
/// </remarks>
internal static class Simplifier
{
    public static Expr Simplify(Expr e) => ToExpr(Build(e));

    // ---- normal form -------------------------------------------------------------------------

    private abstract class Node
    {
        /// <summary>Identity of the value's structure; equal keys mean equal normal forms.</summary>
        public abstract string Key { get; }

        /// <summary>Ordering key for terms and factors: the key without a leading coefficient.</summary>
        public virtual string SortKey => Key;
    }

    private sealed class ConstNode : Node
    {
        public ConstNode(Rational value) => Value = value;

        public Rational Value { get; }

        public override string Key => "#" + Value;
    }

    private sealed class AtomNode : Node
    {
        public AtomNode(Expr source, string key)
        {
            Source = source with { Span = SourceSpan.None };
            Key = key;
        }

        public Expr Source { get; }

        public override string Key { get; }
    }

    private sealed class CallNode : Node
    {
        public CallNode(FunctionKind function, IReadOnlyList<Node> arguments)
        {
            Function = function;
            Arguments = arguments;
            Key = FunctionNames.NameOf(function) + "(" + string.Join(", ", arguments.Select(a => a.Key)) + ")";
        }

        public FunctionKind Function { get; }

        public IReadOnlyList<Node> Arguments { get; }

        public Node Argument => Arguments[0];

        public override string Key { get; }
    }

    private sealed class SumNode : Node
    {
        public SumNode(Rational constant, List<Term> terms)
        {
            Constant = constant;
            Terms = terms;
            var key = new StringBuilder("(");
            foreach (Term term in terms) key.Append(term.Coefficient).Append('*').Append(term.Monomial.Key).Append(" + ");
            Key = key.Append(constant).Append(')').ToString();
        }

        public Rational Constant { get; }

        /// <summary>Non-zero coefficients, distinct monomials, sorted by monomial key.</summary>
        public List<Term> Terms { get; }

        public override string Key { get; }
    }

    private sealed class ProductNode : Node
    {
        public ProductNode(Rational coefficient, List<Factor> factors)
        {
            Coefficient = coefficient;
            Factors = factors;
            var key = new StringBuilder();
            foreach (Factor factor in factors)
            {
                if (key.Length > 0) key.Append('*');
                key.Append(factor.Base.Key);
                if (!IsOne(factor.Exponent)) key.Append("^{").Append(factor.Exponent.Key).Append('}');
            }

            SortKey = key.ToString();
            Key = Coefficient + "*" + SortKey;
        }

        public Rational Coefficient { get; }

        /// <summary>Distinct bases, non-zero exponents, in <see cref="CompareFactors"/> order.</summary>
        public List<Factor> Factors { get; }

        public override string Key { get; }

        public override string SortKey { get; }
    }

    private readonly record struct Term(Node Monomial, Rational Coefficient);

    private readonly record struct Factor(Node Base, Node Exponent);

    private static readonly ConstNode OneNode = new(Rational.One);

    private static bool IsOne(Node n) => n is ConstNode { Value.IsOne: true };

    private static bool IsConst(Node n, out Rational value)
    {
        value = n is ConstNode c ? c.Value : Rational.Zero;
        return n is ConstNode;
    }

    // ---- building ----------------------------------------------------------------------------

    private static Node Build(Expr e) => e switch
    {
        // A NaN or infinite literal (the parser rejects them; only built trees carry one) stays an opaque atom.
        NumberExpr number => Rational.TryFromDouble(number.Value, out Rational value)
            ? new ConstNode(value)
            : new AtomNode(e, "~" + number.Value.ToString("R", CultureInfo.InvariantCulture)),
        ImaginaryUnitExpr => new AtomNode(e, "i"),
        PiExpr => new AtomNode(e, "pi"),
        SymbolExpr symbol => new AtomNode(e, symbol.Name),
        NegateExpr negate => Multiply(new ConstNode(Rational.MinusOne), Build(negate.Operand)),
        CallExpr call => Call(call.Function, call.Arguments.Select(Build).ToList()),
        BinaryExpr { Operator: BinaryOperator.Add } b => Add(Build(b.Left), Build(b.Right)),
        BinaryExpr { Operator: BinaryOperator.Subtract } b => Add(Build(b.Left), Multiply(new ConstNode(Rational.MinusOne), Build(b.Right))),
        BinaryExpr { Operator: BinaryOperator.Multiply } b => Multiply(Build(b.Left), Build(b.Right)),
        BinaryExpr { Operator: BinaryOperator.Divide } b => Multiply(Build(b.Left), Power(Build(b.Right), new ConstNode(Rational.MinusOne))),
        BinaryExpr b => Power(Build(b.Left), Build(b.Right)),
        _ => new AtomNode(e, "?" + e.GetType().Name),
    };

    private static Node Add(Node left, Node right)
    {
        Rational constant = Rational.Zero;
        var terms = new Dictionary<string, Term>(StringComparer.Ordinal);

        void AddTerm(Node monomial, Rational coefficient)
        {
            terms[monomial.Key] = terms.TryGetValue(monomial.Key, out Term existing)
                ? new Term(existing.Monomial, existing.Coefficient + coefficient)
                : new Term(monomial, coefficient);
        }

        void Accumulate(Node node, Rational scale)
        {
            switch (node)
            {
                case ConstNode c:
                    constant += scale * c.Value;
                    break;
                case SumNode sum:
                    constant += scale * sum.Constant;
                    foreach (Term term in sum.Terms) AddTerm(term.Monomial, scale * term.Coefficient);
                    break;
                case ProductNode { Factors.Count: 1 } p when p.Factors[0].Base is SumNode inner && IsOne(p.Factors[0].Exponent):
                    // c*(a + b) among other terms: distribute, so like terms meet.
                    Accumulate(inner, scale * p.Coefficient);
                    break;
                case ProductNode p:
                    AddTerm(MakeProduct(Rational.One, p.Factors), scale * p.Coefficient);
                    break;
                default:
                    AddTerm(node, scale);
                    break;
            }
        }

        Accumulate(left, Rational.One);
        Accumulate(right, Rational.One);

        List<Term> kept = terms.Values
            .Where(t => !t.Coefficient.IsZero)
            .OrderBy(t => t.Monomial.Key, StringComparer.Ordinal)
            .ToList();
        if (kept.Count == 0) return new ConstNode(constant);
        if (kept.Count == 1 && constant.IsZero) return Multiply(new ConstNode(kept[0].Coefficient), kept[0].Monomial);
        return new SumNode(constant, kept);
    }

    private static Node Multiply(Node left, Node right)
    {
        Rational coefficient = Rational.One;
        var factors = new Dictionary<string, Factor>(StringComparer.Ordinal);

        void Accumulate(Node node)
        {
            switch (node)
            {
                case ConstNode c:
                    coefficient *= c.Value;
                    break;
                case ProductNode p:
                    coefficient *= p.Coefficient;
                    foreach (Factor factor in p.Factors) AddFactor(factor.Base, factor.Exponent);
                    break;
                default:
                    AddFactor(node, OneNode);
                    break;
            }
        }

        void AddFactor(Node @base, Node exponent)
        {
            factors[@base.Key] = factors.TryGetValue(@base.Key, out Factor existing)
                ? new Factor(existing.Base, Add(existing.Exponent, exponent))
                : new Factor(@base, exponent);
        }

        Accumulate(left);
        Accumulate(right);
        return MakeProduct(coefficient, factors.Values);
    }

    /// <summary>Builds <c>coefficient · Π factors</c> from factors with distinct bases, folding what folds.</summary>
    private static Node MakeProduct(Rational coefficient, IEnumerable<Factor> factors)
    {
        var kept = new List<Factor>();
        foreach (Factor factor in factors)
        {
            if (IsConst(factor.Exponent, out Rational exponent))
            {
                if (exponent.IsZero) continue;
                if (exponent.IsInteger)
                {
                    if (factor.Base is ConstNode numericBase && numericBase.Value.TryPower(exponent.Numerator, out Rational folded))
                    {
                        coefficient *= folded;
                        continue;
                    }

                    if (factor.Base is AtomNode { Source: ImaginaryUnitExpr })
                    {
                        // i^k cycles through 1, i, -1, -i.
                        int k = (int)(((exponent.Numerator % 4) + 4) % 4);
                        if (k >= 2) coefficient = -coefficient;
                        if (k % 2 == 1) kept.Add(new Factor(factor.Base, OneNode));
                        continue;
                    }
                }
            }

            kept.Add(factor);
        }

        if (coefficient.IsZero) return new ConstNode(Rational.Zero);
        if (kept.Count == 0) return new ConstNode(coefficient);
        if (kept.Count == 1 && coefficient.IsOne && IsOne(kept[0].Exponent)) return kept[0].Base;
        kept.Sort(CompareFactors);
        return new ProductNode(coefficient, kept);
    }

    /// <summary>Papers' order: numeric bases, parenthesised sums, names, powers of sums, then function calls; ordinal within each group.</summary>
    private static int CompareFactors(Factor a, Factor b)
    {
        int byGroup = FactorGroup(a).CompareTo(FactorGroup(b));
        return byGroup != 0 ? byGroup : string.CompareOrdinal(a.Base.Key, b.Base.Key);
    }

    private static int FactorGroup(Factor factor) => factor.Base switch
    {
        ConstNode => 0,
        SumNode when IsOne(factor.Exponent) => 1,
        AtomNode => 2,
        CallNode => 4,
        _ => 3,
    };

    private static Node Power(Node @base, Node exponent)
    {
        if (IsConst(exponent, out Rational power))
        {
            if (power.IsZero) return OneNode;
            if (power.IsOne) return @base;
            if (@base is ConstNode { Value.IsOne: true }) return OneNode;
            if (power.IsInteger)
            {
                if (@base is ConstNode c && c.Value.TryPower(power.Numerator, out Rational folded)) return new ConstNode(folded);
                if (@base is ProductNode product && product.Coefficient.TryPower(power.Numerator, out Rational coefficient))
                {
                    // (c·x^a·y^b)^n = c^n·x^(a·n)·y^(b·n) for integer n.
                    var factors = product.Factors.Select(f => new Factor(f.Base, Multiply(f.Exponent, exponent))).ToList();
                    return MakeProduct(coefficient, factors);
                }
            }
        }

        return MakeProduct(Rational.One, new[] { new Factor(@base, exponent) });
    }

    private static Node Call(FunctionKind function, IReadOnlyList<Node> arguments)
    {
        Node argument = arguments[0];
        switch (function)
        {
            case FunctionKind.Exp when argument is CallNode { Function: FunctionKind.Log } log:
                return log.Argument;
            case FunctionKind.Log when argument is CallNode { Function: FunctionKind.Exp } exp:
                return exp.Argument;
            case FunctionKind.Exp when argument is ConstNode { Value.IsZero: true }:
                return OneNode;
            case FunctionKind.Log when argument is ConstNode { Value.IsOne: true }:
            case FunctionKind.Log1p when argument is ConstNode { Value.IsZero: true }:
                return new ConstNode(Rational.Zero);
            case FunctionKind.Abs when argument is ConstNode c:
                return new ConstNode(c.Value.Abs());
            case FunctionKind.Abs when argument is CallNode { Function: FunctionKind.Abs or FunctionKind.Exp or FunctionKind.Sqrt or FunctionKind.Sigmoid or FunctionKind.Softplus or FunctionKind.Cosh }:
                return argument;
            case FunctionKind.Sqrt when argument is ConstNode c && c.Value.TrySquareRoot(out Rational root):
                return new ConstNode(root);
            case FunctionKind.Sinh or FunctionKind.Tanh or FunctionKind.Tan or FunctionKind.Erf when argument is ConstNode { Value.IsZero: true }:
                return new ConstNode(Rational.Zero);
            case FunctionKind.Cosh when argument is ConstNode { Value.IsZero: true }:
                return OneNode;
            case FunctionKind.Polygamma when argument is ConstNode { Value.IsZero: true }:
                // ψ⁽⁰⁾ is digamma, written so.
                return new CallNode(FunctionKind.Digamma, new[] { arguments[1] });
        }

        return new CallNode(function, arguments);
    }

    // ---- writing back ------------------------------------------------------------------------

    private static Expr ToExpr(Node node) => node switch
    {
        ConstNode c => NumberToExpr(c.Value),
        AtomNode atom => atom.Source,
        CallNode call => new CallExpr(call.Function, call.Arguments.Select(ToExpr).ToArray()),
        SumNode sum => SumToExpr(sum),
        ProductNode product => ProductToExpr(product.Coefficient, product.Factors),
        _ => new NumberExpr(double.NaN),
    };

    private static Expr SumToExpr(SumNode sum)
    {
        var parts = new List<(Rational Coefficient, Node? Monomial)>();
        if (!sum.Constant.IsZero && !sum.Constant.IsNegative) parts.Add((sum.Constant, null));
        parts.AddRange(sum.Terms.Where(t => !t.Coefficient.IsNegative).OrderBy(t => t.Monomial.SortKey, StringComparer.Ordinal).Select(t => (t.Coefficient, (Node?)t.Monomial)));
        parts.AddRange(sum.Terms.Where(t => t.Coefficient.IsNegative).OrderBy(t => t.Monomial.SortKey, StringComparer.Ordinal).Select(t => (t.Coefficient, (Node?)t.Monomial)));
        if (sum.Constant.IsNegative) parts.Add((sum.Constant, null));

        Expr? result = null;
        foreach ((Rational coefficient, Node? monomial) in parts)
        {
            if (result is null)
            {
                result = TermToExpr(coefficient, monomial);
            }
            else if (coefficient.IsNegative)
            {
                result = new BinaryExpr(BinaryOperator.Subtract, result, TermToExpr(-coefficient, monomial));
            }
            else
            {
                result = new BinaryExpr(BinaryOperator.Add, result, TermToExpr(coefficient, monomial));
            }
        }

        return result ?? new NumberExpr(0);
    }

    private static Expr TermToExpr(Rational coefficient, Node? monomial) => monomial switch
    {
        null => NumberToExpr(coefficient),
        ProductNode product => ProductToExpr(coefficient, product.Factors),
        _ => ProductToExpr(coefficient, new List<Factor> { new(monomial, OneNode) }),
    };

    /// <summary>Writes <c>coefficient · Π factors</c> as <c>p*x*y/(q*u^2)</c>, a leading minus on the first factor.</summary>
    private static Expr ProductToExpr(Rational coefficient, List<Factor> factors)
    {
        bool negative = coefficient.IsNegative;
        Rational magnitude = coefficient.Abs();
        (Expr? top, Expr? bottom) = SplitFraction(magnitude);

        var numerator = new List<Expr>();
        var denominator = new List<Expr>();
        foreach (Factor factor in factors)
        {
            if (IsConst(factor.Exponent, out Rational exponent) && exponent.IsNegative)
            {
                denominator.Add(PowerToExpr(factor.Base, new ConstNode(-exponent)));
            }
            else
            {
                numerator.Add(PowerToExpr(factor.Base, factor.Exponent));
            }
        }

        if (top is not null && (numerator.Count == 0 || top is not NumberExpr { Value: 1 })) numerator.Insert(0, top);
        if (bottom is not null) denominator.Insert(0, bottom);
        if (numerator.Count == 0) numerator.Add(new NumberExpr(1));
        if (negative) numerator[0] = new NegateExpr(numerator[0]);

        Expr result = numerator.Aggregate((a, b) => new BinaryExpr(BinaryOperator.Multiply, a, b));
        if (denominator.Count > 0)
        {
            Expr below = denominator.Aggregate((a, b) => new BinaryExpr(BinaryOperator.Multiply, a, b));
            result = new BinaryExpr(BinaryOperator.Divide, result, below);
        }

        return result;
    }

    private static Expr PowerToExpr(Node @base, Node exponent) =>
        IsOne(exponent) ? ToExpr(@base) : new BinaryExpr(BinaryOperator.Power, ToExpr(@base), ToExpr(exponent));

    private static Expr NumberToExpr(Rational value)
    {
        (Expr? top, Expr? bottom) = SplitFraction(value.Abs());
        Expr magnitude = bottom is null ? top! : new BinaryExpr(BinaryOperator.Divide, top!, bottom);
        if (!value.IsNegative) return magnitude;
        return magnitude is BinaryExpr fraction
            ? fraction with { Left = new NegateExpr(fraction.Left) }
            : new NegateExpr(magnitude);
    }

    /// <summary>
    /// A non-negative number as numerator and optional denominator literals: small fractions stay
    /// fractions (<c>1/3</c>, <c>3/10</c>), fractions whose decimal reads back exactly become one
    /// literal (<c>0.001</c>), the rest are integer quotients. A numerator or denominator beyond
    /// 2^53 would round as a literal anyway, so such a value becomes the one nearest double.
    /// </summary>
    private static (Expr? Top, Expr? Bottom) SplitFraction(Rational magnitude)
    {
        if (!magnitude.FitsDoubleExactly) return (new NumberExpr(magnitude.ToDouble()), null);
        if (magnitude.IsInteger) return (new NumberExpr((double)magnitude.Numerator), null);
        if (magnitude.Denominator > 100)
        {
            double asDouble = magnitude.ToDouble();
            if (Rational.TryFromDouble(asDouble, out Rational readBack) && readBack.Equals(magnitude))
            {
                return (new NumberExpr(asDouble), null);
            }
        }

        return (new NumberExpr((double)magnitude.Numerator), new NumberExpr((double)magnitude.Denominator));
    }
}
