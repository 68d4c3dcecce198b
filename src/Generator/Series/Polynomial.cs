using System;
using System.Collections.Generic;

namespace StochasticBackprop.Generator.Series;

/// <summary>Raised by polynomial arithmetic when a result outgrows <see cref="Polynomial.MaxTerms"/>; caught by the expander.</summary>
internal sealed class SeriesTooComplexException : Exception
{
    public SeriesTooComplexException(int terms)
        : base($"a coefficient grew beyond {Polynomial.MaxTerms} terms ({terms})")
    {
    }
}

/// <summary>A product of atoms with nonzero integer exponents (negative allowed): a Laurent monomial.</summary>
internal sealed class Monomial : IEquatable<Monomial>
{
    // Pairs (atom id, exponent), sorted by atom id, exponents never zero.
    private readonly int[] _factors;
    private readonly int _hash;

    private Monomial(int[] factors)
    {
        _factors = factors;
        int hash = 17;
        foreach (int value in factors) hash = unchecked(hash * 31 + value);
        _hash = hash;
    }

    public static Monomial Unit { get; } = new(Array.Empty<int>());

    public static Monomial Atom(int atom, int exponent = 1) => exponent == 0 ? Unit : new(new[] { atom, exponent });

    public bool IsUnit => _factors.Length == 0;

    public int FactorCount => _factors.Length / 2;

    public int AtomAt(int index) => _factors[2 * index];

    public int ExponentAt(int index) => _factors[2 * index + 1];

    public int TotalDegree
    {
        get
        {
            int degree = 0;
            for (int i = 1; i < _factors.Length; i += 2) degree += Math.Abs(_factors[i]);
            return degree;
        }
    }

    public static Monomial operator *(Monomial a, Monomial b)
    {
        if (a.IsUnit) return b;
        if (b.IsUnit) return a;
        var merged = new List<int>(a._factors.Length + b._factors.Length);
        int i = 0, j = 0;
        while (i < a._factors.Length || j < b._factors.Length)
        {
            if (j >= b._factors.Length || (i < a._factors.Length && a._factors[i] < b._factors[j]))
            {
                merged.Add(a._factors[i]);
                merged.Add(a._factors[i + 1]);
                i += 2;
            }
            else if (i >= a._factors.Length || b._factors[j] < a._factors[i])
            {
                merged.Add(b._factors[j]);
                merged.Add(b._factors[j + 1]);
                j += 2;
            }
            else
            {
                int exponent = a._factors[i + 1] + b._factors[j + 1];
                if (exponent != 0)
                {
                    merged.Add(a._factors[i]);
                    merged.Add(exponent);
                }

                i += 2;
                j += 2;
            }
        }

        return new Monomial(merged.ToArray());
    }

    public Monomial Power(int exponent)
    {
        if (exponent == 0 || IsUnit) return Unit;
        var factors = (int[])_factors.Clone();
        for (int i = 1; i < factors.Length; i += 2) factors[i] = checked(factors[i] * exponent);
        return new Monomial(factors);
    }

    /// <summary>Lexicographic order of exponent vectors, atoms by ascending id (a missing atom has exponent 0).</summary>
    public static int CompareLexicographic(Monomial a, Monomial b)
    {
        int i = 0, j = 0;
        while (i < a._factors.Length || j < b._factors.Length)
        {
            int atomA = i < a._factors.Length ? a._factors[i] : int.MaxValue;
            int atomB = j < b._factors.Length ? b._factors[j] : int.MaxValue;
            int exponentA = atomA <= atomB ? a._factors[i + 1] : 0;
            int exponentB = atomB <= atomA ? b._factors[j + 1] : 0;
            if (exponentA != exponentB) return exponentA.CompareTo(exponentB);
            if (atomA <= atomB) i += 2;
            if (atomB <= atomA) j += 2;
        }

        return 0;
    }

    public bool Equals(Monomial? other)
    {
        if (other is null || other._hash != _hash || other._factors.Length != _factors.Length) return false;
        for (int i = 0; i < _factors.Length; i++)
        {
            if (_factors[i] != other._factors[i]) return false;
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is Monomial other && Equals(other);

    public override int GetHashCode() => _hash;
}

/// <summary>
/// An immutable Laurent polynomial over atoms with exact complex-rational coefficients; canonical
/// (no zero coefficients), so two equal polynomials have equal term sets.
/// </summary>
internal sealed class Polynomial
{
    /// <summary>The guard against runaway expansions: no coefficient may hold more terms.</summary>
    public const int MaxTerms = 5000;

    private readonly Dictionary<Monomial, ComplexRational> _terms;

    private Polynomial(Dictionary<Monomial, ComplexRational> terms)
    {
        if (terms.Count > MaxTerms) throw new SeriesTooComplexException(terms.Count);
        _terms = terms;
    }

    public static Polynomial Zero { get; } = new(new Dictionary<Monomial, ComplexRational>());

    public static Polynomial One { get; } = Constant(ComplexRational.One);

    public IReadOnlyDictionary<Monomial, ComplexRational> Terms => _terms;

    public int Count => _terms.Count;

    public bool IsZero => _terms.Count == 0;

    public static Polynomial Constant(ComplexRational value) => Term(value, Monomial.Unit);

    public static Polynomial Term(ComplexRational coefficient, Monomial monomial)
    {
        var terms = new Dictionary<Monomial, ComplexRational>();
        if (!coefficient.IsZero) terms[monomial] = coefficient;
        return new Polynomial(terms);
    }

    public static Polynomial Atom(int atom, int exponent = 1) => Term(ComplexRational.One, Monomial.Atom(atom, exponent));

    /// <summary>The value when this polynomial is a number (no atoms), including zero.</summary>
    public bool TryGetConstant(out ComplexRational value)
    {
        value = ComplexRational.Zero;
        if (_terms.Count == 0) return true;
        if (_terms.Count == 1 && _terms.TryGetValue(Monomial.Unit, out value)) return true;
        return false;
    }

    public bool TryGetRealInteger(out int value)
    {
        value = 0;
        if (!TryGetConstant(out var constant) || !constant.IsReal || !constant.Real.IsInteger) return false;
        var numerator = constant.Real.Numerator;
        if (numerator > int.MaxValue || numerator < int.MinValue) return false;
        value = (int)numerator;
        return true;
    }

    public bool TryGetSingleTerm(out ComplexRational coefficient, out Monomial monomial)
    {
        coefficient = ComplexRational.Zero;
        monomial = Monomial.Unit;
        if (_terms.Count != 1) return false;
        foreach (var pair in _terms)
        {
            coefficient = pair.Value;
            monomial = pair.Key;
        }

        return true;
    }

    public bool IsOne => TryGetConstant(out var value) && value.IsOne;

    public bool HasImaginaryPart
    {
        get
        {
            foreach (var pair in _terms)
            {
                if (!pair.Value.IsReal) return true;
            }

            return false;
        }
    }

    public Polynomial RealPart() => Map(c => c.Real);

    public Polynomial ImaginaryPart() => Map(c => c.Imaginary);

    public static Polynomial operator +(Polynomial a, Polynomial b)
    {
        if (a.IsZero) return b;
        if (b.IsZero) return a;
        var terms = new Dictionary<Monomial, ComplexRational>(a._terms);
        foreach (var pair in b._terms) Accumulate(terms, pair.Key, pair.Value);
        return new Polynomial(terms);
    }

    public static Polynomial operator -(Polynomial a) => a.Map(c => -c);

    public static Polynomial operator -(Polynomial a, Polynomial b) => a + -b;

    public static Polynomial operator *(Polynomial a, Polynomial b)
    {
        if (a.IsZero || b.IsZero) return Zero;
        if (a.IsOne) return b;
        if (b.IsOne) return a;
        var terms = new Dictionary<Monomial, ComplexRational>();
        foreach (var x in a._terms)
        {
            foreach (var y in b._terms)
            {
                Accumulate(terms, x.Key * y.Key, x.Value * y.Value);
            }

            if (terms.Count > MaxTerms) throw new SeriesTooComplexException(terms.Count);
        }

        return new Polynomial(terms);
    }

    public static Polynomial operator *(ComplexRational scalar, Polynomial a) =>
        scalar.IsZero ? Zero : scalar.IsOne ? a : a.Map(c => scalar * c);

    public Polynomial MultiplyBy(ComplexRational coefficient, Monomial monomial)
    {
        if (coefficient.IsZero) return Zero;
        var terms = new Dictionary<Monomial, ComplexRational>();
        foreach (var pair in _terms) terms[pair.Key * monomial] = pair.Value * coefficient;
        return new Polynomial(terms);
    }

    /// <summary>
    /// The exact quotient of this polynomial by <paramref name="divisor"/>, when there is one: multivariate
    /// long division in the lexicographic order of atom exponents, each step cancelling the leading term of
    /// the remainder. An exact quotient is found in as many steps as it has terms; a remainder that does not
    /// vanish within <paramref name="maxSteps"/> steps (with Laurent monomials the division need not end)
    /// means no exact quotient, and false.
    /// </summary>
    public bool TryDivideExact(Polynomial divisor, out Polynomial quotient, int maxSteps = 200)
    {
        quotient = Zero;
        if (divisor.IsZero) return false;
        if (IsZero) return true;
        var (leadMonomial, leadCoefficient) = divisor.LeadingTerm();
        var inverseLead = leadMonomial.Power(-1);
        var remainder = this;
        for (int step = 0; step < maxSteps; step++)
        {
            if (remainder.IsZero) return true;
            var (monomial, coefficient) = remainder.LeadingTerm();
            var factor = Term(coefficient / leadCoefficient, monomial * inverseLead);
            quotient += factor;
            remainder -= factor * divisor;
        }

        quotient = Zero;
        return false;
    }

    private (Monomial Monomial, ComplexRational Coefficient) LeadingTerm()
    {
        Monomial? best = null;
        ComplexRational coefficient = ComplexRational.Zero;
        foreach (var pair in _terms)
        {
            if (best is null || Monomial.CompareLexicographic(pair.Key, best) > 0)
            {
                best = pair.Key;
                coefficient = pair.Value;
            }
        }

        return (best!, coefficient);
    }

    /// <summary>This polynomial to a non-negative integer power.</summary>
    public Polynomial Power(int exponent) => RepeatedSquaring.Power(this, exponent, One, (a, b) => a * b);

    private Polynomial Map(Func<ComplexRational, ComplexRational> map)
    {
        var terms = new Dictionary<Monomial, ComplexRational>();
        foreach (var pair in _terms)
        {
            var value = map(pair.Value);
            if (!value.IsZero) terms[pair.Key] = value;
        }

        return new Polynomial(terms);
    }

    private static void Accumulate(Dictionary<Monomial, ComplexRational> terms, Monomial monomial, ComplexRational value)
    {
        if (terms.TryGetValue(monomial, out var existing)) value += existing;
        if (value.IsZero) terms.Remove(monomial);
        else terms[monomial] = value;
    }
}
