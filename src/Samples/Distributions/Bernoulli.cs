namespace StochasticBackprop.Samples.Distributions;

/// <summary>
/// The Bernoulli distribution on {0, 1} with P(z = 1) = p. Local expectation (Echraibi et al. 2020, eq. 16), score
/// function, Gumbel-softmax (binary concrete) and the discrete-difference Fourier rule.
/// </summary>
[Distribution]
[Parameter("p", ParameterDomain.UnitInterval)]
[Support(SupportKind.Finite, Values = "0, 1")]
[CharacteristicFunction("1 - p + p*exp(i*w)")]
[LogDensity("z*log(p) + (1 - z)*log(1 - p)")]
public sealed partial class Bernoulli
{
}
