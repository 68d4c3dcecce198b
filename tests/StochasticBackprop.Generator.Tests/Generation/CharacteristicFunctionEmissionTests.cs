using StochasticBackprop.Generator.Tests.Infrastructure;
using Xunit;

namespace StochasticBackprop.Generator.Tests.Generation;

/// <summary>
/// The generated <c>ICharacteristicFunction</c> member: written for every declaration with a (log) characteristic function and
/// elementwise parameters, compiling for every function with a complex form and for keyword parameter names; absent otherwise.
/// </summary>
public sealed class CharacteristicFunctionEmissionTests
{
    [Theory]
    [InlineData("""[Distribution, Parameter("event"), Parameter("s", ParameterDomain.Positive)] [CharacteristicFunction("exp(i*event*w - s^2*w^2/2)")] [Reparameterization("event + s*eps")] public sealed partial class KeywordNormal { }""", "double @event, double s, double w")]
    [InlineData("""[Distribution, Parameter("a", ParameterDomain.Positive)] [LogCharacteristicFunction("a*(exp(i*w) - 1) + 0*log1p(a)*sqrt(a)*abs(a)*sigmoid(a)*softplus(a)*pi")] [Support(SupportKind.Counts)] [LogDensity("z*log(a) - a - lgamma(z + 1)")] public sealed partial class Counts { }""", "double a, double w")]
    [InlineData("""[Distribution, Parameter("b", ParameterDomain.Positive)] [CharacteristicFunction("1/sqrt(1 - 2*i*b*w)")] [LogDensity("-log(2*pi*b*z)/2 - z/(2*b)")] [Reparameterization("b*eps^2")] public sealed partial class ScaledChiSquared { }""", "double b, double w")]
    public void CharacteristicFunction_IsEmitted_AndCompiles(string declaration, string helperParameters)
    {
        string source = "using StochasticBackprop;\nnamespace N;\n" + declaration;
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));

        GeneratorHarness.AssertNoGeneratorExceptions(run);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        GeneratorHarness.AssertOutputCompiles(run);
        string generated = Assert.Single(run.GeneratedSources).Text;
        Assert.Contains("global::StochasticBackprop.ICharacteristicFunction", generated);
        Assert.Contains($"private static global::System.Numerics.Complex CharacteristicFunctionOf({helperParameters}) =>", generated);
    }

    [Theory]
    [InlineData("""[Distribution, Parameter("m"), LogDensity("-(z - m)^2/2")] [Reparameterization("m + eps")] public sealed partial class NoPhi { }""")]
    public void CharacteristicFunction_IsOmitted_WithoutADeclaredOne(string declaration)
    {
        string source = "using StochasticBackprop;\nnamespace N;\n" + declaration;
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));

        GeneratorHarness.AssertNoGeneratorExceptions(run);
        GeneratorHarness.AssertOutputCompiles(run);
        Assert.DoesNotContain("ICharacteristicFunction", Assert.Single(run.GeneratedSources).Text);
    }
}
