namespace StochasticBackprop.Runtime.Tests.FormulaFunctions;

/// <summary>
/// The uniform on (a, b) declared by its natural characteristic function, whose 0/0 at w = 0 the generator
/// cancels: κ1 = (a + b)/2, κ2 = (b − a)²/12, κ3 = 0, κ4 = −(b − a)⁴/120.
/// </summary>
[Distribution]
[Parameter("a")]
[Parameter("b")]
[CharacteristicFunction("(exp(i*b*w) - exp(i*a*w))/(i*(b - a)*w)")]
[Reparameterization("a + (b - a)*eps", Noise = NoiseKind.StandardUniform)]
public sealed partial class UniformByCharacteristicFunction
{
}

/// <summary>
/// A deliberately wrong log-gamma: the sampler is right, but log φ = digamma(k + i·w) − digamma(k) is the log-gamma's
/// with every cumulant one polygamma order too high (the mistake a wrong lgamma series rule would make), so its
/// Fourier estimator must fail the test the right one passes.
/// </summary>
[Distribution]
[Parameter("k", ParameterDomain.Positive)]
[LogCharacteristicFunction("digamma(k + i*w) - digamma(k)")]
[Reparameterization("log(eps)", Noise = NoiseKind.StandardGamma, NoiseShape = "k")]
public sealed partial class LogGammaWithShiftedCumulants
{
}

/// <summary>The Beta distribution with its normalizer written lbeta(a, b); the score is derived through lbeta's row.</summary>
[Distribution]
[Parameter("a", ParameterDomain.Positive)]
[Parameter("b", ParameterDomain.Positive)]
[Component("zeta1", typeof(StochasticBackprop.Distributions.Gamma), "a", "1")]
[Component("zeta2", typeof(StochasticBackprop.Distributions.Gamma), "b", "1")]
[Composition("zeta1/(zeta1 + zeta2)")]
[LogDensity("(a - 1)*log(z) + (b - 1)*log(1 - z) - lbeta(a, b)")]
public sealed partial class BetaByLbeta
{
}
