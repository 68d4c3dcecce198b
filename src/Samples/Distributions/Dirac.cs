namespace StochasticBackprop.Samples.Distributions;

/// <summary>
/// A point mass at a. It has no density, so no score-function estimator; its Fourier rule is
/// κ1 = a alone, which is ordinary backpropagation (Echraibi et al. 2020, eq. 15).
/// </summary>
[Distribution]
[Parameter("a")]
[CharacteristicFunction("exp(i*a*w)")]
[Reparameterization("a", Noise = NoiseKind.None)]
public sealed partial class Dirac
{
}
