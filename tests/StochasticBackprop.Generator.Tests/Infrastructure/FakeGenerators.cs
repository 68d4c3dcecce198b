using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace StochasticBackprop.Generator.Tests.Infrastructure;

// Small generators with known behaviour, so the infrastructure's own tests do not depend on what
// DistributionGenerator emits while it is being written.

/// <summary>A diagnostic <see cref="FixedOutputGenerator"/> reports on the first source file.</summary>
internal sealed record FakeDiagnostic(string Id, DiagnosticSeverity Severity, int Start, int Length, string Message);

/// <summary>Adds the given files and reports the given diagnostics, whatever the compilation holds.</summary>
internal sealed class FixedOutputGenerator(IReadOnlyList<GeneratedFile> files, IReadOnlyList<FakeDiagnostic>? diagnostics = null)
    : IIncrementalGenerator
{
    public FixedOutputGenerator(params GeneratedFile[] files)
        : this((IReadOnlyList<GeneratedFile>)files)
    {
    }

    public void Initialize(IncrementalGeneratorInitializationContext context) =>
        context.RegisterSourceOutput(context.CompilationProvider, (output, compilation) =>
        {
            foreach (var file in files)
            {
                output.AddSource(file.HintName, file.Text);
            }

            foreach (var diagnostic in diagnostics ?? Array.Empty<FakeDiagnostic>())
            {
                var descriptor = new DiagnosticDescriptor(
                    diagnostic.Id, "Test diagnostic", diagnostic.Message, "Test", diagnostic.Severity, isEnabledByDefault: true);
                var location = Location.Create(compilation.SyntaxTrees.First(), new TextSpan(diagnostic.Start, diagnostic.Length));
                output.ReportDiagnostic(Diagnostic.Create(descriptor, location));
            }
        });
}

/// <summary>Emits a new GUID on every run: the kind of output the determinism check must catch.</summary>
internal sealed class NondeterministicGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context) =>
        context.RegisterSourceOutput(context.CompilationProvider, (output, _) =>
            output.AddSource("Stamp.g.cs", $"// build {Guid.NewGuid()}\n"));
}

/// <summary>Throws while generating.</summary>
internal sealed class ThrowingGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context) =>
        context.RegisterSourceOutput(context.CompilationProvider, (_, _) =>
            throw new InvalidOperationException("fake generator failure"));
}

/// <summary>
/// A real-shaped pipeline: <c>ForAttributeWithMetadataName</c> on <c>[Test.Marker]</c> turned into
/// a model by <c>toModel</c> in a step tracked as <see cref="ModelStep"/>, then one output file.
/// </summary>
internal sealed class ModelGenerator<TModel>(Func<GeneratorAttributeSyntaxContext, TModel> toModel) : IIncrementalGenerator
{
    public const string ModelStep = "Model";

    /// <summary>A source declaring the marker attribute and two classes carrying it.</summary>
    public const string Source = """
        namespace Test
        {
            [System.AttributeUsage(System.AttributeTargets.Class)]
            public sealed class MarkerAttribute : System.Attribute { }

            [Marker] public partial class Alpha { }
            [Marker] public partial class Beta { }
        }
        """;

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName("Test.MarkerAttribute", static (_, _) => true, (syntax, _) => toModel(syntax))
            .WithTrackingName(ModelStep);

        context.RegisterSourceOutput(models.Collect(), static (output, all) =>
            output.AddSource("Models.g.cs", $"// {all.Length} models\n"));
    }
}
