using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using StochasticBackprop.Generator.Emit;
using StochasticBackprop.Generator.Model;

namespace StochasticBackprop.Generator;

/// <summary>
/// Writes the estimators of every class marked <c>[Distribution]</c>. This file holds only the
/// pipeline: reading (<see cref="Parsing.DeclarationReader"/>), analysis
/// (<see cref="Analysis.DistributionAnalyzer"/>) and emission (<see cref="DistributionEmitter"/>)
/// are separate, pure stages.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class DistributionGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<CompiledDistribution> compiled = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeNames.Distribution,
                predicate: static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                transform: static (syntaxContext, cancellationToken) => DistributionCompiler.Compile(syntaxContext, cancellationToken))
            .WithTrackingName(TrackingNames.Declarations);

        // The spec is plain equatable data: the source output below reruns only when it changes.
        IncrementalValuesProvider<DistributionSpec> specs = compiled
            .Select(static (result, _) => result.Spec!)
            .Where(static spec => spec is not null)
            .WithTrackingName(TrackingNames.Specs);

        context.RegisterSourceOutput(specs, static (output, spec) => output.AddSource(spec.HintName, DistributionEmitter.Emit(spec)));

        // A declaration with errors still gets its constructor and parameters (the other members throw), so the
        // user's code compiles apart from the error itself.
        IncrementalValuesProvider<FallbackSpec> fallbacks = compiled
            .Select(static (result, _) => result.Fallback!)
            .Where(static fallback => fallback is not null)
            .WithTrackingName(TrackingNames.Fallbacks);

        context.RegisterSourceOutput(fallbacks, static (output, fallback) => output.AddSource(fallback.Skeleton.HintName, DistributionEmitter.EmitFallback(fallback)));

        // Diagnostics keep their real source locations (so #pragma suppression works) and are
        // therefore reported from their own, uncached output.
        IncrementalValuesProvider<ImmutableArray<Diagnostic>> diagnostics = compiled
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);

        context.RegisterSourceOutput(diagnostics, static (output, found) =>
        {
            foreach (Diagnostic diagnostic in found)
            {
                output.ReportDiagnostic(diagnostic);
            }
        });
    }
}
