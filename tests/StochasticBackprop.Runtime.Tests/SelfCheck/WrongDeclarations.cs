namespace StochasticBackprop.Runtime.Tests.SelfCheck;

/// <summary>
/// The sample Gamma with the typo of issue 12: <c>(k + 1)*log(z)</c> for <c>(k - 1)*log(z)</c>. It still parses, and the
/// derived score is the same as the correct one (the typo adds 2·log z, which does not depend on θ), so only the density's
/// own checks can see it.
/// </summary>
[Distribution]
[Parameter("k", ParameterDomain.Positive)]
[Parameter("theta", ParameterDomain.Positive)]
[CharacteristicFunction("(1 - i*theta*w)^(-k)")]
[LogDensity("(k + 1)*log(z) - z/theta - lgamma(k) - k*log(theta)")]
[Reparameterization("theta*eps", Noise = NoiseKind.StandardGamma, NoiseShape = "k")]
public sealed partial class GammaWithPlusOneTypo
{
}

/// <summary>The Gamma with a wrong characteristic function: (1 − iθw)^(−k/2), the law of a Gamma of half the shape.</summary>
[Distribution]
[Parameter("k", ParameterDomain.Positive)]
[Parameter("theta", ParameterDomain.Positive)]
[CharacteristicFunction("(1 - i*theta*w)^(-k/2)")]
[LogDensity("(k - 1)*log(z) - z/theta - lgamma(k) - k*log(theta)")]
[Reparameterization("theta*eps", Noise = NoiseKind.StandardGamma, NoiseShape = "k")]
public sealed partial class GammaWithWrongCharacteristicFunction
{
}

/// <summary>The normal with a wrong reparameterization: mu + sigma²·eps (the variance where the scale belongs).</summary>
[Distribution]
[Parameter("mu")]
[Parameter("sigma", ParameterDomain.Positive)]
[CharacteristicFunction("exp(i*mu*w - sigma^2*w^2/2)")]
[LogDensity("-(z - mu)^2/(2*sigma^2) - log(sigma) - log(2*pi)/2")]
[Reparameterization("mu + sigma^2*eps", Noise = NoiseKind.StandardNormal)]
public sealed partial class NormalWithWrongReparameterization
{
}

/// <summary>The normal with a wrong [Score] for sigma: (z − mu)²/sigma³ without the −1/sigma.</summary>
[Distribution]
[Parameter("mu")]
[Parameter("sigma", ParameterDomain.Positive)]
[CharacteristicFunction("exp(i*mu*w - sigma^2*w^2/2)")]
[LogDensity("-(z - mu)^2/(2*sigma^2) - log(sigma) - log(2*pi)/2")]
[Score("sigma", "(z - mu)^2/sigma^3")]
[Reparameterization("mu + sigma*eps", Noise = NoiseKind.StandardNormal)]
public sealed partial class NormalWithWrongScore
{
}
