namespace StochasticBackprop.Generator.Model;

/// <summary>Metadata names of the runtime's attributes: the generator does not reference the runtime.</summary>
internal static class AttributeNames
{
    public const string Distribution = "StochasticBackprop.DistributionAttribute";
    public const string Parameter = "StochasticBackprop.ParameterAttribute";
    public const string CharacteristicFunction = "StochasticBackprop.CharacteristicFunctionAttribute";
    public const string LogCharacteristicFunction = "StochasticBackprop.LogCharacteristicFunctionAttribute";
    public const string LogDensity = "StochasticBackprop.LogDensityAttribute";
    public const string Score = "StochasticBackprop.ScoreAttribute";
    public const string Reparameterization = "StochasticBackprop.ReparameterizationAttribute";
    public const string Support = "StochasticBackprop.SupportAttribute";
    public const string Component = "StochasticBackprop.ComponentAttribute";
    public const string Composition = "StochasticBackprop.CompositionAttribute";
    public const string Entropy = "StochasticBackprop.EntropyAttribute";
    public const string Cdf = "StochasticBackprop.CdfAttribute";
    public const string Constraint = "StochasticBackprop.ConstraintAttribute";
}

/// <summary>Mirrors <c>StochasticBackprop.ParameterDomain</c> (same order, same values).</summary>
internal enum ParameterDomain
{
    Real,
    Positive,
    NonNegative,
    UnitInterval,
    Simplex,
}

/// <summary>Mirrors <c>StochasticBackprop.SupportKind</c> (same order, same values).</summary>
internal enum SupportKind
{
    Continuous,
    Finite,
    Categories,
    Counts,
}

/// <summary>Mirrors <c>StochasticBackprop.NoiseKind</c> (same order, same values).</summary>
internal enum NoiseKind
{
    None,
    StandardNormal,
    StandardUniform,
    StandardLaplace,
    StandardExponential,
    StandardGamma,
}
