namespace StochasticBackprop.Samples.Distributions;

/// <summary>
/// The categorical distribution over K categories parameterised by unnormalised log-probabilities
/// <c>logits</c> (last axis): p = softmax(logits). Samples are category indices 0..K−1.
/// </summary>
[Distribution]
[Parameter("logits", ParameterDomain.Real, EventRank = 1)]
[Support(SupportKind.Categories)]
[LogDensity("logits - logsumexp(logits)")]
public sealed partial class CategoricalLogits
{
}
