using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Generator.Model;

namespace StochasticBackprop.Generator.Emit;

/// <summary>
/// Writes the members torch.distributions.Distribution names (<c>log_prob</c>, <c>sample</c>, <c>rsample</c>,
/// <c>mean</c>, <c>variance</c>, <c>entropy</c>, <c>cdf</c>) in PascalCase, each only where the declaration gives
/// its maths: <c>LogProb</c> from the log density or the probability table, <c>RSample</c> from a pathwise map,
/// <c>Mean</c>/<c>Variance</c> from κ₁, κ₂ (or ζ₁, ζ₂ + ζ₁ on the integers), <c>Entropy</c> and <c>Cdf</c> from
/// [Entropy] and [Cdf]. <c>Sample(params long[])</c> is written for every distribution.
/// </summary>
internal sealed class TorchMembersWriter
{
    private const string Tensor = "global::TorchSharp.torch.Tensor";
    private const string Generator = "global::TorchSharp.torch.Generator";
    private const string Runtime = "global::StochasticBackprop";

    private readonly DistributionSpec spec;
    private readonly SourceWriter w;
    private readonly string generatedCode;
    private readonly string quotedName;

    public TorchMembersWriter(DistributionSpec spec, SourceWriter writer, string generatedCode, string quotedName)
    {
        this.spec = spec;
        w = writer;
        this.generatedCode = generatedCode;
        this.quotedName = quotedName;
    }

    /// <summary>The capability interfaces the members below implement, for the class's base list.</summary>
    public static IEnumerable<string> Interfaces(DistributionSpec spec)
    {
        if (HasLogProb(spec)) yield return $"{Runtime}.IHasLogProb";
        if (MeanOrder(spec) is not null) yield return $"{Runtime}.IHasMean";
        if (HasVariance(spec)) yield return $"{Runtime}.IHasVariance";
        if (spec.Entropy is not null) yield return $"{Runtime}.IHasEntropy";
        if (spec.Cdf is not null) yield return $"{Runtime}.IHasCdf";
    }

    private static bool HasLogProb(DistributionSpec spec) => spec.IsFinite || spec.Density?.LogDensity is not null;

    /// <summary>The cumulant family the mean comes from, or null when the declaration has no characteristic function.</summary>
    private static string? MeanOrder(DistributionSpec spec)
        => spec.Cumulants is not null ? "Cumulant" : spec.FactorialCumulants is not null ? "FactorialCumulant" : null;

    private static bool HasVariance(DistributionSpec spec) => MeanOrder(spec) is not null && spec.CumulantOrder >= 2;

    private string Like => spec.Parameters.Count > 0 ? spec.Parameters[0].LocalName : "null";

    private bool IsCategories => spec.Support is { Kind: SupportKind.Categories };

    public void Write()
    {
        w.Line();
        w.Line("// torch.distributions-style members: Sample(sampleShape), RSample, LogProb, Mean, Variance, Entropy, Cdf (where declared).");
        w.Line();
        w.Lines($$"""
            /// <summary>torch.distributions' <c>sample(sample_shape)</c>: samples of shape <c>[...sampleShape, ...BatchShape]</c>, with no gradient.</summary>
            {{generatedCode}}
            public {{Tensor}} Sample(params long[] sampleShape) => {{Runtime}}.TorchMembers.Sample(this, sampleShape);
            """);
        if (spec.Reparameterization is not null || spec.Composition is not null)
        {
            string parameters = string.Join(", ", spec.Parameters.Select(p => "this." + p.PropertyName));
            w.Line();
            w.Lines($$"""
                /// <summary>torch.distributions' <c>rsample</c>: <paramref name="sampleCount"/> samples, shape <c>[S, ...BatchShape]</c>, keeping the autograd graph back to the parameters.</summary>
                {{generatedCode}}
                public {{Tensor}} RSample(long sampleCount, {{Generator}}? generator = null) => this.Reparameterize({{parameters}}, sampleCount, generator);
                """);
        }
        if (HasLogProb(spec))
        {
            WriteLogProb();
        }
        if (MeanOrder(spec) is { } family)
        {
            WriteMoments(family);
        }
        if (spec.Entropy is { } entropy)
        {
            WriteEntropy(entropy);
        }
        if (spec.Cdf is { } cdf)
        {
            WriteCdf(cdf);
        }
    }

    private void WriteLogProb()
    {
        bool eventAxis = spec.HasEventAxis && !IsCategories;
        bool counts = spec.Support is { Kind: SupportKind.Counts };
        string broadcast = $"{Runtime}.TorchMembers.BroadcastValue({quotedName}, \"LogProb\", value, this.BatchShape{(eventAxis ? ", eventAxis: true" : "")})";
        string summary = eventAxis
            ? "log p(value), one value per event (the last axis of <paramref name=\"value\"/>, as torch reduces it)"
            : counts
                ? "log p(value) per batch element; −∞ off the counts 0, 1, 2, …"
                : spec.IsFinite ? "log p(value) per batch element; −∞ off the support" : "log p(value) per batch element";
        w.Line();
        w.Line($"/// <summary>torch.distributions' <c>log_prob</c>: {summary}.</summary>");
        w.Line($"/// <exception cref=\"global::System.ArgumentException\"><paramref name=\"value\"/> does not broadcast against <see cref=\"BatchShape\"/>{(eventAxis ? " or its last axis is not the event axis" : "")}.</exception>");
        w.Line(generatedCode);
        if (counts)
        {
            w.Lines($$"""
                public {{Tensor}} LogProb({{Tensor}} value)
                {
                    {{Tensor}} z = {{broadcast}};
                    return {{Runtime}}.TorchMembers.OffCountsToNegativeInfinity(z, this.LogDensity(z)!);
                }
                """);
        }
        else
        {
            // Each entry of a vector's log density along the event axis holds the whole vector's: take the first.
            w.Line($"public {Tensor} LogProb({Tensor} value) => this.LogDensity({broadcast})!{(eventAxis ? ".select(-1, 0)" : "")};");
        }
    }

    private void WriteMoments(string family)
    {
        bool factorial = family == "FactorialCumulant";
        CumulantSpec cumulants = (factorial ? spec.FactorialCumulants : spec.Cumulants)!;
        string symbol = factorial ? "ζ" : "κ";
        string Printed(int order) => cumulants.Terms.FirstOrDefault(t => t.Order == order)?.Cumulant.Printed ?? "0";
        w.Line();
        w.Lines($$"""
            /// <summary>torch.distributions' <c>mean</c>: {{symbol}}1 = {{Escape(Printed(1))}}, shape <see cref="BatchShape"/>.</summary>
            {{generatedCode}}
            public {{Tensor}} Mean => this.{{family}}(1);
            """);
        if (!HasVariance(spec))
        {
            return;
        }
        w.Line();
        if (factorial)
        {
            w.Lines($$"""
                /// <summary>torch.distributions' <c>variance</c>: ζ2 + ζ1 = ({{Escape(Printed(2))}}) + ({{Escape(Printed(1))}}), shape <see cref="BatchShape"/>.</summary>
                {{generatedCode}}
                public {{Tensor}} Variance => this.FactorialCumulant(2).add(this.FactorialCumulant(1), {{Runtime}}.Scalars.One);
                """);
        }
        else
        {
            w.Lines($$"""
                /// <summary>torch.distributions' <c>variance</c>: κ2 = {{Escape(Printed(2))}}, shape <see cref="BatchShape"/>.</summary>
                {{generatedCode}}
                public {{Tensor}} Variance => this.Cumulant(2);
                """);
        }
    }

    private void WriteEntropy(DerivedFormula entropy)
    {
        string locals = ParameterLocals();
        string value = spec.HasEventAxis
            ? $"{ToShape(entropy, $"{Runtime}.Shapes.Broadcast({string.Join(", ", spec.Parameters.Select(p => p.LocalName))})")}.select(-1, 0)"
            : ToShape(entropy, "this.BatchShape");
        w.Line();
        w.Lines($$"""
            /// <summary>torch.distributions' <c>entropy</c>: H = {{Escape(entropy.Printed)}}{{(spec.HasEventAxis ? ", one value per event" : "")}}, differentiable in the parameters.</summary>
            {{generatedCode}}
            public {{Tensor}} Entropy()
            {
                {{locals}}
                return {{value}}; // H = {{entropy.Printed}}
            }
            """);
    }

    private void WriteCdf(DerivedFormula cdf)
    {
        string check = spec.Support?.Kind switch
        {
            SupportKind.Finite => $"{Runtime}.TorchMembers.CheckCdfValue({quotedName}, value, this.SupportValues);",
            SupportKind.Counts => $"{Runtime}.TorchMembers.CheckCdfValue({quotedName}, value, counts: true);",
            _ => $"{Runtime}.TorchMembers.CheckCdfValue({quotedName}, value);",
        };
        string where = spec.Support?.Kind switch
        {
            SupportKind.Finite => "NaN or off the support values",
            SupportKind.Counts => "NaN or not a count 0, 1, 2, …",
            _ => "NaN",
        };
        w.Line();
        w.Lines($$"""
            /// <summary>torch.distributions' <c>cdf</c>: F(z) = {{Escape(cdf.Printed)}} at z = <paramref name="value"/>, differentiable in the parameters and in <paramref name="value"/>.</summary>
            /// <exception cref="global::System.ArgumentException">An entry of <paramref name="value"/> is {{where}}, or its shape does not broadcast against <see cref="BatchShape"/>.</exception>
            {{generatedCode}}
            public {{Tensor}} Cdf({{Tensor}} value)
            {
                {{check}}
                {{Tensor}} z = {{Runtime}}.TorchMembers.BroadcastValue({{quotedName}}, "Cdf", value, this.BatchShape);
                {{ParameterLocals()}}
                return {{ToShape(cdf, "z.shape", "z")}}; // F(z) = {{cdf.Printed}}
            }
            """);
    }

    private string ParameterLocals()
        => $"{Tensor} {string.Join(", ", spec.Parameters.Select(p => $"{p.LocalName} = this.{p.PropertyName}"))};";

    /// <summary>C# that evaluates a formula to a tensor of the given shape (a constant is filled in).</summary>
    private string ToShape(DerivedFormula formula, string shape, string? like = null)
        => formula.IsTensor
            ? $"{Runtime}.Shapes.ToBatch({formula.Code}, {shape})"
            : $"{Runtime}.Shapes.Full({shape}, {formula.Code}, {like ?? Like})";

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
