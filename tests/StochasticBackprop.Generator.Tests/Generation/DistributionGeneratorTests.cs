using System;
using System.Linq;
using StochasticBackprop.Generator.Tests.Infrastructure;
using Xunit;

namespace StochasticBackprop.Generator.Tests.Generation;

public sealed class DistributionGeneratorTests
{
    [Theory]
    [InlineData("Normal")]
    [InlineData("Laplace")]
    [InlineData("Gamma")]
    [InlineData("Exponential")]
    [InlineData("Dirac")]
    [InlineData("Bernoulli")]
    [InlineData("Categorical")]
    [InlineData("CategoricalLogits")]
    [InlineData("Poisson")]
    [InlineData("LogNormal")]
    public void SampleDistribution_GeneratedCode_MatchesSnapshot(string name)
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(SampleSources.Read(name)));

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Single(run.GeneratedSources);
        Snapshot.Verify(run, method: nameof(SampleDistribution_GeneratedCode_MatchesSnapshot) + "_" + name);
    }

    [Theory]
    [InlineData("Beta")]
    [InlineData("Dirichlet")]
    public void CompositeSampleDistribution_GeneratedCode_MatchesSnapshot(string name)
    {
        // Composites name their building block (the standard Gamma), so it is compiled alongside; its file
        // is the Gamma's own (its own snapshot covers it), so only the composite's file is snapshotted here.
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(SampleSources.Read(name), SampleSources.Read("Gamma")));
        GeneratorRun gammaAlone = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(SampleSources.Read("Gamma")));

        Assert.Empty(run.GeneratorDiagnostics);
        GeneratorHarness.AssertOutputCompiles(run);
        Assert.Equal(2, run.GeneratedSources.Length);
        Assert.Equal(gammaAlone.GeneratedSources.Single().Text, run.GeneratedSources.Single(file => file.HintName.EndsWith(".Gamma.g.cs", StringComparison.Ordinal)).Text);
        Snapshot.Verify(run, hint => !hint.EndsWith(".Gamma.g.cs", StringComparison.Ordinal), method: nameof(SampleDistribution_GeneratedCode_MatchesSnapshot) + "_" + name);
    }

    /// <summary>A composition that names the composite's own parameters: mu + sigma*x/sqrt(g), the Student-t.</summary>
    public const string StudentT = """
        using StochasticBackprop;
        using StochasticBackprop.Distributions.Standard;

        namespace StochasticBackprop.Distributions.Standard;

        [Distribution]
        [Parameter("mu")]
        [Parameter("sigma", ParameterDomain.Positive)]
        [Parameter("nu", ParameterDomain.Positive)]
        [Component("x", typeof(Normal), "0", "1")]
        [Component("g", typeof(Gamma), "nu/2", "2/nu")]
        [Composition("mu + sigma*x/sqrt(g)")]
        [LogDensity("lgamma((nu + 1)/2) - lgamma(nu/2) - log(nu*pi)/2 - log(sigma) - (nu + 1)/2*log1p((z - mu)^2/(sigma^2*nu))")]
        [Entropy("(nu + 1)/2*(digamma((nu + 1)/2) - digamma(nu/2)) + log(nu)/2 + lgamma(nu/2) + log(pi)/2 - lgamma((nu + 1)/2) + log(sigma)")]
        public sealed partial class StudentT { }
        """;

    /// <summary>[Entropy] and [Cdf] on a continuous distribution, and [Entropy] per event on categories.</summary>
    public const string EntropyAndCdf = """
        using StochasticBackprop;

        namespace UserProject;

        [Distribution]
        [Parameter("m")]
        [Parameter("s", ParameterDomain.Positive)]
        [LogDensity("-(z - m)/s - 2*log1p(exp(-(z - m)/s)) - log(s)")]
        [Reparameterization("m + s*log(eps/(1 - eps))", Noise = NoiseKind.StandardUniform)]
        [Entropy("log(s) + 2")]
        [Cdf("sigmoid((z - m)/s)")]
        public partial class Logistic { }

        [Distribution]
        [Parameter("probs", ParameterDomain.Simplex, EventRank = 1)]
        [Support(SupportKind.Categories)]
        [LogDensity("log(probs)")]
        [Entropy("-sum(probs*log(probs))")]
        public partial class Categories { }
        """;

    [Fact]
    public void CompositeNamingItsOwnParameters_StudentT_CompilesAndMatchesSnapshot()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(StudentT, SampleSources.Read("Normal"), SampleSources.Read("Gamma")));

        Assert.Empty(run.GeneratorDiagnostics);
        GeneratorHarness.AssertOutputCompiles(run);
        string studentT = Assert.Single(run.GeneratedSources, file => file.HintName.EndsWith(".StudentT.g.cs", StringComparison.Ordinal)).Text;
        Assert.Contains("public bool MapDependsOnParameters => true;", studentT);
        Assert.DoesNotContain("IHasMean", studentT);   // nonlinear in its blocks: no cumulants derived, so no Mean

        Snapshot.Verify(run, hint => hint.EndsWith(".StudentT.g.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void EntropyAndCdf_CompileAndMatchSnapshot()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(EntropyAndCdf));

        Assert.Empty(run.GeneratorDiagnostics);
        GeneratorHarness.AssertOutputCompiles(run);
        Snapshot.Verify(run);
    }

    [Fact]
    public void UserChiSquared_DeclaredByAttributesOnly_MatchesSnapshot()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(SampleSources.ChiSquared));

        Assert.Empty(run.GeneratorDiagnostics);
        Snapshot.Verify(run);
    }

    [Fact]
    public void AllSampleDistributions_GeneratedCode_CompilesWithoutWarnings()
    {
        var sources = SampleSources.Names.Select(name => SampleSources.Read(name)).Append(SampleSources.ChiSquared).ToArray();
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(sources));

        GeneratorHarness.AssertNoGeneratorExceptions(run);
        Assert.Equal(sources.Length, run.GeneratedSources.Length);
        GeneratorHarness.AssertOutputCompiles(run);
    }

    /// <summary>
    /// Names the generated members use for their own arguments and locals. A parameter may take such a
    /// name only if the generated code still compiles; otherwise the declaration must be refused (SBG011)
    /// rather than produce generated code that does not compile.
    /// </summary>
    [Theory]
    [InlineData("sampleCount")]
    [InlineData("generator")]
    [InlineData("order")]
    [InlineData("objective")]
    [InlineData("baseline")]
    [InlineData("hybrid")]
    [InlineData("temperature")]
    [InlineData("parameters")]
    [InlineData("shape")]
    [InlineData("s")]
    [InlineData("c")]
    [InlineData("component")]
    [InlineData("components")]
    [InlineData("value")]
    [InlineData("result")]
    [InlineData("scope")]
    [InlineData("blocks")]
    [InlineData("block")]
    [InlineData("arguments")]
    [InlineData("wanted")]
    [InlineData("epsShapeGradient")]
    [InlineData("weight")]
    [InlineData("destination")]
    [InlineData("parameter")]
    [InlineData("values")]
    [InlineData("coordinates")]
    [InlineData("row")]
    [InlineData("ws")]
    [InlineData("zi")]
    [InlineData("h0")]
    [InlineData("hv0")]
    [InlineData("v0")]
    [InlineData("j")]
    [InlineData("b")]
    [InlineData("index")]
    [InlineData("score_parts0")]
    [InlineData("score_loop0")]
    public void ParameterNamedLikeAGeneratedIdentifier_CompilesOrIsRefused(string name)
    {
        string[] sources =
        {
            $$"""
            using StochasticBackprop;
            namespace N;
            [Distribution, Parameter("{{name}}"), Parameter("sd", ParameterDomain.Positive)]
            [CharacteristicFunction("exp(i*w*{{name}} - sd^2*w^2/2)")]
            [LogDensity("-(z - {{name}})^2/(2*sd^2) - log(sd)")]
            [Reparameterization("{{name}} + sd*eps")]
            [Entropy("log(sd) + (1 + log(2*pi))/2"), Cdf("sigmoid((z - {{name}})/sd)")]
            public sealed partial class Shifted { }
            """,
            $$"""
            using StochasticBackprop;
            namespace N;
            [Distribution, Parameter("{{name}}", ParameterDomain.UnitInterval), Support(SupportKind.Finite, Values = "0, 1")]
            [CharacteristicFunction("1 - {{name}} + {{name}}*exp(i*w)")]
            [LogDensity("z*log({{name}}) + (1 - z)*log(1 - {{name}})")]
            public sealed partial class Coin { }
            """,
            $$"""
            using StochasticBackprop;
            namespace N;
            [Distribution, Parameter("k", ParameterDomain.Positive), Parameter("theta", ParameterDomain.Positive)]
            [CharacteristicFunction("(1 - i*theta*w)^(-k)")]
            [Reparameterization("theta*eps", Noise = NoiseKind.StandardGamma, NoiseShape = "k")]
            public sealed partial class G { }
            [Distribution, Parameter("{{name}}", ParameterDomain.Positive), Parameter("b", ParameterDomain.Positive)]
            [Component("zeta1", typeof(G), "{{name}}", "1"), Component("zeta2", typeof(G), "b", "1")]
            [Composition("zeta1/(zeta1 + zeta2)")]
            public sealed partial class Ratio { }
            """,
            $$"""
            using StochasticBackprop;
            namespace N;
            [Distribution, Parameter("k", ParameterDomain.Positive), Parameter("theta", ParameterDomain.Positive)]
            [CharacteristicFunction("(1 - i*theta*w)^(-k)")]
            [Reparameterization("theta*eps", Noise = NoiseKind.StandardGamma, NoiseShape = "k")]
            public sealed partial class G { }
            [Distribution, Parameter("{{name}}"), Parameter("b", ParameterDomain.Positive)]
            [Component("zeta1", typeof(G), "b", "1")]
            [Composition("{{name}} + b*zeta1")]
            [LogDensity("(b - 1)*log(z - {{name}}) - (z - {{name}}) - lgamma(b)"), Entropy("b + lgamma(b) + (1 - b)*digamma(b)")]
            public sealed partial class OwnShift { }
            """,
        };
        foreach (string source in sources)
        {
            GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));
            GeneratorHarness.AssertNoGeneratorExceptions(run);
            if (run.GeneratorDiagnostics.Any(d => d.Id == "SBG011")) continue;
            GeneratorHarness.AssertOutputCompiles(run);
        }
    }

    /// <summary>
    /// The closed-form capabilities (Jacobians, score loops, score tables) on declarations the sample distributions
    /// do not cover: loop functions without a vector form, a Gamma shape in two parameters, a declared score, a
    /// point mass, an abs in the map, a generic class, a finite support on other values.
    /// </summary>
    [Theory]
    [InlineData("""[Distribution, Parameter("m"), Parameter("s", ParameterDomain.Positive)] [LogDensity("log(sigmoid((z - m)/s)) + log1p(-sigmoid((z - m)/s)) - log(s)")] [Reparameterization("m + s*log(eps/(1 - eps))", Noise = NoiseKind.StandardUniform)] public sealed partial class Logistic { }""", "IPathwiseJacobian,IScoreKernel")]
    [InlineData("""[Distribution, Parameter("a", ParameterDomain.Positive), Parameter("b", ParameterDomain.Positive)] [LogDensity("(a*b - 1)*log(z) - z - lgamma(a*b)")] [Reparameterization("eps", Noise = NoiseKind.StandardGamma, NoiseShape = "a*b")] public sealed partial class ProductShape { }""", "IPathwiseJacobian,IScoreKernel")]
    [InlineData("""[Distribution, Parameter("m"), Score("m", "z - m")] [Reparameterization("m + eps")] public sealed partial class DeclaredScore { }""", "IPathwiseJacobian,IScoreKernel")]
    [InlineData("""[Distribution, Parameter("a"), CharacteristicFunction("exp(i*a*w)")] [Reparameterization("a", Noise = NoiseKind.None)] public sealed partial class Point { }""", "IPathwiseJacobian")]
    [InlineData("""[Distribution, Parameter("m"), Parameter("s", ParameterDomain.Positive)] [LogDensity("-abs(z - m)/s - log(2*s)")] [Reparameterization("abs(m) + s*eps", Noise = NoiseKind.StandardLaplace)] public sealed partial class Folded { }""", "IPathwiseJacobian,IScoreKernel")]
    [InlineData("""[Distribution, Parameter("m"), LogDensity("-(z - m)^2/2")] [Reparameterization("m + eps")] public sealed partial class Wrapped<T> { }""", "IPathwiseJacobian,IScoreKernel")]
    [InlineData("""[Distribution, Parameter("p", ParameterDomain.UnitInterval), Support(SupportKind.Finite, Values = "-1, 2")] [LogDensity("(2 - z)/3*log(1 - p) + (z + 1)/3*log(p)")] public sealed partial class TwoPoint { }""", "IFiniteDistribution")]
    [InlineData("""[Distribution, Parameter("k", ParameterDomain.Positive), CharacteristicFunction("(1 - i*w)^(-k)"), Reparameterization("eps", Noise = NoiseKind.StandardGamma, NoiseShape = "k")] public sealed partial class G { } [Distribution, Parameter("m"), Parameter("s", ParameterDomain.Positive), Component("x", typeof(G), "s"), Component("y", typeof(G), "2"), Composition("m + s*x - y/2"), LogDensity("log(s) + 0*z + m")] public sealed partial class AffineOfGammas { }""", "IComposedDistribution,IHasMean,IHasVariance")]
    public void ClosedFormCapabilities_CompileForVariedDeclarations(string declaration, string interfaces)
    {
        string source = "using StochasticBackprop;\nnamespace N;\n" + declaration;
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));

        GeneratorHarness.AssertNoGeneratorExceptions(run);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        GeneratorHarness.AssertOutputCompiles(run);
        string generated = run.GeneratedSources.Single(file => !file.HintName.EndsWith(".G.g.cs", StringComparison.Ordinal)).Text;
        foreach (string capability in interfaces.Split(','))
        {
            Assert.Contains("global::StochasticBackprop." + capability, generated);
        }
    }

    [Fact]
    public void NestedGenericContainer_GeneratedCode_CompilesAndIsNamedAfterTheChain()
    {
        const string source = """
            namespace Deep.Inside
            {
                public static partial class Holder
                {
                    [StochasticBackprop.Distribution]
                    [StochasticBackprop.Parameter("m")]
                    [StochasticBackprop.LogDensity("-(z - m)^2/2")]
                    [StochasticBackprop.Reparameterization("m + eps")]
                    internal partial class UnitNormal
                    {
                    }
                }
            }
            """;
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal("Deep.Inside.Holder+UnitNormal.g.cs", Assert.Single(run.GeneratedSources).HintName);
        GeneratorHarness.AssertOutputCompiles(run);
    }
}
