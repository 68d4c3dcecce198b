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
using StochasticBackprop.Generator.Formulas;
using StochasticBackprop.Generator.Model;
using StochasticBackprop.Generator.Parsing;

namespace StochasticBackprop.Generator;

/// <summary>What one <c>[Distribution]</c> class compiles to: a spec to emit (or none) and its diagnostics.</summary>
internal sealed record CompiledDistribution(DistributionSpec? Spec, ImmutableArray<Diagnostic> Diagnostics);

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
        try
        {
            using SymbolicBudget.Scope budget = SymbolicBudget.Start();
            DistributionDeclaration? declaration = DeclarationReader.Read(context, diagnostics, out DeclarationReader reader, cancellationToken);
            if (declaration is null)
            {
                return new CompiledDistribution(null, diagnostics.ToImmutableArray());
            }
            AnalysisResult analysis = DistributionAnalyzer.Analyze(declaration);
            diagnostics.AddRange(analysis.Diagnostics.Select(reader.ToDiagnostic));
            DistributionSpec? spec = analysis.Spec;
            if (spec is not null && !GeneratedMemberCheck.Passes(spec, (INamedTypeSymbol)context.TargetSymbol, diagnostics, cancellationToken))
            {
                spec = null;
            }
            return new CompiledDistribution(spec, diagnostics.ToImmutableArray());
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
        return new CompiledDistribution(null, diagnostics.ToImmutableArray());
    }

    private static Location ClassLocation(GeneratorAttributeSyntaxContext context)
        => context.TargetNode is TypeDeclarationSyntax declaration ? declaration.Identifier.GetLocation() : context.TargetNode.GetLocation();
}
