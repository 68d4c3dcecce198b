using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using StochasticBackprop.Samples;
using StochasticBackprop.Samples.Experiments;

// The sample program. Commands:
//   table  (default)         each sample distribution's estimators on f(z) = (z - 1)^2, then the site estimators on a belief net
//   bench                    time per gradient estimate of each estimator, resident memory over a long run
//   list                     the experiments of the suite
//   run <name>... | run all  run experiments; each writes a CSV, PNG plots and a Markdown report
//   index                    rebuild the suite's index from the reports already written
//   <name>                   shorthand for run <name>
string command = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "table";
var names = new List<string>();
long? samples = null;
long seed = 20261123;
long dimension = 100;
int iterations = 20;
int memoryIterations = 1000;
bool quick = false;
int threads = 1;
bool progress = !Console.IsErrorRedirected;
string output = DefaultOutputDirectory();
for (int i = command == args.FirstOrDefault() ? 1 : 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--samples" when i + 1 < args.Length:
            samples = long.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--seed" when i + 1 < args.Length:
            seed = long.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--dimension" when i + 1 < args.Length:
            dimension = long.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--iterations" when i + 1 < args.Length:
            iterations = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--memory-iterations" when i + 1 < args.Length:
            memoryIterations = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--out" when i + 1 < args.Length:
            output = args[++i];
            break;
        case "--threads" when i + 1 < args.Length:
            threads = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--quick":
            quick = true;
            break;
        case "--no-progress":
            progress = false;
            break;
        case "--help" or "-h":
            PrintHelp();
            return 0;
        case var name when !name.StartsWith('-') && command == "run":
            names.Add(name);
            break;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}' (try --help)");
            return 2;
    }
}

switch (command)
{
    case "table":
        long tableSamples = samples ?? 100_000;
        Console.WriteLine(EstimatorTable.Format(EstimatorTable.Measure(tableSamples, seed), tableSamples));
        Console.WriteLine();
        Console.WriteLine(ModelEstimatorTable.Format(ModelEstimatorTable.Measure(ModelEstimatorTable.DefaultEstimates, seed)));
        return 0;
    case "bench":
        long benchSamples = samples ?? 10_000;
        var (timings, memory) = Benchmark.Run(benchSamples, dimension, iterations, memoryIterations);
        Console.WriteLine(Benchmark.Format(timings, memory, benchSamples, dimension, iterations));
        return 0;
    case "list":
        foreach (IExperiment e in ExperimentCatalog.All) Console.WriteLine($"{e.Name,-28} {e.Source,-24} {e.Title}");
        return 0;
    case "run":
        return RunExperiments(names);
    case "index":
        new ExperimentRunner(output, seed, quick, Console.Out, progress).WriteIndex(Array.Empty<ExperimentRunner.Result>());
        Console.WriteLine($"index: {Path.GetFullPath(Path.Combine(output, "README.md"))}");
        return 0;
    default:
        if (ExperimentCatalog.Find(command) is not null) return RunExperiments(new[] { command });
        Console.Error.WriteLine($"unknown command or experiment '{command}' (try --help, or list)");
        return 2;
}

int RunExperiments(IReadOnlyList<string> selection)
{
    if (selection.Count == 0)
    {
        Console.Error.WriteLine("run: name the experiments to run, or 'all' (see list)");
        return 2;
    }
    var experiments = new List<IExperiment>();
    if (selection.Any(n => n == "all")) experiments.AddRange(ExperimentCatalog.All);
    foreach (string name in selection.Where(n => n != "all"))
    {
        if (ExperimentCatalog.Find(name) is not { } experiment)
        {
            Console.Error.WriteLine($"unknown experiment '{name}'; known: {string.Join(", ", ExperimentCatalog.All.Select(e => e.Name))}");
            return 2;
        }
        if (!experiments.Contains(experiment)) experiments.Add(experiment);
    }
    new ExperimentRunner(output, seed, quick, Console.Out, progress, threads).Run(experiments);
    Console.WriteLine($"index: {Path.GetFullPath(Path.Combine(output, "README.md"))}");
    return 0;
}

// The committed reports live in src/Samples/reports; run from the repository root (or from
// src/Samples) the default writes there, anywhere else into ./reports.
static string DefaultOutputDirectory() =>
    Directory.Exists(Path.Combine("src", "Samples")) ? Path.Combine("src", "Samples", "reports") : "reports";

static void PrintHelp()
{
    Console.WriteLine("""
        usage: StochasticBackprop.Samples [table] [--samples N] [--seed S]
               StochasticBackprop.Samples bench [--samples N] [--dimension D] [--iterations K] [--memory-iterations M]
               StochasticBackprop.Samples list
               StochasticBackprop.Samples run <experiment>... | all [--quick] [--seed S] [--out DIR] [--threads T] [--no-progress]
               StochasticBackprop.Samples <experiment> [--quick] [--seed S] [--out DIR]
               StochasticBackprop.Samples index [--out DIR]

        table  each sample distribution's estimators on f(z) = (z - 1)^2: mean gradient, closed-form truth,
               per-sample variance (default 100000 samples); then every site estimator on a tiny sigmoid belief
               net against its enumerated gradient (a fixed 2000 estimates of 2 particles; --seed applies).
        bench  wall-clock time per gradient estimate of each estimator (default 10000 samples of a batch of 100)
               and resident memory over M repeated estimates.
        list   the experiments of the suite.
        index  rebuilds DIR/README.md from the reports already in DIR.
        run    runs experiments; each writes raw results (CSV), plots (PNG) and a report (README.md) into
               DIR/<experiment>/, and DIR/README.md indexes them. DIR defaults to src/Samples/reports when run
               from the repository root, else ./reports. --quick uses smoke-test sizes (seconds, not meaningful).
               --threads: libtorch intra-op threads per experiment (default 1: the tensors are small).
        """);
    Console.WriteLine("experiments:");
    foreach (IExperiment e in ExperimentCatalog.All) Console.WriteLine($"  {e.Name,-28} {e.Source,-24} {e.Title}");
}
