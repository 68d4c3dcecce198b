using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using StochasticBackprop.Models;
using TorchSharp;
using StochasticBackprop.Optim;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Latent;

/// <summary>Sizes of one sigmoid-belief-net training run.</summary>
internal sealed record SbnSizes(int Iterations, int Batch, int EvaluateEvery, int EvaluationImages, int VarianceBatch, int VarianceRepeats, int TestImages, int TestSamples, double LearningRate);

/// <summary>One checkpoint of a run: after <see cref="Iteration"/> steps and <see cref="CpuSeconds"/> of training CPU time.</summary>
internal sealed record SbnCheckpoint(int Iteration, double CpuSeconds, double WallSeconds, double TrainElbo, double LogVariance);

/// <summary>A finished run: its checkpoints and its test log-likelihood.</summary>
/// <remarks>A run whose weights became non-finite stops there: <see cref="DivergedAt"/> is that iteration, its checkpoints end before it and its test log-likelihood is NaN.</remarks>
internal sealed record SbnRun(string Data, string Model, string Estimator, int Seed, IReadOnlyList<SbnCheckpoint> Checkpoints, double TestLogLikelihood, double CpuSecondsPerIteration, int? DivergedAt = null, string? Failure = null);

/// <summary>A latent-variable network of the image experiments: its weights, the guide's among them, and its model.</summary>
internal interface ILatentNet : IDisposable
{
    /// <summary>Every weight, guide and model.</summary>
    IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The guide's (encoder's) weights: where the estimators differ.</summary>
    IReadOnlyList<Tensor> GuideParameters { get; }

    /// <summary>The model with one fresh estimator per site from <paramref name="create"/>; <paramref name="estimators"/> receives them.</summary>
    LatentModel Build(Func<long, SiteEstimator> create, List<SiteEstimator> estimators);
}

/// <summary>Trains a sigmoid belief net with one estimator and records its ELBO, gradient variance and test log-likelihood.</summary>
internal static class SbnTraining
{
    /// <summary>Process CPU time in seconds (all threads).</summary>
    public static double CpuSeconds()
    {
        using Process process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }

    public static SbnRun Train(BinaryImages data, SbnArchitecture architecture, EstimatorChoice choice, int seed, ulong streamSeed, SbnSizes sizes, Action? tick = null)
        => Train(data, architecture.ToString(), (mean, init) => new SigmoidBeliefNet(architecture, data.Pixels, mean, init), choice, seed, streamSeed, sizes, tick);

    /// <summary>Trains the net <paramref name="create"/> makes from the training mean image and an initialisation generator.</summary>
    public static SbnRun Train(BinaryImages data, string modelName, Func<Tensor, Generator, ILatentNet> create, EstimatorChoice choice, int seed, ulong streamSeed, SbnSizes sizes, Action? tick = null)
    {
        var init = new Generator(streamSeed, torch.CPU);
        var generator = new Generator(streamSeed + 1, torch.CPU);
        var evaluation = new Generator(streamSeed + 2, torch.CPU);
        var order = new Random(unchecked((int)streamSeed));
        using Tensor mean = data.Train.mean(new long[] { 0 });
        using ILatentNet net = create(mean, init);
        var estimators = new List<SiteEstimator>();
        LatentModel model = net.Build(choice.Create, estimators);
        Tensor[] trained = net.Parameters.Concat(estimators.SelectMany(EstimatorChoice.ControlParameters)).ToArray();
        using var adam = new Adam(trained, sizes.LearningRate);
        int trainCount = (int)data.Train.shape[0];
        using Tensor evaluationImages = data.Train.narrow(0, 0, Math.Min(sizes.EvaluationImages, trainCount)).clone();
        using Tensor varianceImages = data.Train.narrow(0, 0, Math.Min(sizes.VarianceBatch, trainCount)).clone();
        using Tensor testImages = data.Test.narrow(0, 0, Math.Min(sizes.TestImages, (int)data.Test.shape[0])).clone();
        var checkpoints = new List<SbnCheckpoint>();
        double cpu = 0, wall = 0;
        int[] permutation = Enumerable.Range(0, trainCount).ToArray();
        int position = trainCount;
        for (int iteration = 0; ; iteration++)
        {
            if (iteration % sizes.EvaluateEvery == 0 || iteration == sizes.Iterations)
            {
                checkpoints.Add(new SbnCheckpoint(iteration, cpu, wall, TrainElbo(model, evaluationImages, evaluation), LogVariance(model, net, adam, varianceImages, choice.Particles, sizes.VarianceRepeats, evaluation)));
            }
            if (iteration == sizes.Iterations)
            {
                break;
            }
            if (position + sizes.Batch > trainCount)
            {
                order.Shuffle(permutation);
                position = 0;
            }
            double cpuStart = CpuSeconds();
            var clock = Stopwatch.StartNew();
            try
            {
                using DisposeScope scope = torch.NewDisposeScope();
                Tensor index = torch.tensor(permutation.AsSpan(position, sizes.Batch).ToArray().Select(i => (long)i).ToArray(), ScalarType.Int64);
                Tensor batch = data.Train.index_select(0, index);
                using ElboEstimate estimate = model.Elbo(batch, choice.Particles, generator);
                adam.zero_grad();
                estimate.Loss.backward();
                adam.step();
                if (!trained.All(p => torch.isfinite(p).all().item<bool>()))
                {
                    throw new InvalidOperationException("a weight became NaN or infinite after the update");
                }
            }
            catch (Exception failure) when (failure is InvalidOperationException or ArgumentException)
            {
                // Non-finite weights or bound (the distributions refuse NaN probabilities): the run diverged; record where and stop.
                return new SbnRun(data.Name, modelName, choice.Label, seed, checkpoints, double.NaN, cpu / Math.Max(1, iteration), iteration, failure.Message);
            }
            position += sizes.Batch;
            cpu += CpuSeconds() - cpuStart;
            wall += clock.Elapsed.TotalSeconds;
            tick?.Invoke();
        }
        double testLogLikelihood;
        using (DisposeScope scope = torch.NewDisposeScope())
        {
            testLogLikelihood = model.LogMarginal(testImages, sizes.TestSamples, evaluation, maxRows: 1 << 14).mean().item<float>();
        }
        return new SbnRun(data.Name, modelName, choice.Label, seed, checkpoints, testLogLikelihood, cpu / Math.Max(1, sizes.Iterations));
    }

    /// <summary>The single-sample ELBO averaged over the evaluation images (hard draws, no gradient): log w of one draw per image.</summary>
    private static double TrainElbo(LatentModel model, Tensor images, Generator generator)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        return model.LogMarginal(images, 1, generator).mean().item<float>();
    }

    /// <summary>
    /// ln of the total variance of the guide's gradient on a fixed minibatch: <paramref name="repeats"/> independent
    /// estimates (each with the training's particles), the unbiased variance of every guide weight's gradient across them,
    /// summed over the weights. The parameters are not changed; their gradients are zeroed afterwards.
    /// </summary>
    private static double LogVariance(LatentModel model, ILatentNet net, Adam adam, Tensor images, int particles, int repeats, Generator generator)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var draws = new List<Tensor>();
        for (int r = 0; r < repeats; r++)
        {
            adam.zero_grad();
            using ElboEstimate estimate = model.Elbo(images, particles, generator);
            estimate.Loss.backward();
            draws.Add(torch.cat(net.GuideParameters.Select(p => p.grad is { } g ? g.flatten().clone() : torch.zeros(p.numel(), dtype: p.dtype)).ToArray()));
        }
        adam.zero_grad();
        Tensor stacked = torch.stack(draws).to_type(ScalarType.Float64);
        return Math.Log(stacked.var(new long[] { 0 }, unbiased: true).sum().item<double>());
    }
}
