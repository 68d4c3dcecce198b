using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using StochasticBackprop.Models;
using TorchSharp;
using StochasticBackprop.Optim;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Latent;

/// <summary>One estimator of the comparison: a label, the particles per data point and the site estimator.</summary>
internal sealed record CategoricalEstimator(string Label, int Particles, Func<SiteEstimator> Create)
{
    public bool Biased => Create().Biased;
}

/// <summary>The sizes of one training run.</summary>
internal sealed record CategoricalRunSizes(int Iterations, int Batch, int EvaluateEvery, int EvaluationImages, int TestImages, int TestSamples, double LearningRate);

/// <summary>A point of a training curve: the hard-sample ELBO on a fixed training subset after <paramref name="Iteration"/> steps.</summary>
internal sealed record CategoricalCheckpoint(int Iteration, double CpuSeconds, double WallSeconds, double TrainElbo);

/// <summary>One training run's curve, cost and test log-likelihood.</summary>
internal sealed record CategoricalRun(
    string Data, CategoricalArchitecture Architecture, string Estimator, int Seed, IReadOnlyList<CategoricalCheckpoint> Checkpoints,
    double TestLogLikelihood, double CpuSecondsPerIteration, double WallSecondsPerIteration, int? DivergedAt);

/// <summary>The training loop of the categorical experiment: Adam on the surrogate of <see cref="LatentModel.Elbo"/>.</summary>
internal static class CategoricalVaeTraining
{
    public const int Variables = 20, Categories = 10;

    /// <summary>
    /// Trains one model from scratch. Run <paramref name="seed"/> of every estimator shares the initial weights, the
    /// minibatch order and the evaluation's random numbers (paired runs). The clock counts the training steps only
    /// (process CPU time and wall time), not the evaluations.
    /// </summary>
    public static CategoricalRun Train(
        string dataName, ImageSet train, ImageSet test, Tensor trainMean, CategoricalArchitecture architecture,
        CategoricalEstimator estimator, int seed, ulong streamSeed, CategoricalRunSizes sizes, Action tick)
    {
        using var net = new CategoricalLatentNet(architecture, Variables, Categories, train.PixelsPerImage, trainMean, new Generator(streamSeed));
        LatentModel model = net.Build(estimator.Create());
        using var adam = new Adam(net.Parameters, sizes.LearningRate);
        var generator = new Generator(streamSeed + 1);
        var order = new Random(unchecked((int)streamSeed));
        int[] permutation = Enumerable.Range(0, train.Count).ToArray();
        int position = permutation.Length;
        using Tensor evaluation = train.ToTensor(0, Math.Min(sizes.EvaluationImages, train.Count));
        var checkpoints = new List<CategoricalCheckpoint>();
        double cpu = 0, wall = 0;
        int? diverged = null;
        int done = 0;

        double Evaluate()
        {
            // The single-sample log weight log p(x, z) − log q(z | x) at a hard sample is an unbiased ELBO estimate per image.
            using DisposeScope scope = torch.NewDisposeScope();
            return model.LogMarginal(evaluation, 1, new Generator(streamSeed + 2)).mean().item<float>();
        }

        checkpoints.Add(new CategoricalCheckpoint(0, 0, 0, Evaluate()));
        var batch = new int[sizes.Batch];
        for (int iteration = 1; iteration <= sizes.Iterations; iteration++)
        {
            for (int b = 0; b < batch.Length; b++)
            {
                if (position == permutation.Length)
                {
                    order.Shuffle(permutation);
                    position = 0;
                }
                batch[b] = permutation[position++];
            }
            TimeSpan cpuBefore = ProcessCpu();
            long wallBefore = Stopwatch.GetTimestamp();
            try
            {
                using DisposeScope scope = torch.NewDisposeScope();
                Tensor x = train.Batch(batch);
                using ElboEstimate elbo = model.Elbo(x, estimator.Particles, generator);
                elbo.Loss.backward();
                adam.step();
                adam.zero_grad();
            }
            catch (InvalidOperationException e) when (e.Message.Contains("not finite", StringComparison.Ordinal))
            {
                diverged = iteration;
                break;
            }
            wall += Stopwatch.GetElapsedTime(wallBefore).TotalSeconds;
            cpu += (ProcessCpu() - cpuBefore).TotalSeconds;
            done = iteration;
            tick();
            if (iteration % sizes.EvaluateEvery == 0 || iteration == sizes.Iterations)
            {
                checkpoints.Add(new CategoricalCheckpoint(iteration, cpu, wall, Evaluate()));
            }
        }
        double testLogLikelihood = double.NaN;
        if (diverged is null)
        {
            using DisposeScope scope = torch.NewDisposeScope();
            using Tensor x = test.ToTensor(0, Math.Min(sizes.TestImages, test.Count));
            testLogLikelihood = model.LogMarginal(x, sizes.TestSamples, new Generator(streamSeed + 3), maxRows: 1 << 14).mean().item<float>();
        }
        return new CategoricalRun(dataName, architecture, estimator.Label, seed, checkpoints, testLogLikelihood,
            done > 0 ? cpu / done : double.NaN, done > 0 ? wall / done : double.NaN, diverged);
    }

    /// <summary>The process's CPU time (all threads), read afresh.</summary>
    public static TimeSpan ProcessCpu()
    {
        using Process process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
