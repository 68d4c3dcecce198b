namespace StochasticBackprop.Samples.Distributions;

/// <summary>
/// The log-gamma distribution: z = log g with g ~ Gamma(k, 1), density exp(k·z − e^z)/Γ(k). Its characteristic
/// function is Γ(k + i·w)/Γ(k), so log φ = lgamma(k + i·w) − lgamma(k) and the cumulants are the polygamma values
/// κn = ψ⁽ⁿ⁻¹⁾(k), which the generator expands from lgamma of an expression in w. Sampled as the log of
/// standard-gamma noise, with libtorch's implicit gradient with respect to the shape.
/// </summary>
[Distribution]
[Parameter("k", ParameterDomain.Positive)]
[LogCharacteristicFunction("lgamma(k + i*w) - lgamma(k)")]
[LogDensity("k*z - exp(z) - lgamma(k)")]
[Reparameterization("log(eps)", Noise = NoiseKind.StandardGamma, NoiseShape = "k")]
public sealed partial class LogGamma
{
}
