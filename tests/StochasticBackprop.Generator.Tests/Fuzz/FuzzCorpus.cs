using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using StochasticBackprop.Generator.Tests.Generation;

namespace StochasticBackprop.Generator.Tests.Fuzz;

/// <summary>One declaration of the fuzz corpus: a name that says how it was made, and its source.</summary>
public sealed record FuzzCase(string Name, string Source);

/// <summary>
/// A deterministic corpus of declarations: mutations of every standard and sample distribution (read as text
/// from src/Runtime and src/Samples) and of the user example, plus hand-written hostile cases.
/// </summary>
public static class FuzzCorpus
{
    private const string Alphabet = "()+-*/^,. 0123456789zewiabkmuptlogexpsqrt";
    private static readonly Regex StringLiteral = new("\"(?:[^\"\\\\]|\\\\.)*\"", RegexOptions.Compiled);

    /// <summary>The sample sources the mutations start from, by name.</summary>
    public static IReadOnlyList<(string Name, string Source)> Bases()
    {
        var bases = SampleSources.Directories()
            .SelectMany(directory => Directory.GetFiles(directory, "*.cs"))
            .OrderBy(path => Path.GetFileName(path), StringComparer.Ordinal)
            .Select(path => (Path.GetFileNameWithoutExtension(path), SampleSources.Read(Path.GetFileNameWithoutExtension(path))))
            .ToList();
        bases.Add(("ChiSquared", SampleSources.ChiSquared));
        return bases;
    }

    /// <summary>The hostile cases, then <paramref name="mutationsPerBase"/> seeded mutations of each base.</summary>
    public static IEnumerable<FuzzCase> Cases(int mutationsPerBase, int seed = 12)
    {
        foreach (FuzzCase hostile in Hostile())
        {
            yield return hostile;
        }
        var bases = Bases();
        var literals = bases.SelectMany(b => StringLiteral.Matches(b.Source).Select(m => m.Value)).Distinct().OrderBy(s => s, StringComparer.Ordinal).ToArray();
        var random = new Random(seed);
        foreach ((string name, string source) in bases)
        {
            for (int m = 0; m < mutationsPerBase; m++)
            {
                int steps = 1 + random.Next(3);
                string mutated = source;
                var how = new List<string>();
                for (int s = 0; s < steps; s++)
                {
                    mutated = Mutate(mutated, random, literals, how);
                }
                yield return new FuzzCase($"{name}#{m}:{string.Join("+", how)}", mutated);
            }
        }
    }

    private static string Mutate(string source, Random random, string[] literals, List<string> how)
    {
        var matches = StringLiteral.Matches(source).Where(m => m.Length > 2).ToList();
        int kind = random.Next(14);
        switch (kind)
        {
            case 0 or 1 or 2 when matches.Count > 0:
            {
                Match literal = matches[random.Next(matches.Count)];
                int at = literal.Index + 1 + random.Next(literal.Length - 2);
                how.Add("delete-char");
                return source.Remove(at, 1);
            }
            case 3 or 4 or 5 when matches.Count > 0:
            {
                Match literal = matches[random.Next(matches.Count)];
                int at = literal.Index + 1 + random.Next(literal.Length - 1);
                how.Add("insert-char");
                return source.Insert(at, Alphabet[random.Next(Alphabet.Length)].ToString());
            }
            case 6 when matches.Count > 0:
            {
                Match literal = matches[random.Next(matches.Count)];
                how.Add("swap-literal");
                return source.Remove(literal.Index, literal.Length).Insert(literal.Index, literals[random.Next(literals.Length)]);
            }
            case 7:
            {
                var lines = source.Split('\n').ToList();
                var attributeLines = Enumerable.Range(0, lines.Count).Where(i => lines[i].TrimStart().StartsWith("[", StringComparison.Ordinal)).ToList();
                if (attributeLines.Count == 0) break;
                int line = attributeLines[random.Next(attributeLines.Count)];
                how.Add("duplicate-attribute");
                lines.Insert(line, lines[line]);
                return string.Join("\n", lines);
            }
            case 8:
            {
                var lines = source.Split('\n').ToList();
                var attributeLines = Enumerable.Range(0, lines.Count).Where(i => lines[i].TrimStart().StartsWith("[", StringComparison.Ordinal)).ToList();
                if (attributeLines.Count == 0) break;
                how.Add("delete-attribute");
                lines.RemoveAt(attributeLines[random.Next(attributeLines.Count)]);
                return string.Join("\n", lines);
            }
            case 9:
            {
                string[] edits = { "static partial", "partial", "abstract partial", "unsafe partial" };
                string replacement = edits[random.Next(edits.Length)];
                how.Add("modifiers:" + replacement);
                return Regex.Replace(source, @"(public )?(sealed )?partial class", "public " + replacement + " class");
            }
            case 10:
            {
                string[] members =
                {
                    "public double Mu => 0;", "public int K { get; set; }", "public void Sample() { }",
                    "private readonly int eps;", "public static int Create() => 0;", "public override string ToString() => \"\";",
                };
                string member = members[random.Next(members.Length)];
                how.Add("member:" + member);
                int brace = source.LastIndexOf('{');
                return brace < 0 ? source : source.Insert(brace + 1, "\n    " + member + "\n");
            }
            case 11:
            {
                how.Add("enum-out-of-range");
                return random.Next(2) == 0
                    ? Regex.Replace(source, @"ParameterDomain\.\w+", "(ParameterDomain)42")
                    : Regex.Replace(source, @"NoiseKind\.\w+", "(NoiseKind)99");
            }
            case 12:
            {
                how.Add("named-formula");
                return Regex.Replace(source, "(LogDensity|CharacteristicFunction|LogCharacteristicFunction|Reparameterization)\\(\"", "$1(formula: \"");
            }
            case 13:
            {
                string[] shapes = { "<T>", "(int x)", " : System.IO.StringReader", "<t>", "<Z>" };
                string shape = shapes[random.Next(shapes.Length)];
                how.Add("shape:" + shape);
                return Regex.Replace(source, @"(partial (class|record) \w+)", "$1" + shape.Replace("$", "$$"));
            }
        }
        how.Add("none");
        return source;
    }

    private const string Usings = "using StochasticBackprop;\n";

    private static string Simple(string name, string attributes, string body = "{ }", string ns = "namespace Hostile;", string keyword = "partial class")
        => $"{Usings}{ns}\n{attributes}\npublic {keyword} {name} {body}\n";

    private static string Nested(string op, string leaf, int depth)
    {
        var text = new StringBuilder();
        for (int i = 0; i < depth; i++) text.Append(op);
        text.Append(leaf);
        return text.ToString();
    }

    /// <summary>Hand-written hostile cases, each one cause the issue measured (and some more).</summary>
    public static IEnumerable<FuzzCase> Hostile()
    {
        const string normal = "[Distribution, Parameter(\"mu\"), Parameter(\"sigma\", ParameterDomain.Positive), Reparameterization(\"mu + sigma*eps\"), LogDensity(\"-(z - mu)^2/(2*sigma^2) - log(sigma)\")]";
        string Ld(string formula) => $"[Distribution, Parameter(\"mu\"), Reparameterization(\"mu + eps\"), LogDensity(\"{formula}\")]";

        yield return new("duplicate-parameter", Simple("D", "[Distribution, Parameter(\"mu\"), Parameter(\"mu\"), Reparameterization(\"mu + eps\"), LogDensity(\"-(z - mu)^2/2\")]"));
        yield return new("duplicate-score", Simple("D", Ld("-(z - mu)^2/2") + "[Score(\"mu\", \"z - mu\"), Score(\"mu\", \"z - mu\")]"));
        foreach (int depth in new[] { 30, 40, 41, 120, 145, 160, 1000, 5000 })
        {
            yield return new($"nested-parentheses-{depth}", Simple("D", Ld(Nested("(", "z - mu", depth) + new string(')', depth))));
            yield return new($"nested-negation-{depth}", Simple("D", Ld(Nested("-", "(z - mu)^2", depth))));
            yield return new($"nested-functions-{depth}", Simple("D", Ld(Nested("exp(", "z - mu", depth) + new string(')', depth))));
            yield return new($"long-sum-{depth}", Simple("D", Ld("-(z - mu)^2" + string.Concat(Enumerable.Repeat(" + mu", depth)))));
            yield return new($"long-product-{depth}", Simple("D", Ld("-(z - mu)^2" + string.Concat(Enumerable.Repeat("*mu", depth)))));
            yield return new($"exponent-tower-{depth}", Simple("D", Ld("-z" + string.Concat(Enumerable.Repeat("^mu", depth)))));
            yield return new($"long-sum-in-cf-{depth}", Simple("D", $"[Distribution, Parameter(\"mu\"), Reparameterization(\"mu + eps\"), LogCharacteristicFunction(\"i*mu*w{string.Concat(Enumerable.Repeat(" + i*mu*w", depth))}\")]"));
            yield return new($"long-sum-in-map-{depth}", Simple("D", $"[Distribution, Parameter(\"mu\"), Reparameterization(\"eps{string.Concat(Enumerable.Repeat(" + mu", depth))}\"), LogDensity(\"-(z - mu)^2/2\")]"));
        }
        // The function catalog's newer rows: wrong arities and orders, poles, 0/0 at w = 0, and deep nesting of them.
        yield return new("lbeta-one-argument", Simple("D", Ld("-(z - mu)^2/2 - lbeta(mu)")));
        yield return new("polygamma-order-symbol", Simple("D", Ld("-(z - mu)^2/2 + polygamma(mu, z)")));
        yield return new("polygamma-order-huge", Simple("D", Ld("-(z - mu)^2/2 + polygamma(100000, z)")));
        yield return new("trailing-comma", Simple("D", Ld("-(z - mu)^2/2 + lbeta(mu, )")));
        yield return new("lgamma-pole-in-cf", Simple("D", "[Distribution, Parameter(\"mu\"), Reparameterization(\"mu + eps\"), LogCharacteristicFunction(\"lgamma(i*w) - lgamma(1)\")]"));
        yield return new("zero-over-zero-cf", Simple("D", "[Distribution, Parameter(\"a\"), Parameter(\"b\"), Reparameterization(\"a + (b - a)*eps\", Noise = NoiseKind.StandardUniform), CharacteristicFunction(\"(exp(i*b*w) - exp(i*a*w))/(i*(b - a)*w)\")]"));
        yield return new("pole-over-zero-cf", Simple("D", "[Distribution, Parameter(\"a\"), Reparameterization(\"a + eps\"), CharacteristicFunction(\"(exp(i*a*w) - 1)/w^9\")]"));
        yield return new("nested-cosh-in-cf-2", Simple("D", "[Distribution, Parameter(\"mu\"), Reparameterization(\"mu + eps\"), CharacteristicFunction(\"" + Nested("1/cosh(", "mu*w", 2) + new string(')', 2) + "\")]"));
        yield return new("nested-lgamma-40", Simple("D", Ld(Nested("lgamma(", "exp(z - mu)", 40) + new string(')', 40))));
        yield return new("formula-100KB", Simple("D", Ld("-(z - mu)^2" + string.Concat(Enumerable.Repeat(" + mu*0", 100_000 / 8)))));
        yield return new("keyword-namespace", Simple("D", normal, ns: "namespace @class.@int;"));
        yield return new("generic-beside-plain", Simple("G", normal) + $"\n{normal}\npublic partial class G<T> {{ }}\n");
        yield return new("nested-beside-namespace", $"{Usings}namespace A.B {{ {normal} public partial class N {{ }} }}\nnamespace A {{ public partial class B {{ {normal} public partial class N {{ }} }} }}\n");
        yield return new("two-attributed-parts", Simple("D", normal) + "\n[Distribution]\npublic partial class D { }\n");
        yield return new("two-parts-one-attribute", Simple("D", normal) + "\npublic partial class D { public int Other => 1; }\n");
        yield return new("null-component", Simple("C", "[Distribution, Parameter(\"a\"), Component(null, null, null), Composition(\"x\")]"));
        yield return new("null-component-values", Simple("C", "[Distribution, Parameter(\"a\"), Component(\"x\", typeof(int), null), Composition(\"x\")]"));
        yield return new("null-formulas", Simple("D", "[Distribution, Parameter(null), Reparameterization(null), LogDensity(null), CharacteristicFunction(null), Score(null, null)]"));
        yield return new("null-support", Simple("D", "[Distribution, Parameter(\"p\"), Support(SupportKind.Binary, Values = null), LogDensity(\"z*log(p)\")]"));
        yield return new("domain-42", Simple("D", "[Distribution, Parameter(\"mu\", (ParameterDomain)42), Reparameterization(\"mu + eps\"), LogDensity(\"-(z - mu)^2/2\")]"));
        yield return new("noise-99", Simple("D", "[Distribution, Parameter(\"mu\"), Reparameterization(\"mu + eps\", Noise = (NoiseKind)99), LogDensity(\"-(z - mu)^2/2\")]"));
        yield return new("support-77", Simple("D", "[Distribution, Parameter(\"p\"), Support((SupportKind)77), LogDensity(\"z*log(p)\")]"));
        yield return new("static-class", Simple("D", normal, keyword: "static partial class"));
        yield return new("primary-constructor", Simple("D(int x)", normal));
        yield return new("base-without-default-constructor", Simple("D : System.IO.StringReader", normal));
        yield return new("member-Mu", Simple("D", normal, "{ public double Mu => 0; }"));
        yield return new("gbm-type-parameter-t", Simple("GbmTerminalPrice<T>", "[Distribution, Parameter(\"s0\", ParameterDomain.Positive), Parameter(\"t\", ParameterDomain.Positive), LogDensity(\"-(log(z) - log(s0))^2/(2*t) - log(z) - log(t)/2\"), Reparameterization(\"s0*exp(sqrt(t)*eps)\")]"));
        yield return new("no-parameter", Simple("D", "[Distribution, Reparameterization(\"eps\"), LogDensity(\"-z^2/2\")]"));
        yield return new("parameter-__1", Simple("D", "[Distribution, Parameter(\"__1\"), Reparameterization(\"__1 + eps\"), LogDensity(\"-(z - __1)^2/2\")]"));
        yield return new("class-named-@class", Simple("@class", normal));
        yield return new("record", Simple("D", normal, keyword: "partial record"));
        yield return new("record-struct", $"{Usings}namespace Hostile;\n{normal}\npublic partial record struct D {{ }}\n");
        yield return new("struct", $"{Usings}namespace Hostile;\n{normal}\npublic partial struct D {{ }}\n");
        yield return new("named-formula", Simple("D", "[Distribution, Parameter(\"mu\"), Reparameterization(formula: \"mu + eps\"), LogDensity(formula: \"-(z - mu)^2/2 +\")]"));
        yield return new("parameter-keyword", Simple("D", "[Distribution, Parameter(\"int\"), Reparameterization(\"int + eps\"), LogDensity(\"-(z - int)^2/2\")]"));
        yield return new("parameter-empty", Simple("D", "[Distribution, Parameter(\"\"), Reparameterization(\"eps\"), LogDensity(\"-z^2/2\")]"));
        yield return new("parameter-spaces", Simple("D", "[Distribution, Parameter(\"a b\"), Reparameterization(\"eps\"), LogDensity(\"-z^2/2\")]"));
        yield return new("huge-number", Simple("D", Ld("-(z - mu)^2/2 + 1e400*mu")));
        yield return new("huge-power", Simple("D", Ld("-(z - mu)^2/2 + mu^100000")));
        yield return new("fourier-order-huge", Simple("D", "[Distribution(FourierOrder = 1000000, CumulantOrder = -5), Parameter(\"mu\"), Reparameterization(\"mu + eps\"), LogCharacteristicFunction(\"i*mu*w\")]"));
        yield return new("generic-class", Simple("D<T>", normal));
        yield return new("nested-in-generic", $"{Usings}namespace Hostile;\npublic partial class Outer<T> {{ {normal} public partial class D {{ }} }}\n");
        yield return new("global-namespace", $"{Usings}{normal}\npublic partial class D {{ }}\n");
        yield return new("internal-class", Simple("D", normal, keyword: "partial class").Replace("public partial", "internal partial"));
        yield return new("unicode-class", Simple("Ωmega", normal));
        yield return new("same-name-two-namespaces", $"{Usings}namespace X {{ {normal} public partial class D {{ }} }}\nnamespace Y {{ {normal} public partial class D {{ }} }}\n");
        yield return new("unicode-parameter", Simple("D", "[Distribution, Parameter(\"μ\"), Reparameterization(\"μ + eps\"), LogDensity(\"-(z - μ)^2/2\")]"));
    }
}
