namespace StochasticBackprop.Samples.Distributions;

/// <summary>
/// The Gamma distribution with shape k and scale theta (Echraibi et al. 2020, eq. 19). Its pathwise estimator is
/// implicit: libtorch's <c>_standard_gamma</c> gradient with respect to the shape.
/// </summary>
[Distribution]
[Parameter("k", ParameterDomain.Positive)]
[Parameter("theta", ParameterDomain.Positive)]
[CharacteristicFunction("(1 - i*theta*w)^(-k)")]
[LogDensity("(k - 1)*log(z) - z/theta - lgamma(k) - k*log(theta)")]
[Reparameterization("theta*eps", Noise = NoiseKind.StandardGamma, NoiseShape = "k")]
public sealed partial class Gamma
{
}
