namespace StochasticBackprop.Samples.Distributions;

/// <summary>The normal distribution N(mu, sigma²). The Fourier series is exact at order 2 (Price / Bonnet).</summary>
[Distribution]
[Parameter("mu")]
[Parameter("sigma", ParameterDomain.Positive)]
[CharacteristicFunction("exp(i*mu*w - sigma^2*w^2/2)")]
[LogDensity("-(z - mu)^2/(2*sigma^2) - log(sigma) - log(2*pi)/2")]
[Reparameterization("mu + sigma*eps", Noise = NoiseKind.StandardNormal)]
public sealed partial class Normal
{
}
