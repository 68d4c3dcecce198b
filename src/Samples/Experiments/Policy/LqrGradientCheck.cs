using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Policy;

/// <summary>One estimator's mean gradient at the check point against the exact one, coordinate by coordinate.</summary>
/// <param name="Samples">Independent estimates the mean is over (episodes, or batches for the hybrid).</param>
internal sealed record LqrCheckRow(string Estimator, long Samples, double[] Mean, double[] StandardError, double[] Exact)
{
    /// <summary>(mean − exact)/SE per coordinate.</summary>
    public double[] Z => Mean.Select((m, j) => (m - Exact[j]) / StandardError[j]).ToArray();

    public double MaxAbsZ => Z.Max(Math.Abs);
}

/// <summary>
/// The unbiasedness check of the policy-gradient estimators on the LQR, where the exact gradient of the expected
/// discounted return is autograd of <see cref="LinearQuadraticRegulator.ExpectedReturn"/> (float64, no Monte Carlo).
/// The check point is a stabilising gain away from the optimum, so every coordinate's gradient is non-zero.
/// </summary>
internal static class LqrGradientCheck
{
    public const int Horizon = 30;
    public const double Gamma = 0.99;
    public const int HybridBatch = GradientHistory.Capacity;
    public static readonly double[] Gain = { -0.8, -0.6 };
    public static readonly double LogStd = Math.Log(0.5);
    public static readonly string[] Coordinates = { "K₁ (position)", "K₂ (velocity)", "log σ" };

    /// <summary>∇ of the exact expected return in (K₁, K₂, log σ).</summary>
    public static double[] ExactGradient(LinearQuadraticRegulator task, double[] gain, double logStd)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor k = torch.tensor(gain, new long[] { gain.Length, 1 }, dtype: ScalarType.Float64).requires_grad_(true);
        Tensor s = torch.tensor(new[] { logStd }, new long[] { 1, 1 }, dtype: ScalarType.Float64).requires_grad_(true);
        task.ExpectedReturn(k, s, Gamma).backward();
        return k.grad!.data<double>().ToArray().Concat(s.grad!.data<double>().ToArray()).ToArray();
    }

    /// <summary>The exact expected return at (K, log σ).</summary>
    public static double ExpectedReturn(LinearQuadraticRegulator task, double[] gain, double logStd)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable noGrad = torch.no_grad();
        Tensor k = torch.tensor(gain, new long[] { gain.Length, 1 }, dtype: ScalarType.Float64);
        Tensor s = torch.tensor(new[] { logStd }, new long[] { 1, 1 }, dtype: ScalarType.Float64);
        return task.ExpectedReturn(k, s, Gamma).item<double>();
    }

    /// <summary>Central differences of <see cref="ExpectedReturn(LinearQuadraticRegulator, double[], double)"/>: a check of the recursion's autograd.</summary>
    public static double[] FiniteDifferenceGradient(LinearQuadraticRegulator task, double[] gain, double logStd, double step = 1e-5)
    {
        var result = new double[gain.Length + 1];
        for (int j = 0; j <= gain.Length; j++)
        {
            double[] up = gain.ToArray(), down = gain.ToArray();
            double su = logStd, sd = logStd;
            if (j < gain.Length) { up[j] += step; down[j] -= step; }
            else { su += step; sd -= step; }
            result[j] = (ExpectedReturn(task, up, su) - ExpectedReturn(task, down, sd)) / (2 * step);
        }
        return result;
    }

    /// <summary>A value baseline fitted on pilot episodes independent of the checked ones (so it cannot bias them).</summary>
    public static ValueBaseline PilotBaseline(LinearQuadraticRegulator task, GaussianPolicy policy, long episodes, int fitSteps, Generator generator)
    {
        var baseline = new ValueBaseline(task.ObservationSize + 1, generator, hidden: 16);
        using DisposeScope scope = torch.NewDisposeScope();
        EpisodeBatch pilot = EpisodeSampler.Run(task, policy, null, episodes, Gamma, new GradientRequest(false, false), generator);
        baseline.Fit(pilot.BaselineFeatures, pilot.BaselineTargets, fitSteps);
        return baseline;
    }

    /// <summary>Mean ± SE over <paramref name="episodes"/> per-episode estimates (pathwise or score, as <paramref name="request"/> asks).</summary>
    public static LqrCheckRow PerEpisode(string label, LinearQuadraticRegulator task, GaussianPolicy policy, ValueBaseline? baseline, GradientRequest request, long episodes, long chunk, double[] exact, Generator generator)
    {
        var rows = new List<double[]>();
        for (long done = 0; done < episodes; done += chunk)
        {
            using DisposeScope scope = torch.NewDisposeScope();
            EpisodeBatch batch = EpisodeSampler.Run(task, policy, baseline, Math.Min(chunk, episodes - done), Gamma, request, generator);
            rows.AddRange(request.Pathwise ? batch.Pathwise! : batch.Score!);
        }
        return Summarise(label, rows, exact);
    }

    /// <summary>
    /// The hybrid λ ḡ_path + (1 − λ) ḡ_score over consecutive batches of <paramref name="batchSize"/> episodes (λ from a buffer of that many), λ from
    /// <paramref name="source"/>; mean ± SE over the batches. With <see cref="LambdaSource.Previous"/> each batch's λ
    /// is fixed given earlier batches, so the estimates are martingale differences around the truth and the SE holds.
    /// </summary>
    public static LqrCheckRow Hybrid(string label, LinearQuadraticRegulator task, GaussianPolicy policy, ValueBaseline baseline, LambdaSource source, int batches, int batchesPerRollout, double[] exact, Generator generator, List<double>? lambdas = null, int batchSize = HybridBatch)
    {
        var history = new GradientHistory(batchSize);
        var estimates = new List<double[]>();
        for (int done = 0; done < batches; done += batchesPerRollout)
        {
            int count = Math.Min(batchesPerRollout, batches - done);
            using DisposeScope scope = torch.NewDisposeScope();
            EpisodeBatch rollout = EpisodeSampler.Run(task, policy, baseline, (long)count * batchSize, Gamma, new GradientRequest(true, true), generator);
            for (int b = 0; b < count; b++)
            {
                double[][] path = rollout.Pathwise!.Skip(b * batchSize).Take(batchSize).ToArray();
                double[][] score = rollout.Score!.Skip(b * batchSize).Take(batchSize).ToArray();
                double lambda;
                if (source == LambdaSource.Previous)
                {
                    lambda = history.Lambda();
                    for (int i = 0; i < path.Length; i++) history.Add(path[i], score[i]);
                }
                else
                {
                    for (int i = 0; i < path.Length; i++) history.Add(path[i], score[i]);
                    lambda = history.Lambda();
                }
                lambdas?.Add(lambda);
                estimates.Add(GradientHistory.Mean(GradientHistory.Mix(path, score, lambda)));
            }
        }
        return Summarise(label, estimates, exact);
    }

    private static LqrCheckRow Summarise(string label, List<double[]> rows, double[] exact)
    {
        int d = exact.Length;
        var summaries = Enumerable.Range(0, d).Select(j => Summary.Of(rows.Select(r => r[j]))).ToArray();
        return new LqrCheckRow(label, rows.Count, summaries.Select(s => s.Mean).ToArray(), summaries.Select(s => s.StandardError).ToArray(), exact);
    }
}
