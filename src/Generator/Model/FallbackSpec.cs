namespace StochasticBackprop.Generator.Model;

/// <summary>
/// What a declaration with errors still gets, so that the user's own code compiles apart from the error itself: the
/// constructor and parameter properties (<see cref="Skeleton"/>, which has no capability), and every interface the
/// attributes promise, with members that throw an exception naming the errors. One mistake, one error.
/// </summary>
/// <param name="Skeleton">Type, hint name, parameters and orders; every derived part null (Support only for categories).</param>
/// <param name="Failure">The errors, as the exception text names them (<c>SBG001 (line 5, column 20): …</c>).</param>
/// <param name="Promised">The capabilities the attributes declare, whose members are written to throw.</param>
internal sealed record FallbackSpec(DistributionSpec Skeleton, string Failure, PromisedCapabilities Promised);

/// <summary>Which estimator interfaces the attributes of a declaration promise, read from the attributes alone.</summary>
internal sealed record PromisedCapabilities(
    bool Reparameterized,
    bool Composed,
    bool Scored,
    bool Finite,
    bool LogProb,
    bool Cumulants,
    bool FactorialCumulants,
    bool Variance,
    bool CharacteristicFunction,
    bool Entropy,
    bool Cdf)
{
    public static PromisedCapabilities Of(DistributionDeclaration declaration)
    {
        SupportKind support = declaration.Support?.Kind ?? SupportKind.Continuous;
        bool continuous = support == SupportKind.Continuous;
        bool finite = support is SupportKind.Finite or SupportKind.Categories;
        bool composed = continuous && (declaration.Composition is not null || declaration.Components.Count > 0) && declaration.Sampler is null;
        bool characteristic = declaration.CharacteristicFunction is not null || declaration.LogCharacteristicFunction is not null;
        bool cumulants = characteristic && continuous;
        // On the integers (counts, or a finite support of integer values such as the Bernoulli's 0, 1) φ gives factorial cumulants.
        bool factorial = characteristic && (support == SupportKind.Counts || (support == SupportKind.Finite && IntegerValues(declaration.Support?.Values)));
        return new PromisedCapabilities(
            Reparameterized: continuous && !composed && declaration.Sampler is null && declaration.Reparameterization is not null,
            Composed: composed,
            Scored: !finite && (declaration.LogDensity is not null || declaration.Scores.Count > 0),
            Finite: finite,
            LogProb: finite || declaration.LogDensity is not null,
            Cumulants: cumulants,
            FactorialCumulants: factorial,
            Variance: (cumulants || factorial) && declaration.CumulantOrder >= 2,
            CharacteristicFunction: cumulants || factorial,
            Entropy: declaration.Entropy is not null,
            Cdf: declaration.Cdf is not null);
    }

    /// <summary>Whether a finite support's Values text lists integers only (as the analysis decides it for factorial cumulants).</summary>
    private static bool IntegerValues(string? values)
    {
        if (string.IsNullOrWhiteSpace(values))
        {
            return false;
        }
        foreach (string item in values!.Split(','))
        {
            if (!double.TryParse(item.Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value)
                || double.IsInfinity(value) || value != System.Math.Floor(value))
            {
                return false;
            }
        }
        return true;
    }
}
