namespace StochasticBackprop.Distributions;

/// <summary>
/// The exponential distribution with the given <c>rate</c> (positive): p(z) = rate·e^{−rate·z} on z ≥ 0, mean 1/rate.
/// </summary>
/// <remarks>
/// Estimators: pathwise through z = eps/rate with standard exponential noise (Kingma and Welling, 2014); score
/// function from the log density (Williams, 1992); the Fourier series from φ(w) = rate/(rate − i·w)
/// (Echraibi et al., 2020); the hybrid (Oden, 2025).
/// </remarks>
[Distribution]
[Parameter("rate", ParameterDomain.Positive)]
[CharacteristicFunction("rate/(rate - i*w)")]
[LogDensity("log(rate) - rate*z")]
[Reparameterization("eps/rate", Noise = NoiseKind.StandardExponential)]
[Entropy("1 - log(rate)")]
[Cdf("1 - exp(-rate*(z + abs(z))/2)")]
public sealed partial class Exponential
{
}
