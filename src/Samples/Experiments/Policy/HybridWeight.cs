using System;
using System.Collections.Generic;
using System.Linq;

namespace StochasticBackprop.Samples.Experiments.Policy;

/// <summary>Where the hybrid's λ comes from.</summary>
internal enum LambdaSource
{
    /// <summary>Oden's (2025) Algorithm 1 on the last 32 samples <em>including</em> this iteration's episodes (Oden's (2025) choice; slightly biased).</summary>
    SameBatch,

    /// <summary>The last 32 samples of earlier iterations only: λ is independent of the samples it weights, so the hybrid is unbiased.</summary>
    Previous,
}

/// <summary>
/// A rolling buffer of the last <see cref="Capacity"/> (by default) per-episode gradient pairs (ĝ_path, ĝ_score) across
/// iterations, and Oden's (2025) Algorithm 1 on it: λ* = (v_M − c)/(v_P + v_M − 2c + ε), clipped to [0, 1], with
/// v and c the <em>total</em> (trace) per-episode variances and covariance over all D policy parameters:
/// one scalar λ for the whole gradient (<see cref="VarianceStatistics.OptimalLambda(double, double, double, double)"/>).
/// </summary>
internal sealed class GradientHistory
{
    public const int Capacity = 32;
    private readonly Queue<(double[] Pathwise, double[] Score)> samples = new();
    private readonly int capacity;

    /// <param name="capacity">How many of the latest pairs λ is computed from (Oden 2025: 32).</param>
    public GradientHistory(int capacity = Capacity) => this.capacity = capacity;

    public int Count => samples.Count;

    public void Add(double[] pathwise, double[] score)
    {
        samples.Enqueue((pathwise, score));
        while (samples.Count > capacity) samples.Dequeue();
    }

    /// <summary>λ* of the buffer; ½ while it holds fewer than two samples.</summary>
    public double Lambda()
    {
        if (samples.Count < 2) return 0.5;
        var (vp, vm, c) = TotalMoments(samples.Select(s => s.Pathwise).ToArray(), samples.Select(s => s.Score).ToArray());
        return VarianceStatistics.OptimalLambda(vp, vm, c);
    }

    /// <summary>Σ_j Var(a_j), Σ_j Var(b_j), Σ_j Cov(a_j, b_j) over rows (divisor n − 1).</summary>
    public static (double VarianceFirst, double VarianceSecond, double Covariance) TotalMoments(double[][] a, double[][] b)
    {
        int n = a.Length, d = a[0].Length;
        double va = 0, vb = 0, c = 0;
        for (int j = 0; j < d; j++)
        {
            double ma = 0, mb = 0;
            for (int i = 0; i < n; i++) { ma += a[i][j]; mb += b[i][j]; }
            ma /= n;
            mb /= n;
            for (int i = 0; i < n; i++)
            {
                double da = a[i][j] - ma, db = b[i][j] - mb;
                va += da * da;
                vb += db * db;
                c += da * db;
            }
        }
        return (va / (n - 1), vb / (n - 1), c / (n - 1));
    }

    /// <summary>Σ_j Var(a_j) over rows (divisor n − 1).</summary>
    public static double TotalVariance(double[][] a) => TotalMoments(a, a).VarianceFirst;

    /// <summary>λ·a + (1 − λ)·b, row by row.</summary>
    public static double[][] Mix(double[][] a, double[][] b, double lambda) =>
        a.Select((row, i) => row.Select((v, j) => lambda * v + (1 - lambda) * b[i][j]).ToArray()).ToArray();

    /// <summary>The mean row.</summary>
    public static double[] Mean(double[][] rows) =>
        Enumerable.Range(0, rows[0].Length).Select(j => rows.Average(r => r[j])).ToArray();
}
