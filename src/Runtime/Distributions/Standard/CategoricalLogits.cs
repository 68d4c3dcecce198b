namespace StochasticBackprop.Distributions;

/// <summary>
/// The categorical distribution over K categories parameterised by unnormalised log-probabilities <c>logits</c>
/// (real, last axis): p = softmax(logits). Samples are category indices 0..K−1.
/// </summary>
/// <remarks>
/// Estimators: local expectation (Titsias and Lázaro-Gredilla, 2015; Echraibi et al., 2020); score function
/// (Williams, 1992); the biased Gumbel-softmax relaxation and its straight-through form (Jang et al., 2017;
/// Maddison et al., 2017); exact enumeration.
/// </remarks>
[Distribution]
[Parameter("logits", ParameterDomain.Real, EventRank = 1)]
[Support(SupportKind.Categories)]
[LogDensity("logits - logsumexp(logits)")]
[Entropy("-sum(exp(logits - logsumexp(logits))*(logits - logsumexp(logits)))")]
public sealed partial class CategoricalLogits
{
}
