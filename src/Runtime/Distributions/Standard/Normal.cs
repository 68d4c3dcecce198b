namespace StochasticBackprop.Distributions;

/// <summary>
/// The normal distribution N(mu, sigma²): location <c>mu</c> (real) and standard deviation <c>sigma</c> (positive).
/// </summary>
/// <remarks>
/// Estimators: pathwise through z = mu + sigma·eps, eps ~ N(0, 1) (Kingma and Welling, 2014; Rezende et al., 2014);
/// score function from the log density (Williams, 1992); the Fourier series, exact at order 2 since κ₃ = κ₄ = … = 0
/// (Price, 1958; Bonnet, 1964; Echraibi et al., 2020); the variance-weighted hybrid of the pathwise and score
/// estimators (Oden, 2025).
/// </remarks>
[Distribution]
[Parameter("mu")]
[Parameter("sigma", ParameterDomain.Positive)]
[CharacteristicFunction("exp(i*mu*w - sigma^2*w^2/2)")]
[LogDensity("-(z - mu)^2/(2*sigma^2) - log(sigma) - log(2*pi)/2")]
[Reparameterization("mu + sigma*eps", Noise = NoiseKind.StandardNormal)]
[Entropy("log(sigma) + (1 + log(2*pi))/2")]
[Cdf("(1 + erf((z - mu)/(sigma*sqrt(2))))/2")]
public sealed partial class Normal
{
}
