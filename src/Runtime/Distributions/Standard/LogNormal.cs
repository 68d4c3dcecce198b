namespace StochasticBackprop.Distributions;

/// <summary>
/// The log-normal distribution: z = exp(x) with x ~ N(mu, sigma²), so <c>mu</c> (real) and <c>sigma</c> (positive)
/// are the mean and standard deviation of log z.
/// </summary>
/// <remarks>
/// Estimators: pathwise through z = exp(mu + sigma·eps), eps ~ N(0, 1) (Kingma and Welling, 2014); score function
/// from the log density (Williams, 1992); the hybrid of the two (Oden, 2025). No Fourier estimator: the log-normal
/// has no closed-form characteristic function, and its moment generating function is infinite for every s &gt; 0.
/// </remarks>
[Distribution]
[Parameter("mu")]
[Parameter("sigma", ParameterDomain.Positive)]
[LogDensity("-(log(z) - mu)^2/(2*sigma^2) - log(z) - log(sigma) - log(2*pi)/2")]
[Reparameterization("exp(mu + sigma*eps)", Noise = NoiseKind.StandardNormal)]
[Entropy("mu + log(sigma) + (1 + log(2*pi))/2")]
public sealed partial class LogNormal
{
}
