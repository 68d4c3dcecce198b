namespace StochasticBackprop.Runtime.Tests.TestDistributions;

// Declarations for the torch.distributions-style members and for compositions that name their own
// parameters, by attributes only, as a user writes them. Declared here (not taken from src/Samples) so the
// [Entropy] and [Cdf] formulas under test are the tests' own.

/// <summary>N(mu, sigma²) with its entropy ½ log(2πe σ²).</summary>
[Distribution]
[Parameter("mu")]
[Parameter("sigma", ParameterDomain.Positive)]
[CharacteristicFunction("exp(i*mu*w - sigma^2*w^2/2)")]
[LogDensity("-(z - mu)^2/(2*sigma^2) - log(sigma) - log(2*pi)/2")]
[Reparameterization("mu + sigma*eps")]
[Entropy("log(sigma) + (1 + log(2*pi))/2")]
public sealed partial class EntropyNormal
{
}

/// <summary>The same Normal with a typo in its entropy (log(pi) for log(2*pi)): the negative case.</summary>
[Distribution]
[Parameter("mu")]
[Parameter("sigma", ParameterDomain.Positive)]
[LogDensity("-(z - mu)^2/(2*sigma^2) - log(sigma) - log(2*pi)/2")]
[Reparameterization("mu + sigma*eps")]
[Entropy("log(sigma) + (1 + log(pi))/2")]
public sealed partial class WrongEntropyNormal
{
}

/// <summary>Gamma(k, scale theta): H = k + log θ + lgamma(k) + (1 − k) ψ(k).</summary>
[Distribution]
[Parameter("k", ParameterDomain.Positive)]
[Parameter("theta", ParameterDomain.Positive)]
[CharacteristicFunction("(1 - i*theta*w)^(-k)")]
[LogDensity("(k - 1)*log(z) - z/theta - lgamma(k) - k*log(theta)")]
[Reparameterization("theta*eps", Noise = NoiseKind.StandardGamma, NoiseShape = "k")]
[Entropy("k + log(theta) + lgamma(k) + (1 - k)*digamma(k)")]
public sealed partial class EntropyGamma
{
}

/// <summary>Beta(a, b) as ζ₁/(ζ₁ + ζ₂) of two Gammas, with its entropy.</summary>
[Distribution]
[Parameter("a", ParameterDomain.Positive)]
[Parameter("b", ParameterDomain.Positive)]
[Component("zeta1", typeof(EntropyGamma), "a", "1")]
[Component("zeta2", typeof(EntropyGamma), "b", "1")]
[Composition("zeta1/(zeta1 + zeta2)")]
[LogDensity("(a - 1)*log(z) + (b - 1)*log(1 - z) + lgamma(a + b) - lgamma(a) - lgamma(b)")]
[Entropy("lgamma(a) + lgamma(b) - lgamma(a + b) - (a - 1)*digamma(a) - (b - 1)*digamma(b) + (a + b - 2)*digamma(a + b)")]
public sealed partial class EntropyBeta
{
}

/// <summary>Dirichlet(alpha) over the last axis: H = log B(α) + (α₀ − K) ψ(α₀) − Σ (α_j − 1) ψ(α_j).</summary>
[Distribution]
[Parameter("alpha", ParameterDomain.Positive, EventRank = 1)]
[Component("zeta", typeof(EntropyGamma), "alpha", "1")]
[Composition("zeta/sum(zeta)")]
[LogDensity("sum((alpha - 1)*log(z)) + lgamma(sum(alpha)) - sum(lgamma(alpha))")]
[Entropy("sum(lgamma(alpha)) - lgamma(sum(alpha)) + (sum(alpha) - sum(alpha/alpha))*digamma(sum(alpha)) - sum((alpha - 1)*digamma(alpha))")]
public sealed partial class EntropyDirichlet
{
}

/// <summary>The categorical over the last axis of probs: H = −Σ p log p.</summary>
[Distribution]
[Parameter("probs", ParameterDomain.Simplex, EventRank = 1)]
[Support(SupportKind.Categories)]
[LogDensity("log(probs)")]
[Entropy("-sum(probs*log(probs))")]
public sealed partial class EntropyCategorical
{
}

/// <summary>Poisson(rate): mean and variance from its factorial cumulants (no closed-form entropy).</summary>
[Distribution]
[Parameter("rate", ParameterDomain.Positive)]
[Support(SupportKind.Counts)]
[LogCharacteristicFunction("rate*(exp(i*w) - 1)")]
[LogDensity("z*log(rate) - rate - lgamma(z + 1)")]
public sealed partial class MomentsPoisson
{
}

/// <summary>Geometric on 0, 1, 2, … (failures before the first success): F(k) = 1 − (1 − p)^(k + 1).</summary>
[Distribution]
[Parameter("p", ParameterDomain.UnitInterval)]
[Support(SupportKind.Counts)]
[LogDensity("z*log(1 - p) + log(p)")]
[Cdf("1 - (1 - p)^(z + 1)")]
public sealed partial class CdfGeometric
{
}

/// <summary>Exponential(rate): F(z) = 1 − e^{−rate·z}, H = 1 − log(rate).</summary>
[Distribution]
[Parameter("rate", ParameterDomain.Positive)]
[CharacteristicFunction("rate/(rate - i*w)")]
[LogDensity("log(rate) - rate*z")]
[Reparameterization("eps/rate", Noise = NoiseKind.StandardExponential)]
[Entropy("1 - log(rate)")]
[Cdf("1 - exp(-rate*z)")]
public sealed partial class CdfExponential
{
}

/// <summary>Logistic(m, s): F(z) = σ((z − m)/s), H = log s + 2.</summary>
[Distribution]
[Parameter("m")]
[Parameter("s", ParameterDomain.Positive)]
[LogDensity("-(z - m)/s - 2*log1p(exp(-(z - m)/s)) - log(s)")]
[Reparameterization("m + s*log(eps/(1 - eps))", Noise = NoiseKind.StandardUniform)]
[Entropy("log(s) + 2")]
[Cdf("sigmoid((z - m)/s)")]
public sealed partial class CdfLogistic
{
}

/// <summary>
/// Student-t with location mu, scale sigma and nu degrees of freedom, as the composition mu + sigma·x/√g of
/// x ~ N(0, 1) and g ~ Gamma(nu/2, scale 2/nu) (so g·nu ~ χ²_nu): the map names the composite's own parameters.
/// </summary>
[Distribution]
[Parameter("mu")]
[Parameter("sigma", ParameterDomain.Positive)]
[Parameter("nu", ParameterDomain.Positive)]
[Component("x", typeof(EntropyNormal), "0", "1")]
[Component("g", typeof(EntropyGamma), "nu/2", "2/nu")]
[Composition("mu + sigma*x/sqrt(g)")]
[LogDensity("lgamma((nu + 1)/2) - lgamma(nu/2) - log(nu*pi)/2 - log(sigma) - (nu + 1)/2*log1p((z - mu)^2/(sigma^2*nu))")]
[Entropy("(nu + 1)/2*(digamma((nu + 1)/2) - digamma(nu/2)) + log(nu)/2 + lgamma(nu/2) + log(pi)/2 - lgamma((nu + 1)/2) + log(sigma)")]
public sealed partial class StudentT
{
}

/// <summary>z = mu + x with x ~ Gamma(k, 1): a composite shifted by its own parameter, E z = mu + k.</summary>
[Distribution]
[Parameter("mu")]
[Parameter("k", ParameterDomain.Positive)]
[Component("x", typeof(EntropyGamma), "k", "1")]
[Composition("mu + x")]
[LogDensity("(k - 1)*log(z - mu) - (z - mu) - lgamma(k)")]
public sealed partial class ShiftedGamma
{
}
