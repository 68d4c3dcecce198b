using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>
/// A combination of K estimates and the weights that made it: <c>Weights[p][k]</c> is estimator k's
/// weight for parameter tensor p (the same row for every p with <see cref="LambdaGranularity.Scalar"/>).
/// </summary>
public sealed record CombinedEstimate(GradientEstimate Estimate, IReadOnlyList<double[]> Weights);

/// <summary>
/// The K-estimator generalisation of the hybrid (docs/ESTIMATORS.md#minimum-variance-combiner): ĝ = Σ_k w_k ĝ_k over K unbiased
/// estimators of the same gradient on the same samples, with the minimum-variance weights
/// w = Σ⁻¹1 / (1ᵀΣ⁻¹1), Σ_kl = Σ_j Cov(ĝ_k,j, ĝ_l,j) from per-sample moments. The weights sum to 1, so
/// the combination is unbiased when every component is and the weights do not depend on the samples
/// they weight; they may be negative and are not clipped. For K = 2 the first weight is the unclipped λ*.
/// </summary>
/// <remarks>
/// <see cref="LambdaMode.SameBatch"/> estimates Σ from the batch it weights (slightly biased, O(1/S));
/// <see cref="LambdaMode.PreviousBatches"/> uses an exponential moving average of earlier batches' Σ
/// (equal weights 1/K on the first batch), so the estimate is unbiased. Granularity:
/// <see cref="LambdaGranularity.PerTensor"/> (default) or <see cref="LambdaGranularity.Scalar"/>;
/// per-coordinate weights are not offered (K × K moments per coordinate are too noisy to invert).
/// Stateful in <see cref="LambdaMode.PreviousBatches"/> mode: one instance per training loop.
/// </remarks>
public sealed class MinimumVarianceCombiner
{
    private double[][,]? history;

    /// <summary>Creates a combiner; reads <see cref="HybridOptions.Mode"/>, <see cref="HybridOptions.Decay"/>, <see cref="HybridOptions.Ridge"/> and <see cref="HybridOptions.Granularity"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Per-coordinate granularity, or a decay outside [0, 1) or a negative ridge.</exception>
    public MinimumVarianceCombiner(HybridOptions? options = null)
    {
        Options = options ?? new HybridOptions();
        if (Options.Granularity == LambdaGranularity.PerCoordinate)
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.Granularity, "MinimumVarianceCombiner supports PerTensor and Scalar weights only.");
        }
        if (!(Options.Decay >= 0 && Options.Decay < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.Decay, "HybridOptions.Decay must lie in [0, 1).");
        }
        if (!(Options.Ridge >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.Ridge, "HybridOptions.Ridge must be non-negative.");
        }
    }

    /// <summary>The settings.</summary>
    public HybridOptions Options { get; }

    /// <summary>The number of batches whose covariances are in the moving average.</summary>
    public int BatchesSeen { get; private set; }

    /// <summary>Combines K same-sample estimates with weights from this batch's moments (<see cref="LambdaMode.SameBatch"/>).</summary>
    public static CombinedEstimate Combine(IReadOnlyList<GradientEstimate> estimates, LambdaGranularity granularity = LambdaGranularity.PerTensor, double ridge = 1e-12) =>
        new MinimumVarianceCombiner(new HybridOptions { Mode = LambdaMode.SameBatch, Granularity = granularity, Ridge = ridge }).Mix(estimates);

    /// <summary>
    /// Combines K same-sample estimates with given weights, one row per parameter tensor (<c>weights[p][k]</c>).
    /// The result is unbiased when the components are and each row sums to 1; nothing here enforces that.
    /// </summary>
    public static GradientEstimate WithWeights(IReadOnlyList<GradientEstimate> estimates, IReadOnlyList<double[]> weights)
    {
        CheckEstimates(estimates);
        ArgumentNullException.ThrowIfNull(weights);
        GradientEstimate first = estimates[0];
        int parameterCount = first.PerSampleGradients.Count;
        if (weights.Count != parameterCount || weights.Any(w => w is null || w.Length != estimates.Count))
        {
            throw new ArgumentException($"Expected {parameterCount} rows of {estimates.Count} weights (one row per parameter tensor).", nameof(weights));
        }
        using DisposeScope scope = torch.NewDisposeScope();
        var combined = new Tensor[parameterCount];
        var means = new Tensor?[parameterCount];
        for (int p = 0; p < parameterCount; p++)
        {
            Tensor[] components = estimates.Select(e => e.PerSampleGradients[p]).ToArray();
            if (FusedMoments.Supports(components))
            {
                // One pass writing the combination and its mean (FusedMoments); CPU float32/float64 only.
                int coordinates = checked((int)(components[0].numel() / components[0].shape[0]));
                double[][] coordinateWeights = weights[p].Select(w => Enumerable.Repeat(w, coordinates).ToArray()).ToArray();
                combined[p] = FusedMoments.Combine(components, coordinateWeights, out double[] mean);
                means[p] = torch.tensor(mean, dtype: components[0].dtype, device: components[0].device).reshape(first.Gradients[p].shape);
                continue;
            }
            // Weights as Scalars held while they are used: see Scalars.
            using Scalar firstWeight = weights[p][0].ToScalar();
            Tensor sum = first.PerSampleGradients[p] * firstWeight;
            for (int k = 1; k < estimates.Count; k++)
            {
                using Scalar weight = weights[p][k].ToScalar();
                sum = sum.add(estimates[k].PerSampleGradients[p] * weight, Scalars.One);
            }
            combined[p] = sum;
        }
        string name = $"min-variance({string.Join(", ", estimates.Select(e => e.Estimator))})";
        return GradientEstimate.WithMeans(name, first.ParameterNames, first.Parameters, first.Samples, first.ObjectiveWithGraph, combined,
            means, weights.Select(w => w[0]).ToArray()).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Combines K estimates computed on the same samples (e.g. <see cref="Estimators.Pathwise"/>, then
    /// <see cref="Estimators.ScoreFunctionAt"/> and <see cref="Estimators.FourierAt(ICumulantDistribution, Objective, TorchSharp.torch.Tensor, int?)"/> at its samples) with
    /// weights chosen by this combiner's options and, in <see cref="LambdaMode.PreviousBatches"/> mode, its
    /// history; the history is then updated with this batch.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than one estimate, or estimates for different parameters or samples.</exception>
    public CombinedEstimate Mix(IReadOnlyList<GradientEstimate> estimates)
    {
        CheckEstimates(estimates);
        int k = estimates.Count;
        int parameterCount = estimates[0].PerSampleGradients.Count;
        int groups = Options.Granularity == LambdaGranularity.Scalar ? 1 : parameterCount;

        var covariances = new double[groups][,];
        for (int g = 0; g < groups; g++)
        {
            covariances[g] = new double[k, k];
        }
        for (int p = 0; p < parameterCount; p++)
        {
            double[,] target = covariances[Options.Granularity == LambdaGranularity.Scalar ? 0 : p];
            // All K(K + 1)/2 co-moments in one pass on the CPU (the tensor ops elsewhere).
            CoordinateMoments moments = VarianceStatistics.CoordinateMoments(estimates.Select(e => e.PerSampleGradients[p]).ToArray());
            for (int a = 0; a < k; a++)
            {
                for (int b = a; b < k; b++)
                {
                    double c = moments.Covariance(a, b).Sum();
                    target[a, b] += c;
                    if (b != a) target[b, a] += c;
                }
            }
        }

        double[][] groupWeights = ChooseWeights(covariances, k);
        double[][] weights = Enumerable.Range(0, parameterCount)
            .Select(p => (double[])groupWeights[Options.Granularity == LambdaGranularity.Scalar ? 0 : p].Clone())
            .ToArray();
        return new CombinedEstimate(WithWeights(estimates, weights), weights);
    }

    /// <summary>Forgets the moving average of earlier batches' covariances.</summary>
    public void Reset()
    {
        history = null;
        BatchesSeen = 0;
    }

    private double[][] ChooseWeights(double[][,] covariances, int k)
    {
        double[][] weights;
        if (Options.Mode == LambdaMode.SameBatch)
        {
            weights = covariances.Select(c => VarianceStatistics.MinimumVarianceWeights(c, Options.Ridge)).ToArray();
        }
        else if (history is null)
        {
            weights = covariances.Select(_ => Enumerable.Repeat(1.0 / k, k).ToArray()).ToArray();
            history = covariances.Select(c => (double[,])c.Clone()).ToArray();
        }
        else
        {
            if (history.Length != covariances.Length || history[0].GetLength(0) != k)
            {
                throw new InvalidOperationException("This combiner's history was built for a different number of estimators or parameters. Call Reset() or use a new combiner.");
            }
            // Weights from earlier batches only; then this batch joins the average.
            weights = history.Select(c => VarianceStatistics.MinimumVarianceWeights(c, Options.Ridge)).ToArray();
            for (int g = 0; g < history.Length; g++)
            {
                for (int a = 0; a < k; a++)
                {
                    for (int b = 0; b < k; b++)
                    {
                        history[g][a, b] = Options.Decay * history[g][a, b] + (1 - Options.Decay) * covariances[g][a, b];
                    }
                }
            }
        }
        BatchesSeen++;
        return weights;
    }

    private static void CheckEstimates(IReadOnlyList<GradientEstimate> estimates)
    {
        ArgumentNullException.ThrowIfNull(estimates);
        if (estimates.Count < 1)
        {
            throw new ArgumentException("At least one estimate is needed.", nameof(estimates));
        }
        for (int i = 1; i < estimates.Count; i++)
        {
            HybridEstimator.CheckCompatible(estimates[0], estimates[i]);
        }
    }
}
