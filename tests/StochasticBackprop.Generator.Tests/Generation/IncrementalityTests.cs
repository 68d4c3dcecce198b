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

    private const string ComponentSource = """
        using StochasticBackprop;
        namespace N;
        [Distribution, Parameter("k", ParameterDomain.Positive), Parameter("theta", ParameterDomain.Positive)]
        [CharacteristicFunction("(1 - i*theta*w)^(-k)")]
        [Reparameterization("theta*eps", Noise = NoiseKind.StandardGamma, NoiseShape = "k")]
        public sealed partial class G { }
        """;

    private const string CompositeSource = """
        using StochasticBackprop;
        namespace N;
        [Distribution, Parameter("a", ParameterDomain.Positive), Parameter("b", ParameterDomain.Positive)]
        [Component("zeta1", typeof(G), "a", "1"), Component("zeta2", typeof(G), "b", "1")]
        [Composition("zeta1/(zeta1 + zeta2)")]
        public sealed partial class C { }
        """;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EditToAComponentsFile_RevalidatesTheCompositeInAnotherFile(bool removeTheAttribute)
    {
        // The composite's own file does not change; whether its component is a [Distribution]
        // does. A cached answer would leave a stale SBG021 (or none) until the composite is edited.
        string before = removeTheAttribute ? ComponentSource : ComponentSource.Replace("[Distribution, ", "[");
        string after = removeTheAttribute ? ComponentSource.Replace("[Distribution, ", "[") : ComponentSource;
        var compilation = GeneratorHarness.CreateCompilation(before, CompositeSource);
        SyntaxTree component = compilation.SyntaxTrees.First(tree => tree.ToString().Contains("class G"));

        IncrementalCheck check = GeneratorHarness.RunTwice(compilation, c => c.ReplaceSyntaxTree(
            component, component.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(after))));

        Assert.Equal(!removeTheAttribute, check.FirstRun.Diagnostics.Any(d => d.Id == "SBG021"));
        Assert.Equal(removeTheAttribute, check.SecondRun.Diagnostics.Any(d => d.Id == "SBG021"));
    }
}
