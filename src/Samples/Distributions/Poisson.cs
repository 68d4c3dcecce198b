namespace StochasticBackprop.Samples.Distributions;

/// <summary>
/// The Poisson distribution with the given rate. Score function, and the Fourier rule on the
/// integers: log φ = rate·(e^{iw} − 1) = rate·t, so ∂/∂rate E f = E[f(z + 1) − f(z)] exactly.
/// </summary>
[Distribution]
[Parameter("rate", ParameterDomain.Positive)]
[Support(SupportKind.Counts)]
[LogCharacteristicFunction("rate*(exp(i*w) - 1)")]
[LogDensity("z*log(rate) - rate - lgamma(z + 1)")]
public sealed partial class Poisson
{
}
