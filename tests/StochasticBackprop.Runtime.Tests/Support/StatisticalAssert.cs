using System;
using System.Linq;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Support;

/// <summary>
/// z-tests of Monte Carlo means against closed-form truths (docs/ARCHITECTURE.md#testing): a coordinate passes when
/// |mean − truth| ≤ k·SE, SE = sd/√S from the per-sample gradients. k = 4 throughout.
/// </summary>
public static class StatisticalAssert
{
    public const double K = 4.0;

    /// <summary>Mean and standard error of each coordinate of a per-sample tensor [S, ...].</summary>
    public static (double[] Mean, double[] StandardError) MeanAndStandardError(Tensor perSample)
    {
        using (torch.NewDisposeScope())
        {
            long sampleCount = perSample.shape[0];
            Tensor flat = perSample.detach().to_type(ScalarType.Float64).reshape(sampleCount, -1);
            double[] mean = flat.mean(new long[] { 0 }).data<double>().ToArray();
            using Scalar count = sampleCount.ToScalar();   // a run-time value: held for the call
            double[] standardError = (flat.var(new long[] { 0 }) / count).sqrt().data<double>().ToArray();
            return (mean, standardError);
        }
    }

    /// <summary>Largest |mean − expected|/tolerance over coordinates, where tolerance is SE (or a tiny absolute floor when SE is 0).</summary>
    public static double[] StandardizedErrors(Tensor perSample, double[] expected)
    {
        (double[] mean, double[] standardError) = MeanAndStandardError(perSample);
        Assert.Equal(expected.Length, mean.Length);
        return mean.Select((m, j) => Math.Abs(m - expected[j]) / Math.Max(standardError[j], 1e-10 * (1 + Math.Abs(expected[j])))).ToArray();
    }

    public static void WithinStandardErrors(Tensor perSample, double[] expected, string label)
    {
        (double[] mean, double[] standardError) = MeanAndStandardError(perSample);
        double[] z = StandardizedErrors(perSample, expected);
        for (int j = 0; j < expected.Length; j++)
        {
            Assert.True(z[j] <= K,
                $"{label}[{j}]: mean {mean[j]:R} vs truth {expected[j]:R}, SE {standardError[j]:G4}, |z| = {z[j]:F2} > {K}");
        }
    }

    /// <summary>Asserts that at least one coordinate is more than k SE from <paramref name="truth"/>: the test would catch this estimator.</summary>
    public static void FailsAgainst(Tensor perSample, double[] truth, string label)
    {
        double[] z = StandardizedErrors(perSample, truth);
        Assert.True(z.Max() > K, $"{label}: expected a detectable gap from the truth, but max |z| = {z.Max():F2} ≤ {K}");
    }
}
