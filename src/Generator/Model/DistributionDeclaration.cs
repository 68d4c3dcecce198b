using System;

namespace StochasticBackprop.Generator.Model;

/// <summary>Which attribute argument a formula came from, so an error can point back at it.</summary>
internal enum FormulaRole
{
    CharacteristicFunction,
    LogCharacteristicFunction,
    LogDensity,
    Score,
    Reparameterization,
    NoiseShape,

    /// <summary>A [Component]'s parameter: <see cref="FormulaDeclaration.Index"/> is the component's, <see cref="FormulaDeclaration.ArgumentIndex"/> the parameter's.</summary>
    ComponentParameter,
    Composition,

    /// <summary>[Entropy]: a formula in the parameters.</summary>
    Entropy,

    /// <summary>[Cdf]: a formula in z and the parameters.</summary>
    Cdf,

    /// <summary>The <see cref="FormulaDeclaration.Index"/>-th [Constraint]: a formula in the parameters.</summary>
    Constraint,
}

/// <summary>
/// A formula as written, and where: <see cref="Role"/> plus <see cref="Index"/> (the n-th [Score], or the n-th
/// [Component]) plus, for a component's parameter, <see cref="ArgumentIndex"/> (which of its parameter formulas).
/// </summary>
internal sealed record FormulaDeclaration(FormulaRole Role, int Index, string Text, int ArgumentIndex = 0);

internal sealed record ParameterDeclaration(string Name, ParameterDomain Domain, int Index, int EventRank = 0);

/// <summary>[Support(kind, Values = "…")]: <see cref="Values"/> is the text as written (null when absent).</summary>
internal sealed record SupportDeclaration(SupportKind Kind, string? Values);

/// <param name="Name">The identifier the composition formula uses.</param>
/// <param name="TypeName">The component class, fully qualified with <c>global::</c>; empty when the argument is not a type.</param>
/// <param name="IsDistribution">Whether that class is marked [Distribution].</param>
/// <param name="Index">Which [Component] this is, in declaration order.</param>
/// <param name="HasCumulants">That class declares a characteristic function and no discrete support, so it has cumulants κn.</param>
internal sealed record ComponentDeclaration(string Name, string TypeName, bool IsDistribution, int Index, EquatableArray<FormulaDeclaration> Parameters, bool HasCumulants = false);

internal sealed record ScoreDeclaration(string Parameter, FormulaDeclaration Formula);

/// <summary>
/// A sampler the user writes in C#: an instance method <c>Tensor Draw(long sampleCount, Generator? generator)</c>, usually
/// the implementing half of a partial method whose defining half the generator writes.
/// </summary>
/// <param name="Modifiers">The method's modifiers as written (<c>private partial</c>); the generated definition repeats them.</param>
/// <param name="CountName">The first parameter's name.</param>
/// <param name="GeneratorName">The second parameter's name.</param>
/// <param name="GeneratorNullable">Whether the second parameter is declared <c>Generator?</c>.</param>
/// <param name="NeedsDefinition">The method is a partial implementation with no defining declaration: the generated part writes it.</param>
internal sealed record SamplerDeclaration(string Modifiers, string CountName, string GeneratorName, bool GeneratorNullable, bool NeedsDefinition);

/// <summary>[Constraint(formula, domain)]: a condition between parameters the constructor checks.</summary>
internal sealed record ConstraintDeclaration(FormulaDeclaration Formula, ParameterDomain Domain);

internal sealed record ReparameterizationDeclaration(FormulaDeclaration Formula, NoiseKind Noise, FormulaDeclaration? NoiseShape);

/// <summary>Where a type sits: namespace and the chain of containing types (outermost first).</summary>
/// <param name="MetadataName">The full metadata name (<c>A.B+N</c>, <c>G`1</c>), unique in the compilation: the hint name's stem.</param>
internal sealed record TypeLocation(string? Namespace, EquatableArray<ContainingType> ContainingTypes, string ClassName, string Accessibility, string MetadataName);

/// <summary>A containing type's declaration keyword (<c>class</c>, <c>struct</c>, <c>record</c>…) and name with type parameters.</summary>
internal sealed record ContainingType(string Keyword, string Name) : IEquatable<ContainingType>;

/// <summary>
/// Everything the attributes on one distribution class say, as plain data: the input of
/// <see cref="Analysis.DistributionAnalyzer"/>. Built by <see cref="Parsing.DeclarationReader"/>.
/// </summary>
internal sealed record DistributionDeclaration(
    TypeLocation Type,
    EquatableArray<ParameterDeclaration> Parameters,
    int FourierOrder,
    int CumulantOrder,
    FormulaDeclaration? CharacteristicFunction,
    FormulaDeclaration? LogCharacteristicFunction,
    FormulaDeclaration? LogDensity,
    EquatableArray<ScoreDeclaration> Scores,
    ReparameterizationDeclaration? Reparameterization,
    SupportDeclaration? Support = null,
    EquatableArray<ComponentDeclaration> Components = default,
    FormulaDeclaration? Composition = null,
    FormulaDeclaration? Entropy = null,
    FormulaDeclaration? Cdf = null,
    SamplerDeclaration? Sampler = null,
    EquatableArray<ConstraintDeclaration> Constraints = default)
{
    public const int DefaultFourierOrder = 4;
    public const int DefaultCumulantOrder = 8;
    public const int MaxCumulantOrder = 16;
}
