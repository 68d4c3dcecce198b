using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Distributions;
using StochasticBackprop.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Benchmarks;

/// <summary>
/// The cost of one training step (estimate and backward) of a 784-200-200 sigmoid belief net (the README's example) per
/// site estimator, interleaved over rounds and reported as process CPU time per step and as ratios to the score function
/// with a leave-one-out baseline (2 particles), with and without distribution factories.
/// </summary>
public static class LatentModels
{
    private sealed record Case(string Label, Func<SiteEstimator> Estimator, int Particles, bool Lazy);

    public static int Run(string[] args)
    {
        int rounds = 3, steps = 5, batch = 50;
        for (int i = 1; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--rounds": rounds = int.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--steps": steps = int.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--batch": batch = int.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option '{args[i]}' for latent");
            }
        }
        if (rounds < 1 || steps < 1 || batch < 1)
        {
            throw new ArgumentException("--rounds, --steps and --batch must be positive");
        }
        torch.set_num_threads(1);
        torch.manual_seed(1);
        var encoder1 = nn.Linear(784, 200); var encoder2 = nn.Linear(200, 200);
        var decoder2 = nn.Linear(200, 200); var decoder1 = nn.Linear(200, 784);
        var prior = nn.Parameter(torch.zeros(200));
        Tensor data = torch.rand(batch, 784).gt(Scalars.Of(0.5)).to_type(ScalarType.Float32);
        LatentModel Build(SiteEstimator first, SiteEstimator second, bool lazy) => lazy
            ? new LatentModel(
                (q, x) => { Tensor z1 = q.Sample("z1", () => new Bernoulli(encoder1.call(x).sigmoid()), first); q.Sample("z2", () => new Bernoulli(encoder2.call(z1).sigmoid()), second); },
                (p, x) => { Tensor z2 = p.Sample("z2", () => new Bernoulli(prior.sigmoid().expand(p.Rows, 200))); Tensor z1 = p.Sample("z1", () => new Bernoulli(decoder2.call(z2).sigmoid())); p.Observe("x", () => new Bernoulli(decoder1.call(z1).sigmoid()), x); })
            : new LatentModel(
                (q, x) => { Tensor z1 = q.Sample("z1", new Bernoulli(encoder1.call(x).sigmoid()), first); q.Sample("z2", new Bernoulli(encoder2.call(z1).sigmoid()), second); },
                (p, x) => { Tensor z2 = p.Sample("z2", new Bernoulli(prior.sigmoid().expand(p.Rows, 200))); Tensor z1 = p.Sample("z1", new Bernoulli(decoder2.call(z2).sigmoid())); p.Observe("x", new Bernoulli(decoder1.call(z1).sigmoid()), x); });
        var cases = new List<Case>
        {
            new("score + leave-one-out (2 particles)", () => SiteEstimator.Score(ScoreBaseline.LeaveOneOut), 2, true),
            new("DisARM", () => SiteEstimator.DisArm, 1, true),
            new("ARM", () => SiteEstimator.Arm, 1, true),
            new("REBAR", () => SiteEstimator.Rebar(), 1, true),
            new("RELAX", () => SiteEstimator.Relax(200), 1, true),
            new("Gumbel-softmax", () => SiteEstimator.GumbelSoftmax(0.5), 1, true),
            new("local expectation (BSB, S = 1)", () => SiteEstimator.LocalExpectation, 1, true),
            new("local expectation, eager distributions", () => SiteEstimator.LocalExpectation, 1, false),
        };
        LatentModel[] models = cases.Select(c => Build(c.Estimator(), c.Estimator(), c.Lazy)).ToArray();
        var cpu = new double[cases.Count];
        double loadBefore = Machine.LoadAverage();
        Console.WriteLine($"latent: 784-200-200 belief net, batch {batch}, {rounds} rounds x {steps} steps, 1 libtorch thread; load average (1 min) {loadBefore:F2}");
        for (int c = 0; c < cases.Count; c++)
        {
            Step(models[c], data, cases[c].Particles); // warm-up and the dependency probe
        }
        for (int round = 0; round < rounds; round++)
        {
            for (int c = 0; c < cases.Count; c++)
            {
                TimeSpan start = Machine.ProcessCpu();
                for (int s = 0; s < steps; s++)
                {
                    Step(models[c], data, cases[c].Particles);
                }
                cpu[c] += (Machine.ProcessCpu() - start).TotalMilliseconds;
            }
        }
        double reference = cpu[0];
        Console.WriteLine($"{"site estimator (both layers)",-42} {"CPU ms/step",12} {"× score+LOO",12}");
        for (int c = 0; c < cases.Count; c++)
        {
            double perStep = cpu[c] / (rounds * steps);
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{cases[c].Label,-42} {perStep,12:F1} {cpu[c] / reference,12:F2}"));
        }
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"local expectation with factories / eager: {cpu[6] / cpu[7]:F2}; load average (1 min) {Machine.LoadAverage():F2}"));
        return 0;
    }

    private static void Step(LatentModel model, Tensor data, int particles)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using ElboEstimate estimate = model.Elbo(data, particles);
        estimate.Loss.backward();
    }
}
