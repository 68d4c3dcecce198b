using System;

namespace StochasticBackprop.Generator.Numerics;

/// <summary>
/// Double-precision lgamma, digamma, polygamma and erf, for the function catalog's evaluator column
/// (numeric checks of derivatives and series). The generator is a netstandard2.0 analyzer, which cannot
/// carry a numerics package along with it, and <c>System.Math</c> has none of these, so they are written
/// here: the recurrence x → x + 1 up to <see cref="AsymptoticFrom"/>, then the asymptotic (Stirling)
/// series, relative error near 1e-14 for x &gt; 0; erf by its Taylor series below 3 and Laplace's
/// continued fraction above.
/// </summary>
internal static class SpecialFunctions
{
    private const double AsymptoticFrom = 20;

    /// <summary>B_2, B_4, …, B_20.</summary>
    private static readonly double[] Bernoulli =
    {
        1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66, -691.0 / 2730, 7.0 / 6, -3617.0 / 510, 43867.0 / 798, -174611.0 / 330,
    };

    /// <summary>log Γ(x) for x &gt; 0 (NaN otherwise).</summary>
    public static double LogGamma(double x)
    {
        if (!(x > 0)) return double.NaN;
        double shift = 0;
        while (x < AsymptoticFrom)
        {
            shift += Math.Log(x);
            x += 1;
        }

        double x2 = x * x;
        double series = (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - (1.0 / 1680 - 1.0 / (1188 * x2)) / x2) / x2) / x2) / x;
        return ((x - 0.5) * Math.Log(x)) - x + (0.5 * Math.Log(2 * Math.PI)) + series - shift;
    }

    /// <summary>ψ(x) = d/dx log Γ(x) for x &gt; 0 (NaN otherwise).</summary>
    public static double Digamma(double x) => Polygamma(0, x);

    /// <summary>ψ⁽ⁿ⁾(x), the n-th derivative of digamma, for x &gt; 0 and 0 ≤ n ≤ 30 (NaN otherwise).</summary>
    public static double Polygamma(int n, double x)
    {
        if (!(x > 0) || n < 0 || n > 30) return double.NaN;

        // ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁾(x + 1) + (−1)ⁿ⁺¹ n! / xⁿ⁺¹.
        double sign = n % 2 == 0 ? -1 : 1;
        double factorial = Factorial(n);
        double shift = 0;
        while (x < AsymptoticFrom + n)
        {
            shift += sign * factorial / Math.Pow(x, n + 1);
            x += 1;
        }

        double tail;
        if (n == 0)
        {
            // ψ(x) ~ log x − 1/(2x) − Σ B_2k / (2k x^2k).
            tail = Math.Log(x) - 0.5 / x;
            for (int k = 1; k <= Bernoulli.Length; k++) tail -= Bernoulli[k - 1] / (2 * k * Math.Pow(x, 2 * k));
        }
        else
        {
            // ψ⁽ⁿ⁾(x) ~ (−1)ⁿ⁺¹ [ (n−1)!/xⁿ + n!/(2xⁿ⁺¹) + Σ B_2k (2k+n−1)! / ((2k)! x^(2k+n)) ].
            double sum = Factorial(n - 1) / Math.Pow(x, n) + factorial / (2 * Math.Pow(x, n + 1));
            for (int k = 1; k <= Bernoulli.Length; k++)
            {
                sum += Bernoulli[k - 1] * Factorial(2 * k + n - 1) / (Factorial(2 * k) * Math.Pow(x, 2 * k + n));
            }

            tail = sign * sum;
        }

        return tail + shift;
    }

    /// <summary>The error function, 2/√π ∫₀ˣ e^(−t²) dt.</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x < 0) return -Erf(-x);
        if (x < 3)
        {
            // 2/√π Σ (−1)^k x^(2k+1) / (k! (2k+1)), summed until the terms stop mattering.
            double term = x, sum = x;
            for (int k = 1; k < 200; k++)
            {
                term *= -x * x / k;
                double next = term / (2 * k + 1);
                sum += next;
                if (Math.Abs(next) < 1e-17 * Math.Abs(sum)) break;
            }

            return 2 / Math.Sqrt(Math.PI) * sum;
        }

        // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated from the tail.
        double fraction = x;
        for (int k = 60; k >= 1; k--) fraction = x + k / 2.0 / fraction;
        return 1 - Math.Exp(-x * x) / (Math.Sqrt(Math.PI) * fraction);
    }

    private static double Factorial(int n)
    {
        double result = 1;
        for (int k = 2; k <= n; k++) result *= k;
        return result;
    }
}
