namespace StochasticBackprop.Samples.Distributions;

/// <summary>
/// The Dirichlet distribution over the last axis of alpha, as z = ζ/Σζ with ζ_k ~ Gamma(alpha_k, 1)
/// (Echraibi et al. 2020, eq. 21). Samples have alpha's shape. Each entry of <c>LogDensity(z)</c> along the last axis
/// holds the log density of the whole vector.
/// </summary>
[Distribution(FourierOrder = 4)]
[Parameter("alpha", ParameterDomain.Positive, EventRank = 1)]
[Component("zeta", typeof(Gamma), "alpha", "1")]
[Composition("zeta/sum(zeta)")]
[LogDensity("sum((alpha - 1)*log(z)) + lgamma(sum(alpha)) - sum(lgamma(alpha))")]
public sealed partial class Dirichlet
{
}
