using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using StochasticBackprop.Distributions;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples;

/// <summary>
/// A timed command: wall-clock time per gradient estimate of each estimator, and the process's
/// resident memory across a long run of estimates (it must stay flat: every estimate runs in a
/// dispose scope). Not a unit test: timings depend on the machine.
/// </summary>
public static class Benchmark
{
    /// <summary>One estimator's timing on one distribution.</summary>
    public sealed record Timing(string Distribution, string Estimator, double MeanMilliseconds, double StandardDeviationMilliseconds);

    public static (IReadOnlyList<Timing> Timings, IReadOnlyList<(int Iteration, double ResidentMegabytes)> Memory) Run(
        long sampleCount, long dimension, int iterations, int memoryIterations)
    {
        TorchBackend.EnsureAvailable();
        Objective objective = Objective.Separable(z => (z - Scalars.Of(1.0)).pow(Scalars.Of(2)));   // Scalars: see the README, "TorchSharp 0.107's temporary Scalars"
        var generator = new Generator(1);
        Tensor Vector(double value)
        {
            using Scalar fill = value.ToScalar();   // held for the native call
            return full(new[] { dimension }, fill, float64);
        }

        var distributions = new (string Name, Func<Dictionary<string, Func<GradientEstimate>>> Estimators)[]
        {
            ("Normal", () => Estimators(new Normal(Vector(0.5), Vector(1.2)), objective, sampleCount, generator)),
            ("Gamma", () => Estimators(new Gamma(Vector(2.0), Vector(1.5)), objective, sampleCount, generator)),
            ("Laplace", () => Estimators(new Laplace(Vector(0.5), Vector(0.8)), objective, sampleCount, generator)),
        };

        var timings = new List<Timing>();
        foreach (var (name, make) in distributions)
        {
            foreach (var (estimator, estimate) in make())
            {
                var milliseconds = new List<double>();
                for (int i = 0; i < iterations + 2; i++)
                {
                    using var scope = NewDisposeScope();
                    var watch = Stopwatch.StartNew();
                    estimate().Surrogate.item<double>();
                    watch.Stop();
                    if (i >= 2) milliseconds.Add(watch.Elapsed.TotalMilliseconds); // two warm-up runs
                }
                double mean = milliseconds.Average();
                double sd = Math.Sqrt(milliseconds.Sum(m => (m - mean) * (m - mean)) / Math.Max(1, milliseconds.Count - 1));
                timings.Add(new Timing(name, estimator, mean, sd));
            }
        }

        // Memory over a long run of the most allocation-heavy estimator (Fourier: N backward passes).
        var memory = new List<(int, double)>();
        var gamma = new Gamma(Vector(2.0), Vector(1.5));
        for (int i = 0; i <= memoryIterations; i++)
        {
            using (NewDisposeScope())
            {
                gamma.Fourier(objective, sampleCount, 4, generator).Surrogate.item<double>();
                gamma.Hybrid(objective, sampleCount, null, generator).Surrogate.item<double>();
            }
            if (i % Math.Max(1, memoryIterations / 10) == 0)
            {
                memory.Add((i, ResidentMegabytes()));
            }
        }
        return (timings, memory);
    }

    private static Dictionary<string, Func<GradientEstimate>> Estimators<T>(T d, Objective f, long s, Generator g)
        where T : IReparameterizedDistribution, IScoredDistribution, ICumulantDistribution => new()
    {
        ["pathwise"] = () => StochasticBackprop.Estimators.Pathwise(d, f, s, g),
        ["score"] = () => StochasticBackprop.Estimators.ScoreFunction(d, f, s, null, g),
        ["score+leave-one-out"] = () => StochasticBackprop.Estimators.ScoreFunction(d, f, s, Baseline.LeaveOneOut, g),
        ["fourier(N=2)"] = () => StochasticBackprop.Estimators.Fourier(d, f, s, 2, g),
        ["fourier(N=4)"] = () => StochasticBackprop.Estimators.Fourier(d, f, s, 4, g),
        ["hybrid"] = () => new HybridEstimator().Estimate(d, f, s, g),
    };

    /// <summary>Resident set size from /proc (Linux), in MiB: includes libtorch's native allocations.</summary>
    private static double ResidentMegabytes()
    {
        string[] fields = System.IO.File.ReadAllText("/proc/self/statm").Split(' ');
        return long.Parse(fields[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize / (1024.0 * 1024.0);
    }

    public static string Format(IReadOnlyList<Timing> timings, IReadOnlyList<(int Iteration, double ResidentMegabytes)> memory, long sampleCount, long dimension, int iterations)
    {
        var lines = new List<string>
        {
            $"Time per gradient estimate: f(z) = sum_j (z_j - 1)^2, batch shape [{dimension}], {sampleCount} samples, float64, mean ± sd over {iterations} runs after 2 warm-ups ({Environment.ProcessorCount} cores)",
            "",
            $"{"distribution",-12} {"estimator",-22} {"ms / estimate",14} {"sd",8} {"vs pathwise",12}",
            new string('-', 72),
        };
        foreach (var group in timings.GroupBy(t => t.Distribution))
        {
            double pathwise = group.First(t => t.Estimator == "pathwise").MeanMilliseconds;
            foreach (Timing t in group)
            {
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{t.Distribution,-12} {t.Estimator,-22} {t.MeanMilliseconds,14:F2} {t.StandardDeviationMilliseconds,8:F2} {t.MeanMilliseconds / pathwise,11:F2}x"));
            }
        }
        lines.Add("");
        lines.Add("Resident memory across repeated Gamma Fourier(N=4) + hybrid estimates (MiB; glibc keeps freed large buffers");
        lines.Add("unless MALLOC_MMAP_THRESHOLD_ is set, so the level is the earlier peak: look at whether it grows):");
        lines.Add(string.Join("  ", memory.Select(m => string.Create(CultureInfo.InvariantCulture, $"#{m.Iteration}: {m.ResidentMegabytes:F0}"))));
        return string.Join(Environment.NewLine, lines);
    }
}
