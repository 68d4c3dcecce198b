namespace StochasticBackprop.Runtime.Tests.Fallback;

// A declaration with a deliberate typo (the log density's closing parenthesis is missing), its SBG001 suppressed so
// this project builds: what a user's program gets while the error is unfixed (the generator's fallback part).
#pragma warning disable SBG001
/// <summary>The Gamma with an unclosed parenthesis in its log density.</summary>
[Distribution]
[Parameter("k", ParameterDomain.Positive)]
[Parameter("theta", ParameterDomain.Positive)]
[CharacteristicFunction("(1 - i*theta*w)^(-k)")]
[LogDensity("(k - 1)*log(z) - z/theta - lgamma(k) - k*log(theta")]
[Reparameterization("theta*eps", Noise = NoiseKind.StandardGamma, NoiseShape = "k")]
public sealed partial class GammaWithUnclosedParenthesis
{
}
#pragma warning restore SBG001
