namespace StochasticBackprop.Distributions;

/// <summary>
/// Student's t distribution with <c>nu</c> degrees of freedom (positive), location <c>mu</c> (real) and scale
/// <c>sigma</c> (positive): z = mu + sigma·x/√g with x ~ N(0, 1) and g ~ Gamma(nu/2, scale 2/nu) independent
/// (so nu·g is χ² with nu degrees of freedom). E z = mu for nu &gt; 1, Var z = sigma²·nu/(nu − 2) for nu &gt; 2.
/// </summary>
/// <remarks>
/// Estimators: pathwise through the two blocks, implicit through the Gamma for nu (Figurnov et al., 2018); score
/// function from the log density (Williams, 1992); the hybrid (Oden, 2025); the Fourier series through the blocks'
/// cumulants (Echraibi et al., 2020), whose n-th term in g involves E[g^{−n−1/2}], finite only for nu &gt; 2n + 1:
/// the default order is therefore 2 (nu &gt; 5), and for heavy tails the pathwise estimator is the one to use.
/// </remarks>
[Distribution(FourierOrder = 2)]
[Parameter("nu", ParameterDomain.Positive)]
[Parameter("mu")]
[Parameter("sigma", ParameterDomain.Positive)]
[Component("x", typeof(Normal), "0", "1")]
[Component("g", typeof(Gamma), "nu/2", "2/nu")]
[Composition("mu + sigma*x/sqrt(g)")]
[LogDensity("lgamma((nu + 1)/2) - lgamma(nu/2) - log(nu*pi)/2 - log(sigma) - (nu + 1)/2*log1p((z - mu)^2/(sigma^2*nu))")]
[Entropy("(nu + 1)/2*(digamma((nu + 1)/2) - digamma(nu/2)) + log(nu)/2 + lgamma(nu/2) + log(pi)/2 - lgamma((nu + 1)/2) + log(sigma)")]
public sealed partial class StudentT
{
}
