using System;
using System.Linq;
using TorchSharp;
using StochasticBackprop.Optim;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Policy;

/// <summary>The three gradient estimators of Oden (2025), §7.4.</summary>
internal enum PolicyEstimator
{
    Pathwise,
    Reinforce,
    Hybrid,
}

/// <summary>Per-iteration measurements of one training run.</summary>
internal sealed class TrainingRun
{
    public TrainingRun(int iterations)
    {
        Returns = new double[iterations];
        Variance = new double[iterations];
        Lambda = Enumerable.Repeat(double.NaN, iterations).ToArray();
        PathwiseVariance = Enumerable.Repeat(double.NaN, iterations).ToArray();
        ScoreVariance = Enumerable.Repeat(double.NaN, iterations).ToArray();
        Lengths = new double[iterations];
    }

    /// <summary>The mean undiscounted return of the iteration's episodes.</summary>
    public double[] Returns { get; }

    /// <summary>tr Cov of the iteration's gradient estimate (the mean of its E episodes): Σ_j s²_j / E from the per-episode samples.</summary>
    public double[] Variance { get; }

    /// <summary>The hybrid's λ (NaN for the others).</summary>
    public double[] Lambda { get; }

    /// <summary>In hybrid runs: the same variance for the pathwise and the score components alone.</summary>
    public double[] PathwiseVariance { get; }

    public double[] ScoreVariance { get; }

    /// <summary>Mean steps alive per episode.</summary>
    public double[] Lengths { get; }

    /// <summary>Iterations whose update was not finite and was skipped.</summary>
    public int SkippedUpdates { get; set; }

    public double Seconds { get; set; }
}

/// <summary>Trains a policy by one estimator: each iteration rolls out E episodes, forms the estimator's per-episode gradients, steps Adam on their mean, then refits the baseline.</summary>
internal static class PolicyTraining
{
    public const double Gamma = 0.99;
    public const double LearningRate = 3e-4;
    public const int EpisodesPerIteration = 5;
    public const int BaselineFitSteps = 20;

    public static TrainingRun Train(IControlTask task, Func<Generator, GaussianPolicy> createPolicy, PolicyEstimator estimator, int iterations, ulong initialisationSeed, ulong noiseSeed, Action? tick = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var initialisation = new Generator(initialisationSeed, torch.CPU);
        using GaussianPolicy policy = createPolicy(initialisation);
        using var baseline = new ValueBaseline(task.ObservationSize + 1, initialisation);
        using var optimizer = new Adam(policy.Parameters, LearningRate);
        var history = new GradientHistory();
        var noise = new Generator(noiseSeed, torch.CPU);
        bool usesScore = estimator != PolicyEstimator.Pathwise;
        var request = new GradientRequest(Pathwise: estimator != PolicyEstimator.Reinforce, Score: usesScore);
        var run = new TrainingRun(iterations);
        for (int i = 0; i < iterations; i++)
        {
            using DisposeScope scope = torch.NewDisposeScope();
            EpisodeBatch batch = EpisodeSampler.Run(task, policy, usesScore ? baseline : null, EpisodesPerIteration, Gamma, request, noise);
            double[][] samples;
            switch (estimator)
            {
                case PolicyEstimator.Pathwise:
                    samples = batch.Pathwise!;
                    break;
                case PolicyEstimator.Reinforce:
                    samples = batch.Score!;
                    break;
                default:
                    // Oden (2025), Algorithm 1 on the rolling buffer of the last 32 episodes, this iteration's included.
                    for (int e = 0; e < EpisodesPerIteration; e++) history.Add(batch.Pathwise![e], batch.Score![e]);
                    double lambda = history.Lambda();
                    run.Lambda[i] = lambda;
                    run.PathwiseVariance[i] = GradientHistory.TotalVariance(batch.Pathwise!) / EpisodesPerIteration;
                    run.ScoreVariance[i] = GradientHistory.TotalVariance(batch.Score!) / EpisodesPerIteration;
                    samples = GradientHistory.Mix(batch.Pathwise!, batch.Score!, lambda);
                    break;
            }
            run.Variance[i] = GradientHistory.TotalVariance(samples) / EpisodesPerIteration;
            run.Returns[i] = batch.Returns.Average();
            run.Lengths[i] = batch.Lengths.Average();
            double[] ascent = GradientHistory.Mean(samples);
            if (ascent.All(double.IsFinite)) policy.Ascend(optimizer, ascent);
            else run.SkippedUpdates++;
            if (usesScore) baseline.Fit(batch.BaselineFeatures, batch.BaselineTargets, BaselineFitSteps);
            tick?.Invoke();
        }
        run.Seconds = clock.Elapsed.TotalSeconds;
        return run;
    }
}
