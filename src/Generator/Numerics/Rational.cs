using System;
using System.Globalization;
using System.Numerics;

namespace StochasticBackprop.Generator.Numerics;

/// <summary>
/// An exact rational number, always reduced, denominator positive. The simplifier folds formula
/// constants with it and the series expander computes coefficients with it; arithmetic never rounds.
/// </summary>
/// <remarks>
/// A value becomes a <c>double</c> only when it is printed or emitted, through <see cref="ToDouble"/>;
/// <see cref="FitsDoubleExactly"/> tells whether numerator and denominator are exact doubles themselves,
/// so that the value can be written as the literal quotient <c>n/d</c>.
/// </remarks>
internal readonly struct Rational : IEquatable<Rational>
{
    /// <summary>Integers up to 2^53 in magnitude are exact doubles.</summary>
    private static readonly BigInteger DoubleMantissaLimit = BigInteger.Pow(2, 53);

    /// <summary>The largest power of two a finite double reaches; <see cref="TryPower"/> folds no further.</summary>
    private const double MaxPowerBits = 1024;

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

    public static Rational MinusOne => new(BigInteger.MinusOne, BigInteger.One, reduced: true);

    public BigInteger Numerator { get; }

    public BigInteger Denominator => _denominatorMinusOne + BigInteger.One;

    public bool IsZero => Numerator.IsZero;

    public bool IsOne => Numerator.IsOne && _denominatorMinusOne.IsZero;

    public bool IsInteger => _denominatorMinusOne.IsZero;

    public bool IsNegative => Numerator.Sign < 0;

    public int Sign => Numerator.Sign;

    /// <summary>True when numerator and denominator are both exact doubles (at most 2^53 in magnitude).</summary>
    public bool FitsDoubleExactly => BigInteger.Abs(Numerator) <= DoubleMantissaLimit && Denominator <= DoubleMantissaLimit;

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

    /// <summary>
    /// This number to an integer power, exactly. False for 0 to a negative power, and when the
    /// result would leave the range of a finite double (beyond 2^±1024), so that it stays unfolded.
    /// </summary>
    public bool TryPower(BigInteger exponent, out Rational result)
    {
        result = One;
        if (exponent.IsZero) return true;
        if (IsZero)
        {
            result = Zero;
            return exponent.Sign > 0;
        }

        if (BigInteger.Abs(Numerator).IsOne && IsInteger)
        {
            result = IsOne || exponent.IsEven ? One : MinusOne;
            return true;
        }

        double largestPart = Math.Max(BigInteger.Log(BigInteger.Abs(Numerator), 2), BigInteger.Log(Denominator, 2));
        if ((double)BigInteger.Abs(exponent) * largestPart > MaxPowerBits) return false;
        int k = (int)BigInteger.Abs(exponent);
        BigInteger top = BigInteger.Pow(Numerator, k);
        BigInteger bottom = BigInteger.Pow(Denominator, k);
        result = exponent.Sign > 0 ? Create(top, bottom) : Create(bottom, top);
        return true;
    }

    /// <summary>An exact square root when numerator and denominator are perfect squares.</summary>
    public bool TrySquareRoot(out Rational result)
    {
        result = Zero;
        if (Sign < 0) return false;
        if (!TryIntegerSquareRoot(Numerator, out BigInteger top) || !TryIntegerSquareRoot(Denominator, out BigInteger bottom)) return false;
        result = new Rational(top, bottom, reduced: true);
        return true;
    }

    /// <summary>
    /// The nearest double (ties to even), for printing and emission only; 0 or ±∞ outside the
    /// double range. Correctly rounded, so a literal read with <see cref="TryFromDouble"/> converts
    /// back to the very double it came from (a plain BigInteger conversion truncates past 2^53).
    /// </summary>
    public double ToDouble()
    {
        if (IsZero) return 0;
        BigInteger numerator = BigInteger.Abs(Numerator);
        BigInteger denominator = Denominator;

        // Scale so that the integer quotient has 54 or 55 bits: 53 for the significand, the rest to round on.
        int shift = 54 - BitLength(numerator) + BitLength(denominator);
        BigInteger quotient = shift >= 0
            ? BigInteger.DivRem(numerator << shift, denominator, out BigInteger remainder)
            : BigInteger.DivRem(numerator, denominator << -shift, out remainder);
        int dropped = BitLength(quotient) - 53;
        BigInteger low = quotient & ((BigInteger.One << dropped) - 1);
        BigInteger half = BigInteger.One << (dropped - 1);
        quotient >>= dropped;
        shift -= dropped;
        if (low > half || (low == half && (!remainder.IsZero || !quotient.IsEven))) quotient += 1;

        // quotient · 2^-shift, the power split in two so that neither factor overflows on its own.
        double magnitude = Math.Abs(shift) > 2200
            ? (shift > 0 ? 0 : double.PositiveInfinity)
            : (long)quotient * Math.Pow(2, -shift / 2) * Math.Pow(2, -(shift - (shift / 2)));
        return Sign < 0 ? -magnitude : magnitude;
    }

    public bool Equals(Rational other) => Numerator == other.Numerator && _denominatorMinusOne == other._denominatorMinusOne;

    public override bool Equals(object? obj) => obj is Rational other && Equals(other);

    public override int GetHashCode() => unchecked(Numerator.GetHashCode() * 31 + _denominatorMinusOne.GetHashCode());

    /// <summary><c>n</c> or <c>n/d</c>; a stable text that identifies the value (used in canonical keys).</summary>
    public override string ToString() => IsInteger
        ? Numerator.ToString(CultureInfo.InvariantCulture)
        : Numerator.ToString(CultureInfo.InvariantCulture) + "/" + Denominator.ToString(CultureInfo.InvariantCulture);

    private static int BitLength(BigInteger positive)
    {
        byte[] bytes = positive.ToByteArray();
        int bits = (bytes.Length - 1) * 8;
        for (int top = bytes[bytes.Length - 1]; top > 0; top >>= 1) bits++;
        return bits;
    }

    /// <summary>Newton's iteration from above, so it is exact at any size.</summary>
    private static bool TryIntegerSquareRoot(BigInteger value, out BigInteger root)
    {
        root = value;
        if (value.Sign <= 0) return value.IsZero;
        var estimate = BigInteger.One << ((BitLength(value) / 2) + 1);
        while (true)
        {
            var next = (estimate + value / estimate) >> 1;
            if (next >= estimate) break;
            estimate = next;
        }

        root = estimate;
        return root * root == value;
    }
}
