namespace StochasticBackprop.Distributions;

/// <summary>
/// The categorical distribution over K categories with probabilities <c>probs</c> (a simplex along the last axis);
/// samples are category indices 0..K−1. For unnormalised log-probabilities use <see cref="CategoricalLogits"/>.
/// </summary>
/// <remarks>
/// Estimators: local expectation (Titsias and Lázaro-Gredilla, 2015; Echraibi et al., 2020); score function
/// (Williams, 1992); the biased Gumbel-softmax relaxation and its straight-through form (Jang et al., 2017;
/// Maddison et al., 2017); exact enumeration. The gradient is that of E f in the unconstrained table entries.
/// </remarks>
[Distribution]
[Parameter("probs", ParameterDomain.Simplex, EventRank = 1)]
[Support(SupportKind.Categories)]
[LogDensity("log(probs)")]
[Entropy("-sum(log(probs^probs))")]
public sealed partial class Categorical
{
}
