using System;
using System.Globalization;
using System.Linq;
using StochasticBackprop.Distributions;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Benchmarks;

/// <summary>
/// `checks`: the process CPU time of estimates with the finiteness checks on (the default) against off
/// (<see cref="Objective.CheckFinite"/> = false), interleaved round by round so that machine load falls on both alike.
/// Prints the ratio checked / unchecked per workload and the 1-minute load average before and after.
/// </summary>
public static class Checks
{
    public static int Run(string[] args)
    {
        int rounds = Option(args, "--rounds", 5);
        int reps = Option(args, "--reps", 20);
        long samples = Option(args, "--samples", 10_000);
        TorchBackend.EnsureAvailable();
        Tensor mu = torch.zeros(16, dtype: ScalarType.Float64), sigma = torch.ones(16, dtype: ScalarType.Float64);
        Tensor p = torch.full(16, Scalars.Of(0.3), dtype: ScalarType.Float64);
        (string Name, Action<Objective> Run)[] workloads =
        {
            ("Normal[16] pathwise, f = sum z^2", f => new Normal(mu, sigma).Pathwise(f, samples).Dispose()),
            ("Normal[16] score function, f = sum z^2", f => new Normal(mu, sigma).ScoreFunction(f, samples).Dispose()),
            ("Normal[16] fourier N=2, f = sum z^2", f => ((ICumulantDistribution)new Normal(mu, sigma)).Fourier(f, samples, 2).Dispose()),
            ("Bernoulli[16] local expectation, f = sum z^2", f => new Bernoulli(p).LocalExpectation(f, samples).Dispose()),
        };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"checks: S = {samples}, {rounds} rounds x {reps} estimates per side; load average (1 min) before {Machine.LoadAverage():F2}"));
        foreach ((string name, Action<Objective> run) in workloads)
        {
            Objective on = Objective.Separable(z => z.pow(Scalars.Of(2)));
            Objective off = Objective.Separable(z => z.pow(Scalars.Of(2)));
            off.CheckFinite = false;
            run(on);
            run(off);
            TimeSpan checkedTime = TimeSpan.Zero, uncheckedTime = TimeSpan.Zero;
            for (int round = 0; round < rounds; round++)
            {
                foreach (bool first in round % 2 == 0 ? new[] { true, false } : new[] { false, true })
                {
                    TimeSpan start = Machine.ProcessCpu();
                    for (int i = 0; i < reps; i++)
                    {
                        using DisposeScope scope = torch.NewDisposeScope();
                        run(first ? on : off);
                    }
                    TimeSpan spent = Machine.ProcessCpu() - start;
                    if (first)
                    {
                        checkedTime += spent;
                    }
                    else
                    {
                        uncheckedTime += spent;
                    }
                }
            }
            int count = rounds * reps;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-46} checked {checkedTime.TotalMilliseconds / count,8:F3} ms  unchecked {uncheckedTime.TotalMilliseconds / count,8:F3} ms  ratio {checkedTime / uncheckedTime:F3}"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load average (1 min) after {Machine.LoadAverage():F2}"));
        return 0;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
