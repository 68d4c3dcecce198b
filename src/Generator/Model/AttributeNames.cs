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
}

/// <summary>Mirrors <c>StochasticBackprop.ParameterDomain</c> (same order, same values).</summary>
internal enum ParameterDomain
{
    Real,
    Positive,
    NonNegative,
    UnitInterval,
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
