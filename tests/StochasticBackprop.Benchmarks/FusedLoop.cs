using System;
using System.Runtime.CompilerServices;

namespace StochasticBackprop.Benchmarks;

/// <summary>
/// The near-limit reference for W1–W3: one pass over raw doubles, no tensors, no stored arrays.
/// Draws ε (xoshiro256** and the Marsaglia polar method), computes z = θ + σε with σ = e^{αθ},
/// f(z) = min(z²/2, 2), the pathwise per-sample dθ gradient f'(z)·(1 + ασε) and the score-function one
/// f(z)·[(z − θ)/σ² + α((z − θ)²/σ² − 1)], and accumulates their sums, squares and cross products,
/// from which λ* = (Var_S − Cov)/(Var_P + Var_S − 2 Cov) (clipped to [0, 1]) and the combined mean follow.
/// Only dθ is computed (α does not require grad).
/// </summary>
public sealed class FusedLoop
{
    private readonly Xoshiro256StarStar random;

    public FusedLoop(ulong seed) => random = new Xoshiro256StarStar(seed);

    /// <summary>What one pass returns: the mean gradients, their standard errors and λ.</summary>
    public readonly record struct Result(double Value, double Mean, double StandardError, double PathwiseMean, double ScoreMean, double Lambda);

    /// <summary>W1: pathwise, score, λ* and the combination.</summary>
    public Result Hybrid(long n, double theta, double alpha)
    {
        double sigma = Math.Exp(alpha * theta);
        double sumF = 0, sumP = 0, sumS = 0, sumPP = 0, sumSS = 0, sumPS = 0;
        for (long i = 0; i < n; i += 2)
        {
            random.NormalPair(out double e1, out double e2);
            Accumulate(e1);
            if (i + 1 < n)
            {
                Accumulate(e2);
            }
        }

        double meanP = sumP / n, meanS = sumS / n;
        double varP = (sumPP - n * meanP * meanP) / (n - 1);
        double varS = (sumSS - n * meanS * meanS) / (n - 1);
        double cov = (sumPS - n * meanP * meanS) / (n - 1);
        double denominator = varP + varS - 2 * cov + 1e-12 * (varP + varS);
        double lambda = denominator > 0 ? Math.Clamp((varS - cov) / denominator, 0.0, 1.0) : 0.5;
        double mean = lambda * meanP + (1 - lambda) * meanS;
        // Var of the combined per-sample gradient λ g_P + (1 − λ) g_S.
        double varH = lambda * lambda * varP + (1 - lambda) * (1 - lambda) * varS + 2 * lambda * (1 - lambda) * cov;
        return new Result(sumF / n, mean, Math.Sqrt(Math.Max(varH, 0) / n), meanP, meanS, lambda);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        void Accumulate(double eps)
        {
            double z = theta + sigma * eps;
            double half = 0.5 * z * z;
            bool clipped = half >= 2.0;
            double f = clipped ? 2.0 : half;
            double df = clipped ? 0.0 : z;
            double gP = df * (1.0 + alpha * sigma * eps);
            // (z − θ)/σ² = ε/σ and (z − θ)²/σ² = ε².
            double gS = f * (eps / sigma + alpha * (eps * eps - 1.0));
            sumF += f;
            sumP += gP;
            sumS += gS;
            sumPP += gP * gP;
            sumSS += gS * gS;
            sumPS += gP * gS;
        }
    }

    /// <summary>W2: the pathwise part only.</summary>
    public Result Pathwise(long n, double theta, double alpha)
    {
        double sigma = Math.Exp(alpha * theta);
        double sumF = 0, sumP = 0, sumPP = 0;
        for (long i = 0; i < n; i += 2)
        {
            random.NormalPair(out double e1, out double e2);
            Accumulate(e1);
            if (i + 1 < n)
            {
                Accumulate(e2);
            }
        }
        double mean = sumP / n;
        double variance = (sumPP - n * mean * mean) / (n - 1);
        return new Result(sumF / n, mean, Math.Sqrt(Math.Max(variance, 0) / n), mean, double.NaN, 1.0);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        void Accumulate(double eps)
        {
            double z = theta + sigma * eps;
            double half = 0.5 * z * z;
            bool clipped = half >= 2.0;
            double gP = clipped ? 0.0 : z * (1.0 + alpha * sigma * eps);
            sumF += clipped ? 2.0 : half;
            sumP += gP;
            sumPP += gP * gP;
        }
    }

    /// <summary>W3: the score-function part only.</summary>
    public Result Score(long n, double theta, double alpha)
    {
        double sigma = Math.Exp(alpha * theta);
        double sumF = 0, sumS = 0, sumSS = 0;
        for (long i = 0; i < n; i += 2)
        {
            random.NormalPair(out double e1, out double e2);
            Accumulate(e1);
            if (i + 1 < n)
            {
                Accumulate(e2);
            }
        }
        double mean = sumS / n;
        double variance = (sumSS - n * mean * mean) / (n - 1);
        return new Result(sumF / n, mean, Math.Sqrt(Math.Max(variance, 0) / n), double.NaN, mean, 0.0);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        void Accumulate(double eps)
        {
            double z = theta + sigma * eps;
            double f = Math.Min(0.5 * z * z, 2.0);
            double gS = f * (eps / sigma + alpha * (eps * eps - 1.0));
            sumF += f;
            sumS += gS;
            sumSS += gS * gS;
        }
    }

    /// <summary>Runs the fused counterpart of W1, W2 or W3.</summary>
    public Result Run(string id) => id switch
    {
        "W1" => Hybrid(Workloads.ContinuousSamples, Workloads.Theta, Workloads.Alpha),
        "W2" => Pathwise(Workloads.ContinuousSamples, Workloads.Theta, Workloads.Alpha),
        "W3" => Score(Workloads.ContinuousSamples, Workloads.Theta, Workloads.Alpha),
        _ => throw new ArgumentException($"No fused loop for {id}.", nameof(id)),
    };

    /// <summary>Whether a workload has a fused counterpart.</summary>
    public static bool Covers(string id) => id is "W1" or "W2" or "W3";
}

/// <summary>xoshiro256** (Blackman and Vigna), seeded by splitmix64, with Marsaglia's polar method for normals.</summary>
public sealed class Xoshiro256StarStar
{
    private ulong s0, s1, s2, s3;

    public Xoshiro256StarStar(ulong seed)
    {
        s0 = SplitMix(ref seed);
        s1 = SplitMix(ref seed);
        s2 = SplitMix(ref seed);
        s3 = SplitMix(ref seed);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Next()
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform on (−1, 1) with 53 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double NextSigned() => (Next() >> 11) * (2.0 / (1UL << 53)) - 1.0;

    /// <summary>Two independent standard normals (Marsaglia polar method).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void NormalPair(out double first, out double second)
    {
        double u, v, s;
        do
        {
            u = NextSigned();
            v = NextSigned();
            s = u * u + v * v;
        }
        while (s >= 1.0 || s == 0.0);
        double m = Math.Sqrt(-2.0 * Math.Log(s) / s);
        first = u * m;
        second = v * m;
    }
}
