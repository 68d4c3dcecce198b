using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using StochasticBackprop.Generator.Analysis;
using StochasticBackprop.Generator.Diagnostics;
using StochasticBackprop.Generator.Model;
using StochasticBackprop.Generator.Parsing;

namespace StochasticBackprop.Generator;

/// <summary>What one <c>[Distribution]</c> class compiles to: a spec to emit (or none) and its diagnostics.</summary>
internal sealed record CompiledDistribution(DistributionSpec? Spec, ImmutableArray<Diagnostic> Diagnostics);

/// <summary>Runs reading and analysis for one class and never throws: a failure becomes SBG999.</summary>
internal static class DistributionCompiler
{
    public static CompiledDistribution Compile(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<Diagnostic>();
        try
        {
            DistributionDeclaration? declaration = DeclarationReader.Read(context, diagnostics, out DeclarationReader reader, cancellationToken);
            if (declaration is null)
            {
                return new CompiledDistribution(null, diagnostics.ToImmutableArray());
            }
            AnalysisResult analysis = DistributionAnalyzer.Analyze(declaration);
            diagnostics.AddRange(analysis.Diagnostics.Select(reader.ToDiagnostic));
            return new CompiledDistribution(analysis.Spec, diagnostics.ToImmutableArray());
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception exception)
        {
            Location location = context.TargetNode is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax declaration
                ? declaration.Identifier.GetLocation()
                : context.TargetNode.GetLocation();
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InternalError, location, context.TargetSymbol.Name, exception.GetType().Name + ": " + exception.Message));
            return new CompiledDistribution(null, diagnostics.ToImmutableArray());
        }
    }
}
