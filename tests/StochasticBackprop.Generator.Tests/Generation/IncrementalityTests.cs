using System.Linq;
using Microsoft.CodeAnalysis;
using StochasticBackprop.Generator.Tests.Infrastructure;
using Xunit;

namespace StochasticBackprop.Generator.Tests.Generation;

public sealed class IncrementalityTests
{
    private static Microsoft.CodeAnalysis.CSharp.CSharpCompilation Samples()
        => GeneratorHarness.CreateCompilation(SampleSources.Names.Select(name => SampleSources.Read(name)).ToArray());

    [Fact]
    public void UnrelatedEdit_LeavesSpecsAndSourceOutputsCached()
    {
        IncrementalCheck check = GeneratorHarness.RunTwice(
            Samples(),
            compilation => GeneratorHarness.AddSource(compilation, "namespace Elsewhere { internal static class Unrelated { public const int Answer = 42; } }"));

        GeneratorHarness.AssertStepsCachedOrUnchanged(check, TrackingNames.Specs);
        var outputs = check.TrackedOutputSteps.SelectMany(pair => pair.Value).SelectMany(step => step.Outputs);
        Assert.All(outputs, output => Assert.True(
            output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
            $"a source output reran: {output.Reason}"));
    }

    [Fact]
    public void ClonedCompilation_LeavesEveryStepCached()
    {
        IncrementalCheck check = GeneratorHarness.RunTwice(Samples(), compilation => compilation.Clone());

        GeneratorHarness.AssertStepsCachedOrUnchanged(check, TrackingNames.Declarations, TrackingNames.Specs);
    }

    [Fact]
    public void EditInsideOneDistribution_RegeneratesOnlyThatOne()
    {
        var compilation = Samples();
        SyntaxTree normal = compilation.SyntaxTrees.First(tree => tree.ToString().Contains("class Normal"));
        IncrementalCheck check = GeneratorHarness.RunTwice(compilation, c => c.ReplaceSyntaxTree(
            normal,
            normal.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(normal.ToString().Replace("[Distribution]", "[Distribution(FourierOrder = 3)]")))));

        var specReasons = check.TrackedSteps[TrackingNames.Specs].SelectMany(step => step.Outputs).Select(output => output.Reason).ToList();
        Assert.Equal(1, specReasons.Count(reason => reason == IncrementalStepRunReason.Modified));
        Assert.Equal(SampleSources.Names.Length - 1, specReasons.Count(reason => reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
    }

    [Fact]
    public void SpecModels_HoldNoSymbolsSyntaxOrLocations()
    {
        GeneratorRun run = GeneratorHarness.Run(Samples());

        GeneratorHarness.AssertNoRoslynObjectsInStepOutputs(run.RunResult, TrackingNames.Specs);
    }
}
