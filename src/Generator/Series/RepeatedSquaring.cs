using System;

namespace StochasticBackprop.Generator.Series;

/// <summary>Integer powers by repeated squaring, O(log n) products, for the expander's polynomials and series.</summary>
internal static class RepeatedSquaring
{
    /// <summary><paramref name="value"/> to a non-negative integer power; <paramref name="one"/> for exponent 0.</summary>
    public static T Power<T>(T value, int exponent, T one, Func<T, T, T> multiply)
    {
        var result = one;
        var square = value;
        while (exponent > 0)
        {
            if ((exponent & 1) != 0) result = multiply(result, square);
            exponent >>= 1;
            if (exponent > 0) square = multiply(square, square);
        }

        return result;
    }
}
