using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace StochasticBackprop.Benchmarks;

/// <summary>
/// The interleaved comparison: per round and workload, the library K times, the PyTorch twin K times,
/// then the fused C# loop K times; process CPU time per estimate (and wall time), medians over rounds.
/// </summary>
public static class Compare
{
    public sealed record Options(int Rounds, int Reps, IReadOnlyList<string> Workloads, string? Out, string Python, string Script, int WarmupReps, string CommandLine);

    private sealed class Series
    {
        public readonly List<double> OursCpu = new();
        public readonly List<double> OursWall = new();
        public readonly List<double> TwinCpu = new();
        public readonly List<double> TwinWall = new();
        public readonly List<double> FusedCpu = new();
        public readonly List<double> FusedWall = new();
    }

    public static int Run(Options options)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        string date = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        string commit = Git("rev-parse --short HEAD");
        string library = Git("log -1 --format=%h -- src");
        if (Git("status --porcelain --untracked-files=no -- src tests/StochasticBackprop.Benchmarks") is { Length: > 0 } changes && changes != "unknown")
        {
            commit += " with uncommitted changes";
        }
        double loadBefore = LoadAverage();
        double rssStart = Machine.ResidentMegabytes();

        var workloads = new Workloads();
        var fused = new FusedLoop(20261123);
        using var twin = new TwinClient(options.Python, options.Script);
        Console.WriteLine($"compare: {options.Rounds} rounds x {options.Reps} reps, workloads {string.Join(",", options.Workloads)}; {Environment.ProcessorCount} cores; load average (1 min) {loadBefore:F2}");
        Console.WriteLine($"twin: {twin.Banner}");

        // Warm-up: JIT, libtorch's allocator and kernels, Python's caches.
        foreach (string id in options.Workloads)
        {
            for (int i = 0; i < options.WarmupReps; i++)
            {
                workloads.Run(id);
            }
            twin.Run(id, options.WarmupReps);
            if (FusedLoop.Covers(id))
            {
                for (int i = 0; i < options.WarmupReps; i++)
                {
                    fused.Run(id);
                }
            }
        }
        double rssWarm = Machine.ResidentMegabytes();
        double twinRssWarm = twin.ResidentMegabytes();

        string check = Check(workloads, twin, fused, options.Workloads);
        Console.WriteLine(check);

        var series = options.Workloads.ToDictionary(id => id, _ => new Series());
        var residentByRound = new List<double>();
        double oursCpuTotal = 0, oursWallTotal = 0, twinCpuTotal = 0, twinWallTotal = 0;
        for (int round = 0; round < options.Rounds; round++)
        {
            foreach (string id in options.Workloads)
            {
                Series s = series[id];
                var (cpu, wall) = Measure(options.Reps, () => workloads.Run(id));
                s.OursCpu.Add(cpu);
                s.OursWall.Add(wall);
                oursCpuTotal += cpu;
                oursWallTotal += wall;

                var (twinCpu, twinWall) = twin.Run(id, options.Reps);
                s.TwinCpu.Add(twinCpu.Average());
                s.TwinWall.Add(twinWall.Average());
                twinCpuTotal += twinCpu.Average();
                twinWallTotal += twinWall.Average();

                if (FusedLoop.Covers(id))
                {
                    var (fusedCpu, fusedWall) = Measure(options.Reps, () => fused.Run(id));
                    s.FusedCpu.Add(fusedCpu);
                    s.FusedWall.Add(fusedWall);
                }
            }
            Console.WriteLine($"round {round + 1}/{options.Rounds}: " + string.Join("  ", options.Workloads.Select(id =>
                $"{id} {series[id].OursCpu[^1]:F1}/{series[id].TwinCpu[^1]:F1}" + (FusedLoop.Covers(id) ? $"/{series[id].FusedCpu[^1]:F2}" : "") + " ms")) +
                $"  (load {LoadAverage():F2}, RSS {Machine.ResidentMegabytes():F0} MiB)");
            residentByRound.Add(Machine.ResidentMegabytes());
        }

        double loadAfter = LoadAverage();
        double rssEnd = Machine.ResidentMegabytes();
        double twinRssEnd = twin.ResidentMegabytes();

        var report = new StringBuilder();
        report.AppendLine("# Benchmark: StochasticBackprop vs a PyTorch-eager twin vs a fused C# loop");
        report.AppendLine();
        report.AppendLine($"- date: {date}");
        report.AppendLine($"- commit: {commit} (last commit touching the library, src/: {library})");
        report.AppendLine($"- command: `{options.CommandLine}`");
        report.AppendLine($"- machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, TorchSharp libtorch threads 1; twin {twin.Banner}");
        report.AppendLine($"- 1-minute load average: {loadBefore:F2} before, {loadAfter:F2} after");
        report.AppendLine($"- ours, process CPU / wall over the timed estimates: {oursCpuTotal / oursWallTotal:F2} (above 1: GC and other runtime threads); twin: {twinCpuTotal / twinWallTotal:F2}");
        report.AppendLine($"- resident set size, ours: {rssStart:F0} MiB at start, {rssWarm:F0} MiB after warm-up, {rssEnd:F0} MiB after the run (after each round: {string.Join(", ", residentByRound.Select(r => r.ToString("F0", CultureInfo.InvariantCulture)))}); twin: {twinRssWarm:F0} MiB after warm-up, {twinRssEnd:F0} MiB after");
        report.AppendLine();
        report.AppendLine($"Milliseconds of process CPU time per estimate: per round the mean over {options.Reps} estimates, then the median over {options.Rounds} rounds " +
                          "(ours range: min–max over rounds). Ratios are medians of the per-round ratios (the sides run back to back within a round).");
        report.AppendLine();
        report.AppendLine("| workload | what | ours ms | ours range | ours wall ms | PyTorch ms | fused ms | ours/PyTorch | ours/fused |");
        report.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (string id in options.Workloads)
        {
            Series s = series[id];
            bool hasFused = s.FusedCpu.Count > 0;
            report.AppendLine($"| {id} | {Workloads.Descriptions[id]} | {Median(s.OursCpu):F2} | {s.OursCpu.Min():F1}–{s.OursCpu.Max():F1} | {Median(s.OursWall):F2} | {Median(s.TwinCpu):F2} | " +
                              (hasFused ? $"{Median(s.FusedCpu):F3}" : "–") + " | " +
                              $"{MedianRatio(s.OursCpu, s.TwinCpu):F2}× | " +
                              (hasFused ? $"{MedianRatio(s.OursCpu, s.FusedCpu):F1}×" : "–") + " |");
        }
        if (series.TryGetValue("W1", out Series? hybrid) && series.TryGetValue("W2", out Series? pathwise))
        {
            report.AppendLine();
            report.AppendLine("| derived | ours | PyTorch | fused |");
            report.AppendLine("| --- | ---: | ---: | ---: |");
            report.AppendLine($"| hybrid/pathwise (W1/W2) | {MedianRatio(hybrid.OursCpu, pathwise.OursCpu):F2} | {MedianRatio(hybrid.TwinCpu, pathwise.TwinCpu):F2} | {MedianRatio(hybrid.FusedCpu, pathwise.FusedCpu):F2} |");
        }
        report.AppendLine();
        report.AppendLine("Agreement of the estimates (one estimate each, independent draws; z = difference / combined standard error):");
        report.AppendLine();
        report.Append(check);

        string text = report.ToString();
        Console.WriteLine();
        Console.WriteLine(text);
        if (options.Out is { } path)
        {
            string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }
            File.WriteAllText(path, text);
            Console.WriteLine($"wrote {path}");
        }
        return 0;
    }

    /// <summary>The estimates of each side, with their standard errors, and whether they agree within Monte Carlo error.</summary>
    public static string Check(Workloads workloads, TwinClient? twin, FusedLoop fused, IReadOnlyList<string> ids)
    {
        var text = new StringBuilder();
        text.AppendLine("| workload | quantity | ours ± SE | PyTorch ± SE | fused ± SE | z ours−PyTorch | z ours−fused | λ ours / PyTorch / fused |");
        text.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        bool allAgree = true;
        foreach (string id in ids)
        {
            var ours = workloads.Statistics(id, out double? oursLambda);
            var (twinStats, twinLambda) = twin is null ? (null, null) : twin.Statistics(id);
            FusedLoop.Result? fusedResult = FusedLoop.Covers(id) ? fused.Run(id) : null;
            for (int q = 0; q < ours.Length; q++)
            {
                var (name, mean, se) = ours[q];
                string twinCell = "–", fusedCell = "–", zTwin = "–", zFused = "–";
                if (twinStats is not null)
                {
                    var t = twinStats[q];
                    twinCell = $"{t.Mean:G5} ± {t.StandardError:G2}";
                    double z = Z(mean, se, t.Mean, t.StandardError);
                    zTwin = $"{z:F2}";
                    allAgree &= Math.Abs(z) < 4;
                }
                if (fusedResult is { } f)
                {
                    fusedCell = $"{f.Mean:G5} ± {f.StandardError:G2}";
                    double z = Z(mean, se, f.Mean, f.StandardError);
                    zFused = $"{z:F2}";
                    allAgree &= Math.Abs(z) < 4;
                }
                string lambdas = oursLambda is null ? "–" :
                    $"{oursLambda:F3} / {(twinLambda is null ? "–" : twinLambda.Value.ToString("F3", CultureInfo.InvariantCulture))} / {(fusedResult is { } fr ? fr.Lambda.ToString("F3", CultureInfo.InvariantCulture) : "–")}";
                text.AppendLine($"| {id} | {name} | {mean:G5} ± {se:G2} | {twinCell} | {fusedCell} | {zTwin} | {zFused} | {lambdas} |");
            }
        }
        text.AppendLine();
        text.AppendLine(allAgree ? "All estimates agree within 4 standard errors." : "**Some estimates differ by 4 or more standard errors.**");
        return text.ToString();
    }

    private static double Z(double a, double seA, double b, double seB)
    {
        // A floor for estimates that are exact up to rounding (W5: f separable makes local expectation exact).
        double se = Math.Max(Math.Sqrt(seA * seA + seB * seB), 1e-9 * Math.Max(Math.Abs(a), Math.Abs(b)));
        return se > 0 ? (a - b) / se : (a == b ? 0 : double.PositiveInfinity);
    }

    /// <summary>Process CPU milliseconds and wall milliseconds per call, averaged over <paramref name="reps"/> calls.</summary>
    private static (double CpuMs, double WallMs) Measure(int reps, Action action)
    {
        TimeSpan cpu0 = Machine.ProcessCpu();
        long wall0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < reps; i++)
        {
            action();
        }
        double wall = Stopwatch.GetElapsedTime(wall0).TotalMilliseconds;
        double cpu = (Machine.ProcessCpu() - cpu0).TotalMilliseconds;
        return (cpu / reps, wall / reps);
    }

    private static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        double[] sorted = values.OrderBy(v => v).ToArray();
        int m = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[m] : 0.5 * (sorted[m - 1] + sorted[m]);
    }

    private static double MedianRatio(IReadOnlyList<double> numerator, IReadOnlyList<double> denominator) =>
        Median(numerator.Zip(denominator, (a, b) => a / b).ToArray());

    private static double LoadAverage() => Machine.LoadAverage();

    private static string Git(string arguments)
    {
        try
        {
            var start = new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using Process? git = Process.Start(start);
            if (git is null)
            {
                return "unknown";
            }
            string output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 && output.Length > 0 ? output : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}

/// <summary>Process and machine readings (Linux /proc).</summary>
public static class Machine
{
    /// <summary>
    /// Process CPU time (user + system, all threads, so GC and finalizer threads too). For the current
    /// process .NET reads it with microsecond resolution on Linux (`cpu-resolution` shows the step).
    /// </summary>
    public static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>The 1-minute load average from /proc/loadavg (NaN where unavailable).</summary>
    public static double LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    /// <summary>Resident set size from /proc/self/statm, in MiB (libtorch's native allocations included).</summary>
    public static double ResidentMegabytes()
    {
        try
        {
            string[] fields = File.ReadAllText("/proc/self/statm").Split(' ');
            return long.Parse(fields[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize / (1024.0 * 1024.0);
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }
}
