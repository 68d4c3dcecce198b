using System;
using System.Globalization;
using System.Numerics;

namespace StochasticBackprop.Generator.Series;

/// <summary>An exact rational number, always reduced, denominator positive.</summary>
internal readonly struct Rational : IEquatable<Rational>
{
    // Stored as denominator − 1 so that default(Rational) is a valid zero (0/1).
    private readonly BigInteger _denominatorMinusOne;

    private Rational(BigInteger numerator, BigInteger denominator, bool reduced)
    {
        if (!reduced)
        {
            if (denominator.Sign < 0)
            {
                numerator = -numerator;
                denominator = -denominator;
            }

            var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
            if (!gcd.IsOne && !gcd.IsZero)
            {
                numerator /= gcd;
                denominator /= gcd;
            }

            if (numerator.IsZero) denominator = BigInteger.One;
        }

        Numerator = numerator;
        _denominatorMinusOne = denominator - BigInteger.One;
    }

    public static Rational Zero => default;

    public static Rational One => new(BigInteger.One, BigInteger.One, reduced: true);

    public BigInteger Numerator { get; }

    public BigInteger Denominator => _denominatorMinusOne + BigInteger.One;

    public bool IsZero => Numerator.IsZero;

    public bool IsOne => Numerator.IsOne && _denominatorMinusOne.IsZero;

    public bool IsInteger => _denominatorMinusOne.IsZero;

    public int Sign => Numerator.Sign;

    public static Rational FromInteger(BigInteger value) => new(value, BigInteger.One, reduced: true);

    /// <summary>n / d; d must not be zero.</summary>
    public static Rational Create(BigInteger numerator, BigInteger denominator) => new(numerator, denominator, reduced: false);

    /// <summary>
    /// The exact rational a formula literal stands for: the shortest round-trip decimal of the
    /// double (so <c>0.1</c> is 1/10, not the binary approximation). False for NaN and infinities.
    /// </summary>
    public static bool TryFromDouble(double value, out Rational result)
    {
        result = Zero;
        if (double.IsNaN(value) || double.IsInfinity(value)) return false;
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        int exponent = 0;
        int e = text.IndexOfAny(new[] { 'E', 'e' });
        if (e >= 0)
        {
            exponent = int.Parse(text.Substring(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text.Substring(0, e);
        }

        bool negative = text.StartsWith("-", StringComparison.Ordinal);
        if (negative) text = text.Substring(1);
        int dot = text.IndexOf('.');
        if (dot >= 0)
        {
            exponent -= text.Length - dot - 1;
            text = text.Remove(dot, 1);
        }

        var mantissa = BigInteger.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        if (negative) mantissa = -mantissa;
        result = exponent >= 0
            ? FromInteger(mantissa * BigInteger.Pow(10, exponent))
            : Create(mantissa, BigInteger.Pow(10, -exponent));
        return true;
    }

    public static Rational operator +(Rational a, Rational b) =>
        a.IsZero ? b : b.IsZero ? a : Create(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    public static Rational operator -(Rational a) => new(-a.Numerator, a.Denominator, reduced: true);

    public static Rational operator -(Rational a, Rational b) => a + -b;

    public static Rational operator *(Rational a, Rational b) =>
        a.IsZero || b.IsZero ? Zero : Create(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    /// <summary>a / b; b must not be zero.</summary>
    public static Rational operator /(Rational a, Rational b) => Create(a.Numerator * b.Denominator, a.Denominator * b.Numerator);

    public Rational Abs() => Sign < 0 ? -this : this;

    public double ToDouble()
    {
        var numerator = Numerator;
        var denominator = Denominator;
        double direct = (double)numerator / (double)denominator;
        if (!double.IsNaN(direct) && !double.IsInfinity(direct) && direct != 0) return direct;
        if (numerator.IsZero) return 0;
        double magnitude = Math.Exp(BigInteger.Log(BigInteger.Abs(numerator)) - BigInteger.Log(denominator));
        return numerator.Sign < 0 ? -magnitude : magnitude;
    }

    public bool Equals(Rational other) => Numerator == other.Numerator && _denominatorMinusOne == other._denominatorMinusOne;

    public override bool Equals(object? obj) => obj is Rational other && Equals(other);

    public override int GetHashCode() => unchecked(Numerator.GetHashCode() * 31 + _denominatorMinusOne.GetHashCode());

    public override string ToString() => IsInteger
        ? Numerator.ToString(CultureInfo.InvariantCulture)
        : Numerator.ToString(CultureInfo.InvariantCulture) + "/" + Denominator.ToString(CultureInfo.InvariantCulture);
}

/// <summary>An exact complex number with rational real and imaginary parts.</summary>
internal readonly struct ComplexRational : IEquatable<ComplexRational>
{
    public ComplexRational(Rational real, Rational imaginary)
    {
        Real = real;
        Imaginary = imaginary;
    }

    public static ComplexRational Zero => default;

    public static ComplexRational One => new(Rational.One, Rational.Zero);

    public static ComplexRational I => new(Rational.Zero, Rational.One);

    public Rational Real { get; }

    public Rational Imaginary { get; }

    public bool IsZero => Real.IsZero && Imaginary.IsZero;

    public bool IsOne => Real.IsOne && Imaginary.IsZero;

    public bool IsReal => Imaginary.IsZero;

    public static implicit operator ComplexRational(Rational real) => new(real, Rational.Zero);

    public static ComplexRational FromInteger(BigInteger value) => new(Rational.FromInteger(value), Rational.Zero);

    public static ComplexRational operator +(ComplexRational a, ComplexRational b) => new(a.Real + b.Real, a.Imaginary + b.Imaginary);

    public static ComplexRational operator -(ComplexRational a) => new(-a.Real, -a.Imaginary);

    public static ComplexRational operator -(ComplexRational a, ComplexRational b) => new(a.Real - b.Real, a.Imaginary - b.Imaginary);

    public static ComplexRational operator *(ComplexRational a, ComplexRational b) =>
        new(a.Real * b.Real - a.Imaginary * b.Imaginary, a.Real * b.Imaginary + a.Imaginary * b.Real);

    /// <summary>a / b; b must not be zero.</summary>
    public static ComplexRational operator /(ComplexRational a, ComplexRational b)
    {
        var norm = b.Real * b.Real + b.Imaginary * b.Imaginary;
        return new(
            (a.Real * b.Real + a.Imaginary * b.Imaginary) / norm,
            (a.Imaginary * b.Real - a.Real * b.Imaginary) / norm);
    }

    public bool Equals(ComplexRational other) => Real.Equals(other.Real) && Imaginary.Equals(other.Imaginary);

    public override bool Equals(object? obj) => obj is ComplexRational other && Equals(other);

    public override int GetHashCode() => unchecked(Real.GetHashCode() * 397 + Imaginary.GetHashCode());

    public override string ToString() => Imaginary.IsZero ? Real.ToString() : $"({Real} + {Imaginary}i)";
}
