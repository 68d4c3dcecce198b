using StochasticBackprop.Generator.Tests.Generation;
using StochasticBackprop.Generator.Tests.Infrastructure;
using Xunit;

namespace StochasticBackprop.Generator.Tests.FormulaFunctions;

/// <summary>Snapshots of distributions that need the newer formula functions and series rules.</summary>
public sealed class FormulaFunctionSnapshotTests
{
    /// <summary>lgamma of an expression in w: the cumulants are polygamma(n − 1, k), written torch.special.polygamma.</summary>
    [Fact]
    public void LogGamma_GeneratedCode_MatchesSnapshot()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(SampleSources.Read("LogGamma")));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Single(run.GeneratedSources);
        Snapshot.Verify(run);
    }

    /// <summary>The uniform by its natural characteristic function: a removable 0/0 at w = 0, cumulants exact polynomials.</summary>
    [Fact]
    public void UniformByCharacteristicFunction_GeneratedCode_MatchesSnapshot()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Uniform));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Single(run.GeneratedSources);
        Snapshot.Verify(run);
    }

    /// <summary>
    /// The hyperbolic secant by exp(i*mu*w)/cosh(sigma*w), sampled through tan. Its K(s) = mu*s − log cos(sigma*s) needs a
    /// cosine, which the language lacks, so the only diagnostic is the hidden SBG022 (no CumulantGeneratingFunction).
    /// </summary>
    [Fact]
    public void HyperbolicSecant_GeneratedCode_MatchesSnapshot()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(SampleSources.Read("HyperbolicSecant")));
        Assert.Equal("SBG022", Assert.Single(run.GeneratorDiagnostics).Id);
        Assert.Single(run.GeneratedSources);
        Snapshot.Verify(run);
    }

    private const string Uniform = """
        using StochasticBackprop;

        namespace UserProject;

        [Distribution]
        [Parameter("a")]
        [Parameter("b")]
        [CharacteristicFunction("(exp(i*b*w) - exp(i*a*w))/(i*(b - a)*w)")]
        [Reparameterization("a + (b - a)*eps", Noise = NoiseKind.StandardUniform)]
        public partial class Uniform
        {
        }
        """;
}
