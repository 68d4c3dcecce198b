using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using StochasticBackprop.Generator.Tests.Infrastructure;
using Xunit;

namespace StochasticBackprop.Generator.Tests.Generation;

/// <summary>
/// One error per mistake: a declaration whose maths fails still gets its constructor, parameter properties and the
/// members of every interface its attributes promise (throwing), so the user's code that constructs it and calls its
/// estimators compiles, and the generator's error is the only error in the build.
/// </summary>
public sealed class FallbackTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>A user's program using a Gamma the way the README does: constructor, properties, estimators, torch members.</summary>
    private const string UserCode = """
        using StochasticBackprop;
        using TorchSharp;
        using static TorchSharp.torch;

        namespace UserProject;

        public static class Program
        {
            public static double Run()
            {
                var k = tensor(2.0, requires_grad: true);
                var gamma = new Gamma(k, tensor(0.5));
                var f = Objective.Separable(z => z * z);
                GradientEstimate pathwise = gamma.Pathwise(f, 100);
                GradientEstimate score = gamma.ScoreFunction(f, 100);
                GradientEstimate fourier = gamma.Fourier(f, 100);
                GradientEstimate hybrid = gamma.Hybrid(f, 100);
                Tensor kappa = gamma.Cumulant(2);
                Tensor logProb = gamma.LogProb(tensor(1.0));
                Tensor mean = gamma.Mean + gamma.Variance;
                Tensor drawn = gamma.Sample(10) + gamma.RSample(10);
                return gamma.K.item<double>() + gamma.Theta.item<double>() + gamma.BatchShape.Length + gamma.FourierOrder;
            }
        }
        """;

    private const string Gamma = """
        using StochasticBackprop;

        namespace UserProject;

        [Distribution]
        [Parameter("k", ParameterDomain.Positive)]
        [Parameter("theta", ParameterDomain.Positive)]
        [CharacteristicFunction("(1 - i*theta*w)^(-k)")]
        [LogDensity("LOG_DENSITY")]
        [Reparameterization("theta*eps", Noise = NoiseKind.StandardGamma, NoiseShape = "k")]
        public sealed partial class Gamma
        {
        }
        """;

    [Theory]
    [InlineData("(k - 1)*log(z) - z/theta - lgamma(k) - k*log(theta", "SBG001")]
    [InlineData("(k - 1)*log(z) - z/theta - lgama(k) - k*log(theta)", "SBG003")]
    [InlineData("(k - 1)*log(z) - z/theta - lgamma(k) - k*log(thetaa)", "SBG002")]
    public void ATypoInTheLogDensity_IsTheOnlyError_AndTheUsersCodeCompiles(string logDensity, string id)
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Gamma.Replace("LOG_DENSITY", logDensity, StringComparison.Ordinal), UserCode));

        GeneratorHarness.AssertNoGeneratorExceptions(run);
        // The one mistake: one diagnostic, no false "parameter not used" warning beside it.
        Diagnostic error = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, error.Id);
        // Nothing else in the build: the user's 11 uses of the distribution all compile.
        Assert.Empty(run.OutputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        string text = Assert.Single(run.GeneratedSources).Text;
        Assert.Contains("public const string DeclarationErrors = \"" + id + " (line 9, column", text, StringComparison.Ordinal);
        Assert.Contains("IHybridDistribution", text, StringComparison.Ordinal);
        Assert.Contains("public Gamma(global::TorchSharp.torch.Tensor k, global::TorchSharp.torch.Tensor theta)", text, StringComparison.Ordinal);
    }

    /// <summary>The README's quick start (a top-level program), read from the repository.</summary>
    private static string ReadmeQuickStart([System.Runtime.CompilerServices.CallerFilePath] string thisFile = "")
    {
        string readme = System.IO.File.ReadAllText(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(thisFile)!, "..", "..", "..", "README.md"));
        int section = readme.IndexOf("### Quick start", StringComparison.Ordinal);
        int open = readme.IndexOf("```csharp\n", section, StringComparison.Ordinal) + "```csharp\n".Length;
        return readme[open..readme.IndexOf("\n```", open, StringComparison.Ordinal)] + "\n";
    }

    [Theory]
    [InlineData("(k - 1)*(log(z) - log(lambda)", "(k - 1)*(log(z) - log(lambda))")]
    [InlineData("lambda*(-log(1 - eps))^(1/kk)", "lambda*(-log(1 - eps))^(1/k)")]
    [InlineData("(z/lambda)**k", "(z/lambda)^k")]
    public void TheReadmeQuickStart_WithOneTypo_HasExactlyOneError(string typo, string original)
    {
        string program = ReadmeQuickStart();
        Assert.Contains(original, program, StringComparison.Ordinal);
        var compilation = GeneratorHarness.CreateCompilation(program.Replace(original, typo, StringComparison.Ordinal))
            .WithOptions(GeneratorHarness.CreateCompilation().Options.WithOutputKind(OutputKind.ConsoleApplication));
        int withoutGenerator = compilation.GetDiagnostics().Count(d => d.Severity == DiagnosticSeverity.Error);

        GeneratorRun run = GeneratorHarness.Run(compilation);
        GeneratorHarness.AssertNoGeneratorExceptions(run);
        Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(DiagnosticSeverity.Error, run.GeneratorDiagnostics[0].Severity);
        Assert.Empty(run.OutputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        // Without the fallback the user's code itself breaks in many places.
        output.WriteLine($"typo {typo}: {run.GeneratorDiagnostics[0].Id} and nothing else; without any generated part the program has {withoutGenerator} errors");
        Assert.True(withoutGenerator >= 5, $"{withoutGenerator} errors without any generated part");
    }

    [Fact]
    public void WithoutTheFallback_TheSameTypoWouldBreakEveryUse()
    {
        // The counterfactual the fallback removes: the user's code with no generated part at all.
        var compilation = GeneratorHarness.CreateCompilation(Gamma.Replace("LOG_DENSITY", "(k - 1)*log(z", StringComparison.Ordinal), UserCode);
        int errors = compilation.GetDiagnostics().Count(d => d.Severity == DiagnosticSeverity.Error);
        Assert.True(errors >= 10, $"{errors} errors");
    }

    [Theory]
    [InlineData("""
        [Distribution, Parameter("p", ParameterDomain.UnitInterval), Support(SupportKind.Finite, Values = "0, 1")]
        [LogDensity("z*log(p) + (1 - z)*log(1 - p")]
        public partial class D { }
        """)]
    [InlineData("""
        [Distribution, Parameter("logits", EventRank = 1), Support(SupportKind.Categories)]
        [LogDensity("logits - logsumexp(logits")]
        public partial class D { }
        """)]
    [InlineData("""
        [Distribution, Parameter("rate", ParameterDomain.Positive), Support(SupportKind.Counts)]
        [CharacteristicFunction("exp(rate*(exp(i*w) - 1)")]
        [LogDensity("z*log(rate) - rate - lgamma(z + 1)")]
        public partial class D { }
        """)]
    [InlineData("""
        [Distribution, Parameter("a", ParameterDomain.Positive), Parameter("b", ParameterDomain.Positive)]
        [Component("x", typeof(G), "a"), Component("y", typeof(G), "b")]
        [Composition("x/(x + y")]
        [LogDensity("(a - 1)*log(z) + (b - 1)*log(1 - z) - lbeta(a, b)")]
        public partial class D { }

        [Distribution, Parameter("k", ParameterDomain.Positive), CharacteristicFunction("(1 - i*w)^(-k)")]
        [Reparameterization("eps", Noise = NoiseKind.StandardGamma, NoiseShape = "k")]
        public partial class G { }
        """)]
    [InlineData("""
        [Distribution, Parameter("mu"), Parameter("sigma", ParameterDomain.Positive)]
        [Reparameterization("mu + sigma*eps")]
        [Entropy("0.5*log(2*pi*sigma^2 + 0.5")]
        [Cdf("0.5*(1 + erf((z - mu)/(sigma*sqrt(2))))")]
        public partial class D { }
        """)]
    [InlineData("""
        [Distribution, Parameter("mu"), LogDensity("-(z - mu)^2/2")]
        [CharacteristicFunction("exp(i*mu*w - w^2/2")]
        public partial class D
        {
            private partial TorchSharp.torch.Tensor Draw(long sampleCount, TorchSharp.torch.Generator? generator) => TorchSharp.torch.randn(sampleCount);
        }
        """)]
    public void EveryKindOfDeclaration_WithAnError_GetsAFallbackThatCompiles(string body)
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation("using StochasticBackprop;\nnamespace N;\n" + body));

        GeneratorHarness.AssertNoGeneratorExceptions(run);
        Assert.Single(run.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Empty(run.OutputDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.Contains(run.GeneratedSources, source => source.Text.Contains("DeclarationErrors", StringComparison.Ordinal));
    }

    /// <summary>The interfaces in a generated part's base list, by class name.</summary>
    private static System.Collections.Generic.Dictionary<string, string[]> BaseLists(GeneratorRun run)
    {
        var lists = new System.Collections.Generic.Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var file in run.GeneratedSources)
        {
            var match = System.Text.RegularExpressions.Regex.Match(file.Text, @"partial class (\w+) : ([^\n]+)");
            Assert.True(match.Success, file.HintName);
            lists[match.Groups[1].Value] = match.Groups[2].Value.Split(", ").Select(name => name.Replace("global::StochasticBackprop.", "", StringComparison.Ordinal)).ToArray();
        }
        return lists;
    }

    [Fact]
    public void EveryStandardAndSampleDistribution_WithAnError_KeepsEveryInterfaceItsUsersCanCall()
    {
        string[] names = System.IO.Directory.GetFiles(SampleSources.Directories()[0], "*.cs").Concat(System.IO.Directory.GetFiles(SampleSources.Directories()[1], "*.cs"))
            .Select(path => System.IO.Path.GetFileNameWithoutExtension(path)).ToArray();
        string[] sources = names.Select(name => SampleSources.Read(name)).ToArray();
        // The same declarations with one error each that changes no capability: a constraint that names no parameter.
        string[] broken = sources.Select(source => source.Replace("[Distribution", "[Constraint(\"2 - 1\", ParameterDomain.Positive)]\n[Distribution", StringComparison.Ordinal)).ToArray();

        GeneratorRun healthy = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(sources));
        GeneratorRun failed = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(broken));
        Assert.Empty(healthy.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        var generated = BaseLists(healthy);
        var fallbacks = BaseLists(failed);
        Assert.Equal(generated.Count, failed.GeneratorDiagnostics.Count(d => d.Id == "SBG034"));
        Assert.Empty(failed.OutputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        // Optimisations the estimators look for at run time, not members user code calls by name.
        string[] internalOnly = { "IPathwiseJacobian", "IScoreKernel", "ICumulantGeneratingFunction" };
        foreach ((string name, string[] interfaces) in generated)
        {
            Assert.True(fallbacks.TryGetValue(name, out string[]? kept), $"{name}: no fallback");
            string[] missing = interfaces.Except(internalOnly).Except(kept!).ToArray();
            output.WriteLine($"{name}: generated {interfaces.Length}, fallback {kept!.Length}, missing {string.Join(" ", missing)}");
            Assert.True(missing.Length == 0, $"{name}'s fallback lacks {string.Join(", ", missing)}");
        }
        Assert.True(generated.Count >= 19, $"{generated.Count} distributions");
    }

    [Fact]
    public void AnInvalidParameter_GetsNoFallback_ForNoConstructorCanBeWritten()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation("""
            using StochasticBackprop;
            namespace N;
            [Distribution, Parameter("mu"), Parameter("mu"), Reparameterization("mu + eps")]
            public partial class D { }
            """));

        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "SBG011");
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void AUserMemberClashingWithTheFallback_GetsNoFallback()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation("""
            using StochasticBackprop;
            namespace N;
            [Distribution, Parameter("mu"), Reparameterization("mu + eps"), LogDensity("-(z - mu^2/2")]
            public partial class D { public int Mu => 1; }
            """));

        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "SBG001");
        Assert.Empty(run.GeneratedSources);
        Assert.Empty(run.OutputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true));
        _ = CultureInfo.InvariantCulture;
    }
}
