using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

public static partial class Estimators
{
    /// <summary>
    /// The hybrid of the pathwise and score-function estimates on the same samples, weighted by the
    /// variance-optimal λ (clipped to [0, 1]); see <see cref="HybridEstimator"/>. Pass one
    /// <paramref name="hybrid"/> across a training loop for its <see cref="LambdaMode.PreviousBatches"/> mode.
    /// </summary>
    /// <param name="distribution">The distribution.</param>
    /// <param name="objective">f.</param>
    /// <param name="sampleCount">S.</param>
    /// <param name="hybrid">The hybrid estimator and its settings; null for a fresh one (λ from this batch).</param>
    /// <param name="generator">The random number generator; null for the global one.</param>
    [Estimator("hybrid")]
    public static GradientEstimate Hybrid(this IHybridDistribution distribution, Objective objective, long sampleCount, HybridEstimator? hybrid = null, Generator? generator = null)
        => (hybrid ?? new HybridEstimator()).Estimate(distribution, objective, sampleCount, generator);
}
