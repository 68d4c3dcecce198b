using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Sdk;

namespace StochasticBackprop.Generator.Tests.Infrastructure;

/// <summary>The harness's own behaviour, shown with fake generators whose output is known.</summary>
public sealed class GeneratorHarnessTests
{
    private const string Step = ModelGenerator<object>.ModelStep;

    [Fact]
    public void CreateCompilation_SourceUsingRuntimeAndTorchSharp_CompilesWithoutWarnings()
    {
        var compilation = GeneratorHarness.CreateCompilation("""
            using StochasticBackprop;
            using TorchSharp;

            [Distribution(FourierOrder = 2)]
            public partial class Sample
            {
                public static torch.Tensor Zeros(string? label) => torch.zeros(label is null ? 1 : 2);
            }
            """);

        Assert.Empty(compilation.GetDiagnostics().Where(diagnostic => diagnostic.Severity >= DiagnosticSeverity.Warning));
        Assert.Equal(NullableContextOptions.Enable, compilation.Options.NullableContextOptions);
    }

    [Fact]
    public void Run_RealGenerator_RunsDistributionGenerator()
    {
        var run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation("public class Plain { }"));

        Assert.Equal(typeof(DistributionGenerator), run.RunResult.Results.Single().Generator.GetGeneratorType());
        GeneratorHarness.AssertNoGeneratorExceptions(run);
    }

    [Fact]
    public void AssertOutputCompiles_CleanGeneratedCode_Passes()
    {
        var run = RunFixed("namespace Test; internal static class Clean { public static int One => 1; }\n");

        GeneratorHarness.AssertOutputCompiles(run);
    }

    [Fact]
    public void AssertOutputCompiles_WarningInGeneratedCode_FailsListingIt()
    {
        var run = RunFixed("#warning generated code must not warn\ninternal static class Noisy { }\n");

        var failure = Assert.ThrowsAny<XunitException>(() => GeneratorHarness.AssertOutputCompiles(run));

        Assert.Contains("CS1030", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Fake.g.cs", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AssertOutputCompiles_ErrorInGeneratedCode_FailsShowingTheLine()
    {
        var run = RunFixed("internal static class Broken { public static int One => \"one\"; }\n");

        var failure = Assert.ThrowsAny<XunitException>(() => GeneratorHarness.AssertOutputCompiles(run));

        Assert.Contains("CS0029", failure.Message, StringComparison.Ordinal);
        Assert.Contains("> internal static class Broken", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AssertNoGeneratorExceptions_ThrowingGenerator_FailsWithTheException()
    {
        var run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation("class C { }"), () => new ThrowingGenerator());

        var failure = Assert.ThrowsAny<XunitException>(() => GeneratorHarness.AssertNoGeneratorExceptions(run));

        Assert.Contains("fake generator failure", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AssertStepsCachedOrUnchanged_EquatableModelAfterClone_Passes()
    {
        var check = RunTwice(syntax => new NameModel(syntax.TargetSymbol.Name), compilation => compilation.Clone());

        GeneratorHarness.AssertStepsCachedOrUnchanged(check, Step);
    }

    [Fact]
    public void AssertStepsCachedOrUnchanged_EquatableModelAfterUnrelatedEdit_Passes()
    {
        var check = RunTwice(
            syntax => new NameModel(syntax.TargetSymbol.Name),
            compilation => GeneratorHarness.AddSource(compilation, "namespace Other { class Unrelated { } }"));

        GeneratorHarness.AssertStepsCachedOrUnchanged(check, Step);
    }

    [Fact]
    public void AssertStepsCachedOrUnchanged_ModelHoldingASymbol_FailsListingReasons()
    {
        var check = RunTwice(syntax => new LeakyModel(syntax.TargetSymbol.Name, syntax.TargetSymbol), compilation => compilation.Clone());

        var failure = Assert.ThrowsAny<XunitException>(() => GeneratorHarness.AssertStepsCachedOrUnchanged(check, Step));

        Assert.Contains($"✗ {Step}[0]: Modified", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AssertStepsCachedOrUnchanged_UnknownStepName_Fails()
    {
        var check = RunTwice(syntax => new NameModel(syntax.TargetSymbol.Name), compilation => compilation.Clone());

        var failure = Assert.ThrowsAny<XunitException>(() => GeneratorHarness.AssertStepsCachedOrUnchanged(check, "Modle"));

        Assert.Contains("Modle: no such step ran", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AssertNoRoslynObjectsInStepOutputs_PlainRecords_Passes()
    {
        var run = RunModels(syntax => new NestedModel(
            syntax.TargetSymbol.Name,
            ImmutableArray.Create(new Part("a", 1), new Part("b", 2)),
            default,
            (1, "tuple")));

        GeneratorHarness.AssertNoRoslynObjectsInStepOutputs(run.RunResult, Step);
    }

    [Fact]
    public void AssertNoRoslynObjectsInStepOutputs_LocationNestedInACollection_FailsNamingThePath()
    {
        var run = RunModels(syntax => new NestedModel(
            syntax.TargetSymbol.Name,
            ImmutableArray<Part>.Empty,
            ImmutableArray.Create(new LocatedPart("where", syntax.TargetNode.GetLocation())),
            (1, "tuple")));

        var failure = Assert.ThrowsAny<XunitException>(() => GeneratorHarness.AssertNoRoslynObjectsInStepOutputs(run.RunResult, Step));

        Assert.Contains($"{Step}[0].Outputs[0].Located[0].Where: Microsoft.CodeAnalysis.", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AssertNoRoslynObjectsInStepOutputs_SymbolInATuple_Fails()
    {
        var run = RunModels(syntax => (syntax.TargetSymbol.Name, syntax.TargetSymbol));

        var failure = Assert.ThrowsAny<XunitException>(() => GeneratorHarness.AssertNoRoslynObjectsInStepOutputs(run.RunResult, Step));

        Assert.Contains($"{Step}[0].Outputs[0].Item2: Microsoft.CodeAnalysis.", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AssertNoRoslynObjectsInStepOutputs_CyclicModel_Terminates()
    {
        var run = RunModels(syntax =>
        {
            var node = new CyclicModel { Name = syntax.TargetSymbol.Name };
            node.Next = node;
            return node;
        });

        GeneratorHarness.AssertNoRoslynObjectsInStepOutputs(run.RunResult, Step);
    }

    private static GeneratorRun RunFixed(string text) =>
        GeneratorHarness.Run(
            GeneratorHarness.CreateCompilation("class C { }"),
            () => new FixedOutputGenerator(new GeneratedFile("Fake.g.cs", text)));

    private static GeneratorRun RunModels<TModel>(Func<GeneratorAttributeSyntaxContext, TModel> toModel) =>
        GeneratorHarness.Run(
            GeneratorHarness.CreateCompilation(ModelGenerator<TModel>.Source), () => new ModelGenerator<TModel>(toModel));

    private static IncrementalCheck RunTwice<TModel>(
        Func<GeneratorAttributeSyntaxContext, TModel> toModel, Func<CSharpCompilation, CSharpCompilation> edit) =>
        GeneratorHarness.RunTwice(
            GeneratorHarness.CreateCompilation(ModelGenerator<TModel>.Source), edit, () => new ModelGenerator<TModel>(toModel));

    private sealed record NameModel(string Name);

    private sealed record LeakyModel(string Name, ISymbol Symbol);

    private sealed record Part(string Label, int Order);

    private sealed record LocatedPart(string Label, Location Where);

    private sealed record NestedModel(string Name, ImmutableArray<Part> Parts, ImmutableArray<LocatedPart> Located, (int, string) Extra);

    private sealed class CyclicModel
    {
        public string Name { get; init; } = "";

        public CyclicModel? Next { get; set; }
    }
}
