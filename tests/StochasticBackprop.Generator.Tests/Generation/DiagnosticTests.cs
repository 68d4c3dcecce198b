using System.Linq;
using Microsoft.CodeAnalysis;
using StochasticBackprop.Generator.Tests.Infrastructure;
using Xunit;

namespace StochasticBackprop.Generator.Tests.Generation;

/// <summary>
/// One test per diagnostic: its ID, and its exact location, marked in the source as <c>[|…|]</c>
/// (for formula errors, the characters inside the string).
/// </summary>
public sealed class DiagnosticTests
{
    private const string Header = "using StochasticBackprop;\nnamespace N;\n";

    [Fact]
    public void SyntaxError_PointsAtTheColumnInsideTheFormula()
        => AssertSingle("SBG001", """
            [Distribution, Parameter("mu"), Reparameterization("mu + eps")]
            [LogDensity("-(z - mu)^2 [|)|]")]
            public partial class D { }
            """);

    [Fact]
    public void UnknownIdentifier_PointsAtTheIdentifier()
        => AssertSingle("SBG002", """
            [Distribution, Parameter("mu"), Parameter("sigma", ParameterDomain.Positive), Reparameterization("mu + sigma*eps")]
            [LogDensity("-(z - mu)^2/(2*[|sigmaa|]^2) - log(sigma)")]
            public partial class D { }
            """);

    [Fact]
    public void WrongVariableForTheFormula_IsAnUnknownIdentifier()
        => AssertSingle("SBG002", """
            [Distribution, Parameter("mu"), Reparameterization("mu + eps")]
            [CharacteristicFunction("exp(i*mu*[|z|])")]
            public partial class D { }
            """);

    [Fact]
    public void UnknownFunction_PointsAtTheFunctionName()
        => AssertSingle("SBG003", """
            [Distribution, Parameter("mu"), Reparameterization("mu + eps")]
            [LogDensity("-[|sech|](z - mu)")]
            public partial class D { }
            """);

    [Fact]
    public void UnusedParameter_WarnsAtTheParameterName()
        => AssertSingle("SBG004", """
            [Distribution, Parameter("mu"), Parameter([|"unused"|]), Reparameterization("mu + eps")]
            [LogDensity("-(z - mu)^2/2")]
            public partial class D { }
            """, DiagnosticSeverity.Warning);

    [Fact]
    public void ClassNotPartial_IsReportedOnTheClassName()
        => AssertSingle("SBG005", """
            [Distribution, Parameter("mu"), Reparameterization("mu + eps"), LogDensity("-(z - mu)^2/2")]
            public class [|D|] { }
            """);

    [Fact]
    public void CauchyCharacteristicFunction_IsNotAnalyticAtZero()
        => AssertSingle("SBG006", """
            [Distribution, Parameter("x0"), Parameter("g", ParameterDomain.Positive), Reparameterization("x0 + g*eps")]
            [CharacteristicFunction("exp(i*x0*w - g*[|abs(w)|])")]
            public partial class Cauchy { }
            """);

    [Fact]
    public void LogOfTheFrequency_IsNotAnalyticAtZero()
        => AssertSingle("SBG006", """
            [Distribution, Parameter("a"), Reparameterization("a + eps")]
            [LogCharacteristicFunction("i*a*w + [|log(w)|]")]
            public partial class D { }
            """);

    [Fact]
    public void FourierOrderAboveCumulantOrder_IsOutOfRange()
        => AssertSingle("SBG007", """
            [Distribution([|FourierOrder = 9|]), Parameter("mu"), Reparameterization("mu + eps")]
            [CharacteristicFunction("exp(i*mu*w - w^2/2)")]
            public partial class D { }
            """);

    [Fact]
    public void CumulantOrderAboveSixteen_IsOutOfRange()
        => AssertSingle("SBG007", """
            [Distribution([|CumulantOrder = 17|]), Parameter("mu"), Reparameterization("mu + eps")]
            [CharacteristicFunction("exp(i*mu*w - w^2/2)")]
            public partial class D { }
            """);

    [Fact]
    public void NoDensityScoreOrCharacteristicFunction_NoEstimator()
        => AssertSingle("SBG008", """
            [Distribution, Parameter("mu")]
            public partial class [|D|] { }
            """);

    [Fact]
    public void CharacteristicFunctionNotOneAtZero_IsNotACharacteristicFunction()
        => AssertSingle("SBG009", """
            [Distribution, Parameter("mu"), Reparameterization("mu + eps")]
            [CharacteristicFunction("[|2*exp(i*mu*w)|]")]
            public partial class D { }
            """);

    [Fact]
    public void RealExponentInsteadOfImaginary_IsNotACharacteristicFunction()
        => AssertSingle("SBG009", """
            [Distribution, Parameter("mu"), Reparameterization("mu + eps")]
            [CharacteristicFunction("[|exp(mu*w)|]")]
            public partial class D { }
            """);

    [Fact]
    public void SigmoidOfTheFrequency_CannotBeExpanded()
        => AssertSingle("SBG010", """
            [Distribution, Parameter("mu"), Reparameterization("mu + eps")]
            [LogCharacteristicFunction("i*mu*w + [|sigmoid(w)|] - sigmoid(0)")]
            public partial class D { }
            """);

    [Fact]
    public void ReservedParameterName_IsInvalid()
        => AssertSingle("SBG011", """
            [Distribution, Parameter([|"eps"|]), Parameter("mu"), Reparameterization("mu + eps")]
            [LogDensity("-(z - mu)^2/2")]
            public partial class D { }
            """);

    [Fact]
    public void ParameterWhosePropertyCollidesWithAGeneratedMember_IsInvalid()
        => AssertSingle("SBG011", """
            [Distribution, Parameter("mu"), Parameter([|"name"|]), Reparameterization("mu + name*eps")]
            [LogDensity("-(z - mu)^2/2")]
            public partial class D { }
            """);

    [Fact]
    public void ScoreOfAnUndeclaredParameter_IsInvalid()
        => AssertSingle("SBG012", """
            [Distribution, Parameter("mu"), Reparameterization("mu + eps")]
            [LogDensity("-(z - mu)^2/2"), Score([|"nu"|], "z - mu")]
            public partial class D { }
            """);

    [Fact]
    public void BothCharacteristicFunctionForms_Conflict()
        => AssertSingle("SBG013", """
            [Distribution, Parameter("mu"), Reparameterization("mu + eps")]
            [CharacteristicFunction("exp(i*mu*w)"), LogCharacteristicFunction([|"i*mu*w"|])]
            public partial class D { }
            """);

    [Fact]
    public void NoReparameterization_HasNoSampler()
        => AssertSingle("SBG014", """
            [Distribution, Parameter("mu"), LogDensity("-(z - mu)^2/2")]
            public partial class [|D|] { }
            """);

    [Fact]
    public void DigammaInTheLogDensity_CannotBeDifferentiatedTwice()
        => AssertSingle("SBG015", """
            [Distribution, Parameter("a", ParameterDomain.Positive), Reparameterization("a*eps", Noise = NoiseKind.StandardExponential)]
            [LogDensity("log(z) - [|digamma(a)|]*z")]
            [Score("a", "z")]
            [CharacteristicFunction("1/(1 - a*i*w)")]
            public partial class D { }
            """, expectNone: true);

    [Fact]
    public void GammaNoiseWithoutShape_IsInvalidNoise()
        => AssertSingle("SBG016", """
            [Distribution, Parameter("theta", ParameterDomain.Positive), LogDensity("-z/theta - log(theta)")]
            [[|Reparameterization("theta*eps", Noise = NoiseKind.StandardGamma)|]]
            public partial class D { }
            """);

    [Fact]
    public void ScoreGivenForSomeParametersWithoutLogDensity_WarnsMissingScore()
        => AssertSingle("SBG017", """
            [Distribution, Parameter("mu"), Parameter("s", ParameterDomain.Positive), Reparameterization("mu + s*eps")]
            [Score("mu", "(z - mu)/s^2")]
            public partial class [|D|] { }
            """, DiagnosticSeverity.Warning);

    [Fact]
    public void LatticeCharacteristicFunctionWithoutSupport_IsADiscreteDistributionWithoutSupport()
        => AssertSingle("SBG018", """
            [Distribution, Parameter("p", ParameterDomain.UnitInterval), LogDensity("z*log(p) + (1 - z)*log(1 - p)")]
            [CharacteristicFunction([|"1 - p + p*exp(i*w)"|])]
            public partial class Coin { }
            """);

    [Fact]
    public void PoissonLogCharacteristicFunctionWithoutSupport_IsADiscreteDistributionWithoutSupport()
        => AssertSingle("SBG018", """
            [Distribution, Parameter("rate", ParameterDomain.Positive), LogDensity("z*log(rate) - rate - lgamma(z + 1)")]
            [LogCharacteristicFunction([|"rate*(exp(i*w) - 1)"|])]
            public partial class Counts { }
            """);

    [Fact]
    public void DiscreteSupportWithAReparameterization_IsReported()
        => AssertSingle("SBG019", """
            [Distribution, Parameter("p", ParameterDomain.UnitInterval), Support(SupportKind.Finite, Values = "0, 1")]
            [LogDensity("z*log(p) + (1 - z)*log(1 - p)")]
            [[|Reparameterization("p + eps")|]]
            public partial class Coin { }
            """);

    [Fact]
    public void FiniteSupportWithoutValues_IsInvalid()
        => AssertSingle("SBG020", """
            [Distribution, Parameter("p", ParameterDomain.UnitInterval), [|Support(SupportKind.Finite)|]]
            [LogDensity("z*log(p) + (1 - z)*log(1 - p)")]
            public partial class Coin { }
            """);

    [Fact]
    public void FiniteSupportWithANonNumber_PointsAtTheValues()
        => AssertSingle("SBG020", """
            [Distribution, Parameter("p", ParameterDomain.UnitInterval), Support(SupportKind.Finite, [|Values = "0, one"|])]
            [LogDensity("z*log(p) + (1 - z)*log(1 - p)")]
            public partial class Coin { }
            """);

    [Fact]
    public void CategoriesWithoutAnEventParameter_IsInvalid()
        => AssertSingle("SBG020", """
            [Distribution, Parameter("probs", ParameterDomain.UnitInterval), [|Support(SupportKind.Categories)|]]
            [LogDensity("log(probs)")]
            public partial class Cat { }
            """);

    [Fact]
    public void SimplexWithoutAnEventAxis_IsAnInvalidParameter()
        => AssertSingle("SBG011", """
            [Distribution, Parameter([|"probs"|], ParameterDomain.Simplex), Support(SupportKind.Categories)]
            [LogDensity("log(probs)")]
            public partial class Cat { }
            """);

    [Fact]
    public void ParameterNamedLikeAGeneratedArgument_IsAnInvalidParameter()
        => AssertSingle("SBG011", """
            [Distribution, Parameter([|"sampleCount"|]), Reparameterization("sampleCount + eps")]
            [LogDensity("-(z - sampleCount)^2/2")]
            public partial class D { }
            """);

    [Fact]
    public void ElementwiseParameterBesideAnEventParameter_IsAnInvalidParameter()
        => AssertSingle("SBG011", """
            [Distribution, Parameter("logits", ParameterDomain.Real, EventRank = 1), Parameter([|"temperature"|], ParameterDomain.Positive), Support(SupportKind.Categories)]
            [LogDensity("logits/temperature - logsumexp(logits/temperature)")]
            public partial class Cat { }
            """);

    [Fact]
    public void ComponentOfATypeThatIsNotADistribution_IsAnInvalidComposition()
        => AssertSingle("SBG021", """
            [Distribution, Parameter("a", ParameterDomain.Positive), Component("zeta", [|typeof(string)|], "a"), Composition("zeta/(1 + zeta)")]
            [LogDensity("log(a)")]
            public partial class D { }
            """);

    [Fact]
    public void ComponentNamedLikeAParameter_IsAnInvalidComposition()
        => AssertSingle("SBG021", """
            [Distribution, Parameter("a", ParameterDomain.Positive), Composition("a/(1 + a)")]
            [Component([|"a"|], typeof(D), "a")]
            [LogDensity("log(a)")]
            public partial class D { }
            """);

    [Fact]
    public void ComponentNamedLikeAnArgumentOfCompose_IsAnInvalidComposition()
        => AssertSingle("SBG021", """
            [Distribution, Parameter("a", ParameterDomain.Positive), Composition("a + parameters")]
            [Component([|"parameters"|], typeof(D), "a")]
            [LogDensity("log(a)")]
            public partial class D { }
            """);

    [Fact]
    public void EntropySyntaxError_PointsAtTheColumnInsideTheFormula()
        => AssertSingle("SBG001", """
            [Distribution, Parameter("mu"), Parameter("sigma", ParameterDomain.Positive), Reparameterization("mu + sigma*eps")]
            [LogDensity("-(z - mu)^2/(2*sigma^2) - log(sigma)"), Entropy("log(sigma) + [|)|]")]
            public partial class D { }
            """);

    [Fact]
    public void EntropyInTheVariable_IsAnUnknownIdentifier()
        => AssertSingle("SBG002", """
            [Distribution, Parameter("mu"), Parameter("sigma", ParameterDomain.Positive), Reparameterization("mu + sigma*eps")]
            [LogDensity("-(z - mu)^2/(2*sigma^2) - log(sigma)"), Entropy("log(sigma) + [|z|]")]
            public partial class D { }
            """);

    [Fact]
    public void CdfUnknownFunction_PointsAtTheFunctionName()
        => AssertSingle("SBG003", """
            [Distribution, Parameter("mu"), Parameter("sigma", ParameterDomain.Positive), Reparameterization("mu + sigma*eps")]
            [LogDensity("-(z - mu)^2/(2*sigma^2) - log(sigma)"), Cdf("(1 + [|erff|]((z - mu)/sigma))/2")]
            public partial class D { }
            """);

    [Fact]
    public void EntropyWithAnEventParameterOutsideAReduction_PointsAtIt()
        => AssertSingle("SBG013", """
            [Distribution, Parameter("probs", ParameterDomain.Simplex, EventRank = 1), Support(SupportKind.Categories)]
            [LogDensity("log(probs)"), Entropy("-sum(probs*log(probs)) + 0*[|probs|]")]
            public partial class D { }
            """);

    [Fact]
    public void CdfOfADistributionOverCategories_IsRefusedAtTheFormula()
        => AssertSingle("SBG013", """
            [Distribution, Parameter("probs", ParameterDomain.Simplex, EventRank = 1), Support(SupportKind.Categories)]
            [LogDensity("log(probs)"), Cdf([|"z*sum(probs)"|])]
            public partial class D { }
            """);

    [Fact]
    public void CharacteristicFunctionTheSimplifierCannotMakeReal_HasNoCumulantGeneratingFunction_AndSaysSoQuietly()
    {
        // The Normal with i factored out of the sum: valid, but i survives w = -i*s (it is not distributed over the sum).
        const string body = """
            [Distribution, Parameter("mu"), Parameter("sigma", ParameterDomain.Positive), Reparameterization("mu + sigma*eps")]
            [LogCharacteristicFunction([|"i*(mu*w + i*sigma^2*w^2/2)"|])]
            public partial class D { }
            """;
        AssertSingle("SBG022", body, DiagnosticSeverity.Hidden);

        GeneratorRun run = Run(body.Replace("[|", "").Replace("|]", ""));
        GeneratedFile file = Assert.Single(run.GeneratedSources);
        Assert.Contains("ICumulantDistribution", file.Text, System.StringComparison.Ordinal);
        Assert.DoesNotContain("CumulantGeneratingFunction", file.Text, System.StringComparison.Ordinal);
        GeneratorHarness.AssertOutputCompiles(run);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void PragmaDisable_SuppressesAGeneratorWarning_OnlyWhereItIsWritten(bool withPragma)
    {
        string source = Header
            + (withPragma ? "#pragma warning disable SBG004\n" : "")
            + "[Distribution, Parameter(\"mu\"), Parameter(\"unused\"), Reparameterization(\"mu + eps\")]\n"
            + (withPragma ? "#pragma warning restore SBG004\n" : "")
            + "[LogDensity(\"-(z - mu)^2/2\")]\npublic partial class D { }\n";
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));

        Diagnostic warning = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "SBG004");
        Assert.True(warning.Location.IsInSource);
        Assert.Equal(withPragma, IsSuppressedByCompiler(run.OutputCompilation, warning));
    }

    [Fact]
    public void FormulaErrors_AreAllReported_NotJustTheFirst()
    {
        GeneratorRun run = Run("""
            [Distribution, Parameter("mu"), Reparameterization("mu + eps")]
            [LogDensity("-(z - nu)^2/2 + xi")]
            public partial class D { }
            """);

        Assert.Equal(2, run.GeneratorDiagnostics.Count(d => d.Id == "SBG002"));
    }

    [Fact]
    public void ErrorsInADeclaration_GenerateOnlyTheFallbackForIt()
    {
        GeneratorRun run = Run("""
            [Distribution, Parameter("mu"), Reparameterization("mu + eps")]
            [LogDensity("-(z - nu)^2/2")]
            public partial class D { }
            """);

        // The constructor and parameters, and throwing members (FallbackTests): none of the estimators' maths.
        string text = Assert.Single(run.GeneratedSources).Text;
        Assert.Contains("DeclarationErrors", text, System.StringComparison.Ordinal);
        Assert.DoesNotContain("Reparameterize(global::TorchSharp.torch.Tensor mu", text, System.StringComparison.Ordinal);
    }

    /// <summary>
    /// What the compiler does with a generator diagnostic at build time: it passes it through the
    /// compilation's filter, which applies the #pragma directives of the tree it is located in.
    /// That filter (CompilationOptions.FilterDiagnostic) is internal, so it is found by reflection; if Roslyn renames it, this fails loudly.
    /// </summary>
    private static bool IsSuppressedByCompiler(Compilation compilation, Diagnostic diagnostic)
    {
        var filter = typeof(CompilationOptions)
            .GetMethods(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
            .FirstOrDefault(m => m.Name == "FilterDiagnostic" && m.GetParameters().Length == 2 && m.GetParameters()[0].ParameterType == typeof(Diagnostic));
        Assert.NotNull(filter);
        var filtered = (Diagnostic?)filter!.Invoke(compilation.Options, new object[] { diagnostic, System.Threading.CancellationToken.None });
        return filtered is null || filtered.IsSuppressed;
    }

    private static GeneratorRun Run(string body)
        => GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Header + body));

    internal static void AssertSingle(string id, string markedBody, DiagnosticSeverity severity = DiagnosticSeverity.Error, bool expectNone = false)
    {
        string marked = Header + markedBody;
        int start = marked.IndexOf("[|", System.StringComparison.Ordinal);
        int end = marked.IndexOf("|]", System.StringComparison.Ordinal) - 2;
        string source = marked.Replace("[|", "").Replace("|]", "");
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));
        GeneratorHarness.AssertNoGeneratorExceptions(run);

        if (expectNone)
        {
            // A hand-given score means the log density never has to be differentiated for that parameter.
            Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == id);
            return;
        }

        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == id);
        Assert.Equal(severity, diagnostic.Severity);
        Assert.True(diagnostic.Location.IsInSource, "diagnostic must point into the source");
        string located = source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length);
        Assert.Equal(source.Substring(start, end - start), located);
        Assert.False(string.IsNullOrWhiteSpace(diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
    }
}
