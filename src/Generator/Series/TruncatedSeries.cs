using System.Numerics;
using StochasticBackprop.Generator.Numerics;

namespace StochasticBackprop.Generator.Series;

/// <summary>
/// A power series in s truncated after s^Order, coefficients s-free polynomials. The transcendental
/// operations use the derivative recurrences (f′ = g′f for exp, g·L′ = g′ for log, g·f′ = c·g′·f for
/// powers), O(Order²) coefficient products each; they take the s^0 parts they cannot compute
/// themselves (exp, log, power and inverse of the constant term) from the caller, which owns atoms.
/// </summary>
internal sealed class TruncatedSeries
{
    private readonly Polynomial[] _coefficients;

    private TruncatedSeries(Polynomial[] coefficients) => _coefficients = coefficients;

    public int Order => _coefficients.Length - 1;

    public Polynomial this[int power] => _coefficients[power];

    public Polynomial ConstantTerm => _coefficients[0];

    /// <summary>True when every coefficient after s^0 vanishes.</summary>
    public bool IsConstant
    {
        get
        {
            for (int n = 1; n < _coefficients.Length; n++)
            {
                if (!_coefficients[n].IsZero) return false;
            }

            return true;
        }
    }

    public static TruncatedSeries Constant(Polynomial value, int order)
    {
        var coefficients = NewCoefficients(order);
        coefficients[0] = value;
        return new TruncatedSeries(coefficients);
    }

    /// <summary>The series c·s^power (zero when power exceeds the order).</summary>
    public static TruncatedSeries Monomial(Polynomial coefficient, int power, int order)
    {
        var coefficients = NewCoefficients(order);
        if (power <= order) coefficients[power] = coefficient;
        return new TruncatedSeries(coefficients);
    }

    /// <summary>The series c·s (zero when the order is 0).</summary>
    public static TruncatedSeries Linear(ComplexRational coefficient, int order)
    {
        var coefficients = NewCoefficients(order);
        if (order >= 1) coefficients[1] = Polynomial.Constant(coefficient);
        return new TruncatedSeries(coefficients);
    }

    public static TruncatedSeries operator +(TruncatedSeries a, TruncatedSeries b) => Zip(a, b, (x, y) => x + y);

    public static TruncatedSeries operator -(TruncatedSeries a, TruncatedSeries b) => Zip(a, b, (x, y) => x - y);

    public static TruncatedSeries operator -(TruncatedSeries a) => a.Map(x => -x);

    public static TruncatedSeries operator *(TruncatedSeries a, TruncatedSeries b)
    {
        if (b.IsConstant) return a.Scale(b[0]);
        if (a.IsConstant) return b.Scale(a[0]);
        var coefficients = NewCoefficients(a.Order);
        for (int n = 0; n <= a.Order; n++)
        {
            var sum = Polynomial.Zero;
            for (int k = 0; k <= n; k++) sum += a[k] * b[n - k];
            coefficients[n] = sum;
        }

        return new TruncatedSeries(coefficients);
    }

    public TruncatedSeries Scale(Polynomial factor) => Map(x => factor * x);

    public TruncatedSeries WithConstantTerm(Polynomial value)
    {
        var coefficients = (Polynomial[])_coefficients.Clone();
        coefficients[0] = value;
        return new TruncatedSeries(coefficients);
    }

    /// <summary>This series to a non-negative integer power (valid even when the constant term is 0).</summary>
    public TruncatedSeries Power(int exponent) => RepeatedSquaring.Power(this, exponent, Constant(Polynomial.One, Order), (a, b) => a * b);

    /// <summary>exp of this series, given exp of its constant term.</summary>
    public TruncatedSeries Exp(Polynomial expOfConstant)
    {
        var f = NewCoefficients(Order);
        f[0] = expOfConstant;
        for (int n = 1; n <= Order; n++)
        {
            var sum = Polynomial.Zero;
            for (int k = 1; k <= n; k++) sum += Integer(k) * (_coefficients[k] * f[n - k]);
            f[n] = Reciprocal(n) * sum;
        }

        return new TruncatedSeries(f);
    }

    /// <summary>log of this series, given log and inverse of its (nonzero) constant term.</summary>
    public TruncatedSeries Log(Polynomial logOfConstant, Polynomial inverseOfConstant)
    {
        var l = NewCoefficients(Order);
        l[0] = logOfConstant;
        for (int n = 1; n <= Order; n++)
        {
            var sum = Polynomial.Zero;
            for (int k = 1; k < n; k++) sum += Integer(k) * (l[k] * _coefficients[n - k]);
            l[n] = inverseOfConstant * (_coefficients[n] - Reciprocal(n) * sum);
        }

        return new TruncatedSeries(l);
    }

    /// <summary>This series to an s-free power c (any polynomial), given g0^c and 1/g0 (g0 nonzero).</summary>
    public TruncatedSeries Power(Polynomial exponent, Polynomial powerOfConstant, Polynomial inverseOfConstant)
    {
        var f = NewCoefficients(Order);
        f[0] = powerOfConstant;
        for (int n = 1; n <= Order; n++)
        {
            var sum = Polynomial.Zero;
            for (int k = 1; k <= n; k++)
            {
                if (_coefficients[k].IsZero) continue;
                var weight = Integer(k) * exponent - Polynomial.Constant(Integer(n - k));
                sum += weight * (_coefficients[k] * f[n - k]);
            }

            f[n] = Reciprocal(n) * (inverseOfConstant * sum);
        }

        return new TruncatedSeries(f);
    }

    /// <summary>1 / this series, given the inverse of its (nonzero) constant term.</summary>
    public TruncatedSeries Inverse(Polynomial inverseOfConstant)
    {
        var f = NewCoefficients(Order);
        f[0] = inverseOfConstant;
        for (int n = 1; n <= Order; n++)
        {
            var sum = Polynomial.Zero;
            for (int k = 1; k <= n; k++) sum += _coefficients[k] * f[n - k];
            f[n] = -(inverseOfConstant * sum);
        }

        return new TruncatedSeries(f);
    }

    /// <summary>The power of s of the first nonzero coefficient, or −1 when every one vanishes.</summary>
    public int LeadingPower
    {
        get
        {
            for (int n = 0; n < _coefficients.Length; n++)
            {
                if (!_coefficients[n].IsZero) return n;
            }

            return -1;
        }
    }

    /// <summary>This series divided by s^<paramref name="power"/> (its first coefficients must vanish), <paramref name="power"/> orders shorter.</summary>
    public TruncatedSeries DropLeading(int power)
    {
        var coefficients = NewCoefficients(Order - power);
        for (int n = 0; n <= Order - power; n++) coefficients[n] = _coefficients[n + power];
        return new TruncatedSeries(coefficients);
    }

    /// <summary>The same series through s^<paramref name="order"/> (at most <see cref="Order"/>).</summary>
    public TruncatedSeries Truncate(int order)
    {
        var coefficients = NewCoefficients(order);
        for (int n = 0; n <= order; n++) coefficients[n] = _coefficients[n];
        return new TruncatedSeries(coefficients);
    }

    /// <summary>d/ds of this series, at the same order (the last coefficient, which would need s^(Order+1), is 0).</summary>
    public TruncatedSeries Derivative()
    {
        var coefficients = NewCoefficients(Order);
        for (int n = 0; n < Order; n++) coefficients[n] = Integer(n + 1) * _coefficients[n + 1];
        return new TruncatedSeries(coefficients);
    }

    /// <summary>The antiderivative of this series with constant term <paramref name="constant"/> (this series' last coefficient is not needed).</summary>
    public TruncatedSeries Integrate(Polynomial constant)
    {
        var coefficients = NewCoefficients(Order);
        coefficients[0] = constant;
        for (int n = 1; n <= Order; n++) coefficients[n] = Reciprocal(n) * _coefficients[n - 1];
        return new TruncatedSeries(coefficients);
    }

    /// <summary>
    /// f(g0 + h) = Σ f⁽ⁿ⁾(g0) hⁿ / n! for a series <paramref name="h"/> without constant term, given
    /// <paramref name="derivativeAt"/>(n) = f⁽ⁿ⁾(g0); asked only for the n the truncation keeps.
    /// </summary>
    public static TruncatedSeries Taylor(TruncatedSeries h, System.Func<int, Polynomial> derivativeAt)
    {
        var result = Constant(derivativeAt(0), h.Order);
        var power = h;
        BigInteger factorial = BigInteger.One;
        for (int n = 1; n <= h.Order; n++)
        {
            factorial *= n;
            if (power.LeadingPower < 0) break;
            result += power.Scale(Rational.Create(BigInteger.One, factorial) * derivativeAt(n));
            power *= h;
        }

        return result;
    }

    /// <summary>
    /// This series divided by <paramref name="divisor"/> (constant term nonzero): f_n = (a_n − Σ d_k f_{n−k}) / d_0,
    /// each division by d_0 exact where <see cref="Polynomial.TryDivideExact"/> finds a quotient, otherwise a
    /// product with <paramref name="inverseOfConstant"/> (the opaque 1/d_0).
    /// </summary>
    public TruncatedSeries DivideBy(TruncatedSeries divisor, Polynomial inverseOfConstant)
    {
        var d0 = divisor[0];
        var f = NewCoefficients(Order);
        for (int n = 0; n <= Order; n++)
        {
            var rest = _coefficients[n];
            for (int k = 1; k <= n; k++) rest -= divisor[k] * f[n - k];
            f[n] = rest.TryDivideExact(d0, out var exact) ? exact : inverseOfConstant * rest;
        }

        return new TruncatedSeries(f);
    }

    private static ComplexRational Integer(int value) => ComplexRational.FromInteger(value);

    private static ComplexRational Reciprocal(int value) => Rational.Create(BigInteger.One, value);

    private static Polynomial[] NewCoefficients(int order)
    {
        var coefficients = new Polynomial[order + 1];
        for (int n = 0; n <= order; n++) coefficients[n] = Polynomial.Zero;
        return coefficients;
    }

    private TruncatedSeries Map(System.Func<Polynomial, Polynomial> map)
    {
        var coefficients = NewCoefficients(Order);
        for (int n = 0; n <= Order; n++) coefficients[n] = map(_coefficients[n]);
        return new TruncatedSeries(coefficients);
    }

    private static TruncatedSeries Zip(TruncatedSeries a, TruncatedSeries b, System.Func<Polynomial, Polynomial, Polynomial> combine)
    {
        var coefficients = NewCoefficients(a.Order);
        for (int n = 0; n <= a.Order; n++) coefficients[n] = combine(a[n], b[n]);
        return new TruncatedSeries(coefficients);
    }
}
