using Microsoft.CodeAnalysis;
using StochasticBackprop.Generator.Formulas;
using StochasticBackprop.Generator.Model;

namespace StochasticBackprop.Generator.Diagnostics;

internal enum SiteKind
{
    /// <summary>The class name.</summary>
    Class,

    /// <summary>Inside a formula string: <see cref="DiagnosticSite.Role"/>, <see cref="DiagnosticSite.Index"/> and (a component's parameter) <see cref="DiagnosticSite.ArgumentIndex"/>.</summary>
    Formula,

    /// <summary>The name argument of the <see cref="DiagnosticSite.Index"/>-th [Parameter].</summary>
    Parameter,

    /// <summary>The parameter-name argument of the <see cref="DiagnosticSite.Index"/>-th [Score].</summary>
    ScoreParameter,

    /// <summary>A named argument of [Distribution] (<see cref="DiagnosticSite.ArgumentName"/>).</summary>
    DistributionArgument,

    /// <summary>The [Reparameterization] attribute.</summary>
    Reparameterization,

    /// <summary>The [Support] attribute (or its Values argument when <see cref="DiagnosticSite.ArgumentName"/> is "Values").</summary>
    Support,

    /// <summary>The name argument of the <see cref="DiagnosticSite.Index"/>-th [Component] (its type argument when <see cref="DiagnosticSite.ArgumentName"/> is "Type").</summary>
    Component,

    /// <summary>The [Composition] attribute.</summary>
    Composition,

    /// <summary>The name of the user's sampling method (<c>Draw</c>).</summary>
    Sampler,

    /// <summary>The EventRank argument of the <see cref="DiagnosticSite.Index"/>-th [Parameter].</summary>
    ParameterEventRank,
}

/// <summary>Where, in the declaration, a finding of the analyzer belongs; the reader maps it to a source location.</summary>
/// <param name="Index">Which attribute of its kind: the n-th [Parameter], [Score] or [Component].</param>
/// <param name="ArgumentIndex">Which parameter formula of the [Component] <see cref="Index"/> (a formula of role <see cref="FormulaRole.ComponentParameter"/>).</param>
internal readonly record struct DiagnosticSite(SiteKind Kind, FormulaRole Role = default, int Index = 0, string? ArgumentName = null, int ArgumentIndex = 0)
{
    public static DiagnosticSite Class => new(SiteKind.Class);

    public static DiagnosticSite InFormula(FormulaDeclaration formula) => new(SiteKind.Formula, formula.Role, formula.Index, ArgumentIndex: formula.ArgumentIndex);
}

/// <summary>A finding of the analyzer: a descriptor, a site, a span inside a formula (or none), message arguments.</summary>
internal sealed record AnalysisDiagnostic(DiagnosticDescriptor Descriptor, DiagnosticSite Site, SourceSpan Span, params object[] Arguments)
{
    public static AnalysisDiagnostic At(DiagnosticDescriptor descriptor, DiagnosticSite site, params object[] arguments)
        => new(descriptor, site, SourceSpan.None, arguments);
}

internal static class DiagnosticMessages
{
    /// <summary>The message <paramref name="descriptor"/> shows with <paramref name="arguments"/>, as the compiler formats it.</summary>
    public static string FormatMessage(this DiagnosticDescriptor descriptor, params object[] arguments)
        => Diagnostic.Create(descriptor, Location.None, arguments).GetMessage(System.Globalization.CultureInfo.InvariantCulture);
}
