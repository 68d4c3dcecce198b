using System.Linq;
using Xunit;

namespace StochasticBackprop.Generator.Tests.ScalarSafety;

/// <summary>
/// Every form TorchSharp 0.107 turns into a temporary Scalar is reported at its exact span with its
/// family's ID, and the safe forms the runtime and the generated code use are not.
/// </summary>
public sealed class ScalarSafetyAnalyzerTests
{
    private const string Header = """
        using System.Collections.Generic;
        using TorchSharp;
        using StochasticBackprop;
        using static TorchSharp.torch;

        static class UserCode
        {
            static readonly Scalar Half = 0.5;

        """;

    private const string Footer = """

        }
        """;

    [Fact]
    public void NumberNextToTensor_IsSbs001_OnTheNumber()
    {
        ScalarSafetyHarness.AssertDiagnostics(Header + """
                static Tensor Operators(Tensor t) => (t * {|SBS001:2.0|}).mul(t.pow({|SBS001:2|})).sub({|SBS001:2|} * t);
                static Tensor Division(Tensor t) => t / {|SBS001:3.0f|} - {|SBS001:1.5|} / t - t % {|SBS001:2L|} - t - {|SBS001:1|};
                static Tensor Calls(Tensor t) => t.clamp(min: {|SBS001:0.0|}).mul(t > {|SBS001:0|});
                static Tensor Full() => torch.full(new long[] { 2 }, {|SBS001:3.0|});
                static Tensor Compound(Tensor t) { t *= {|SBS001:2.0|}; return t; }
                static Tensor RunTime(Tensor t, double lr) => t.mul({|SBS001:lr|}).mul({|SBS001:lr.ToScalar()|});
                static Tensor Cast(Tensor t) => t.mul({|SBS001:(Scalar)2.0|});
            """ + Footer);
    }

    [Fact]
    public void HiddenAlpha_IsSbs002_OnTheWholeAddition()
    {
        ScalarSafetyHarness.AssertDiagnostics(Header + """
                static Tensor Sum(Tensor a, Tensor b) => {|SBS002:a + b|};
                static Tensor SumWithCachedScalar(Tensor a) => {|SBS002:a + Scalars.Of(1)|};
                static Tensor SumWithNumber(Tensor a) => ({|SBS002:a + 1|}).mul({|SBS002:1.0 + a|});
                static Tensor NumberMinusTensor(Tensor a) => ({|SBS002:1 - a|}).mul({|SBS002:Scalars.Of(1) - a|});
                static Tensor Methods(Tensor a, Tensor b) => {|SBS002:a.add(b)|}.mul({|SBS002:torch.add(a, b)|}).mul({|SBS002:a.addcdiv(a, b)|});
                static Tensor InPlace(Tensor a, Tensor b) => {|SBS002:a.add_(b)|};
                static Tensor Compound(Tensor a, Tensor b) { {|SBS002:a += b|}; return a; }
            """ + Footer);
    }

    [Fact]
    public void MembersThatMakeATemporary_AreSbs003_OnTheCall()
    {
        ScalarSafetyHarness.AssertDiagnostics(Header + """
                static Tensor Square(Tensor t) => {|SBS003:t.square()|}.mul({|SBS003:torch.square(t)|});
                static Tensor Softplus(Tensor t) => {|SBS003:t.softplus()|}.mul({|SBS003:torch.nn.functional.softplus(t)|});
                static double Read(Tensor t) => {|SBS003:t.ToDouble()|} + {|SBS003:(double)t|} + {|SBS003:t.ToInt64()|};
                static Tensor Activations(Tensor t) => {|SBS003:torch.nn.functional.elu(t, 1.0)|}.mul({|SBS003:torch.nn.functional.leaky_relu(t)|});
                static Tensor Range() => {|SBS003:torch.arange({|SBS001:10|})|};
                static void Optimizer(IEnumerable<TorchSharp.Modules.Parameter> parameters)
                {
                    var optimizer = {|SBS003:torch.optim.Adam(parameters)|};
                    {|SBS003:optimizer.step()|};
                }
                static Tensor Distribution(Tensor mean, Tensor std)
                {
                    var normal = {|SBS003:torch.distributions.Normal(mean, std)|};
                    return {|SBS003:normal.log_prob(mean)|}.mul({|SBS003:normal.mean|});
                }
            """ + Footer);
    }

    [Fact]
    public void SafeForms_AreNotReported()
    {
        ScalarSafetyHarness.AssertDiagnostics(Header + """
                static Tensor Constants(Tensor t) => (t * Scalars.Of(2.0)).mul(Scalars.Of(2) * t).mul(t.pow(Scalars.Of(2))).mul(Scalars.Of(1) / t).mul(t / Scalars.Of(3.0));
                static Tensor Sums(Tensor a, Tensor b) => a.add(b, Scalars.One).add(Scalars.Of(1), Scalars.One).mul(torch.add(a, b, Scalars.One));
                static Tensor Differences(Tensor a, Tensor b) => (a - b).mul(a - Scalars.Of(1)).mul(-(a - Scalars.Of(1))).mul(-a);
                static Tensor Products(Tensor a) => (a * a).mul(a.exp()).mul(a.sum()).mul(-torch.nn.functional.logsigmoid(-a)).mul(a.clamp(min: Scalars.Of(0.0)));
                static Tensor Factories() => torch.full(new long[] { 2 }, Scalars.Of(3.0)).mul(torch.zeros(2)).mul(torch.randn(3)).mul(torch.tensor(2.0));
                static double Read(Tensor t) => t.item<double>() + t.to_type(ScalarType.Float64).item<double>();
                static Tensor Held(Tensor t, double lr)
                {
                    using Scalar step = lr.ToScalar();
                    using Scalar other = lr;
                    using (Scalar third = 3.0)
                    {
                        return t.mul(step).mul(other).mul(third).mul(Half);
                    }
                }
                static Scalar Returned(double value) => value.ToScalar();
                static Tensor Compare(Tensor t) => (t > Scalars.Of(0)).mul(t == t);
            """ + Footer);
    }

    [Fact]
    public void Messages_NameTheUnsafeFormAndTheSafeOne()
    {
        var diagnostics = ScalarSafetyHarness.Analyze(Header + """
                static Tensor A(Tensor t) => t * 2.0;
                static Tensor B(Tensor t, Tensor u) => t + u;
                static Tensor C(Tensor t) => t.square();
            """ + Footer);

        Assert.Equal(new[] { "SBS001", "SBS002", "SBS003" }, diagnostics.Select(d => d.Id));
        Assert.Equal("'2.0' becomes a temporary TorchSharp Scalar that a garbage collection can free while libtorch reads it; write Scalars.Of(2.0) (cached and kept alive)", diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("a.add(b, Scalars.One)", diagnostics[1].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("'Tensor.square'", diagnostics[2].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("t.pow(Scalars.Of(2))", diagnostics[2].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.All(diagnostics, d => Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning, d.Severity));
    }

    [Fact]
    public void PragmaWarningDisable_SuppressesTheDiagnostic()
    {
        var diagnostics = ScalarSafetyHarness.Analyze(Header + """
            #pragma warning disable SBS001
                static Tensor A(Tensor t) => t * 2.0;
            #pragma warning restore SBS001
                static Tensor B(Tensor t) => t * 3.0;
            """ + Footer);

        var reported = diagnostics.Where(d => !d.IsSuppressed).ToList();
        Assert.Single(reported);
        Assert.Contains("3.0", reported[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void CodeWithoutTorchSharpTypes_IsNotAnalyzed()
    {
        // No TorchSharp.Scalar in a compilation: the analyzer registers nothing (a plain C# '+').
        var compilation = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create("Plain",
            new[] { Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("static class P { static double F(double a) => a + 1.0 * a; }") },
            new[] { Microsoft.CodeAnalysis.MetadataReference.CreateFromFile(typeof(object).Assembly.Location) });

        Assert.Empty(ScalarSafetyHarness.Analyze(compilation));
    }
}
