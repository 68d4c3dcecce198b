namespace StochasticBackprop.Samples.Distributions;

/// <summary>
/// The Beta distribution as z = ζ₁/(ζ₁ + ζ₂), ζ₁ ~ Gamma(a, 1), ζ₂ ~ Gamma(b, 1) (Echraibi et al. 2020, eq. 20):
/// implicit pathwise through the Gammas, score from the density, Fourier through the Gammas'
/// cumulants (an asymptotic series: keep the order well below (a + b)/2).
/// </summary>
[Distribution(FourierOrder = 4)]
[Parameter("a", ParameterDomain.Positive)]
[Parameter("b", ParameterDomain.Positive)]
[Component("zeta1", typeof(Gamma), "a", "1")]
[Component("zeta2", typeof(Gamma), "b", "1")]
[Composition("zeta1/(zeta1 + zeta2)")]
[LogDensity("(a - 1)*log(z) + (b - 1)*log(1 - z) + lgamma(a + b) - lgamma(a) - lgamma(b)")]
public sealed partial class Beta
{
}
