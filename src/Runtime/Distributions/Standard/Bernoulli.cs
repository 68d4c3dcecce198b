namespace StochasticBackprop.Distributions;

/// <summary>The Bernoulli distribution on {0, 1} with P(z = 1) = <c>p</c> (in [0, 1]).</summary>
/// <remarks>
/// Estimators: local expectation, exact in each coordinate (Titsias and Lázaro-Gredilla, 2015; Echraibi et al.,
/// 2020); score function (Williams, 1992); the biased Gumbel-softmax / binary-concrete relaxation and its
/// straight-through form (Jang et al., 2017; Maddison et al., 2017); the Fourier rule on the integers, a forward
/// difference of f (Echraibi et al., 2020); exact enumeration of small joint supports.
/// </remarks>
[Distribution]
[Parameter("p", ParameterDomain.UnitInterval)]
[Support(SupportKind.Finite, Values = "0, 1")]
[CharacteristicFunction("1 - p + p*exp(i*w)")]
[LogDensity("z*log(p) + (1 - z)*log(1 - p)")]
[Entropy("-log(p^p*(1 - p)^(1 - p))")]
[Cdf("1 - p*(1 - z)")]
public sealed partial class Bernoulli
{
}
