using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using StochasticBackprop.Generator.Diagnostics;
using StochasticBackprop.Generator.Formulas;
using StochasticBackprop.Generator.Tests.Infrastructure;
using Xunit;

namespace StochasticBackprop.Generator.Tests.Generation;

/// <summary>
/// The message catalog (every text in <see cref="DiagnosticDescriptors"/>, one descriptor per message), the hints
/// for the usual slips (pow, **, e, a formula variable in the wrong formula, a misspelt name), each at its exact
/// characters (marked <c>[|…|]</c> as in <see cref="DiagnosticTests"/>), and component formulas located by
/// component and argument, however many arguments a component has.
/// </summary>
public sealed class DiagnosticMessageTests
{
    private const string Header = "using StochasticBackprop;\nnamespace N;\n";

    private const string Normal = """
        [Distribution, Parameter("mu"), Parameter("sigma", ParameterDomain.Positive)]
        """;

    // ---- the catalog ----------------------------------------------------------------------------

    [Fact]
    public void Catalog_EveryMessageIsWrittenOut_AndEveryIdHasOneTitleSeverityAndDescription()
    {
        List<DiagnosticDescriptor> catalog = CatalogDescriptors();

        Assert.True(catalog.Count > 100, $"only {catalog.Count} descriptors found by reflection");
        Assert.Empty(CatalogProblems(catalog));
        // IDs are stable: the catalog still has every one of them, and no other.
        var expected = Enumerable.Range(1, 35).Select(n => "SBG" + n.ToString("000", CultureInfo.InvariantCulture)).Append("SBG999");
        Assert.Equal(expected, catalog.Select(d => d.Id).Distinct().OrderBy(id => id, System.StringComparer.Ordinal));
    }

    [Fact]
    public void CatalogCheck_FailsOnAPlaceholderMessage_AndOnAnIdWithTwoTitles()
    {
        List<DiagnosticDescriptor> catalog = CatalogDescriptors();
        var placeholder = new DiagnosticDescriptor("SBG001", "Formula syntax error", "{0}", "StochasticBackprop", DiagnosticSeverity.Error, true,
            catalog.First(d => d.Id == "SBG001").Description.ToString(CultureInfo.InvariantCulture));
        var retitled = new DiagnosticDescriptor("SBG012", "Another title", "The score of '{0}' is declared twice", "StochasticBackprop", DiagnosticSeverity.Error, true,
            catalog.First(d => d.Id == "SBG012").Description.ToString(CultureInfo.InvariantCulture));
        var warning = new DiagnosticDescriptor("SBG013", "Conflicting declarations", "Something conflicts with '{0}'", "StochasticBackprop", DiagnosticSeverity.Warning, true,
            catalog.First(d => d.Id == "SBG013").Description.ToString(CultureInfo.InvariantCulture));

        Assert.Contains(CatalogProblems(catalog.Append(placeholder)), p => p.Contains("no text of its own"));
        Assert.Contains(CatalogProblems(catalog.Append(retitled)), p => p.StartsWith("SBG012") && p.Contains("title"));
        Assert.Contains(CatalogProblems(catalog.Append(warning)), p => p.StartsWith("SBG013") && p.Contains("severity"));
    }

    /// <summary>Every public static DiagnosticDescriptor field of the catalog.</summary>
    private static List<DiagnosticDescriptor> CatalogDescriptors()
        => typeof(DiagnosticDescriptors)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToList();

    /// <summary>A message that is only placeholders, and an ID whose descriptors disagree on title, category, severity or description.</summary>
    private static List<string> CatalogProblems(IEnumerable<DiagnosticDescriptor> descriptors)
    {
        var problems = new List<string>();
        foreach (DiagnosticDescriptor descriptor in descriptors)
        {
            string format = descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture);
            string words = Regex.Replace(format, @"\{\d+(:[^}]*)?\}", "");
            if (words.Count(char.IsLetter) < 8)
            {
                problems.Add($"{descriptor.Id} '{format}' has no text of its own");
            }
        }
        foreach (IGrouping<string, DiagnosticDescriptor> id in descriptors.GroupBy(d => d.Id))
        {
            void Same(string what, System.Func<DiagnosticDescriptor, string> property)
            {
                string[] values = id.Select(property).Distinct().ToArray();
                if (values.Length != 1) problems.Add($"{id.Key} has {values.Length} values of {what}: {string.Join(" | ", values)}");
            }
            Same("title", d => d.Title.ToString(CultureInfo.InvariantCulture));
            Same("category", d => d.Category);
            Same("severity", d => d.DefaultSeverity.ToString());
            Same("description", d => d.Description.ToString(CultureInfo.InvariantCulture));
        }
        return problems;
    }

    // ---- hints ----------------------------------------------------------------------------------

    [Fact]
    public void Pow_IsAnUnknownFunction_ThatSaysToWriteTheCaret()
        => AssertHint("SBG003", Normal + """
            [Reparameterization("mu + sigma*eps"), LogDensity("-[|pow|](z - mu, 2)/(2*sigma^2) - log(sigma)")]
            public partial class D { }
            """, "Unknown function 'pow': write (z - mu)^2 (the power operator is ^)");

    [Fact]
    public void Pow_OfNames_WritesThemWithoutParentheses()
        => AssertHint("SBG003", Normal + """
            [Reparameterization("mu + sigma*eps"), LogDensity("-(z - mu)^2/(2*[|pow|](sigma, 2)) - log(sigma)")]
            public partial class D { }
            """, "write sigma^2 (the power operator is ^)");

    [Fact]
    public void DoubleStar_IsASyntaxError_AtBothStars()
        => AssertHint("SBG001", Normal + """
            [Reparameterization("mu + sigma*eps"), LogDensity("-(z - mu)[|**|]2/(2*sigma^2) - log(sigma)")]
            public partial class D { }
            """, "'**' is not an operator; powers are written '^'");

    [Fact]
    public void SeparatedStars_AreTheGenericSyntaxError_NotThePowerHint()
    {
        Diagnostic error = AssertHint("SBG001", Normal + """
            [Reparameterization("mu + sigma*eps"), LogDensity("-(z - mu)* [|*|]2/(2*sigma^2) - log(sigma)")]
            public partial class D { }
            """, "Unexpected '*': expected a number, a name or '('");
        Assert.DoesNotContain("**", Message(error));
    }

    [Theory]
    [InlineData("z", "z is the sample the map produces; a reparameterization is a formula in eps and the parameters")]
    [InlineData("w", "w is the frequency of a characteristic function; a reparameterization is a formula in eps and the parameters")]
    public void SampleOrFrequency_InAReparameterization_SaysWhatTheMapIsAFormulaIn(string variable, string hint)
        => AssertHint("SBG002", Normal + $$"""
            [Reparameterization("mu + sigma*[|{{variable}}|]"), LogDensity("-(z - mu)^2/(2*sigma^2) - log(sigma)")]
            public partial class D { }
            """, hint);

    [Theory]
    [InlineData("eps", "eps is the reparameterization's noise; a log density is a formula in z and the parameters")]
    [InlineData("w", "w is the frequency of a characteristic function; a log density is a formula in z and the parameters")]
    public void NoiseOrFrequency_InALogDensity_SaysWhatALogDensityIsAFormulaIn(string variable, string hint)
        => AssertHint("SBG002", Normal + $$"""
            [Reparameterization("mu + sigma*eps"), LogDensity("-([|{{variable}}|] - mu)^2/(2*sigma^2) - log(sigma)")]
            public partial class D { }
            """, hint);

    [Fact]
    public void Sample_InACharacteristicFunction_SaysItIsAFormulaInW()
        => AssertHint("SBG002", Normal + """
            [Reparameterization("mu + sigma*eps"), CharacteristicFunction("exp(i*mu*[|z|] - sigma^2*w^2/2)")]
            public partial class D { }
            """, "z is the sample; a characteristic function is a formula in w and the parameters");

    [Fact]
    public void Sample_InAnEntropy_SaysItIsAFormulaInTheParameters()
        => AssertHint("SBG002", Normal + """
            [Reparameterization("mu + sigma*eps"), LogDensity("-(z - mu)^2/(2*sigma^2) - log(sigma)"), Entropy("log(sigma) + [|z|]")]
            public partial class D { }
            """, "z is the sample; an entropy is a formula in the parameters");

    [Theory]
    [InlineData("sigmaa", "Unknown name 'sigmaa'. Did you mean 'sigma'?")]
    [InlineData("sgima", "Unknown name 'sgima'. Did you mean 'sigma'?")]
    [InlineData("m", "Unknown name 'm'. Did you mean 'mu'?")]
    public void MisspeltParameter_SuggestsTheClosestName(string misspelt, string hint)
        => AssertHint("SBG002", Normal + $$"""
            [Reparameterization("mu + sigma*eps"), LogDensity("-(z - mu)^2/(2*[|{{misspelt}}|]^2) - log(sigma)")]
            public partial class D { }
            """, hint);

    [Fact]
    public void FarFromEveryName_ListsTheNamesTheFormulaMayUse()
    {
        Diagnostic error = AssertHint("SBG002", Normal + """
            [Reparameterization("mu + sigma*eps"), LogDensity("-(z - mu)^2/(2*sigma^2) - log([|lambda|])")]
            public partial class D { }
            """, "Unknown name 'lambda'; this formula may use z, mu, sigma, i and pi");
        Assert.DoesNotContain("Did you mean", Message(error));
    }

    [Theory]
    [InlineData("ln", "log")]
    [InlineData("gamma", "lgamma")]
    [InlineData("sigm", "sigmoid")]
    [InlineData("expp", "exp")]
    [InlineData("sqr", "sqrt")]
    public void MisspeltFunction_SuggestsTheClosestFunction(string misspelt, string function)
        => AssertHint("SBG003", Normal + $$"""
            [Reparameterization("mu + sigma*eps"), LogDensity("-(z - mu)^2/(2*sigma^2) - [|{{misspelt}}|](sigma)")]
            public partial class D { }
            """, $"Unknown function '{misspelt}'. Did you mean '{function}'?");

    [Fact]
    public void FunctionFarFromEveryFunction_ListsThemWithoutAGuess()
    {
        Diagnostic error = AssertHint("SBG003", Normal + """
            [Reparameterization("mu + sigma*eps"), LogDensity("-(z - mu)^2/(2*sigma^2) - [|arcsinh|](sigma)")]
            public partial class D { }
            """, "Unknown function 'arcsinh'. Known functions: exp, log");
        Assert.DoesNotContain("Did you mean", Message(error));
    }

    [Fact]
    public void ConstantE_SaysToWriteExp()
        => AssertHint("SBG002", Normal + """
            [Reparameterization("mu + sigma*eps"), LogDensity("-(z - mu)^2/(2*sigma^2) - log(sigma) + 0*[|e|]")]
            public partial class D { }
            """, "Unknown name 'e': the formulas have no constant e; write exp(1) or exp(…)");

    [Fact]
    public void PowerOfE_SaysToWriteExpOfTheExponent_AtTheWholePower()
        => AssertHint("SBG002", Normal + """
            [Reparameterization("mu + sigma*eps"), LogDensity("log([|e^(-(z - mu)^2/(2*sigma^2))|]) - log(sigma)")]
            public partial class D { }
            """, "Unknown name 'e' in 'e^(-(z - mu)^2/(2*sigma^2))': write exp(-(z - mu)^2/(2*sigma^2))");

    [Fact]
    public void PowerOfE_WithANameAsExponent()
        => AssertHint("SBG002", Normal + """
            [Reparameterization("mu + sigma*eps"), LogDensity("-(z - mu)^2/(2*sigma^2) - log(sigma) + 0*[|e^z|]")]
            public partial class D { }
            """, "write exp(z)");

    [Fact]
    public void ParameterNamedE_IsAName_NotTheConstant()
    {
        GeneratorRun run = Run("""
            [Distribution, Parameter("mu"), Parameter("e", ParameterDomain.Positive)]
            [Reparameterization("mu + e*eps"), LogDensity("-(z - mu)^2/(2*e^2) - log(e)")]
            public partial class D { }
            """);

        GeneratorHarness.AssertNoGeneratorExceptions(run);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void Suggestion_IsOneEditAway_ElseTheOnlyExtension_ElseTwoEditsAway()
    {
        string[] functions = FunctionNames.ByName.Keys.ToArray();

        Assert.Equal("sigmoid", FormulaParser.Suggestion("sigm", functions));
        Assert.Equal(2, FormulaParser.EditDistance("sigm", "sinh")); // the plain closest name would be sinh
        Assert.Equal("log", FormulaParser.Suggestion("logs", functions)); // one edit from log, the start of logsumexp
        Assert.Equal("log", FormulaParser.Suggestion("ln", functions));
        Assert.Null(FormulaParser.Suggestion("lo", new[] { "log", "logsumexp", "log1p" }.Where(f => f != "log")));
        Assert.Null(FormulaParser.Suggestion("qqqq", functions));
        Assert.Equal("(a)*(b)", FormulaParser.WithoutOuterParentheses("(a)*(b)"));
        Assert.Equal("-x^2", FormulaParser.WithoutOuterParentheses("(-x^2)"));
    }

    // ---- component formulas are located by component and argument -------------------------------

    [Theory]
    [InlineData(64)]
    [InlineData(69)]
    [InlineData(0)]
    public void ComponentWithSeventyParameters_LocatesAnErrorInAnyOfThem(int wrong)
    {
        // Seventy parameter formulas in the first component, one in the second: an encoding of
        // (component, argument) as component*64 + argument sends argument 64 of the first to the second's.
        string arguments = string.Join(", ", Enumerable.Range(0, 70).Select(k => k == wrong ? "\"a + [|nu|]\"" : "\"a\""));
        AssertHint("SBG002", $$"""
            [Distribution, Parameter("a", ParameterDomain.Positive), Reparameterization("a*eps", Noise = NoiseKind.StandardExponential)]
            [LogDensity("log(a) - a*z")]
            public partial class Expo { }

            [Distribution, Parameter("a", ParameterDomain.Positive), Composition("x + y")]
            [Component("x", typeof(Expo), {{arguments}})]
            [Component("y", typeof(Expo), "a")]
            public partial class D { }
            """, "Unknown name 'nu'");
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static GeneratorRun Run(string body)
        => GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Header + body));

    private static string Message(Diagnostic diagnostic) => diagnostic.GetMessage(CultureInfo.InvariantCulture);

    /// <summary>The single diagnostic <paramref name="id"/>: at the marked characters, with <paramref name="messagePart"/> in its message.</summary>
    private static Diagnostic AssertHint(string id, string markedBody, string messagePart)
    {
        string marked = Header + markedBody;
        int start = marked.IndexOf("[|", System.StringComparison.Ordinal);
        int end = marked.IndexOf("|]", System.StringComparison.Ordinal) - 2;
        string source = marked.Replace("[|", "").Replace("|]", "");
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));
        GeneratorHarness.AssertNoGeneratorExceptions(run);

        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == id);
        Assert.True(diagnostic.Location.IsInSource, "diagnostic must point into the source");
        string located = source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length);
        Assert.Equal(source.Substring(start, end - start), located);
        Assert.Contains(messagePart, Message(diagnostic), System.StringComparison.Ordinal);
        return diagnostic;
    }
}
