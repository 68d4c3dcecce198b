namespace StochasticBackprop.Samples.Distributions;

/// <summary>
/// The categorical distribution over K categories with probabilities <c>probs</c> (last axis);
/// samples are category indices 0..K−1. Local expectation (Echraibi et al. 2020, eq. 17), score function, Gumbel-softmax.
/// </summary>
[Distribution]
[Parameter("probs", ParameterDomain.Simplex, EventRank = 1)]
[Support(SupportKind.Categories)]
[LogDensity("log(probs)")]
public sealed partial class Categorical
{
}
