namespace StochasticBackprop.Samples.Distributions;

/// <summary>The exponential distribution with the given rate.</summary>
[Distribution]
[Parameter("rate", ParameterDomain.Positive)]
[CharacteristicFunction("rate/(rate - i*w)")]
[LogDensity("log(rate) - rate*z")]
[Reparameterization("eps/rate", Noise = NoiseKind.StandardExponential)]
public sealed partial class Exponential
{
}
