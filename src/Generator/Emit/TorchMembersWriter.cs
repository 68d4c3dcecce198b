using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Generator.Model;
using static StochasticBackprop.Generator.Emit.EmitText;

namespace StochasticBackprop.Generator.Emit;

/// <summary>
/// Writes the members torch.distributions.Distribution names (<c>log_prob</c>, <c>sample</c>, <c>rsample</c>,
/// <c>mean</c>, <c>variance</c>, <c>entropy</c>, <c>cdf</c>) in PascalCase, each only where the declaration gives
/// its maths: <c>LogProb</c> from the log density or the probability table, <c>RSample</c> from a pathwise map,
/// <c>Mean</c>/<c>Variance</c> from κ₁, κ₂ (or ζ₁, ζ₂ + ζ₁ on the integers), <c>Entropy</c> and <c>Cdf</c> from
/// [Entropy] and [Cdf]. <c>Sample(params long[])</c> is written for every distribution.
/// </summary>
internal sealed class TorchMembersWriter : CapabilityWriter
{
    private readonly string quotedName;

    public TorchMembersWriter(DistributionSpec spec, SourceWriter writer)
        : base(spec, writer)
    {
        quotedName = Quote(DisplayName);
    }

    /// <summary>The capability interfaces the members below implement, for the class's base list.</summary>
    public override IEnumerable<string> Interfaces
    {
        get
        {
            if (HasLogProb(spec)) yield return $"{Runtime}.IHasLogProb";
            if (MeanOrder(spec) is not null) yield return $"{Runtime}.IHasMean";
            if (HasVariance(spec)) yield return $"{Runtime}.IHasVariance";
            if (spec.Entropy is not null) yield return $"{Runtime}.IHasEntropy";
            if (spec.Cdf is not null) yield return $"{Runtime}.IHasCdf";
        }
    }

    private static bool HasLogProb(DistributionSpec spec) => spec.IsFinite || spec.Density?.LogDensity is not null;

    /// <summary>
    /// Where the mean comes from: the cumulants of the characteristic function, the factorial cumulants, or the blocks'
    /// cumulants through an affine composition; null when none of these exists.
    /// </summary>
    private static string? MeanOrder(DistributionSpec spec)
        => spec.Cumulants is not null ? "Cumulant"
            : spec.FactorialCumulants is not null ? "FactorialCumulant"
            : spec.Composition?.Affine is not null ? "Composition"
            : null;

    private static bool HasVariance(DistributionSpec spec) => MeanOrder(spec) is "Composition" || (MeanOrder(spec) is not null && spec.CumulantOrder >= 2);

    private bool IsCategories => spec.Support is { Kind: SupportKind.Categories };

    public override void Write()
    {
        w.Line();
        w.Line("// torch.distributions-style members: Sample(sampleShape), RSample, LogProb, Mean, Variance, Entropy, Cdf (where declared).");
        w.Line();
        w.Lines($$"""
            /// <summary>torch.distributions' <c>sample(sample_shape)</c>: samples of shape <c>[...sampleShape, ...BatchShape]</c>, with no gradient.</summary>
            {{GeneratedCode}}
            public {{Tensor}} Sample(params long[] sampleShape) => {{Runtime}}.TorchMembers.Sample(this, sampleShape);
            """);
        if (spec.Reparameterization is not null || spec.Composition is not null)
        {
            string parameters = string.Join(", ", spec.Parameters.Select(p => "this." + p.PropertyName));
            w.Line();
            w.Lines($$"""
                /// <summary>torch.distributions' <c>rsample</c>: <paramref name="sampleCount"/> samples, shape <c>[S, ...BatchShape]</c>, keeping the autograd graph back to the parameters.</summary>
                {{GeneratedCode}}
                public {{Tensor}} RSample(long sampleCount, {{TorchGenerator}}? generator = null) => this.Reparameterize({{parameters}}, sampleCount, generator);
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
        w.Line(GeneratedCode);
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
        if (family == "Composition")
        {
            WriteAffineMoments(spec.Composition!);
            return;
        }
        bool factorial = family == "FactorialCumulant";
        CumulantSpec cumulants = (factorial ? spec.FactorialCumulants : spec.Cumulants)!;
        string symbol = factorial ? "ζ" : "κ";
        string Printed(int order) => cumulants.Terms.FirstOrDefault(t => t.Order == order)?.Cumulant.Printed ?? "0";
        w.Line();
        w.Lines($$"""
            /// <summary>torch.distributions' <c>mean</c>: {{symbol}}1 = {{Escape(Printed(1))}}, shape <see cref="BatchShape"/>.</summary>
            {{GeneratedCode}}
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
                {{GeneratedCode}}
                public {{Tensor}} Variance => this.FactorialCumulant(2).add(this.FactorialCumulant(1), {{Runtime}}.Scalars.One);
                """);
        }
        else
        {
            w.Lines($$"""
                /// <summary>torch.distributions' <c>variance</c>: κ2 = {{Escape(Printed(2))}}, shape <see cref="BatchShape"/>.</summary>
                {{GeneratedCode}}
                public {{Tensor}} Variance => this.Cumulant(2);
                """);
        }
    }

    /// <summary>Mean and Variance of z = a₀ + Σ_c a_c·ζ_c: a₀ + Σ a_c κ1⁽ᶜ⁾ and Σ a_c² κ2⁽ᶜ⁾, from the blocks at the own parameters.</summary>
    private void WriteAffineMoments(CompositionSpec composition)
    {
        AffineMapSpec affine = composition.Affine!;
        string Block(int c, int order) => $"(({Runtime}.ICumulantDistribution)blocks[{c}]).Cumulant({order})";
        string mean = ToShape(affine.Offset, "this.BatchShape");
        string variance = "";
        string meanPrinted = affine.Offset.Printed;
        string variancePrinted = "";
        for (int c = 0; c < affine.Coefficients.Count; c++)
        {
            DerivedFormula coefficient = affine.Coefficients[c];
            string name = composition.Components[c].Name;
            string a = ToShape(coefficient, "this.BatchShape");
            mean = $"{mean}.add({a} * {Block(c, 1)}, {Runtime}.Scalars.One)";
            string term = $"{a}.pow({Runtime}.Scalars.Of(2)) * {Block(c, 2)}";
            variance = c == 0 ? term : $"{variance}.add({term}, {Runtime}.Scalars.One)";
            meanPrinted += $" + ({coefficient.Printed})*κ1({name})";
            variancePrinted += (c == 0 ? "" : " + ") + $"({coefficient.Printed})^2*κ2({name})";
        }
        string locals = ParameterLocals;
        string blocks = $"global::System.Collections.Generic.IReadOnlyList<{Runtime}.IDistribution> blocks = this.Components(this.Parameters);";
        w.Line();
        w.Lines($$"""
            /// <summary>torch.distributions' <c>mean</c>: z = {{Escape(composition.Map.Printed)}} is affine in the blocks, so E z = {{Escape(meanPrinted)}}.</summary>
            {{GeneratedCode}}
            public {{Tensor}} Mean
            {
                get
                {
                    {{locals}}
                    {{blocks}}
                    return {{mean}};
                }
            }

            /// <summary>torch.distributions' <c>variance</c>: the blocks are independent, so Var z = {{Escape(variancePrinted)}}.</summary>
            {{GeneratedCode}}
            public {{Tensor}} Variance
            {
                get
                {
                    {{locals}}
                    {{blocks}}
                    return {{variance}};
                }
            }
            """);
    }

    private void WriteEntropy(DerivedFormula entropy)
    {
        string locals = ParameterLocals;
        string value = spec.HasEventAxis
            ? $"{ToShape(entropy, $"{Runtime}.Shapes.Broadcast({string.Join(", ", spec.Parameters.Select(p => p.LocalName))})")}.select(-1, 0)"
            : ToShape(entropy, "this.BatchShape");
        w.Line();
        w.Lines($$"""
            /// <summary>torch.distributions' <c>entropy</c>: H = {{Escape(entropy.Printed)}}{{(spec.HasEventAxis ? ", one value per event" : "")}}, differentiable in the parameters.</summary>
            {{GeneratedCode}}
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
            {{GeneratedCode}}
            public {{Tensor}} Cdf({{Tensor}} value)
            {
                {{check}}
                {{Tensor}} z = {{Runtime}}.TorchMembers.BroadcastValue({{quotedName}}, "Cdf", value, this.BatchShape);
                {{ParameterLocals}}
                return {{ToShape(cdf, "z.shape", "z")}}; // F(z) = {{cdf.Printed}}
            }
            """);
    }
}
