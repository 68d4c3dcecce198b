using System;
using System.Numerics;
using StochasticBackprop.Generator.Numerics;

namespace StochasticBackprop.Generator.Series;

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
