using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>Where the hybrid weight λ comes from.</summary>
public enum LambdaMode
{
    /// <summary>
    /// λ from this batch's per-sample moments (Algorithm 1 of Oden 2025). λ depends on the
    /// samples it weights, so the estimate is slightly biased (the bias shrinks like 1/S).
    /// </summary>
    SameBatch,

    /// <summary>
    /// λ from an exponential moving average of earlier batches' moments, so it is independent of
    /// this batch and the estimate is unbiased. The first batch uses <see cref="HybridOptions.InitialLambda"/>.
    /// </summary>
    PreviousBatches,
}

/// <summary>How many hybrid weights are estimated.</summary>
public enum LambdaGranularity
{
    /// <summary>One λ per parameter tensor, from moments summed over its coordinates.</summary>
    PerTensor,

    /// <summary>One λ for all parameters, from moments summed over every coordinate of every parameter.</summary>
    Scalar,

    /// <summary>One λ per parameter coordinate (noisier moments; most flexible).</summary>
    PerCoordinate,
}

/// <summary>Settings of a <see cref="HybridEstimator"/>.</summary>
public sealed record HybridOptions
{
    /// <summary>Where λ comes from. Default <see cref="LambdaMode.SameBatch"/>.</summary>
    public LambdaMode Mode { get; init; } = LambdaMode.SameBatch;

    /// <summary>The moving-average decay of <see cref="LambdaMode.PreviousBatches"/>: m ← decay·m + (1 − decay)·(this batch). Default 0.9.</summary>
    public double Decay { get; init; } = 0.9;

    /// <summary>The ridge ε in λ*'s denominator, relative to Var ĝ₁ + Var ĝ₂. Default 1e-12.</summary>
    public double Ridge { get; init; } = 1e-12;

    /// <summary>How many weights. Default <see cref="LambdaGranularity.PerTensor"/>.</summary>
    public LambdaGranularity Granularity { get; init; } = LambdaGranularity.PerTensor;

    /// <summary>λ for the first batch in <see cref="LambdaMode.PreviousBatches"/> mode, before any moments are known. Default 0.5: any fixed λ keeps the estimate unbiased, and 0.5 favours neither estimator.</summary>
    public double InitialLambda { get; init; } = 0.5;

    /// <summary>The baseline of the score-function half of <see cref="HybridEstimator.Estimate{TDistribution}"/>; null (the default) for none, as in the paper.</summary>
    public Baseline? ScoreBaseline { get; init; }
}

/// <summary>
/// The hybrid estimator ĝ = λ ĝ₁ + (1 − λ) ĝ₂ of two unbiased estimators on the same samples
/// (docs/ESTIMATORS.md#hybrid), with λ* = (Var ĝ₂ − Cov) / (Var ĝ₁ + Var ĝ₂ − 2 Cov + ε) clipped to [0, 1],
/// estimated from per-sample moments (not from squared norms of batch means). Stateful in
/// <see cref="LambdaMode.PreviousBatches"/> mode: use one instance per training loop.
/// </summary>
public sealed class HybridEstimator
{
    private double[]? historyFirst;
    private double[]? historySecond;
    private double[]? historyCovariance;

    /// <summary>Creates a hybrid estimator.</summary>
    public HybridEstimator(HybridOptions? options = null)
    {
        Options = options ?? new HybridOptions();
        if (!(Options.Decay >= 0 && Options.Decay < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.Decay, "HybridOptions.Decay must lie in [0, 1).");
        }
        if (!(Options.Ridge >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.Ridge, "HybridOptions.Ridge must be non-negative.");
        }
        if (!(Options.InitialLambda >= 0 && Options.InitialLambda <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.InitialLambda, "HybridOptions.InitialLambda must lie in [0, 1].");
        }
    }

    /// <summary>The settings.</summary>
    public HybridOptions Options { get; }

    /// <summary>The number of batches whose moments are in the moving average (<see cref="LambdaMode.PreviousBatches"/>).</summary>
    public int BatchesSeen { get; private set; }

    /// <summary>
    /// Draws z once through the pathwise map and evaluates the pathwise and score-function
    /// estimators at the same z (their correlation is what λ* exploits), then combines them.
    /// λ is the weight of the pathwise estimator.
    /// </summary>
    public GradientEstimate Estimate<TDistribution>(TDistribution distribution, Objective objective, long sampleCount, Generator? generator = null)
        where TDistribution : IReparameterizedDistribution, IScoredDistribution
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(objective);
        using DisposeScope scope = torch.NewDisposeScope();
        EstimateParts pathwise = Estimators.PathwiseParts(distribution, objective, sampleCount, generator, useJacobian: true);
        // f's values (and f's own graph) are shared: f is evaluated once. The samples are the pathwise ones by
        // construction, so the pair is combined without building either estimate or checking the samples.
        EstimateParts score = Estimators.ScoreParts(distribution, pathwise.Samples, pathwise.ObjectiveValues, Options.ScoreBaseline);
        return MixParts(pathwise, score, allowFused: true).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Combines two estimates computed on the same samples (e.g. <see cref="Estimators.Pathwise"/> and
    /// <see cref="Estimators.FourierAt(ICumulantDistribution, Objective, Tensor, int?)"/> at its <see cref="GradientEstimate.Samples"/>), with λ (the weight of
    /// <paramref name="first"/>) chosen by this estimator's options and, in <see cref="LambdaMode.PreviousBatches"/>
    /// mode, its history; the history is then updated with this batch.
    /// </summary>
    /// <exception cref="ArgumentException">The estimates differ in parameters or samples.</exception>
    public GradientEstimate Mix(GradientEstimate first, GradientEstimate second) => MixCore(first, second, allowFused: true);

    /// <summary>
    /// <see cref="Mix(GradientEstimate, GradientEstimate)"/>; <paramref name="allowFused"/> = false keeps every
    /// parameter on the tensor-op path (the tests check the fused path against it).
    /// </summary>
    internal GradientEstimate MixCore(GradientEstimate first, GradientEstimate second, bool allowFused)
    {
        CheckCompatible(first, second);
        return MixParts(EstimateParts.Of(first), EstimateParts.Of(second), allowFused);
    }

    /// <summary>The combination of two compatible estimates' parts (the caller has checked, or knows, that they share samples).</summary>
    private GradientEstimate MixParts(EstimateParts first, EstimateParts second, bool allowFused)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        int parameterCount = first.PerSample.Count;
        int[] sizes = first.PerSample.Select(g => checked((int)(g.numel() / g.shape[0]))).ToArray();
        int[][] groups = GroupIndices(sizes);
        int groupCount = groups.Length == 0 ? 0 : groups.Max(g => g.Length == 0 ? 0 : g.Max()) + 1;

        var momentFirst = new double[groupCount];
        var momentSecond = new double[groupCount];
        var momentCovariance = new double[groupCount];
        var fused = new bool[parameterCount];
        // A parameter neither estimator computed (it does not require grad) is a broadcast zero in both: no moments, no combination.
        bool[] skipped = Enumerable.Range(0, parameterCount)
            .Select(p => IsBroadcastZero(first.PerSample[p]) && IsBroadcastZero(second.PerSample[p]))
            .ToArray();
        for (int p = 0; p < parameterCount; p++)
        {
            if (skipped[p])
            {
                continue;
            }
            Tensor[] pair = { first.PerSample[p], second.PerSample[p] };
            // One pass over both buffers on the CPU (FusedMoments), the tensor ops elsewhere.
            fused[p] = allowFused && FusedMoments.Supports(pair);
            CoordinateMoments moments = VarianceStatistics.CoordinateMoments(pair, fused[p]);
            double[] varianceFirst = moments.Covariance(0, 0);
            double[] varianceSecond = moments.Covariance(1, 1);
            double[] covariance = moments.Covariance(0, 1);
            for (int j = 0; j < sizes[p]; j++)
            {
                int group = groups[p][j];
                momentFirst[group] += varianceFirst[j];
                momentSecond[group] += varianceSecond[j];
                momentCovariance[group] += covariance[j];
            }
        }

        double[] lambdas = ChooseLambdas(momentFirst, momentSecond, momentCovariance);

        var combined = new Tensor[parameterCount];
        var means = new Tensor?[parameterCount];
        var lambdaTensors = new Tensor[parameterCount];
        var perTensor = new double[parameterCount];
        for (int p = 0; p < parameterCount; p++)
        {
            double[] coordinateLambdas = groups[p].Select(g => lambdas[g]).ToArray();
            Tensor gFirst = first.PerSample[p];
            // λ in the gradients' dtype: float32 gradients give float32 weights and combinations.
            Tensor lambda = torch.tensor(coordinateLambdas, dtype: gFirst.dtype, device: gFirst.device).reshape(first.Parameters[p].shape);
            lambdaTensors[p] = lambda;
            perTensor[p] = coordinateLambdas.Length == 0 ? Options.InitialLambda : coordinateLambdas.Average();
            if (skipped[p])
            {
                combined[p] = gFirst;
            }
            else if (fused[p])
            {
                // The weights the λ tensor reports (rounded to float32 for float32 gradients), and 1 − λ in double,
                // as exact as the tensor path's −(λ − 1).
                double[] weight = gFirst.dtype == ScalarType.Float32 ? coordinateLambdas.Select(l => (double)(float)l).ToArray() : coordinateLambdas;
                double[] complement = weight.Select(l => 1 - l).ToArray();
                combined[p] = FusedMoments.Combine(new[] { gFirst, second.PerSample[p] }, new[] { weight, complement }, out double[] mean);
                means[p] = torch.tensor(mean, dtype: gFirst.dtype, device: gFirst.device).reshape(first.Parameters[p].shape);
            }
            else
            {
                Tensor complement = -(lambda - Scalars.Of(1)); // 1 − λ, exactly
                combined[p] = (lambda * gFirst).add(complement * second.PerSample[p], Scalars.One);
            }
        }

        return GradientEstimate.WithMeans(
            $"hybrid({first.Estimator}, {second.Estimator})",
            first.ParameterNames,
            first.Parameters,
            first.Samples,
            first.ObjectiveValues,
            combined,
            means,
            perTensor,
            lambdaTensors).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Combines two estimates computed on the same samples with λ* from this batch's per-sample
    /// moments (<see cref="LambdaMode.SameBatch"/>; slightly biased). For the unbiased mode, keep a
    /// <see cref="HybridEstimator"/> with <see cref="LambdaMode.PreviousBatches"/> and call <see cref="Mix"/>.
    /// </summary>
    public static GradientEstimate Combine(GradientEstimate first, GradientEstimate second, LambdaGranularity granularity = LambdaGranularity.PerTensor, double ridge = 1e-12) =>
        new HybridEstimator(new HybridOptions { Mode = LambdaMode.SameBatch, Granularity = granularity, Ridge = ridge }).Mix(first, second);

    /// <summary>A per-sample gradient that is one zero broadcast over every axis (what an estimator gives a parameter it does not compute).</summary>
    private static bool IsBroadcastZero(Tensor perSample)
    {
        if (perSample.numel() == 0 || perSample.stride().Any(stride => stride != 0))
        {
            return false;
        }
        using (torch.NewDisposeScope())
        {
            Tensor element = perSample;
            while (element.dim() > 0)
            {
                element = element.select(0, 0); // a view: every element is this one
            }
            return element.item<double>() == 0.0;
        }
    }

    /// <summary>Forgets the moving average of earlier batches' moments.</summary>
    public void Reset()
    {
        historyFirst = historySecond = historyCovariance = null;
        BatchesSeen = 0;
    }

    private double[] ChooseLambdas(double[] varianceFirst, double[] varianceSecond, double[] covariance)
    {
        int count = varianceFirst.Length;
        if (Options.Mode == LambdaMode.SameBatch)
        {
            return Enumerable.Range(0, count)
                .Select(g => VarianceStatistics.OptimalLambda(varianceFirst[g], varianceSecond[g], covariance[g], Options.Ridge))
                .ToArray();
        }

        double[] lambdas;
        if (historyFirst is null || historySecond is null || historyCovariance is null)
        {
            lambdas = Enumerable.Repeat(Options.InitialLambda, count).ToArray();
            historyFirst = (double[])varianceFirst.Clone();
            historySecond = (double[])varianceSecond.Clone();
            historyCovariance = (double[])covariance.Clone();
        }
        else
        {
            if (historyFirst.Length != count)
            {
                throw new InvalidOperationException($"This hybrid estimator's history has {historyFirst.Length} weights but the estimates need {count}: parameter shapes changed. Call Reset() or use a new estimator.");
            }
            // λ from earlier batches only, then this batch joins the average.
            lambdas = Enumerable.Range(0, count)
                .Select(g => VarianceStatistics.OptimalLambda(historyFirst[g], historySecond[g], historyCovariance[g], Options.Ridge))
                .ToArray();
            double decay = Options.Decay;
            for (int g = 0; g < count; g++)
            {
                historyFirst[g] = decay * historyFirst[g] + (1 - decay) * varianceFirst[g];
                historySecond[g] = decay * historySecond[g] + (1 - decay) * varianceSecond[g];
                historyCovariance[g] = decay * historyCovariance[g] + (1 - decay) * covariance[g];
            }
        }
        BatchesSeen++;
        return lambdas;
    }

    /// <summary>For each parameter and coordinate, the index of the λ that weights it.</summary>
    private int[][] GroupIndices(int[] sizes)
    {
        var groups = new int[sizes.Length][];
        int next = 0;
        for (int p = 0; p < sizes.Length; p++)
        {
            groups[p] = new int[sizes[p]];
            for (int j = 0; j < sizes[p]; j++)
            {
                groups[p][j] = Options.Granularity switch
                {
                    LambdaGranularity.Scalar => 0,
                    LambdaGranularity.PerTensor => p,
                    _ => next++,
                };
            }
        }
        return groups;
    }

    /// <summary>
    /// Whether two sample tensors of one shape hold the same values: by identity first (the same tensor, or
    /// views of the same memory with the same layout and dtype, as when the second estimate was evaluated at
    /// the first's <see cref="GradientEstimate.Samples"/>: each estimate holds its own detached alias), and
    /// element by element only otherwise, so a user's copy is still recognised.
    /// </summary>
    internal static bool SameSamples(Tensor first, Tensor second)
    {
        if (ReferenceEquals(first, second) || first.Handle == second.Handle || SameMemory(first, second))
        {
            return true;
        }
        using (torch.NewDisposeScope())
        {
            return first.eq(second).all().item<bool>();
        }
    }

    /// <summary>Same dtype, shape and strides and the same first element's address: the same elements (CPU only).</summary>
    private static bool SameMemory(Tensor first, Tensor second)
    {
        if (first.device_type != DeviceType.CPU || second.device_type != DeviceType.CPU || first.dtype != second.dtype
            || first.numel() == 0 || !first.shape.SequenceEqual(second.shape) || !first.stride().SequenceEqual(second.stride()))
        {
            return false;
        }
        using (torch.NewDisposeScope())
        {
            // TorchSharp 0.107 has no data_ptr(); a one-element view at the storage offset is contiguous, and
            // its byte span starts at the tensor's first element (Tensor.bytes needs a contiguous tensor).
            Tensor a = first.as_strided(new long[] { 1 }, new long[] { 1 }, first.storage_offset());
            Tensor b = second.as_strided(new long[] { 1 }, new long[] { 1 }, second.storage_offset());
            return Unsafe.AreSame(ref MemoryMarshal.GetReference(a.bytes), ref MemoryMarshal.GetReference(b.bytes));
        }
    }

    internal static void CheckCompatible(GradientEstimate first, GradientEstimate second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (!first.ParameterNames.SequenceEqual(second.ParameterNames, StringComparer.Ordinal))
        {
            throw new ArgumentException($"The estimates are for different parameters ({string.Join(", ", first.ParameterNames)} and {string.Join(", ", second.ParameterNames)}).", nameof(second));
        }
        for (int p = 0; p < first.PerSampleGradients.Count; p++)
        {
            if (!first.PerSampleGradients[p].shape.SequenceEqual(second.PerSampleGradients[p].shape))
            {
                throw new ArgumentException($"The per-sample gradients for '{first.ParameterNames[p]}' have shapes {Shapes.Format(first.PerSampleGradients[p].shape)} and {Shapes.Format(second.PerSampleGradients[p].shape)}.", nameof(second));
            }
        }
        if (!first.Samples.shape.SequenceEqual(second.Samples.shape) || !SameSamples(first.Samples, second.Samples))
        {
            throw new ArgumentException("The estimates were computed on different samples; evaluate the second with an …At estimator at the first's Samples.", nameof(second));
        }
    }
}
