namespace StochasticBackprop.Samples.Distributions;

/// <summary>
/// The terminal price S_T of geometric Brownian motion dS = r S dt + σ S dW from S_0 = s0 over time t
/// (Oden 2026, Appendix D, under the risk-neutral drift r): log-normal, S_T = s0·exp((r − σ²/2) t + σ √t ε).
/// With the parameters (s0, r, sigma, t) the generated pathwise estimator gives the pathwise Greeks
/// (Delta = ∂/∂s0, Vega = ∂/∂sigma of the undiscounted expectation) and the score-function estimator
/// the likelihood-ratio / Malliavin-weight Greeks: ∂ log p/∂s0 = W_T/(s0 σ t) (Oden 2026, eq. 65).
/// </summary>
[Distribution]
[Parameter("s0", ParameterDomain.Positive)]
[Parameter("r")]
[Parameter("sigma", ParameterDomain.Positive)]
[Parameter("t", ParameterDomain.Positive)]
[LogDensity("-(log(z) - log(s0) - (r - sigma^2/2)*t)^2/(2*sigma^2*t) - log(z) - log(sigma) - log(t)/2 - log(2*pi)/2")]
[Reparameterization("s0*exp((r - sigma^2/2)*t + sigma*sqrt(t)*eps)", Noise = NoiseKind.StandardNormal)]
public sealed partial class GbmTerminalPrice
{
}
