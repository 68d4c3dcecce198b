using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using StochasticBackprop.Generator.Formulas;
using StochasticBackprop.Generator.Numerics;

namespace StochasticBackprop.Generator.Series;

internal enum AtomKind
{
    /// <summary>A parameter name.</summary>
    Symbol,

    /// <summary>π.</summary>
    Pi,

    /// <summary>exp(X) of an s-free single-term polynomial X with a positive leading coefficient.</summary>
    Exp,

    /// <summary>log(P) of an s-free polynomial, a parameter or an opaque atom.</summary>
    Log,

    /// <summary>P^c with a non-integer or symbolic exponent c (sqrt(P) when c = 1/2).</summary>
    Power,

    /// <summary>An s-free polynomial of several terms, kept whole so that 1/P can be written P^-1.</summary>
    Sum,

    /// <summary>abs, lgamma, digamma, sigmoid, softplus of an s-free argument.</summary>
    Function,
}

/// <summary>
/// An indivisible factor of a coefficient. <see cref="Key"/> is <see cref="FormulaPrinter"/>'s text of
/// <see cref="Display"/>: deterministic, and read back by the parser to an equal tree, so equal
/// subexpressions (after canonicalisation) share one atom and different ones never do.
/// </summary>
internal sealed record Atom(AtomKind Kind, string Key, Expr Display, Polynomial? Content, Polynomial? Exponent, bool IsReal);

/// <summary>The atoms of one expansion, and the conversion of coefficients back to clean expressions.</summary>
internal sealed class AtomTable
{
    private readonly List<Atom> _atoms = new();
    private readonly Dictionary<string, int> _byKey = new(StringComparer.Ordinal);

    public Atom this[int id] => _atoms[id];

    public int Intern(AtomKind kind, Expr display, Polynomial? content = null, Polynomial? exponent = null, bool isReal = true)
    {
        string key = FormulaPrinter.Print(display);
        if (_byKey.TryGetValue(key, out int id)) return id;
        id = _atoms.Count;
        _atoms.Add(new Atom(kind, key, display, content, exponent, isReal));
        _byKey.Add(key, id);
        return id;
    }

    /// <summary>True when no coefficient is imaginary and every atom is real.</summary>
    public bool IsReal(Polynomial polynomial)
    {
        foreach (var term in polynomial.Terms)
        {
            if (!term.Value.IsReal || !AtomsAreReal(term.Key)) return false;
        }

        return true;
    }

    public bool AtomsAreReal(Monomial monomial)
    {
        for (int j = 0; j < monomial.FactorCount; j++)
        {
            if (!_atoms[monomial.AtomAt(j)].IsReal) return false;
        }

        return true;
    }

    /// <summary>
    /// The polynomial as an expression: terms by ascending degree, then by atom names; atoms in
    /// name order; negative exponents and rational denominators below one division bar; negative
    /// terms as subtractions. Complex coefficients become a real and an <c>i</c> term.
    /// </summary>
    public Expr ToExpr(Polynomial polynomial)
    {
        var terms = new List<(Monomial Monomial, int Part, Rational Coefficient)>();
        foreach (var term in polynomial.Terms)
        {
            if (!term.Value.Real.IsZero) terms.Add((term.Key, 0, term.Value.Real));
            if (!term.Value.Imaginary.IsZero) terms.Add((term.Key, 1, term.Value.Imaginary));
        }

        if (terms.Count == 0) return new NumberExpr(0);
        var ordered = terms
            .Select(t => (t.Monomial, t.Part, t.Coefficient, Factors: FactorsByName(t.Monomial)))
            .OrderBy(t => t.Monomial.TotalDegree)
            .ThenBy(t => t.Factors, FactorOrder.Instance)
            .ThenBy(t => t.Part)
            .ToList();
        Expr? sum = null;
        foreach (var term in ordered)
        {
            bool negative = term.Coefficient.Sign < 0;
            var magnitude = TermExpr(term.Coefficient.Abs(), imaginary: term.Part == 1, term.Factors, negateFirstFactor: negative && sum is null);
            if (sum is null) sum = magnitude;
            else sum = new BinaryExpr(negative ? BinaryOperator.Subtract : BinaryOperator.Add, sum, magnitude);
        }

        return sum!;
    }

    public static Expr Number(BigInteger value) => new NumberExpr(Rational.FromInteger(value).ToDouble());

    public static Expr Number(Rational value)
    {
        if (value.IsInteger) return Number(value.Numerator);
        Expr fraction = new BinaryExpr(BinaryOperator.Divide, Number(BigInteger.Abs(value.Numerator)), Number(value.Denominator));
        return value.Sign < 0 ? new NegateExpr(fraction) : fraction;
    }

    private Expr TermExpr(Rational magnitude, bool imaginary, IReadOnlyList<(Atom Atom, int Exponent)> factors, bool negateFirstFactor)
    {
        var numerator = new List<Expr>();
        var denominator = new List<Expr>();
        if (!magnitude.Numerator.IsOne) numerator.Add(Number(magnitude.Numerator));
        if (imaginary) numerator.Add(new ImaginaryUnitExpr());
        if (!magnitude.Denominator.IsOne) denominator.Add(Number(magnitude.Denominator));
        foreach (var (atom, exponent) in factors)
        {
            if (atom.Kind == AtomKind.Exp)
            {
                // exp(X)^e reads better as exp(e·X), wherever the sign of e puts it.
                numerator.Add(new CallExpr(FunctionKind.Exp, ToExpr(ComplexRational.FromInteger(exponent) * atom.Content!)));
                continue;
            }

            var factor = Math.Abs(exponent) == 1
                ? atom.Display
                : new BinaryExpr(BinaryOperator.Power, atom.Display, Number(Math.Abs(exponent)));
            (exponent > 0 ? numerator : denominator).Add(factor);
        }

        if (numerator.Count == 0) numerator.Add(Number(BigInteger.One));
        if (negateFirstFactor)
        {
            // A leading minus goes on the first factor, so it reads -2*k and -1/p, not -(2*k).
            numerator[0] = numerator[0] is NumberExpr number ? new NumberExpr(-number.Value) : new NegateExpr(numerator[0]);
        }

        var top = Product(numerator);
        return denominator.Count == 0 ? top : new BinaryExpr(BinaryOperator.Divide, top, Product(denominator));
    }

    private static Expr Product(List<Expr> factors)
    {
        var product = factors[0];
        for (int j = 1; j < factors.Count; j++) product = new BinaryExpr(BinaryOperator.Multiply, product, factors[j]);
        return product;
    }

    private IReadOnlyList<(Atom Atom, int Exponent)> FactorsByName(Monomial monomial)
    {
        var factors = new List<(Atom Atom, int Exponent)>(monomial.FactorCount);
        for (int j = 0; j < monomial.FactorCount; j++) factors.Add((_atoms[monomial.AtomAt(j)], monomial.ExponentAt(j)));
        factors.Sort((x, y) => string.CompareOrdinal(x.Atom.Key, y.Atom.Key));
        return factors;
    }

    /// <summary>Lexicographic in atom names, higher powers first: a^3, a^2*b, a*b^2, b^3.</summary>
    private sealed class FactorOrder : IComparer<IReadOnlyList<(Atom Atom, int Exponent)>>
    {
        public static readonly FactorOrder Instance = new();

        public int Compare(IReadOnlyList<(Atom Atom, int Exponent)>? x, IReadOnlyList<(Atom Atom, int Exponent)>? y)
        {
            if (x is null || y is null) return (x is null ? 0 : 1) - (y is null ? 0 : 1);
            for (int j = 0; j < Math.Min(x.Count, y.Count); j++)
            {
                int byName = string.CompareOrdinal(x[j].Atom.Key, y[j].Atom.Key);
                if (byName != 0) return byName;
                if (x[j].Exponent != y[j].Exponent) return y[j].Exponent.CompareTo(x[j].Exponent);
            }

            return x.Count.CompareTo(y.Count);
        }
    }
}
