using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using StochasticBackprop.Generator.Analysis;
using StochasticBackprop.Generator.Diagnostics;
using StochasticBackprop.Generator.Emit;
using StochasticBackprop.Generator.Formulas;
using StochasticBackprop.Generator.Model;
using StochasticBackprop.Generator.Parsing;

namespace StochasticBackprop.Generator;

/// <summary>
/// What one <c>[Distribution]</c> class compiles to: a spec to emit, or for a declaration with errors a fallback (the
/// constructor, parameters and throwing members), or neither; and its diagnostics.
/// </summary>
internal sealed record CompiledDistribution(DistributionSpec? Spec, ImmutableArray<Diagnostic> Diagnostics, FallbackSpec? Fallback = null);

/// <summary>
/// Runs reading and analysis for one class and never throws: symbolic work beyond the budget (or the
/// stack) becomes SBG024, any other failure SBG999.
/// </summary>
internal static class DistributionCompiler
{
    public static CompiledDistribution Compile(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<Diagnostic>();
        // SBG024's message, and the node budget it names when that ran out.
        DiagnosticDescriptor exceeded = DiagnosticDescriptors.SymbolicBudgetExceeded_Nodes;
        string nodes = "";
        DistributionDeclaration? declaration = null;
        try
        {
            using SymbolicBudget.Scope budget = SymbolicBudget.Start();
            declaration = DeclarationReader.Read(context, diagnostics, out DeclarationReader reader, cancellationToken);
            if (declaration is null)
            {
                return new CompiledDistribution(null, diagnostics.ToImmutableArray());
            }
            AnalysisResult analysis = DistributionAnalyzer.Analyze(declaration);
            diagnostics.AddRange(analysis.Diagnostics.Select(reader.ToDiagnostic));
            DistributionSpec? spec = analysis.Spec;
            var symbol = (INamedTypeSymbol)context.TargetSymbol;
            if (spec is not null && !GeneratedMemberCheck.Passes(DistributionEmitter.Emit(spec), spec.Sampler is not null, symbol, diagnostics, cancellationToken))
            {
                spec = null;
            }
            FallbackSpec? fallback = spec is null ? Fallback(declaration, diagnostics, symbol, cancellationToken) : null;
            return new CompiledDistribution(spec, diagnostics.ToImmutableArray(), fallback);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (SymbolicBudgetExceededException)
        {
            exceeded = DiagnosticDescriptors.SymbolicBudgetExceeded_Nodes;
            nodes = SymbolicBudget.DefaultNodes.ToString("N0", CultureInfo.InvariantCulture);
        }
        catch (InsufficientExecutionStackException)
        {
            exceeded = DiagnosticDescriptors.SymbolicBudgetExceeded_Stack;
        }
        catch (Exception exception)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InternalError, ClassLocation(context), context.TargetSymbol.Name, exception.GetType().Name + ": " + exception.Message));
            return new CompiledDistribution(null, diagnostics.ToImmutableArray());
        }
        diagnostics.Add(Diagnostic.Create(exceeded, ClassLocation(context), context.TargetSymbol.Name, nodes));
        FallbackSpec? budgetFallback = null;
        try
        {
            budgetFallback = declaration is null ? null : Fallback(declaration, diagnostics, (INamedTypeSymbol)context.TargetSymbol, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The fallback is a courtesy; the error above stands either way.
        }
        return new CompiledDistribution(null, diagnostics.ToImmutableArray(), budgetFallback);
    }

    /// <summary>
    /// For a declaration whose errors are in its maths (a formula, a support, a composition), the fallback part: the
    /// constructor and parameter properties, and the promised interfaces with throwing members. None when the
    /// parameters themselves are wrong (no valid constructor can be written) or when the fallback would clash with
    /// the user's own members.
    /// </summary>
    private static FallbackSpec? Fallback(DistributionDeclaration declaration, List<Diagnostic> diagnostics, INamedTypeSymbol symbol, CancellationToken cancellationToken)
    {
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count == 0 || declaration.Parameters.Count == 0
            || errors.Any(d => d.Id is "SBG011" or "SBG032" or "SBG999"))
        {
            return null;
        }
        string failure = string.Join("; ", errors.Take(3).Select(Describe)) + (errors.Count > 3 ? string.Format(CultureInfo.InvariantCulture, "; and {0} more", errors.Count - 3) : "");
        bool categories = declaration.Support?.Kind == SupportKind.Categories;
        var skeleton = new DistributionSpec(
            declaration.Type,
            declaration.Type.MetadataName + ".g.cs",
            declaration.Parameters.Select(p => new ParameterSpec(p.Name, DistributionAnalyzer.PropertyName(p.Name), DistributionAnalyzer.LocalName(p.Name), p.Domain, p.EventRank)).ToEquatableArray(),
            declaration.FourierOrder,
            declaration.CumulantOrder,
            Cumulants: null,
            Density: null,
            Reparameterization: null,
            Support: categories ? new SupportSpec(SupportKind.Categories, default, default) : null,
            Sampler: declaration.Sampler);
        var fallback = new FallbackSpec(skeleton, failure, PromisedCapabilities.Of(declaration));
        var clashes = new List<Diagnostic>();
        if (!GeneratedMemberCheck.Passes(DistributionEmitter.EmitFallback(fallback), hasSampler: declaration.Sampler is not null, symbol, clashes, cancellationToken))
        {
            // A user member named like a generated one: the fallback would add compile errors of its own.
            return null;
        }
        return fallback;
    }

    private static string Describe(Diagnostic diagnostic)
    {
        FileLinePositionSpan span = diagnostic.Location.GetLineSpan();
        return string.Format(CultureInfo.InvariantCulture, "{0} (line {1}, column {2}): {3}",
            diagnostic.Id, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1, diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    private static Location ClassLocation(GeneratorAttributeSyntaxContext context)
        => context.TargetNode is TypeDeclarationSyntax declaration ? declaration.Identifier.GetLocation() : context.TargetNode.GetLocation();
}
