namespace StochasticBackprop.Distributions;

/// <summary>The Poisson distribution on the counts 0, 1, 2, … with the given <c>rate</c> (positive).</summary>
/// <remarks>
/// Estimators: score function (Williams, 1992); the Fourier rule on the integers (Echraibi et al., 2020):
/// log φ = rate·(e^{iw} − 1) = rate·t with t = e^{iw} − 1, so ∂/∂rate E f = E[f(z + 1) − f(z)] exactly at order 1.
/// Sampled by libtorch's <c>poisson</c>.
/// </remarks>
[Distribution]
[Parameter("rate", ParameterDomain.Positive)]
[Support(SupportKind.Counts)]
[LogCharacteristicFunction("rate*(exp(i*w) - 1)")]
[LogDensity("z*log(rate) - rate - lgamma(z + 1)")]
public sealed partial class Poisson
{
}
