using System;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using StochasticBackprop.Generator.Formulas;
using StochasticBackprop.Generator.Tests.Infrastructure;
using Xunit;
using static StochasticBackprop.Generator.Tests.Generation.DiagnosticTests;

namespace StochasticBackprop.Generator.Tests.Generation;

/// <summary>
/// The diagnostics that replace a crash or code that does not compile (issue 12): each one's ID and
/// the exact characters it points at, marked <c>[|…|]</c>.
/// </summary>
public sealed class RobustnessDiagnosticTests
{
    private const string Normal = """[Distribution, Parameter("mu"), Parameter("sigma", ParameterDomain.Positive), Reparameterization("mu + sigma*eps"), LogDensity("-(z - mu)^2/(2*sigma^2) - log(sigma)")]""";

    [Fact]
    public void DeeplyNestedParentheses_PointAtTheFirstParenthesisTooDeep()
    {
        int depth = FormulaParser.MaxDepth;
        string formula = new string('(', depth) + "[|(|]" + new string('(', 9) + "z - mu" + new string(')', depth + 10);
        AssertSingle("SBG023", $"""
            [Distribution, Parameter("mu"), Reparameterization("mu + eps"), LogDensity("{formula}")]
            public partial class D {"{ }"}
            """);
    }

    [Fact]
    public void LongSum_IsTooDeep_AtTheWholeFormula()
    {
        string formula = "z" + string.Concat(Enumerable.Repeat(" + mu", FormulaParser.MaxDepth));
        AssertSingle("SBG023", $"""
            [Distribution, Parameter("mu"), Reparameterization("mu + eps"), LogDensity("[|-{formula}|]")]
            public partial class D {"{ }"}
            """);
    }

    [Fact]
    public void ExponentTower_IsTooDeep_AtTheWholeFormula()
    {
        string formula = "z" + string.Concat(Enumerable.Repeat("^mu", FormulaParser.MaxNonlinearDepth + 1));
        AssertSingle("SBG023", $"""
            [Distribution, Parameter("mu"), Reparameterization("mu + eps"), LogDensity("[|-{formula}|]")]
            public partial class D {"{ }"}
            """);
    }

    [Fact]
    public void ThousandNestedParentheses_OnACompilerSizedStack_GiveADiagnosticNotACrash()
    {
        string formula = new string('(', 1000) + "z - mu" + new string(')', 1000);
        GeneratorRun? run = null;
        var thread = new Thread(() => run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(
            $"using StochasticBackprop;\nnamespace N;\n[Distribution, Parameter(\"mu\"), Reparameterization(\"mu + eps\"), LogDensity(\"{formula}\")]\npublic partial class D {{ }}\n")), 1 << 20);
        thread.Start();
        thread.Join();

        GeneratorHarness.AssertNoGeneratorExceptions(run!);
        Assert.Contains(run!.GeneratorDiagnostics, d => d.Id == "SBG023" && d.Location.IsInSource);
    }

    [Fact]
    public void SymbolicBudget_StopsTheWorkOnceSpent()
    {
        using (SymbolicBudget.Start(nodes: 10))
        {
            Assert.Throws<SymbolicBudgetExceededException>(() =>
            {
                for (int n = 0; n < 11; n++)
                {
                    _ = new SymbolExpr("x");
                }
            });
        }
        // Outside a scope nothing is counted.
        for (int n = 0; n < 100; n++)
        {
            _ = new SymbolExpr("x");
        }
    }

    [Fact]
    public void DomainOutOfRange_PointsAtTheCast()
        => AssertSingle("SBG025", """
            [Distribution, Parameter("mu", [|(ParameterDomain)42|]), Reparameterization("mu + eps"), LogDensity("-(z - mu)^2/2")]
            public partial class D { }
            """);

    [Fact]
    public void NoiseOutOfRange_PointsAtTheCast()
        => AssertSingle("SBG025", """
            [Distribution, Parameter("mu"), Reparameterization("mu + eps", Noise = [|(NoiseKind)99|]), LogDensity("-(z - mu)^2/2")]
            public partial class D { }
            """);

    [Fact]
    public void NullArgument_PointsAtTheNull()
        => AssertSingle("SBG026", """
            [Distribution, Parameter([|null|]), Reparameterization("eps"), LogDensity("-z^2/2")]
            public partial class D { }
            """);

    [Fact]
    public void NullComponent_IsThreeDiagnostics_NotACrash()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(
            "using StochasticBackprop;\nnamespace N;\n[Distribution, Parameter(\"a\"), Component(null, null, null), Composition(\"x\")]\npublic partial class C { }\n"));

        GeneratorHarness.AssertNoGeneratorExceptions(run);
        Assert.Equal(3, run.GeneratorDiagnostics.Count(d => d.Id == "SBG026" && d.Location.IsInSource));
    }

    [Fact]
    public void StaticClass_IsReportedOnTheClassName()
        => AssertSingle("SBG027", Normal + "\npublic static partial class [|D|] { }");

    [Fact]
    public void PrimaryConstructor_PointsAtTheParameterList()
        => AssertSingle("SBG028", Normal + "\npublic partial class D[|(int x)|] { }");

    [Fact]
    public void BaseWithoutParameterlessConstructor_PointsAtTheBaseType()
        => AssertSingle("SBG029", Normal + "\npublic partial class D : [|System.IO.StringReader|] { }");

    [Fact]
    public void Record_IsReportedOnItsName()
        => AssertSingle("SBG030", Normal + "\npublic partial record [|D|] { }");

    [Fact]
    public void UserPropertyNamedLikeAParameter_PointsAtTheProperty()
        => AssertSingle("SBG031", Normal + "\npublic partial class D { public double [|Mu|] => 0; }");

    [Fact]
    public void TypeParameterNamedLikeAParameterProperty_PointsAtTheTypeParameter()
        => AssertSingle("SBG031", """
            [Distribution, Parameter("s0", ParameterDomain.Positive), Parameter("t", ParameterDomain.Positive)]
            [LogDensity("-(log(z) - log(s0))^2/(2*t) - log(z) - log(t)/2"), Reparameterization("s0*exp(sqrt(t)*eps)")]
            public partial class GbmTerminalPrice<[|T|]> { }
            """);

    [Fact]
    public void NoParameter_IsReportedOnTheClassName()
        => AssertSingle("SBG032", """
            [Distribution, Reparameterization("eps"), LogDensity("-z^2/2")]
            public partial class [|D|] { }
            """);

    [Fact]
    public void ParameterWhosePropertyIsNoIdentifier_PointsAtTheName()
        => AssertSingle("SBG011", """
            [Distribution, Parameter([|"__1"|]), Reparameterization("__1 + eps"), LogDensity("-(z - __1)^2/2")]
            public partial class D { }
            """);

    [Fact]
    public void NamedFormulaArgument_KeepsTheColumnInsideTheFormula()
        => AssertSingle("SBG001", """
            [Distribution, Parameter("mu"), Reparameterization(formula: "mu + eps")]
            [LogDensity(formula: "-(z - mu)^2 [|)|]")]
            public partial class D { }
            """);

    [Theory]
    [InlineData("keyword namespace", "namespace @class.@int;\n" + Normal + "\npublic partial class D { }\n", 1, true)]
    [InlineData("G beside G<T>", "namespace N;\n" + Normal + "\npublic partial class G { }\n" + Normal + "\npublic partial class G<T> { }\n", 2, true)]
    // The user's code is itself an error here (CS0101: namespace A.B and class A.B), but each class still gets its own file.
    [InlineData("A.B.N beside A.B+N", "namespace A.B { " + Normal + " public partial class N { } }\nnamespace A { public partial class B { " + Normal + " public partial class N { } } }\n", 2, false)]
    [InlineData("class named @class", "namespace N;\n" + Normal + "\npublic partial class @class { }\n", 1, true)]
    public void HintNames_AreUniqueAndValid_AndTheOutputCompiles(string scenario, string source, int files, bool userCodeCompiles)
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation("using StochasticBackprop;\n" + source));

        Assert.True(run.GeneratorDiagnostics.IsEmpty, scenario + ": " + string.Join("; ", run.GeneratorDiagnostics));
        Assert.Equal(files, run.GeneratedSources.Select(file => file.HintName).Distinct().Count());
        if (userCodeCompiles)
        {
            GeneratorHarness.AssertOutputCompiles(run);
        }
        else
        {
            GeneratorHarness.AssertNoGeneratorExceptions(run);
        }
    }

    [Fact]
    public void DistributionOnTwoParts_GeneratesOnce_AndTheCompilerReportsTheDuplicate()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(
            "using StochasticBackprop;\nnamespace N;\n" + Normal + "\npublic partial class D { }\n[Distribution]\npublic partial class D { }\n"));

        GeneratorHarness.AssertNoGeneratorExceptions(run);
        Assert.Single(run.GeneratedSources);
        Assert.Contains(run.OutputDiagnostics, d => d.Id == "CS0579");
    }
}
