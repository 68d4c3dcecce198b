using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using StochasticBackprop.Generator.Tests.Infrastructure;
using Xunit;

namespace StochasticBackprop.Generator.Tests.Generation;

/// <summary>
/// Distributions sampled by C# the user writes (a method <c>Draw</c>), and distributions declared by a reparameterization
/// alone: what is generated, that it compiles, and each mistake's diagnostic at the characters that caused it.
/// </summary>
public sealed class UserSamplerGeneratorTests
{
    private const string Header = "using StochasticBackprop;\nusing TorchSharp;\nusing static TorchSharp.torch;\nnamespace N;\n";

    private const string Density = """
        [Distribution, Parameter("mu"), LogDensity("-(z - mu)^2/2 - 0.5*log(2*pi)"), CharacteristicFunction("exp(i*mu*w - w^2/2)")]
        """;

    private static GeneratorRun Run(string body) => GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Header + body));

    [Fact]
    public void InverseGaussian_SampledByItsOwnDraw_CompilesAndMatchesSnapshot()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(SampleSources.Read("InverseGaussian")));

        Assert.Empty(run.GeneratorDiagnostics);
        GeneratorHarness.AssertOutputCompiles(run);
        string text = Assert.Single(run.GeneratedSources).Text;
        Assert.Contains("private partial global::TorchSharp.torch.Tensor Draw(long sampleCount, global::TorchSharp.torch.Generator? generator);", text);
        Assert.Contains("SamplerCheck.Checked(\"InverseGaussian\", this.Draw(sampleCount, generator)", text);
        Assert.DoesNotContain("IReparameterizedDistribution", text);
        Assert.Contains("ICumulantDistribution", text);
        Assert.Contains("IScoredDistribution", text);
        Snapshot.Verify(run);
    }

    [Theory]
    [InlineData("internal Tensor Draw(long sampleCount, Generator? generator) => randn(sampleCount);")]
    [InlineData("public Tensor Draw(long n, Generator? g) { return randn(n, generator: g); }")]
    [InlineData("protected internal partial Tensor Draw(long count, Generator? rng);\n    protected internal partial Tensor Draw(long count, Generator? rng) => randn(count, generator: rng);")]
    [InlineData("private partial Tensor Draw(long @long, Generator? @class) => randn(@long, generator: @class);")]
    public void EveryFormOfDraw_Compiles(string draw)
    {
        GeneratorRun run = Run(Density + "\npublic partial class D\n{\n    " + draw + "\n}\n");

        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        GeneratorHarness.AssertOutputCompiles(run);
        string text = Assert.Single(run.GeneratedSources).Text;
        // A partial implementation gets its definition; a method written whole (or both halves) is only called.
        Assert.Equal(draw.StartsWith("private partial", StringComparison.Ordinal), text.Contains(" Draw(long ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("public static Tensor [|Draw|](long sampleCount, Generator? generator) => randn(sampleCount);", "(static)")]
    [InlineData("private Tensor [|Draw|](int sampleCount, Generator? generator) => randn(sampleCount);", "Draw(int, Generator?)")]
    [InlineData("private double [|Draw|](long sampleCount, Generator? generator) => 0;", "returning double")]
    [InlineData("private Tensor [|Draw|](long sampleCount) => randn(sampleCount);", "Draw(long)")]
    [InlineData("private Tensor [|Draw|]<T>(long sampleCount, Generator? generator) => randn(sampleCount);", "Draw<T>")]
    [InlineData("public int [|Draw|] { get; }", "a property")]
    [InlineData("public Tensor [|Draw|](long n, Generator g) => randn(n, generator: g);", "the generator must be nullable")]
    public void DrawOfTheWrongShape_IsSBG033_AtItsName(string member, string described)
    {
        string message = AssertSingleAt("SBG033", Density + "\npublic partial class D\n{\n    " + member + "\n}\n");
        Assert.Contains(described, message, StringComparison.Ordinal);
        Assert.Contains("Tensor Draw(long sampleCount, Generator? generator)", message, StringComparison.Ordinal);
    }

    [Fact]
    public void PartialDrawWithoutABody_IsSBG033()
    {
        string message = AssertSingleAt("SBG033", Density + "\npublic partial class D\n{\n    private partial Tensor [|Draw|](long sampleCount, Generator? generator);\n}\n");
        Assert.Contains("has no body", message, StringComparison.Ordinal);
    }

    [Fact]
    public void PartialDrawWithoutAccessibility_IsSBG033_AndTheOutputIsNotBroken()
    {
        string message = AssertSingleAt("SBG033", Density + "\npublic partial class D\n{\n    partial Tensor [|Draw|](long sampleCount, Generator? generator) => randn(sampleCount);\n}\n");
        Assert.Contains("accessibility modifier", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[Reparameterization(\"mu + eps\")]", "a [Reparameterization]")]
    [InlineData("[Support(SupportKind.Finite, Values = \"0, 1\")]", "a finite [Support]")]
    public void DrawBesideAnotherSampler_IsSBG013_AtDraw(string attribute, string described)
    {
        string message = AssertSingleAt("SBG013", """
            [Distribution, Parameter("mu"), LogDensity("-(z - mu)^2/2 - 0.5*log(2*pi)")]
            """ + attribute + "\npublic partial class D\n{\n    private partial Tensor [|Draw|](long sampleCount, Generator? generator) => randn(sampleCount);\n}\n");
        Assert.Contains(described, message, StringComparison.Ordinal);
    }

    [Fact]
    public void DrawOnACountsSupport_ReplacesTheInverseCdfSampler()
    {
        GeneratorRun run = Run("""
            [Distribution, Parameter("rate", ParameterDomain.Positive), Support(SupportKind.Counts)]
            [LogDensity("z*log(rate) - rate - lgamma(z + 1)")]
            public partial class P
            {
                private partial Tensor Draw(long sampleCount, Generator? generator) => poisson(Rate.expand(sampleCount), generator);
            }
            """);

        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        GeneratorHarness.AssertOutputCompiles(run);
        string text = Assert.Single(run.GeneratedSources).Text;
        Assert.Contains("this.Draw(sampleCount, generator)", text);
        Assert.DoesNotContain("SampleCounts", text);
    }

    [Fact]
    public void NoSamplerAtAll_IsSBG014_NamingTheDrawMethod()
    {
        string message = AssertSingleAt("SBG014", """
            [Distribution, Parameter("mu"), LogDensity("-(z - mu)^2/2")]
            public partial class [|D|] { }
            """);
        Assert.Contains("private partial Tensor Draw(long sampleCount, Generator? generator)", message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReparameterizationAlone_IsEnough_ForThePathwiseEstimator()
    {
        GeneratorRun run = Run("""
            [Distribution, Parameter("mu"), Parameter("s", ParameterDomain.Positive)]
            [Reparameterization("mu + s*log(eps/(1 - eps))", Noise = NoiseKind.StandardUniform)]
            public partial class Logistic { }
            """);

        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity != DiagnosticSeverity.Hidden));
        GeneratorHarness.AssertOutputCompiles(run);
        string text = Assert.Single(run.GeneratedSources).Text;
        Assert.Contains("IReparameterizedDistribution", text);
        Assert.Contains("IPathwiseJacobian", text);
        Assert.DoesNotContain("IScoredDistribution", text);
    }

    [Fact]
    public void NothingButParameters_IsStillSBG008()
    {
        string message = AssertSingleAt("SBG008", """
            [Distribution, Parameter("mu")]
            public partial class [|D|] { }
            """);
        Assert.Contains("reparameterization", message, StringComparison.Ordinal);
    }

    /// <summary>The one diagnostic of <paramref name="id"/>, located exactly at the <c>[|…|]</c> mark; its message.</summary>
    private static string AssertSingleAt(string id, string markedBody)
    {
        string marked = Header + markedBody;
        int start = marked.IndexOf("[|", StringComparison.Ordinal);
        int end = marked.IndexOf("|]", StringComparison.Ordinal) - 2;
        string source = marked.Replace("[|", "").Replace("|]", "");
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));
        GeneratorHarness.AssertNoGeneratorExceptions(run);
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(source.Substring(start, end - start), source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        // One error for the one mistake: the generator reports nothing else as an error.
        Assert.Single(run.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        return diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>[Constraint]: a condition between parameters in the generated constructor, and its diagnostics.</summary>
public sealed class ConstraintGeneratorTests
{
    private const string Header = "using StochasticBackprop;\nnamespace N;\n";

    [Fact]
    public void Constraint_IsCheckedInTheConstructor_AfterTheParameterChecks()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Header + """
            [Distribution, Parameter("low"), Parameter("high")]
            [Constraint("high - low", ParameterDomain.Positive), Constraint("high/10", ParameterDomain.UnitInterval)]
            [Reparameterization("low + (high - low)*eps", Noise = NoiseKind.StandardUniform)]
            public partial class U { }
            """));

        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity != DiagnosticSeverity.Hidden));
        GeneratorHarness.AssertOutputCompiles(run);
        string text = Assert.Single(run.GeneratedSources).Text;
        int checkHigh = text.IndexOf("ParameterCheck.Real(\"U\", \"high\", high);", StringComparison.Ordinal);
        int constraint = text.IndexOf("ParameterCheck.Condition(\"U\", \"high - low\", \"low\", high - low, global::StochasticBackprop.ParameterDomain.Positive);", StringComparison.Ordinal);
        Assert.True(checkHigh >= 0 && constraint > checkHigh, text);
        Assert.Contains("ParameterDomain.UnitInterval);", text, StringComparison.Ordinal);
        Assert.Contains("or a constraint fails: high - low positive; high/10 in [0, 1].", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[Constraint([|\"2 - 1\"|], ParameterDomain.Positive)]", "names no parameter")]
    [InlineData("[Constraint([|\"mu\"|], ParameterDomain.Simplex)]", "Simplex")]
    public void AConstraintThatCannotBeChecked_IsSBG034(string attribute, string expected)
    {
        string marked = Header + "[Distribution, Parameter(\"mu\"), Reparameterization(\"mu + eps\")]\n" + attribute + "\npublic partial class D { }\n";
        int start = marked.IndexOf("[|", StringComparison.Ordinal);
        int end = marked.IndexOf("|]", StringComparison.Ordinal) - 2;
        string source = marked.Replace("[|", "").Replace("|]", "");
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("SBG034", diagnostic.Id);
        Assert.Equal(source.Substring(start, end - start), source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Contains(expected, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }
}

/// <summary>SBG035: a file-local class cannot take the generated part (once an exception from the driver: the hint name held '&lt;').</summary>
public sealed class FileLocalClassTests
{
    [Fact]
    public void FileLocalClass_IsSBG035_AtItsName_AndNothingIsGenerated()
    {
        string source = "using StochasticBackprop;\nnamespace N;\n[Distribution, Parameter(\"mu\"), Reparameterization(\"mu + eps\")]\nfile partial class D { }\n";
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));
        GeneratorHarness.AssertNoGeneratorExceptions(run);
        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("SBG035", diagnostic.Id);
        Assert.Equal("D", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Empty(run.GeneratedSources);
    }
}
