using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Hybrid;

/// <summary>
/// The α sweep behind Oden (2025), Figures 1 and 4: for each α in [0.5, 3] and each loss, R replicates of the
/// pathwise, score and hybrid estimators of dL/dθ at θ = 0.8 on N samples.
/// </summary>
internal static class AlphaSweep
{
    public sealed record Point(Loss Loss, double Alpha, double TrueGradient, HybridDraw[] Draws);

    public static double[] Alphas(ExperimentContext context) =>
        context.Quick
            ? new[] { 0.5, 1.0, 1.5, 2.0, 2.5, 3.0 }
            : Enumerable.Range(0, 11).Select(i => 0.5 + 0.25 * i).ToArray();

    // Figures 1 and 4 share one sweep: within one process (run all) the second reuses the first's draws.
    private static readonly Dictionary<(long Seed, bool Quick), IReadOnlyList<Point>> Cache = new();

    public static IReadOnlyList<Point> Run(ExperimentContext context, string label)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue((context.Seed, context.Quick), out IReadOnlyList<Point>? points))
            {
                points = Compute(context, label);
                Cache[(context.Seed, context.Quick)] = points;
            }
            return points;
        }
    }

    /// <summary>Var ĝ_M / Var ĝ_P per sample, pooled over replicates.</summary>
    public static double VarianceRatio(Point p) => p.Draws.Average(d => d.ScoreVariance) / p.Draws.Average(d => d.PathwiseVariance);

    private static IReadOnlyList<Point> Compute(ExperimentContext context, string label)
    {
        long n = context.Size(CoupledGaussian.PaperSamples, 10_000L);
        int replicates = context.Size(CoupledGaussian.PaperReplicates, 5);
        double[] alphas = Alphas(context);
        var points = new List<Point>();
        using var progress = context.Progress(label, Loss.Both.Count * alphas.Length * replicates);
        foreach (Loss loss in Loss.Both)
        {
            for (int a = 0; a < alphas.Length; a++)
            {
                double alpha = alphas[a];
                var draws = new HybridDraw[replicates];
                for (int r = 0; r < replicates; r++)
                {
                    // Stream per (loss, α, replicate): any point can be rerun alone.
                    var generator = new Generator(context.StreamSeed(200_000 + 10_000 * (loss == Loss.Hinge ? 0 : 1) + 100 * a + r));
                    draws[r] = HybridDraw.Measure(CoupledGaussian.Create(CoupledGaussian.Theta, alpha), loss.Objective, n, generator);
                    progress.Tick();
                }
                points.Add(new Point(loss, alpha, CoupledGaussian.TrueGradient(loss, CoupledGaussian.Theta, alpha), draws));
            }
        }
        return points;
    }

    public static CsvTable Csv(IReadOnlyList<Point> points, long sampleCount)
    {
        var raw = new CsvTable("loss", "alpha", "true_gradient", "samples", "replicate", "pathwise", "score", "hybrid", "lambda",
            "var_pathwise_per_sample", "var_score_per_sample", "cov_per_sample", "var_hybrid_per_sample", "variance_reduction_percent");
        foreach (Point p in points)
        {
            for (int r = 0; r < p.Draws.Length; r++)
            {
                HybridDraw d = p.Draws[r];
                raw.Add(p.Loss.Name, p.Alpha, p.TrueGradient, sampleCount, r, d.Pathwise, d.Score, d.Hybrid, d.Lambda,
                    d.PathwiseVariance, d.ScoreVariance, d.Covariance, d.HybridVariance, d.VarianceReductionPercent);
            }
        }
        return raw;
    }

    /// <summary>True when the series rises (Spearman-like: more increasing than decreasing steps, and last above first).</summary>
    public static string Trend(IReadOnlyList<double> values)
    {
        int up = 0, down = 0;
        for (int i = 1; i < values.Count; i++)
        {
            if (values[i] > values[i - 1]) up++;
            else if (values[i] < values[i - 1]) down++;
        }
        if (up > 0 && down == 0) return "rises monotonically";
        if (down > 0 && up == 0) return "falls monotonically";
        return values[^1] > values[0] ? "rises overall (not monotonically)" : values[^1] < values[0] ? "falls overall (not monotonically)" : "is flat";
    }
}
