using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>
/// A scalar function h and its derivatives in closed form: <c>derivative(u, n)</c> is h⁽ⁿ⁾(u)
/// elementwise, n = 0 being h itself (which must keep autograd's graph: the pathwise estimator
/// differentiates through it). Nested autograd on h costs a graph that grows with every order
/// (for log σ, about 40 ms at order 8 and 0.6 s at order 12 on a [50, 64] batch); a closed form does not.
/// </summary>
public delegate Tensor ScalarDerivative(Tensor u, int order);

/// <summary>Scalar functions with closed-form derivatives of every order, for ridge objectives.</summary>
public static class ScalarFunctions
{
    private static readonly List<double[]> LogSigmoidCoefficients = new() { Array.Empty<double>(), new[] { 1.0, 0.0 } }; // h' = t
    private static readonly object Gate = new();

    /// <summary>
    /// h(u) = log σ(u), the logistic log-likelihood. With s = σ(u) and t = σ(−u) = 1 − s (each computed
    /// directly, so neither is a difference), ds/du = st and dt/du = −st, so h' = t and every higher
    /// derivative is a homogeneous polynomial Σ_a c_a sᵃ tⁿ⁻ᵃ of degree n, from
    /// d(sᵃ tᵇ)/du = a·sᵃ tᵇ⁺¹ − b·sᵃ⁺¹ tᵇ.
    /// </summary>
    public static ScalarDerivative LogSigmoid { get; } = (u, order) =>
    {
        if (order < 0) throw new ArgumentOutOfRangeException(nameof(order), order, "The order must be non-negative.");
        if (order == 0) return torch.nn.functional.logsigmoid(u);
        double[] c = LogSigmoidPolynomial(order);
        Tensor s = torch.sigmoid(u), t = torch.sigmoid(-u);
        // Horner in r = s/t would divide by t ≈ 0 in the tail; instead accumulate Σ_a c_a sᵃ tⁿ⁻ᵃ
        // with t's powers built once, in place where the graph allows (order ≥ 1 needs no graph).
        var tPowers = new Tensor[order + 1];
        tPowers[0] = torch.ones_like(u);
        for (int b = 1; b <= order; b++) tPowers[b] = tPowers[b - 1] * t;
        Tensor result = torch.zeros_like(u);
        Tensor sPower = torch.ones_like(u);
        for (int a = 0; a <= order; a++)
        {
            if (a > 0) sPower = sPower * s;
            if (c[a] == 0) continue;
            using Scalar coefficient = c[a].ToScalar(); // held for the call: see Scalars
            result = result.add_(sPower * tPowers[order - a], alpha: coefficient);
        }
        return result;
    };

    /// <summary>c_a of h⁽ⁿ⁾ = Σ_a c_a sᵃ tⁿ⁻ᵃ for h = log σ (index a = 0..n).</summary>
    internal static double[] LogSigmoidPolynomial(int order)
    {
        lock (Gate)
        {
            while (LogSigmoidCoefficients.Count <= order)
            {
                int n = LogSigmoidCoefficients.Count - 1;
                double[] current = LogSigmoidCoefficients[n];
                var next = new double[n + 2];
                for (int a = 0; a <= n; a++)
                {
                    int b = n - a;
                    next[a] += a * current[a];
                    next[a + 1] -= b * current[a];
                }
                LogSigmoidCoefficients.Add(next);
            }
            return LogSigmoidCoefficients[order];
        }
    }
}
