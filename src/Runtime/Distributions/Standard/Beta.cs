namespace StochasticBackprop.Distributions;

/// <summary>
/// The Beta distribution on (0, 1) with shapes <c>a</c> and <c>b</c> (both positive):
/// p(z) = z^{a−1}(1 − z)^{b−1}/B(a, b), drawn as z = ζ₁/(ζ₁ + ζ₂), ζ₁ ~ Gamma(a, 1), ζ₂ ~ Gamma(b, 1).
/// </summary>
/// <remarks>
/// Estimators: implicit pathwise through the two Gammas (Figurnov et al., 2018); score function from the log density
/// (Williams, 1992); the hybrid (Oden, 2025); the Fourier series through the Gammas' cumulants (Echraibi et al.,
/// 2020). That series is asymptotic, not convergent: its n-th term involves E[(ζ₁ + ζ₂)^{−n}], infinite for
/// n ≥ a + b, so keep the order well below (a + b)/2 (default 4) or use the pathwise estimator.
/// </remarks>
[Distribution(FourierOrder = 4)]
[Parameter("a", ParameterDomain.Positive)]
[Parameter("b", ParameterDomain.Positive)]
[Component("zeta1", typeof(Gamma), "a", "1")]
[Component("zeta2", typeof(Gamma), "b", "1")]
[Composition("zeta1/(zeta1 + zeta2)")]
[LogDensity("(a - 1)*log(z) + (b - 1)*log(1 - z) + lgamma(a + b) - lgamma(a) - lgamma(b)")]
[Entropy("lgamma(a) + lgamma(b) - lgamma(a + b) - (a - 1)*digamma(a) - (b - 1)*digamma(b) + (a + b - 2)*digamma(a + b)")]
public sealed partial class Beta
{
}
