using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>
/// Moments of per-sample gradient estimates <c>[S, ...]</c> (axis 0 the sample axis): the
/// quantities the hybrid weight and the variance reports are built on (docs/ESTIMATORS.md#hybrid).
/// "Total" means summed over the coordinates of the trailing axes: the trace of the covariance
/// matrix of one draw of the estimator. Sample moments use the unbiased divisor S − 1.
/// </summary>
public static class VarianceStatistics
{
    /// <summary>Σ_j Var(g_j): the sum over coordinates of the per-coordinate sample variance (divisor S − 1).</summary>
    public static double TotalVariance(Tensor perSample)
    {
        using (torch.NewDisposeScope())
        {
            return CoordinateVariance(perSample).sum().to_type(ScalarType.Float64).item<double>();
        }
    }

    /// <summary>Σ_j Cov(a_j, b_j): the sum over coordinates of the per-coordinate sample covariance (divisor S − 1).</summary>
    public static double TotalCovariance(Tensor first, Tensor second)
    {
        using (torch.NewDisposeScope())
        {
            return CoordinateCovariance(first, second).sum().to_type(ScalarType.Float64).item<double>();
        }
    }

    /// <summary>
    /// Theorem 4 of Oden (2025) from per-sample moments:
    /// λ* = (Var ĝ_M − Cov) / (Var ĝ_P + Var ĝ_M − 2 Cov + ε), clipped to [0, 1], the weight of
    /// <paramref name="pathwise"/> in λ ĝ_P + (1 − λ) ĝ_M that minimises the total variance.
    /// </summary>
    /// <param name="pathwise">Per-sample estimates of the first estimator, <c>[S, ...]</c>.</param>
    /// <param name="score">Per-sample estimates of the second estimator on the same samples, same shape.</param>
    /// <param name="ridge">ε relative to Var ĝ_P + Var ĝ_M (so it is scale-free); 0.5 is returned when both variances vanish.</param>
    public static double OptimalLambda(Tensor pathwise, Tensor score, double ridge = 1e-12) =>
        OptimalLambda(TotalVariance(pathwise), TotalVariance(score), TotalCovariance(pathwise, score), ridge);

    /// <summary>λ* from the moments themselves; see <see cref="OptimalLambda(Tensor, Tensor, double)"/>.</summary>
    public static double OptimalLambda(double pathwiseVariance, double scoreVariance, double covariance, double ridge = 1e-12)
    {
        double denominator = pathwiseVariance + scoreVariance - 2 * covariance + ridge * (pathwiseVariance + scoreVariance);
        if (!(denominator > 0) || double.IsInfinity(denominator))
        {
            // Both estimators are (numerically) the same random variable: any weight is as good.
            return 0.5;
        }
        return Math.Clamp((scoreVariance - covariance) / denominator, 0.0, 1.0);
    }

    /// <summary>
    /// The fraction of variance removed relative to a reference: 1 − hybrid/baseline
    /// (0.09 is the "9% variance reduction" of Oden (2025); negative when the hybrid is worse).
    /// </summary>
    public static double VarianceReduction(double hybridVariance, double baselineVariance)
    {
        if (!(baselineVariance > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(baselineVariance), baselineVariance, "The reference variance must be positive.");
        }
        return 1.0 - hybridVariance / baselineVariance;
    }

    /// <summary>
    /// Weights w = Σ⁻¹1 / (1ᵀΣ⁻¹1) of the minimum-variance unbiased linear combination Σ_k w_k ĝ_k
    /// of K estimators evaluated on the same samples, where Σ_kl = TotalCovariance(ĝ_k, ĝ_l).
    /// For K = 2, w₁ is the unclipped λ* of <see cref="OptimalLambda(Tensor, Tensor, double)"/>. Weights may be
    /// negative (they always sum to 1).
    /// </summary>
    /// <param name="perSampleEstimates">K per-sample estimates of the same gradient, each <c>[S, ...]</c>.</param>
    /// <param name="ridge">Added to Σ's diagonal relative to its mean diagonal, so a singular Σ still solves.</param>
    public static double[] MinimumVarianceWeights(IReadOnlyList<Tensor> perSampleEstimates, double ridge = 1e-12)
    {
        ArgumentNullException.ThrowIfNull(perSampleEstimates);
        int k = perSampleEstimates.Count;
        if (k < 1)
        {
            throw new ArgumentException("At least one estimator is needed.", nameof(perSampleEstimates));
        }
        var covariance = new double[k, k];
        for (int a = 0; a < k; a++)
        {
            for (int b = a; b < k; b++)
            {
                covariance[a, b] = covariance[b, a] = TotalCovariance(perSampleEstimates[a], perSampleEstimates[b]);
            }
        }
        return MinimumVarianceWeights(covariance, ridge);
    }

    /// <summary>
    /// The weights w = Σ⁻¹1 / (1ᵀΣ⁻¹1) for a given K × K covariance matrix Σ of K unbiased estimators
    /// (for instance a moving average of earlier batches' covariances); equal weights when Σ cannot be solved.
    /// </summary>
    /// <param name="covariance">Σ, symmetric K × K.</param>
    /// <param name="ridge">Added to Σ's diagonal relative to its mean diagonal, so a singular Σ still solves.</param>
    public static double[] MinimumVarianceWeights(double[,] covariance, double ridge = 1e-12)
    {
        ArgumentNullException.ThrowIfNull(covariance);
        int k = covariance.GetLength(0);
        if (k < 1 || covariance.GetLength(1) != k)
        {
            throw new ArgumentException($"The covariance must be a non-empty square matrix; got {covariance.GetLength(0)} × {covariance.GetLength(1)}.", nameof(covariance));
        }
        covariance = (double[,])covariance.Clone();
        double meanDiagonal = Enumerable.Range(0, k).Average(i => covariance[i, i]);
        for (int i = 0; i < k; i++)
        {
            covariance[i, i] += ridge * meanDiagonal;
        }
        double[] solution = Solve(covariance, Enumerable.Repeat(1.0, k).ToArray());
        double total = solution.Sum();
        if (!(Math.Abs(total) > 0) || solution.Any(double.IsNaN))
        {
            return Enumerable.Repeat(1.0 / k, k).ToArray();
        }
        return solution.Select(w => w / total).ToArray();
    }

    /// <summary>
    /// Per-coordinate means and sample co-moments (divisor S − 1) of K per-sample estimates on the same
    /// samples. CPU contiguous float32/float64 tensors are read in one fused pass over their buffers
    /// (<see cref="FusedMoments"/>); anything else (another device, a view, another dtype) takes the tensor-op
    /// path. <paramref name="allowFused"/> = false forces the tensor path (the tests compare the two).
    /// </summary>
    internal static CoordinateMoments CoordinateMoments(IReadOnlyList<Tensor> perSample, bool allowFused = true)
    {
        ArgumentNullException.ThrowIfNull(perSample);
        if (allowFused && FusedMoments.Supports(perSample))
        {
            return FusedMoments.Compute(perSample);
        }
        int k = perSample.Count;
        var means = new double[k][];
        var coMoments = new double[k * (k + 1) / 2][];
        using (torch.NewDisposeScope())
        {
            for (int b = 0; b < k; b++)
            {
                using (torch.no_grad())
                {
                    means[b] = ToArray(perSample[b].detach().mean(new long[] { 0 }));
                }
                for (int a = 0; a <= b; a++)
                {
                    coMoments[StochasticBackprop.CoordinateMoments.PairIndex(a, b)] = ToArray(CoordinateCovariance(perSample[a], perSample[b]));
                }
            }
        }
        return new CoordinateMoments(means, coMoments);
    }

    /// <summary>A tensor of coordinate size as a host array (float64, row-major).</summary>
    internal static double[] ToArray(Tensor tensor) =>
        tensor.to_type(ScalarType.Float64).contiguous().flatten().data<double>().ToArray();

    /// <summary>Per-coordinate sample variance of <c>[S, ...]</c>: shape <c>[...]</c>.</summary>
    internal static Tensor CoordinateVariance(Tensor perSample) => CoordinateCovariance(perSample, perSample);

    /// <summary>Per-coordinate sample covariance of two <c>[S, ...]</c> tensors: shape <c>[...]</c>.</summary>
    internal static Tensor CoordinateCovariance(Tensor first, Tensor second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (!first.shape.SequenceEqual(second.shape))
        {
            throw new ArgumentException("Shapes " + Shapes.Format(first.shape) + " and " + Shapes.Format(second.shape) + " differ.", nameof(second));
        }
        long sampleCount = first.shape[0];
        if (sampleCount < 2)
        {
            throw new ArgumentException("Sample moments need at least 2 samples.", nameof(first));
        }
        using (torch.no_grad())
        {
            Tensor a = first.detach() - first.detach().mean(new long[] { 0 }, keepdim: true);
            Tensor b = second.detach() - second.detach().mean(new long[] { 0 }, keepdim: true);
            // An explicit axis array: a literal 0 would bind to sum(ScalarType) and reduce everything.
            using Scalar degreesOfFreedom = (sampleCount - 1).ToScalar(); // held for the call: see Scalars
            return (a * b).sum(new long[] { 0 }) / degreesOfFreedom;
        }
    }

    private static double[] Solve(double[,] matrix, double[] rightHandSide)
    {
        int n = rightHandSide.Length;
        var a = (double[,])matrix.Clone();
        var x = (double[])rightHandSide.Clone();
        for (int column = 0; column < n; column++)
        {
            int pivot = column;
            for (int row = column + 1; row < n; row++)
            {
                if (Math.Abs(a[row, column]) > Math.Abs(a[pivot, column]))
                {
                    pivot = row;
                }
            }
            if (pivot != column)
            {
                for (int c = 0; c < n; c++)
                {
                    (a[column, c], a[pivot, c]) = (a[pivot, c], a[column, c]);
                }
                (x[column], x[pivot]) = (x[pivot], x[column]);
            }
            for (int row = column + 1; row < n; row++)
            {
                double factor = a[row, column] / a[column, column];
                for (int c = column; c < n; c++)
                {
                    a[row, c] -= factor * a[column, c];
                }
                x[row] -= factor * x[column];
            }
        }
        for (int row = n - 1; row >= 0; row--)
        {
            double sum = x[row];
            for (int c = row + 1; c < n; c++)
            {
                sum -= a[row, c] * x[c];
            }
            x[row] = sum / a[row, row];
        }
        return x;
    }
}
