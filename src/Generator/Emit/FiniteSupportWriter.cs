using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Generator.Model;
using static StochasticBackprop.Generator.Emit.EmitText;

namespace StochasticBackprop.Generator.Emit;

/// <summary>
/// A finite support (declared values, or categories along the event axis): <c>IFiniteDistribution</c>, the
/// probability table p(z = v) from the log density, sampling by inverse CDF, the log density and score read from the
/// table, and the score table ∂ log p(z = v)/∂θ (derived formulas, or autograd at run time).
/// </summary>
internal sealed class FiniteSupportWriter : CapabilityWriter
{
    private readonly SupportSpec support;

    public FiniteSupportWriter(DistributionSpec spec, SourceWriter writer, SupportSpec support)
        : base(spec, writer)
    {
        this.support = support;
    }

    private bool Categories => support.Kind == SupportKind.Categories;

    public override IEnumerable<string> Interfaces => new[] { $"{Runtime}.IFiniteDistribution" };

    public override void Write()
    {
        w.Line();
        if (Categories)
        {
            w.Lines($$"""
                /// <summary>The category indices 0..K−1, K the size of the event axis.</summary>
                {{GeneratedCode}}
                public {{ListOfDoubles}} SupportValues { get; }
                """);
        }
        else
        {
            w.Lines($$"""
                private static readonly double[] SupportValueList = { {{string.Join(", ", support.Values.Select(Literal))}} };

                /// <inheritdoc/>
                {{GeneratedCode}}
                public {{ListOfDoubles}} SupportValues => SupportValueList;
                """);
        }
        w.Line();
        w.Lines($$"""
            private static readonly int[] ParameterEventRankList = { {{string.Join(", ", Parameters.Select(p => Invariant(p.EventRank)))}} };

            /// <inheritdoc/>
            {{GeneratedCode}}
            public global::System.Collections.Generic.IReadOnlyList<int> ParameterEventRanks => ParameterEventRankList;

            /// <summary>
            {{ProbabilitiesSummary()}}
            /// </summary>
            {{GeneratedCode}}
            public {{Tensor}} Probabilities({{ListOfTensors}} parameters)
            {
                {{ParameterLocalsFromList}}
                long[] shape = {{Runtime}}.Shapes.Broadcast({{ParameterList}});
                {{ProbabilitiesValue()}}
            }

            /// <summary>Draws samples {{(Categories ? "(category indices, as floats)" : "(support values)")}} by inverse CDF of <see cref="Probabilities"/>, shape <c>[S, ...BatchShape]</c>, with no gradient.</summary>
            {{GeneratedCode}}
            public {{Tensor}} Sample(long sampleCount, {{TorchGenerator}}? generator = null)
            {
                using (global::TorchSharp.torch.no_grad())
                {
                    return {{Runtime}}.DiscreteSupport.Sample(this.Probabilities(this.Parameters), this.SupportValues, sampleCount, generator);
                }
            }

            /// <summary>log p(z) from <see cref="Probabilities"/>; −∞ off the support.</summary>
            {{GeneratedCode}}
            public {{Tensor}}? LogDensity({{Tensor}} z) => {{Runtime}}.DiscreteSupport.LogDensity(this, z);

            /// <summary>The per-sample score ∂ log p(z)/∂θ: each sample's entry of <see cref="ScoreTable"/>.</summary>
            {{GeneratedCode}}
            public {{ListOfTensors}} Score({{Tensor}} z) => {{Runtime}}.DiscreteSupport.Score(this, z);

            /// <inheritdoc/>
            {{GeneratedCode}}
            public {{ListOfOptionalTensors}} Score({{Tensor}} z, {{ListOfBools}} wanted) => {{Runtime}}.DiscreteSupport.Score(this, z, wanted);
            """);
        WriteScoreTable();
    }

    private IEnumerable<string> ProbabilitiesSummary()
    {
        if (Categories)
        {
            yield return $"/// p(z = k) for every category k, elementwise over the event axis: {Escape(support.Probabilities[0].Printed)}";
            yield break;
        }
        yield return "/// p(z = v) for each support value, from the log density (derived by the generator):";
        for (int k = 0; k < support.Values.Count; k++)
        {
            yield return $"/// <br/>p(z = {Shown(support.Values[k])}) = {Escape(support.Probabilities[k].Printed)}";
        }
    }

    private IEnumerable<string> ProbabilitiesValue()
    {
        if (Categories)
        {
            return new[] { $"return {ToShape(support.Probabilities[0], "shape")};" };
        }
        return Template($$"""
            return global::TorchSharp.torch.stack(new[]
            {
                {{support.Values.Select((v, k) => $"{ToShape(support.Probabilities[k], "shape")}, // p(z = {Shown(v)}) = {support.Probabilities[k].Printed}")}}
            }, -1);
            """);
    }

    private void WriteScoreTable()
    {
        w.Line();
        if (support.ScoreTable is not { } table)
        {
            w.Lines($$"""
                /// <summary>∂ log p(z = v)/∂θ at every support value, by autograd through <see cref="Probabilities"/> at the (batch-shaped) parameters.</summary>
                {{GeneratedCode}}
                public {{ListOfOptionalTensors}} ScoreTable({{ListOfBools}} wanted) => {{Runtime}}.DiscreteSupport.ScoreTableByAutograd(this, wanted);
                """);
            return;
        }
        w.Lines($$"""
            /// <summary>
            /// ∂ log p(z = v)/∂θ at each support value, from the log density (derived by the generator):
            {{table.SelectMany(row => support.Values.Select((v, k) => $"/// <br/>∂/∂{row.Parameter} log p(z = {Shown(v)}) = {Escape(row.PerValue[k].Printed)}"))}}
            /// </summary>
            {{GeneratedCode}}
            public {{ListOfOptionalTensors}} ScoreTable({{ListOfBools}} wanted)
            {
                using (global::TorchSharp.torch.no_grad())
                {
                    {{DetachedParameterLocals}}
                    long[] shape = this.BatchShape;
                    return new {{Tensor}}?[]
                    {
                        {{table.SelectMany((row, p) => ScoreTableRow(row, p))}}
                    };
                }
            }
            """);
    }

    /// <summary>One parameter's entry: its score at every support value, stacked along a last axis (null when not wanted).</summary>
    private IEnumerable<string> ScoreTableRow(ScoreTableSpec row, int parameter) => Template($$"""
        wanted[{{parameter}}] ? global::TorchSharp.torch.stack(new[]
        {
            {{support.Values.Select((v, k) => $"{ToShape(row.PerValue[k], "shape")}, // ∂/∂{row.Parameter} log p(z = {Shown(v)}) = {row.PerValue[k].Printed}")}}
        }, -1) : null,
        """);
}
