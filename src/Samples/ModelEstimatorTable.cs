using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using StochasticBackprop.Models;
using StochasticBackprop.Samples.Experiments;
using StochasticBackprop.Samples.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples;

/// <summary>
/// The second table: every site estimator of the model API applied to both sites of <see cref="TinyBeliefNet"/>,
/// measured against the exact gradient by enumeration (the evidence lower bound's; for VIMCO the importance-weighted
/// bound's with K = 2). Per estimator: the largest and the median deviation |mean − truth|/SE over all parameter
/// coordinates, the total gradient variance of one estimate, the process CPU time per estimate and the biased flag.
/// Nothing in it is typed in: every number is measured when the table is made.
/// </summary>
public static class ModelEstimatorTable
{
    /// <summary>Particles per estimate for every estimator (VIMCO's K, the leave-one-out baseline's group, local expectation's inner samples).</summary>
    public const int Particles = 2;

    /// <summary>Independent estimates per estimator in the sample program's table.</summary>
    public const int DefaultEstimates = 2000;

    /// <summary>One estimator's row.</summary>
    /// <param name="Estimator">The site estimator's name (both sites use it), or <c>vimco</c> for score sites under the importance-weighted bound.</param>
    /// <param name="Bound"><c>elbo</c>, or <c>iwae K=2</c>.</param>
    /// <param name="Particles">Particles per estimate.</param>
    /// <param name="MaxDeviation">The largest |mean − truth|/SE over the parameter coordinates.</param>
    /// <param name="MedianDeviation">The median of the same.</param>
    /// <param name="TotalVariance">Σ over every coordinate of the variance of one estimate (across the independent estimates).</param>
    /// <param name="GuideVariance">The same sum over the guide's coordinates only (where the estimators differ most).</param>
    /// <param name="CpuMilliseconds">Process CPU time per estimate (the estimate and its backward pass), milliseconds.</param>
    /// <param name="Biased">The site estimator's <see cref="SiteEstimator.Biased"/>.</param>
    public sealed record Row(string Estimator, string Bound, int Particles, double MaxDeviation, double MedianDeviation, double TotalVariance, double GuideVariance, double CpuMilliseconds, bool Biased)
    {
        /// <summary>The total variance times the particles per estimate: the variance per particle's worth of samples, to compare estimators with different particle counts.</summary>
        public double VariancePerParticle => TotalVariance * Particles;
    }

    /// <summary>A measured table and the conditions it was measured under.</summary>
    public sealed record Result(IReadOnlyList<Row> Rows, int Estimates, long Seed, int Coordinates, int GuideCoordinates, string LoadBefore, string LoadAfter, int Threads);

    private sealed record Entry(Func<(SiteEstimator First, SiteEstimator Second)> Make, bool Iwae);

    /// <summary>The estimators in the table's order; each call builds fresh instances (REBAR and RELAX hold state).</summary>
    private static IEnumerable<Entry> Entries()
    {
        static Entry Both(Func<SiteEstimator> make) => new(() => (make(), make()), Iwae: false);
        yield return Both(() => SiteEstimator.Score());
        yield return Both(() => SiteEstimator.Score(ScoreBaseline.LeaveOneOut));
        yield return Both(() => SiteEstimator.LocalExpectation);
        yield return Both(() => SiteEstimator.Arm);
        yield return Both(() => SiteEstimator.DisArm);
        yield return Both(() => SiteEstimator.Rebar());
        yield return new Entry(() => (SiteEstimator.Relax(TinyBeliefNet.Z1), SiteEstimator.Relax(TinyBeliefNet.Z2)), Iwae: false);
        yield return Both(() => SiteEstimator.GumbelSoftmax(1.0));
        yield return Both(() => SiteEstimator.StraightThrough(1.0));
        yield return new Entry(() => (SiteEstimator.Score(), SiteEstimator.Score()), Iwae: true);
    }

    /// <summary>
    /// Measures every estimator with <paramref name="estimates"/> independent estimates of <see cref="Particles"/>
    /// particles each, on one libtorch intra-op thread (restored afterwards). Each estimator draws from its own generator seeded with <paramref name="seed"/>; RELAX's network
    /// is initialised after <c>torch.manual_seed(seed)</c>. REBAR's and RELAX's control variates are not trained.
    /// </summary>
    public static Result Measure(int estimates, long seed)
    {
        if (estimates < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(estimates), estimates, "The variance needs at least 2 estimates.");
        }
        TorchBackend.EnsureAvailable();
        // One intra-op thread, as the experiments run (see IntraOpThreads): the tensors are tiny, and with two threads
        // OpenMP's hand-off multiplied the CPU time per estimate up to fivefold
        // (RELAX: 60 ms against 11 ms, measured on a loaded 2-core machine).
        using IntraOpThreads threads = IntraOpThreads.Use(1);
        string loadBefore = LoadAverage();
        using DisposeScope outer = torch.NewDisposeScope();
        var net = new TinyBeliefNet();
        double[] elboTruth = net.ExactElboGradient();
        double[] iwaeTruth = net.ExactIwae2Gradient();
        int guide = net.GuideCoordinates;
        var rows = new List<Row>();
        foreach (Entry entry in Entries())
        {
            torch.manual_seed(seed);
            (SiteEstimator first, SiteEstimator second) = entry.Make();
            LatentModel model = net.Build(first, second);
            double[] truth = entry.Iwae ? iwaeTruth : elboTruth;

            // One estimate outside the timing, from another stream: the first finds the sites' dependencies.
            var warmUp = new Generator((ulong)seed ^ 0x5DEECE66DUL);
            Estimate(net, model, entry.Iwae, warmUp);
            GC.Collect();
            GC.WaitForPendingFinalizers();

            var generator = new Generator((ulong)seed);
            var gradients = new double[estimates][];
            TimeSpan cpuStart = CpuTime();
            for (int i = 0; i < estimates; i++)
            {
                gradients[i] = Estimate(net, model, entry.Iwae, generator);
            }
            double cpuMilliseconds = (CpuTime() - cpuStart).TotalMilliseconds / estimates;

            var deviations = new double[truth.Length];
            double total = 0, guideTotal = 0;
            for (int j = 0; j < truth.Length; j++)
            {
                double mean = 0;
                for (int i = 0; i < estimates; i++)
                {
                    mean += gradients[i][j];
                }
                mean /= estimates;
                double squares = 0;
                for (int i = 0; i < estimates; i++)
                {
                    double d = gradients[i][j] - mean;
                    squares += d * d;
                }
                double variance = squares / (estimates - 1);
                deviations[j] = Deviation(mean, Math.Sqrt(variance / estimates), truth[j]);
                total += variance;
                if (j < guide)
                {
                    guideTotal += variance;
                }
            }
            Array.Sort(deviations);
            double median = deviations.Length % 2 == 1
                ? deviations[deviations.Length / 2]
                : 0.5 * (deviations[deviations.Length / 2 - 1] + deviations[deviations.Length / 2]);
            string name = entry.Iwae ? "vimco" : first.Name;
            rows.Add(new Row(name, entry.Iwae ? $"iwae K={Particles}" : "elbo", Particles, deviations[^1], median, total, guideTotal, cpuMilliseconds, first.Biased || second.Biased));
        }
        return new Result(rows, estimates, seed, elboTruth.Length, guide, loadBefore, LoadAverage(), torch.get_num_threads());
    }

    /// <summary>One estimate's gradient w.r.t. every parameter of the net, flattened.</summary>
    private static double[] Estimate(TinyBeliefNet net, LatentModel model, bool iwae, Generator generator)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using ElboEstimate estimate = iwae ? model.Iwae(net.Data, Particles, generator) : model.Elbo(net.Data, Particles, generator);
        return net.GradientOf(estimate.Surrogate);
    }

    /// <summary>|mean − truth| in standard errors, with <see cref="EstimatorTable.Row.Deviation"/>'s rule when there is no noise.</summary>
    private static double Deviation(double mean, double standardError, double truth)
        => standardError > 1e-12 * Math.Max(1, Math.Abs(truth))
            ? Math.Abs(mean - truth) / standardError
            : Math.Abs(mean - truth) <= 1e-9 * Math.Max(1, Math.Abs(truth)) ? 0 : double.PositiveInfinity;

    private static TimeSpan CpuTime()
    {
        using Process process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>The 1-, 5- and 15-minute load averages from /proc/loadavg, or <c>n/a</c> where there is none.</summary>
    private static string LoadAverage()
    {
        try
        {
            string[] fields = File.ReadAllText("/proc/loadavg").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return string.Join(" ", fields.Take(3));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return "n/a";
        }
    }

    /// <summary>The table as text, with the conditions it was measured under.</summary>
    public static string Format(Result result)
    {
        string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        var lines = new List<string>
        {
            Invariant($"Tiny sigmoid belief net (src/Samples/Models/TinyBeliefNet.cs: x in {{0,1}}^4, z1 in {{0,1}}^3, z2 in {{0,1}}^2, 2 data points), both sites with the named estimator;"),
            Invariant($"{result.Estimates} independent estimates of {Particles} particles each per estimator, seed {result.Seed}; truth = exact gradient by enumeration (ELBO; for vimco the IWAE bound with K = {Particles});"),
            Invariant($"dev = |mean - truth| / SE over all {result.Coordinates} parameter coordinates ({result.GuideCoordinates} in the guide); var = sum over coordinates of one estimate's variance;"),
            Invariant($"var x particles = per-particle variance; cpu = process CPU time per estimate incl. backward (libtorch intra-op threads: {result.Threads}; load average {result.LoadBefore} before, {result.LoadAfter} after);"),
            "rebar and relax with untrained control variates (lambda 0.5, eta 1, relax's 100-unit network at its seeded initialisation);",
            "every estimator starts from the same seed, so rows share random numbers: estimators that draw the sites alike share the model's",
            "(decoder and prior) pathwise coordinates, and their max dev can be one shared coordinate.",
            "",
            $"{"estimator",-38} {"bound",-9} {"max dev",8} {"med dev",8} {"var (all)",11} {"var (guide)",11} {"var x part",11} {"cpu ms",8}  biased",
            new string('-', 115),
        };
        foreach (Row row in result.Rows)
        {
            lines.Add(Invariant(
                $"{row.Estimator,-38} {row.Bound,-9} {row.MaxDeviation,8:F2} {row.MedianDeviation,8:F2} {row.TotalVariance,11:G4} {row.GuideVariance,11:G4} {row.VariancePerParticle,11:G4} {row.CpuMilliseconds,8:F2}  {(row.Biased ? "yes" : "no")}"));
        }
        return string.Join(Environment.NewLine, lines);
    }
}
