namespace StochasticBackprop.Samples.Distributions;

/// <summary>The Laplace distribution with location mu and scale b (Echraibi et al. 2020, eq. 18).</summary>
[Distribution(CumulantOrder = 12)]
[Parameter("mu")]
[Parameter("b", ParameterDomain.Positive)]
[CharacteristicFunction("exp(i*mu*w) / (1 + b^2*w^2)")]
[LogDensity("-abs(z - mu)/b - log(2*b)")]
[Reparameterization("mu + b*eps", Noise = NoiseKind.StandardLaplace)]
public sealed partial class Laplace
{
}
