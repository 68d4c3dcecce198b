using System;
using System.Globalization;
using StochasticBackprop.Samples;

// The sample program: the estimator table of README.md. Options: --samples N, --seed S.
long samples = 100_000;
long seed = 20261123;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--samples" when i + 1 < args.Length:
            samples = long.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--seed" when i + 1 < args.Length:
            seed = long.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--help" or "-h":
            Console.WriteLine("usage: StochasticBackprop.Samples [--samples N] [--seed S]");
            Console.WriteLine("Prints each sample distribution's estimators on f(z) = (z - 1)^2: mean gradient, closed-form truth, per-sample variance.");
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}' (try --help)");
            return 2;
    }
}

var rows = EstimatorTable.Measure(samples, seed);
Console.WriteLine(EstimatorTable.Format(rows, samples));
return 0;
