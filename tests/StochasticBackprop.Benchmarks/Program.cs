using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Running;

namespace StochasticBackprop.Benchmarks;

public static class Program
{
    private const string Usage = """
        StochasticBackprop benchmarks (run with -c Release)

          bdn [filter] [BenchmarkDotNet options]   BenchmarkDotNet over W1–W6 (and the fused loops); filter e.g. W1 or Fused
          compare [--rounds R] [--reps K] [--workloads W1,W2,...] [--out file.md] [--python PATH] [--warmup N]
                                                   interleaved CPU-time comparison: ours, the PyTorch twin, the fused loop
          check [--workloads ...] [--python PATH]  only the agreement check of the three sides' estimates
          latent [--rounds R] [--steps N] [--batch B]
                                                   CPU time per training step of a 784-200-200 belief net per site estimator
          cpu-resolution                           the smallest step of the process CPU clock
          checks [--rounds R] [--reps K] [--samples S]
                                                   CPU time of estimates with the finiteness checks on / off (Objective.CheckFinite)
        """;

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 1 : 0;
        }
        try
        {
            return args[0] switch
            {
                "bdn" => RunBenchmarkDotNet(args.Skip(1).ToArray()),
                "compare" => Compare.Run(ParseCompare(args)),
                "check" => RunCheck(ParseCompare(args)),
                "latent" => LatentModels.Run(args),
                "cpu-resolution" => CpuResolution(),
                "checks" => Checks.Run(args),
                _ => Fail($"unknown command '{args[0]}'"),
            };
        }
        catch (ArgumentException e)
        {
            return Fail(e.Message);
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        Console.Error.WriteLine(Usage);
        return 2;
    }

    private static int RunBenchmarkDotNet(string[] args)
    {
        var list = new List<string>(args);
        if (list.Count > 0 && !list[0].StartsWith('-'))
        {
            string filter = list[0];
            list.RemoveAt(0);
            list.InsertRange(0, new[] { "--filter", filter.Contains('*') ? filter : $"*{filter}*" });
        }
        else if (!list.Contains("--filter"))
        {
            list.InsertRange(0, new[] { "--filter", "*" });
        }
        BenchmarkSwitcher.FromTypes(new[] { typeof(EstimatorBenchmarks), typeof(FusedLoopBenchmarks) }).Run(list.ToArray());
        return 0;
    }

    private static int RunCheck(Compare.Options options)
    {
        var workloads = new Workloads();
        using var twin = new TwinClient(options.Python, options.Script);
        Console.WriteLine($"twin: {twin.Banner}");
        Console.WriteLine(Compare.Check(workloads, twin, new FusedLoop(20261123), options.Workloads));
        return 0;
    }

    private static int CpuResolution()
    {
        TimeSpan start = Machine.ProcessCpu();
        TimeSpan previous = start;
        var steps = new List<double>();
        var watch = Stopwatch.StartNew();
        while (steps.Count < 20 && watch.ElapsedMilliseconds < 2000)
        {
            TimeSpan now = Machine.ProcessCpu();
            if (now != previous)
            {
                steps.Add((now - previous).TotalMilliseconds);
                previous = now;
            }
        }
        var process = Process.GetCurrentProcess();
        TimeSpan p0 = process.TotalProcessorTime, p1 = p0;
        watch.Restart();
        while (p1 == p0 && watch.ElapsedMilliseconds < 2000)
        {
            process.Refresh();
            p1 = process.TotalProcessorTime;
        }
        Console.WriteLine($"Process.TotalProcessorTime steps (ms): {string.Join(", ", steps.Select(s => s.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}");
        Console.WriteLine($"Process.TotalProcessorTime on one Process object after Refresh(), first step: {(p1 - p0).TotalMilliseconds:F3} ms");
        return 0;
    }

    private static Compare.Options ParseCompare(string[] args)
    {
        int rounds = 5, reps = 10, warmup = 3;
        IReadOnlyList<string> workloads = Workloads.Ids;
        string? output = null;
        string python = "/usr/bin/python3";
        string script = Path.Combine(AppContext.BaseDirectory, "peer", "pytorch_twin.py");
        for (int i = 1; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--rounds": rounds = PositiveInt(Value(), "--rounds"); break;
                case "--reps": reps = PositiveInt(Value(), "--reps"); break;
                case "--warmup": warmup = PositiveInt(Value(), "--warmup"); break;
                case "--out": output = Value(); break;
                case "--python": python = Value(); break;
                case "--twin": script = Value(); break;
                case "--workloads":
                    workloads = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(w => w.ToUpperInvariant()).ToArray();
                    foreach (string w in workloads)
                    {
                        if (!Workloads.Ids.Contains(w))
                        {
                            throw new ArgumentException($"unknown workload '{w}'; expected some of {string.Join(",", Workloads.Ids)}");
                        }
                    }
                    break;
                default: throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }
        string commandLine = "dotnet run -c Release --project tests/StochasticBackprop.Benchmarks -- " + string.Join(" ", args);
        return new Compare.Options(rounds, reps, workloads, output, python, script, warmup, commandLine);
    }

    private static int PositiveInt(string text, string name) =>
        int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new ArgumentException($"{name} must be a positive integer; got '{text}'");
}
