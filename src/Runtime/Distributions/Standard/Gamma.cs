namespace StochasticBackprop.Distributions;

/// <summary>
/// The Gamma distribution with shape <c>k</c> (positive) and scale <c>theta</c> (positive):
/// p(z) = z^{k−1} e^{−z/theta} / (Γ(k) theta^k), mean k·theta.
/// </summary>
/// <remarks>
/// Estimators: implicit pathwise through z = theta·eps, eps ~ Gamma(k, 1), with ∂eps/∂k from libtorch's
/// <c>_standard_gamma</c> gradient (Figurnov et al., 2018); score function from the log density (Williams, 1992);
/// the Fourier series from φ(w) = (1 − i·theta·w)^{−k}, κₙ/n! = k·thetaⁿ/n (Echraibi et al., 2020); the hybrid
/// (Oden, 2025). Also the building block of <see cref="Beta"/> and <see cref="Dirichlet"/>.
/// </remarks>
[Distribution]
[Parameter("k", ParameterDomain.Positive)]
[Parameter("theta", ParameterDomain.Positive)]
[CharacteristicFunction("(1 - i*theta*w)^(-k)")]
[LogDensity("(k - 1)*log(z) - z/theta - lgamma(k) - k*log(theta)")]
[Reparameterization("theta*eps", Noise = NoiseKind.StandardGamma, NoiseShape = "k")]
[Entropy("k + log(theta) + lgamma(k) + (1 - k)*digamma(k)")]
public sealed partial class Gamma
{
}
