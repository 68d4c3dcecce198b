namespace StochasticBackprop.Distributions;

/// <summary>
/// The Laplace (double exponential) distribution with location <c>mu</c> (real) and scale <c>b</c> (positive):
/// p(z) = exp(−|z − mu|/b)/(2b).
/// </summary>
/// <remarks>
/// Estimators: pathwise through z = mu + b·eps with standard Laplace noise (Kingma and Welling, 2014); score function
/// from the log density (Williams, 1992); the Fourier series from φ(w) = e^{i·mu·w}/(1 + b²w²), whose even cumulants
/// κ₂ₘ/(2m)! = b^{2m}/m give the rule of Echraibi et al. (2020); the hybrid (Oden, 2025). Twelve cumulants are derived.
/// </remarks>
[Distribution(CumulantOrder = 12)]
[Parameter("mu")]
[Parameter("b", ParameterDomain.Positive)]
[CharacteristicFunction("exp(i*mu*w) / (1 + b^2*w^2)")]
[LogDensity("-abs(z - mu)/b - log(2*b)")]
[Reparameterization("mu + b*eps", Noise = NoiseKind.StandardLaplace)]
[Entropy("1 + log(2*b)")]
[Cdf("exp((z - mu - abs(z - mu))/(2*b))/2 + (1 - exp(-(z - mu + abs(z - mu))/(2*b)))/2")]
public sealed partial class Laplace
{
}
