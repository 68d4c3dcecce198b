using System;

namespace StochasticBackprop;

/// <summary>
/// Declares a <c>partial</c> class as a distribution whose estimators the StochasticBackprop
/// generator writes. Combine with <see cref="ParameterAttribute"/> and at least one of
/// <see cref="CharacteristicFunctionAttribute"/>, <see cref="LogCharacteristicFunctionAttribute"/>,
/// <see cref="LogDensityAttribute"/> or <see cref="ScoreAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class DistributionAttribute : Attribute
{
    /// <summary>The Fourier-series truncation order the estimator uses unless a call says otherwise. Default 4; 1 to <see cref="CumulantOrder"/>.</summary>
    public int FourierOrder { get; set; } = 4;

    /// <summary>How many cumulants κ₁..κₙ the generator derives from the characteristic function. Default 8; 1 to 16.</summary>
    public int CumulantOrder { get; set; } = 8;
}

/// <summary>Where a distribution parameter lives; checked when the distribution is constructed.</summary>
public enum ParameterDomain
{
    /// <summary>Any finite real number.</summary>
    Real,

    /// <summary>Strictly positive (scales, rates, shapes).</summary>
    Positive,

    /// <summary>Zero or positive.</summary>
    NonNegative,

    /// <summary>In the closed interval [0, 1] (probabilities).</summary>
    UnitInterval,

    /// <summary>
    /// Probabilities over the last axis: every element in [0, 1] and each vector along the last
    /// axis summing to 1 (within 1e-6 relative). Needs <see cref="ParameterAttribute.EventRank"/> = 1.
    /// </summary>
    Simplex,
}

/// <summary>A distribution parameter, named as the formulas name it. Order of declaration is the constructor's order.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ParameterAttribute : Attribute
{
    /// <summary>Declares a parameter.</summary>
    /// <param name="name">The identifier formulas use (e.g. <c>sigma</c>); the generated property is its PascalCase form.</param>
    /// <param name="domain">The values it may take.</param>
    public ParameterAttribute(string name, ParameterDomain domain = ParameterDomain.Real)
    {
        Name = name;
        Domain = domain;
    }

    /// <summary>The identifier formulas use.</summary>
    public string Name { get; }

    /// <summary>The values it may take.</summary>
    public ParameterDomain Domain { get; }

    /// <summary>
    /// 0 (default): the parameter is elementwise, one value per coordinate. 1: its last axis is an
    /// event axis (a categorical's K probabilities or logits, a Dirichlet's K concentrations);
    /// <c>sum(…)</c> and <c>logsumexp(…)</c> in formulas reduce over that axis.
    /// </summary>
    public int EventRank { get; set; }
}

/// <summary>What values a distribution's samples take.</summary>
public enum SupportKind
{
    /// <summary>Real values (the default when no <see cref="SupportAttribute"/> is given).</summary>
    Continuous,

    /// <summary>
    /// Finitely many values listed in <see cref="SupportAttribute.Values"/> (e.g. <c>"0, 1"</c>).
    /// The log density, evaluated at each value, gives each value's probability.
    /// </summary>
    Finite,

    /// <summary>
    /// Categories 0..K−1, K the size of the event axis of the <see cref="ParameterAttribute.EventRank"/> = 1
    /// parameters. The log density is written for all categories at once, elementwise over that axis
    /// (<c>log(probs)</c>, <c>logits - logsumexp(logits)</c>). Samples are category indices, as floats.
    /// </summary>
    Categories,

    /// <summary>The counts 0, 1, 2, … (Poisson, geometric, negative binomial); sampled by inverse CDF from the log density.</summary>
    Counts,
}

/// <summary>
/// Declares a discrete support. A distribution with a finite support (<see cref="SupportKind.Finite"/>,
/// <see cref="SupportKind.Categories"/>) gets the local-expectation estimator (Echraibi et al. 2020, Theorem 2), the
/// score function from its probability table, a Gumbel-softmax relaxation and exact enumeration;
/// an integer support with a characteristic function gets the discrete-difference Fourier rule.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class SupportAttribute : Attribute
{
    /// <summary>Declares the support.</summary>
    public SupportAttribute(SupportKind kind) => Kind = kind;

    /// <summary>The kind of support.</summary>
    public SupportKind Kind { get; }

    /// <summary>For <see cref="SupportKind.Finite"/>: the values, comma-separated numbers in increasing order (e.g. <c>"0, 1"</c>).</summary>
    public string? Values { get; set; }
}

/// <summary>
/// A building block of a composite distribution: an independent variable, named for the
/// <see cref="CompositionAttribute"/> formula, drawn from another <c>[Distribution]</c> class whose
/// parameters are formulas in this distribution's parameters (Echraibi et al. 2020, eqs. 20–21: a Beta from two Gammas).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ComponentAttribute : Attribute
{
    /// <summary>Declares a component.</summary>
    /// <param name="name">The identifier the composition formula uses (e.g. <c>zeta1</c>).</param>
    /// <param name="distribution">A <c>[Distribution]</c> class with a characteristic function and a sampler (e.g. <c>typeof(Gamma)</c>).</param>
    /// <param name="parameters">Its parameters, in its constructor order, as formulas in this distribution's parameters (e.g. <c>"a", "1"</c>).</param>
    public ComponentAttribute(string name, Type distribution, params string[] parameters)
    {
        Name = name;
        Distribution = distribution;
        Parameters = parameters;
    }

    /// <summary>The identifier the composition formula uses.</summary>
    public string Name { get; }

    /// <summary>The component's distribution class.</summary>
    public Type Distribution { get; }

    /// <summary>The component's parameters as formulas.</summary>
    public string[] Parameters { get; }
}

/// <summary>
/// The map z = g(ζ₁, …, ζ_C) from the <see cref="ComponentAttribute"/> variables to a sample, e.g.
/// <c>zeta1/(zeta1 + zeta2)</c> (Beta) or <c>zeta/sum(zeta)</c> (Dirichlet). Gives the sampler, the pathwise
/// estimator (implicit when a component's is) and the Fourier estimator through the components' cumulants.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class CompositionAttribute : Attribute
{
    /// <summary>Declares z = g(ζ).</summary>
    public CompositionAttribute(string formula) => Formula = formula;

    /// <summary>The formula, in the component names and the parameters.</summary>
    public string Formula { get; }
}

/// <summary>
/// The characteristic function φ(w) = E[exp(i·w·z)], in the variable <c>w</c>, e.g.
/// <c>exp(i*mu*w - sigma^2*w^2/2)</c>. The generator expands log φ in powers of s = i·w to obtain
/// the cumulants the Fourier-series estimator needs.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class CharacteristicFunctionAttribute : Attribute
{
    /// <summary>Declares φ(w).</summary>
    public CharacteristicFunctionAttribute(string formula) => Formula = formula;

    /// <summary>The formula, in <c>w</c>, <c>i</c> and the parameters.</summary>
    public string Formula { get; }
}

/// <summary>The log characteristic function log φ(w) (the cumulant generating function in s = i·w).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class LogCharacteristicFunctionAttribute : Attribute
{
    /// <summary>Declares log φ(w).</summary>
    public LogCharacteristicFunctionAttribute(string formula) => Formula = formula;

    /// <summary>The formula, in <c>w</c>, <c>i</c> and the parameters.</summary>
    public string Formula { get; }
}

/// <summary>
/// The log density log p(z; θ) in the variable <c>z</c>. The generator differentiates it
/// symbolically for the score ∂ log p/∂θ unless a <see cref="ScoreAttribute"/> gives that parameter's score.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class LogDensityAttribute : Attribute
{
    /// <summary>Declares log p(z).</summary>
    public LogDensityAttribute(string formula) => Formula = formula;

    /// <summary>The formula, in <c>z</c> and the parameters.</summary>
    public string Formula { get; }
}

/// <summary>The score ∂ log p(z; θ)/∂θ of one parameter, in <c>z</c>, given by hand.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ScoreAttribute : Attribute
{
    /// <summary>Declares the score of <paramref name="parameter"/>.</summary>
    public ScoreAttribute(string parameter, string formula)
    {
        Parameter = parameter;
        Formula = formula;
    }

    /// <summary>The parameter this is the score of.</summary>
    public string Parameter { get; }

    /// <summary>The formula, in <c>z</c> and the parameters.</summary>
    public string Formula { get; }
}

/// <summary>The fixed noise a reparameterization transforms.</summary>
public enum NoiseKind
{
    /// <summary>No noise: the variable is a deterministic function of the parameters (a Dirac mass).</summary>
    None,

    /// <summary><c>eps</c> ~ N(0, 1).</summary>
    StandardNormal,

    /// <summary><c>eps</c> ~ U(0, 1).</summary>
    StandardUniform,

    /// <summary><c>eps</c> ~ Laplace(0, 1).</summary>
    StandardLaplace,

    /// <summary><c>eps</c> ~ Exponential(1).</summary>
    StandardExponential,

    /// <summary>
    /// <c>eps</c> ~ Gamma(shape, 1) with the shape given by <see cref="ReparameterizationAttribute.NoiseShape"/>.
    /// Implicit reparameterization: the gradient with respect to the shape is libtorch's
    /// <c>_standard_gamma</c> implicit gradient (TorchSharp's <c>Gamma.rsample</c> drops it).
    /// </summary>
    StandardGamma,
}

/// <summary>
/// The pathwise map z = g(θ, eps), in <c>eps</c> and the parameters, e.g. <c>mu + sigma*eps</c>
/// with <see cref="NoiseKind.StandardNormal"/> noise. Also the distribution's sampler.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ReparameterizationAttribute : Attribute
{
    /// <summary>Declares z = g(θ, eps).</summary>
    public ReparameterizationAttribute(string formula) => Formula = formula;

    /// <summary>The formula, in <c>eps</c> and the parameters.</summary>
    public string Formula { get; }

    /// <summary>The distribution of <c>eps</c>. Default <see cref="NoiseKind.StandardNormal"/>.</summary>
    public NoiseKind Noise { get; set; } = NoiseKind.StandardNormal;

    /// <summary>For <see cref="NoiseKind.StandardGamma"/>: the shape of the noise, a formula in the parameters (e.g. <c>k</c>).</summary>
    public string? NoiseShape { get; set; }
}

/// <summary>
/// A condition between parameters, checked by the generated constructor: the formula (in the parameters, no
/// variable) must lie in <see cref="Domain"/> at every element of the broadcast, e.g.
/// <c>[Constraint("high - low", ParameterDomain.Positive)]</c> for a uniform's low &lt; high. A violation is an
/// <see cref="ArgumentOutOfRangeException"/> naming the distribution, the condition, the value and its index.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConstraintAttribute : Attribute
{
    /// <summary>Declares that <paramref name="formula"/> lies in <paramref name="domain"/> (Real: finite).</summary>
    public ConstraintAttribute(string formula, ParameterDomain domain)
    {
        Formula = formula;
        Domain = domain;
    }

    /// <summary>The formula, in the parameters.</summary>
    public string Formula { get; }

    /// <summary>Where its value must lie; not <see cref="ParameterDomain.Simplex"/>.</summary>
    public ParameterDomain Domain { get; }
}

/// <summary>
/// The entropy H = −E log p(z), a formula in the parameters only (no <c>z</c>), e.g.
/// <c>log(sigma) + (1 + log(2*pi))/2</c> for the Normal. Gives <c>Entropy()</c> (torch.distributions'
/// <c>entropy</c>, <see cref="IHasEntropy"/>), per batch element; the formula is emitted as tensor code, so its
/// gradient comes from autograd. For a distribution over vectors (an <c>EventRank = 1</c> parameter) write it per
/// event, reducing the event axis with <c>sum(…)</c> (the generator checks that every event parameter sits inside one).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class EntropyAttribute : Attribute
{
    /// <summary>Declares H(θ).</summary>
    public EntropyAttribute(string formula) => Formula = formula;

    /// <summary>The formula, in the parameters.</summary>
    public string Formula { get; }
}

/// <summary>
/// The cumulative distribution function F(z) = P(Z ≤ z), a formula in <c>z</c> and the parameters, e.g.
/// <c>1 - exp(-rate*z)</c> for the Exponential (valid on its support; the generator does not restrict z for a
/// continuous distribution). Gives <c>Cdf(value)</c> (torch.distributions' <c>cdf</c>, <see cref="IHasCdf"/>),
/// which refuses NaN and, on a discrete support, values off it. Not for distributions over vectors.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class CdfAttribute : Attribute
{
    /// <summary>Declares F(z).</summary>
    public CdfAttribute(string formula) => Formula = formula;

    /// <summary>The formula, in <c>z</c> and the parameters.</summary>
    public string Formula { get; }
}
