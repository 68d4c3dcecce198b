namespace StochasticBackprop.Runtime.Tests.Generated;

/// <summary>
/// A distribution declared the way a user would in their own project: attributes only.
/// Chi-squared with k degrees of freedom is Gamma(k/2, scale 2).
/// </summary>
[Distribution]
[Parameter("k", ParameterDomain.Positive)]
[CharacteristicFunction("(1 - 2*i*w)^(-k/2)")]
[LogDensity("(k/2 - 1)*log(z) - z/2 - lgamma(k/2) - k/2*log(2)")]
[Reparameterization("2*eps", Noise = NoiseKind.StandardGamma, NoiseShape = "k/2")]
public sealed partial class ChiSquared
{
}
