using Xunit;

namespace StochasticBackprop.Generator.Tests.ScalarSafety;

/// <summary>
/// The code fix rewrites each fixable form into the safe one: the exact text, output that compiles,
/// and no SBS diagnostic left. Forms without a safe rewrite keep their diagnostic and get no fix.
/// </summary>
public sealed class ScalarSafetyCodeFixTests
{
    private const string Usings = """
        using TorchSharp;
        using StochasticBackprop;
        using static TorchSharp.torch;

        """;

    public static TheoryData<string, string> SingleFixes() => new()
    {
        { "static Tensor F(Tensor t) => t * 2.0;", "static Tensor F(Tensor t) => t * Scalars.Of(2.0);" },
        { "static Tensor F(Tensor t) => t.pow(2);", "static Tensor F(Tensor t) => t.pow(Scalars.Of(2));" },
        { "static Tensor F(Tensor t) => t.clamp(min: 0.0);", "static Tensor F(Tensor t) => t.clamp(min: Scalars.Of(0.0));" },
        { "static Tensor F(Tensor t) => 2.0 / t;", "static Tensor F(Tensor t) => Scalars.Of(2.0) / t;" },
        { "static Tensor F(Tensor t) => t.mul((Scalar)2.0);", "static Tensor F(Tensor t) => t.mul(Scalars.Of(2.0));" },
        { "static Tensor F(Tensor t, Tensor u) => t + u;", "static Tensor F(Tensor t, Tensor u) => t.add(u, Scalars.One);" },
        { "static Tensor F(Tensor t, Tensor u) => (t * u + u).exp();", "static Tensor F(Tensor t, Tensor u) => (t * u).add(u, Scalars.One).exp();" },
        { "static Tensor F(Tensor t) => t + Scalars.Of(1);", "static Tensor F(Tensor t) => t.add(Scalars.Of(1), Scalars.One);" },
        { "static Tensor F(Tensor t) => 2.0 + t;", "static Tensor F(Tensor t) => t.add(Scalars.Of(2.0), Scalars.One);" },
        { "static Tensor F(Tensor t) => 1 - t;", "static Tensor F(Tensor t) => -(t - Scalars.Of(1));" },
        { "static Tensor F(Tensor t, Tensor u) => u * (1 - t);", "static Tensor F(Tensor t, Tensor u) => u * -(t - Scalars.Of(1));" },
        { "static Tensor F(Tensor t, Tensor u) => t.add(u);", "static Tensor F(Tensor t, Tensor u) => t.add(u, Scalars.One);" },
        { "static Tensor F(Tensor t, Tensor u) => torch.add(t, u);", "static Tensor F(Tensor t, Tensor u) => torch.add(t, u, Scalars.One);" },
        { "static Tensor F(Tensor t, Tensor u) { t += u; return t; }", "static Tensor F(Tensor t, Tensor u) { t = t.add(u, Scalars.One); return t; }" },
        { "static Tensor F(Tensor t) => t.square();", "static Tensor F(Tensor t) => t.pow(Scalars.Of(2));" },
        { "static Tensor F(Tensor t, Tensor u) => torch.square(t * u);", "static Tensor F(Tensor t, Tensor u) => (t * u).pow(Scalars.Of(2));" },
        { "static Tensor F(Tensor t) => t.softplus();", "static Tensor F(Tensor t) => -nn.functional.logsigmoid(-t);" },
        { "static Tensor F(Tensor t, Tensor u) => torch.nn.functional.softplus(t * u);", "static Tensor F(Tensor t, Tensor u) => -nn.functional.logsigmoid(-(t * u));" },
        { "static double F(Tensor t) => t.ToDouble();", "static double F(Tensor t) => t.to_type(ScalarType.Float64).item<double>();" },
        { "static long F(Tensor t) => (long)t;", "static long F(Tensor t) => t.to_type(ScalarType.Int64).item<long>();" },
        {
            "static Tensor F(Tensor t, double lr)\n    {\n        return t.mul(lr);\n    }",
            "static Tensor F(Tensor t, double lr)\n    {\n        using Scalar lrScalar = lr;\n        return t.mul(lrScalar);\n    }"
        },
        {
            "static Tensor F(Tensor t, double lr)\n    {\n        string lrScalar = \"taken\";\n        return (t * lr.ToScalar()).mul(t);\n    }",
            "static Tensor F(Tensor t, double lr)\n    {\n        string lrScalar = \"taken\";\n        using Scalar lrScalar2 = lr.ToScalar();\n        return (t * lrScalar2).mul(t);\n    }"
        },
    };

    [Theory]
    [MemberData(nameof(SingleFixes))]
    public void Fix_WritesTheSafeForm_ThatCompilesAndIsNotFlagged(string before, string after)
    {
        string fixedSource = ScalarSafetyHarness.ApplySingleFix(Wrap(before));

        Assert.Equal(Wrap(after).ReplaceLineEndings("\n"), fixedSource.ReplaceLineEndings("\n"));
        var compilation = ScalarSafetyHarness.Compile(fixedSource);
        ScalarSafetyHarness.AssertCompiles(compilation);
        Assert.Empty(ScalarSafetyHarness.Analyze(compilation));
    }

    [Fact]
    public void Fix_AddsUsingStochasticBackprop_WhenMissing()
    {
        const string before = """
            using TorchSharp;

            static class UserCode
            {
                static torch.Tensor F(torch.Tensor t) => t * 2.0;
            }
            """;

        string fixedSource = ScalarSafetyHarness.ApplySingleFix(before);

        Assert.Contains("using StochasticBackprop;", fixedSource);
        Assert.Contains("t * Scalars.Of(2.0)", fixedSource);
        ScalarSafetyHarness.AssertCompiles(ScalarSafetyHarness.Compile(fixedSource));
    }

    [Theory]
    [InlineData("static Tensor F(Tensor t) => t.softplus(2.0);")]
    [InlineData("static Tensor F(Tensor t) => torch.nn.functional.elu(t, 1.0);")]
    [InlineData("static Tensor F(Tensor t, Tensor u) => torch.distributions.Normal(t, u).log_prob(t);")]
    [InlineData("static System.Func<Tensor, Tensor> F(double lr) => t => t.mul(lr);")]
    [InlineData("static Tensor F(Tensor t) => t.mul(System.Math.PI * System.DateTime.Now.Second);")]
    public void FormsWithoutASafeRewrite_KeepTheDiagnostic_AndGetNoFix(string code)
    {
        string source = Wrap(code);

        Assert.NotEmpty(ScalarSafetyHarness.Analyze(source));
        Assert.Equal(0, ScalarSafetyHarness.CountFixes(source));
    }

    [Fact]
    public void FixAll_RewritesEveryFixableForm_AndTheResultCompilesUnflagged()
    {
        string source = Wrap("""
            static Tensor F(Tensor t, Tensor u) => (t * 2.0).mul(t + u).mul(1 - t).mul(t.square()).mul(2.0 / t).mul(t.pow(2)).mul(t + u + t);
                static Tensor G(Tensor t, double lr)
                {
                    var y = t.softplus().mul(t.pow(3)).mul(t.clamp(min: 0.0, max: 1.0));
                    y += t;
                    double d = t.ToDouble();
                    return y.mul(lr) + 1.0 - lr + d;
                }
            """);
        Assert.True(ScalarSafetyHarness.Analyze(source).Length >= 15);

        string fixedSource = ScalarSafetyHarness.FixAll(source);

        var compilation = ScalarSafetyHarness.Compile(fixedSource);
        ScalarSafetyHarness.AssertCompiles(compilation);
        var left = ScalarSafetyHarness.Analyze(compilation);
        Assert.True(left.IsEmpty, "Left after fix-all:\n" + string.Join("\n", left) + "\n" + fixedSource);
    }

    private static string Wrap(string member) => Usings + "static class UserCode\n{\n    " + member + "\n}\n";
}
