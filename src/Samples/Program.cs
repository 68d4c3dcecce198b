using System;
using System.Globalization;
using System.Linq;
using StochasticBackprop.Samples;

// The sample program. Commands:
//   table  (default)  each sample distribution's estimators on f(z) = (z - 1)^2: mean gradient, closed-form truth, per-sample variance
//   bench             time per gradient estimate of each estimator, and resident memory over a long run
string command = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "table";
long samples = command == "bench" ? 10_000 : 100_000;
long seed = 20261123;
long dimension = 100;
int iterations = 20;
int memoryIterations = 1000;
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
        case "--help" or "-h":
            Console.WriteLine("usage: StochasticBackprop.Samples [table] [--samples N] [--seed S]");
            Console.WriteLine("       StochasticBackprop.Samples bench [--samples N] [--dimension D] [--iterations K] [--memory-iterations M]");
            Console.WriteLine();
            Console.WriteLine("table: each sample distribution's estimators on f(z) = (z - 1)^2: mean gradient, closed-form truth, per-sample variance (default 100000 samples).");
            Console.WriteLine("bench: wall-clock time per gradient estimate of each estimator (default 10000 samples of a batch of 100) and resident memory over M repeated estimates.");
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}' (try --help)");
            return 2;
    }
}

switch (command)
{
    case "table":
        Console.WriteLine(EstimatorTable.Format(EstimatorTable.Measure(samples, seed), samples));
        return 0;
    case "bench":
        var (timings, memory) = Benchmark.Run(samples, dimension, iterations, memoryIterations);
        Console.WriteLine(Benchmark.Format(timings, memory, samples, dimension, iterations));
        return 0;
    default:
        Console.Error.WriteLine($"unknown command '{command}' (try --help)");
        return 2;
}
