namespace StochasticBackprop.Samples.Distributions;

/// <summary>
/// The hyperbolic secant distribution with location mu and scale sigma: density sech(π(z − mu)/(2·sigma))/(2·sigma),
/// variance sigma², characteristic function exp(i·mu·w)/cosh(sigma·w), cumulants κ2n = sigma²ⁿ times the tangent numbers
/// (κ2 = sigma², κ4 = 2·sigma⁴). Sampled by the inverse CDF, z = mu + (2·sigma/π)·log(tan(π·u/2)) with u uniform. The log
/// density is written log cosh(y) = |y| + log1p(exp(−2|y|)) − log 2, which cannot overflow in the tails as cosh would.
/// </summary>
[Distribution]
[Parameter("mu")]
[Parameter("sigma", ParameterDomain.Positive)]
[CharacteristicFunction("exp(i*mu*w)/cosh(sigma*w)")]
[LogDensity("-log(sigma) - abs(pi*(z - mu)/(2*sigma)) - log1p(exp(-2*abs(pi*(z - mu)/(2*sigma))))")]
[Reparameterization("mu + 2*sigma/pi*log(tan(pi*eps/2))", Noise = NoiseKind.StandardUniform)]
public sealed partial class HyperbolicSecant
{
}
