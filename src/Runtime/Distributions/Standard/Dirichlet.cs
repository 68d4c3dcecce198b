namespace StochasticBackprop.Distributions;

/// <summary>
/// The Dirichlet distribution on the simplex with concentrations <c>alpha</c> (positive, along the last axis):
/// z = ζ/Σζ with ζ_k ~ Gamma(alpha_k, 1). Samples have alpha's shape; each entry of <c>LogDensity(z)</c> along the
/// last axis holds the log density of the whole vector.
/// </summary>
/// <remarks>
/// Estimators: implicit pathwise through the Gammas (Figurnov et al., 2018); score function from the log density
/// (Williams, 1992); the hybrid (Oden, 2025); the Fourier series through the Gammas' cumulants (Echraibi et al.,
/// 2020), asymptotic like the <see cref="Beta"/>'s: its n-th term is infinite for n ≥ Σalpha.
/// </remarks>
[Distribution(FourierOrder = 4)]
[Parameter("alpha", ParameterDomain.Positive, EventRank = 1)]
[Component("zeta", typeof(Gamma), "alpha", "1")]
[Composition("zeta/sum(zeta)")]
[LogDensity("sum((alpha - 1)*log(z)) + lgamma(sum(alpha)) - sum(lgamma(alpha))")]
[Entropy("sum(lgamma(alpha)) - lgamma(sum(alpha)) + (sum(alpha) - sum(alpha/alpha))*digamma(sum(alpha)) - sum((alpha - 1)*digamma(alpha))")]
public sealed partial class Dirichlet
{
}
