using System.Linq;

namespace StochasticBackprop.Generator.Model;

/// <summary>
/// What the emitter writes for one distribution: every formula already parsed, checked,
/// differentiated or expanded, and rendered both as the papers write it (for comments) and as
/// C# over TorchSharp tensors. Plain equatable data, so the source output is cached on it.
/// </summary>
internal sealed record DistributionSpec(
    TypeLocation Type,
    string HintName,
    EquatableArray<ParameterSpec> Parameters,
    int FourierOrder,
    int CumulantOrder,
    CumulantSpec? Cumulants,
    DensitySpec? Density,
    ReparameterizationSpec? Reparameterization,
    SupportSpec? Support = null,
    CompositionSpec? Composition = null,
    CumulantSpec? FactorialCumulants = null,
    CumulantGeneratingFunctionSpec? CumulantGeneratingFunction = null,
    DerivedFormula? Entropy = null,
    DerivedFormula? Cdf = null,
    Emit.CharacteristicFunctionSpec? CharacteristicFunction = null,
    SamplerDeclaration? Sampler = null,
    EquatableArray<ConstraintSpec> Constraints = default)
{
    /// <summary>Finite or categorical: the estimators come from the probability table.</summary>
    public bool IsFinite => Support is { Kind: SupportKind.Finite or SupportKind.Categories };

    /// <summary>A parameter has an event axis: the distribution is over vectors (or categories along that axis).</summary>
    public bool HasEventAxis => Parameters.Any(p => p.EventRank == 1);
}

/// <param name="Name">As formulas write it (<c>sigma</c>).</param>
/// <param name="PropertyName">The generated property (<c>Sigma</c>).</param>
/// <param name="LocalName">A C# identifier for locals and constructor arguments (<c>sigma</c>, <c>@event</c>).</param>
/// <param name="EventRank">1 when the parameter's last axis is an event axis.</param>
internal sealed record ParameterSpec(string Name, string PropertyName, string LocalName, ParameterDomain Domain, int EventRank = 0);

/// <summary>A [Constraint]: the condition as written, its value as C# over the parameters' locals, its domain, and the first parameter it names.</summary>
internal sealed record ConstraintSpec(string Text, DerivedFormula Value, ParameterDomain Domain, string Parameter);

/// <summary>A discrete support and, for a finite one, the probability of each value.</summary>
/// <param name="Values">Finite: the support values. Empty otherwise.</param>
/// <param name="Probabilities">Finite: p(z = v_k) per value. Categories: one formula, elementwise over the category axis. Counts: empty.</param>
/// <param name="ScoreTable">Finite support with elementwise parameters: the score at each support value, per parameter. Null: computed at run time.</param>
internal sealed record SupportSpec(SupportKind Kind, EquatableArray<double> Values, EquatableArray<DerivedFormula> Probabilities, EquatableArray<ScoreTableSpec>? ScoreTable = null);

/// <summary>A composite z = g(ζ₁, …, ζ_C): its building blocks and the map.</summary>
/// <param name="MapUsesParameters">The map names the composite's own parameters besides the blocks (mu + sigma*x/sqrt(g)).</param>
/// <param name="Affine">
/// The map is z = a₀(θ) + Σ_c a_c(θ)·ζ_c and every block has cumulants, so κn(z) = Σ_c a_c^n κn⁽ᶜ⁾ (+ a₀ at n = 1): the
/// mean and the variance follow. Null for a nonlinear map (mu + sigma*x/sqrt(g), ζ₁/(ζ₁ + ζ₂)), whose cumulants are not derived.
/// </param>
internal sealed record CompositionSpec(EquatableArray<ComponentSpec> Components, DerivedFormula Map, bool MapUsesParameters = false, AffineMapSpec? Affine = null);

/// <summary>z = a₀ + Σ_c a_c·ζ_c: the offset and one coefficient per block, formulas in the parameters.</summary>
internal sealed record AffineMapSpec(DerivedFormula Offset, EquatableArray<DerivedFormula> Coefficients);

/// <param name="TypeName">The component class, <c>global::</c>-qualified.</param>
/// <param name="Parameters">Its constructor arguments, in the composite's parameters.</param>
internal sealed record ComponentSpec(string Name, string LocalName, string TypeName, EquatableArray<DerivedFormula> Parameters);

/// <summary>A derived quantity: how a reader sees it, and the C# that computes it.</summary>
/// <param name="Printed">Papers' notation, for comments.</param>
/// <param name="Code">C# over the parameters' locals (and the formula's variable).</param>
/// <param name="IsTensor">False when the code is a plain <c>double</c> (a constant).</param>
/// <param name="IsZero">True when it is identically zero.</param>
internal sealed record DerivedFormula(string Printed, string Code, bool IsTensor, bool IsZero);

/// <summary>κ₁..κₙ from the characteristic function, with each one's gradient per parameter.</summary>
internal sealed record CumulantSpec(string Declared, bool DeclaredAsLog, EquatableArray<CumulantTermSpec> Terms);

/// <summary>K(s) = log E[exp(s*z)] = log φ(−i·s), a real formula in the variable s.</summary>
/// <param name="Variable">The name s takes in <paramref name="Value"/>'s code and comment (<c>s</c> unless a parameter has that name).</param>
/// <param name="Conditions">Printed requirements such as <c>1 - theta*s &gt; 0</c>; where one fails the value is NaN or infinite. Empty: finite for every s.</param>
internal sealed record CumulantGeneratingFunctionSpec(DerivedFormula Value, string Variable, EquatableArray<string> Conditions);

internal sealed record CumulantTermSpec(int Order, DerivedFormula Cumulant, EquatableArray<DerivedFormula> Gradient);

/// <summary>The log density (when declared) and the score of every parameter (declared or derived).</summary>
internal sealed record DensitySpec(DerivedFormula? LogDensity, EquatableArray<ScoreSpec> Scores);

/// <param name="Kernel">The score as a one-pass loop over CPU float64 samples; null when its per-sample part needs a function System.Math lacks.</param>
internal sealed record ScoreSpec(string Parameter, bool Derived, DerivedFormula Score, Formulas.ScalarKernel? Kernel = null);

/// <param name="Jacobian">
/// Per parameter, ∂z/∂θ_p of the map in closed form (eps held fixed, plus ∂z/∂eps·∂shape/∂θ_p·∂eps/∂shape for
/// Gamma noise); null when there is none (an event-axis parameter, or a map the differentiator cannot take).
/// </param>
internal sealed record ReparameterizationSpec(DerivedFormula Map, NoiseKind Noise, DerivedFormula? NoiseShape, EquatableArray<JacobianSpec>? Jacobian = null)
{
    /// <summary>Gamma noise: its gradient with respect to the shape is implicit (libtorch's <c>_standard_gamma</c>).</summary>
    public bool IsImplicit => Noise == NoiseKind.StandardGamma;
}

/// <summary>One parameter's per-sample Jacobian ∂z/∂θ_p of a pathwise map.</summary>
/// <param name="Value">The formula, in eps, the parameters and (when <paramref name="UsesShapeGradient"/>) ∂eps/∂shape.</param>
/// <param name="UsesShapeGradient">The parameter enters the Gamma noise's shape, so the implicit ∂eps/∂shape is needed.</param>
internal sealed record JacobianSpec(DerivedFormula Value, bool UsesShapeGradient);

/// <summary>∂ log p(z = v_k)/∂θ_p for one parameter of a finite distribution, one formula per support value.</summary>
internal sealed record ScoreTableSpec(string Parameter, EquatableArray<DerivedFormula> PerValue);
