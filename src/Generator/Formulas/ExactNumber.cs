using System;
using System.Globalization;
using System.Numerics;

namespace StochasticBackprop.Generator.Formulas;

/// <summary>
/// A number as the simplifier folds it: an exact rational while numerator and denominator fit in a
/// double's 53-bit mantissa (so it converts to literals without loss), a double otherwise.
/// </summary>
internal readonly struct ExactNumber
{
    private static readonly BigInteger MantissaLimit = BigInteger.Pow(2, 53);
    private const int MaxExactPower = 64;

    private ExactNumber(BigInteger numerator, BigInteger denominator)
    {
        IsExact = true;
        Numerator = numerator;
        Denominator = denominator;
        Approximate = 0;
    }

    private ExactNumber(double approximate)
    {
        IsExact = false;
        Numerator = BigInteger.Zero;
        Denominator = BigInteger.One;
        Approximate = approximate;
    }

    public static ExactNumber Zero => new(BigInteger.Zero, BigInteger.One);

    public static ExactNumber One => new(BigInteger.One, BigInteger.One);

    public static ExactNumber MinusOne => new(BigInteger.MinusOne, BigInteger.One);

    public bool IsExact { get; }

    public BigInteger Numerator { get; }

    /// <summary>Always positive for exact numbers.</summary>
    public BigInteger Denominator { get; }

    private double Approximate { get; }

    public bool IsZero => IsExact ? Numerator.IsZero : Approximate == 0;

    public bool IsOne => IsExact && Numerator.IsOne && Denominator.IsOne;

    public bool IsNegative => IsExact ? Numerator.Sign < 0 : Approximate < 0;

    public bool IsInteger => IsExact && Denominator.IsOne;

    /// <summary>A stable text that identifies the value (used in canonical keys).</summary>
    public string Key => IsExact
        ? (Denominator.IsOne ? Numerator.ToString(CultureInfo.InvariantCulture) : Numerator.ToString(CultureInfo.InvariantCulture) + "/" + Denominator.ToString(CultureInfo.InvariantCulture))
        : "~" + Approximate.ToString("R", CultureInfo.InvariantCulture);

    public static ExactNumber FromInteger(long value) => new(new BigInteger(value), BigInteger.One);

    /// <summary>
    /// Reads a literal's value back exactly: integers, and decimals with up to 15 places
    /// (<c>0.1</c> is 1/10, not the nearest binary fraction). Anything else stays a double.
    /// </summary>
    public static ExactNumber FromDouble(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value)) return new ExactNumber(value);
        if (value == Math.Floor(value) && Math.Abs(value) <= 9007199254740992.0)
        {
            return new ExactNumber(new BigInteger(value), BigInteger.One);
        }

        double scale = 1;
        for (int places = 1; places <= 15; places++)
        {
            scale *= 10;
            double scaled = Math.Round(value * scale);
            if (Math.Abs(scaled) <= 9007199254740992.0 && scaled / scale == value)
            {
                return Create(new BigInteger(scaled), BigInteger.Pow(10, places));
            }
        }

        return new ExactNumber(value);
    }

    public static ExactNumber Create(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero)
        {
            return new ExactNumber(numerator.IsZero ? double.NaN : numerator.Sign * double.PositiveInfinity);
        }

        if (denominator.Sign < 0)
        {
            numerator = -numerator;
            denominator = -denominator;
        }

        BigInteger divisor = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!divisor.IsOne && !divisor.IsZero)
        {
            numerator /= divisor;
            denominator /= divisor;
        }

        if (BigInteger.Abs(numerator) > MantissaLimit || denominator > MantissaLimit)
        {
            return FromDouble((double)numerator / (double)denominator);
        }

        return new ExactNumber(numerator, denominator);
    }

    public double ToDouble() => IsExact ? (double)Numerator / (double)Denominator : Approximate;

    public ExactNumber Negate() => IsExact ? new ExactNumber(-Numerator, Denominator) : new ExactNumber(-Approximate);

    public ExactNumber Abs() => IsNegative ? Negate() : this;

    public ExactNumber Add(ExactNumber other) => IsExact && other.IsExact
        ? Create((Numerator * other.Denominator) + (other.Numerator * Denominator), Denominator * other.Denominator)
        : FromDouble(ToDouble() + other.ToDouble());

    public ExactNumber Multiply(ExactNumber other) => IsExact && other.IsExact
        ? Create(Numerator * other.Numerator, Denominator * other.Denominator)
        : FromDouble(ToDouble() * other.ToDouble());

    /// <summary>This number to an integer power; false for 0 to a negative power.</summary>
    public bool TryPower(BigInteger exponent, out ExactNumber result)
    {
        result = One;
        if (IsZero && exponent.Sign < 0) return false;
        if (exponent.IsZero) return true;
        if (IsExact && BigInteger.Abs(exponent) <= MaxExactPower)
        {
            int k = (int)BigInteger.Abs(exponent);
            BigInteger top = BigInteger.Pow(Numerator, k);
            BigInteger bottom = BigInteger.Pow(Denominator, k);
            result = exponent.Sign > 0 ? Create(top, bottom) : Create(bottom, top);
            return true;
        }

        double power = Math.Pow(ToDouble(), (double)exponent);
        if (double.IsNaN(power) || double.IsInfinity(power)) return false;
        result = FromDouble(power);
        return true;
    }

    /// <summary>An exact square root when numerator and denominator are perfect squares.</summary>
    public bool TrySquareRoot(out ExactNumber result)
    {
        result = Zero;
        if (!IsExact || Numerator.Sign < 0) return false;
        if (!TryIntegerSquareRoot(Numerator, out BigInteger top) || !TryIntegerSquareRoot(Denominator, out BigInteger bottom)) return false;
        result = Create(top, bottom);
        return true;
    }

    private static bool TryIntegerSquareRoot(BigInteger value, out BigInteger root)
    {
        root = new BigInteger(Math.Round(Math.Sqrt((double)value)));
        return root * root == value;
    }

    public override string ToString() => Key;
}
