using System.Linq;
using StochasticBackprop.Generator.Model;
using static StochasticBackprop.Generator.Emit.EmitText;

namespace StochasticBackprop.Generator.Emit;

/// <summary>
/// <c>Sample</c> on the counts 0, 1, 2, …: a Poisson sampler when the factorial cumulants beyond ζ₁ vanish, otherwise
/// the inverse CDF of the log density. Adds no interface (the density's writer gives <c>IScoredDistribution</c>).
/// </summary>
internal sealed class CountsSamplingWriter : CapabilityWriter
{
    public CountsSamplingWriter(DistributionSpec spec, SourceWriter writer)
        : base(spec, writer)
    {
    }

    public override void Write()
    {
        // Factorial cumulants ζ₂..ζ_N all zero (log E[(1 + t)^z] = ζ₁·t through the derived order): the Poisson with
        // rate ζ₁, which has a sampler bounded in time and memory for every rate; other counts walk the inverse CDF.
        CumulantTermSpec? poissonRate = spec.FactorialCumulants is { } factorial && factorial.Terms.Count > 1
            && factorial.Terms[0] is { Cumulant: { IsZero: false, IsTensor: true } } first && factorial.Terms.Skip(1).All(t => t.Cumulant.IsZero)
            ? first
            : null;
        w.Line();
        if (poissonRate is null)
        {
            string like = Parameters.Count > 0 ? "this." + Parameters[0].PropertyName : "null";
            w.Lines($$"""
                /// <summary>Draws samples on the counts 0, 1, 2, … by inverse CDF of the log density, shape <c>[S, ...BatchShape]</c>, with no gradient.</summary>
                {{GeneratedCode}}
                public {{Tensor}} Sample(long sampleCount, {{TorchGenerator}}? generator = null)
                {
                    using (global::TorchSharp.torch.no_grad())
                    {
                        return {{Runtime}}.DiscreteSupport.SampleCounts(z => this.LogDensity(z)!, this.BatchShape, sampleCount, {{like}}, generator);
                    }
                }
                """);
            return;
        }
        w.Lines($$"""
            /// <summary>Draws Poisson samples with rate ζ1 = {{poissonRate.Cumulant.Printed}} (the factorial cumulants vanish beyond the first), shape <c>[S, ...BatchShape]</c>, with no gradient.</summary>
            {{GeneratedCode}}
            public {{Tensor}} Sample(long sampleCount, {{TorchGenerator}}? generator = null)
            {
                using (global::TorchSharp.torch.no_grad())
                {
                    {{DetachedParameterLocals}}
                    return {{Runtime}}.DiscreteSupport.SamplePoisson({{poissonRate.Cumulant.Code}}, this.BatchShape, sampleCount, generator); // ζ1 = {{poissonRate.Cumulant.Printed}}
                }
            }
            """);
    }
}
