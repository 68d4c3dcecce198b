using System.Linq;
using StochasticBackprop.Generator.Model;
using static StochasticBackprop.Generator.Emit.EmitText;

namespace StochasticBackprop.Generator.Emit;

/// <summary>
/// What the two pathwise samplers (<see cref="ReparameterizationWriter"/>, <see cref="CompositionWriter"/>) share:
/// <c>Sample</c> (no gradient) and the interface's <c>Reparameterize(parameters, …)</c>, both forwarding to the
/// private <c>Reparameterize</c> that takes the parameters one by one.
/// </summary>
internal abstract class PathwiseSamplingWriter : CapabilityWriter
{
    protected PathwiseSamplingWriter(DistributionSpec spec, SourceWriter writer)
        : base(spec, writer)
    {
    }

    /// <param name="escapedMap">The map as the summary shows it (XML-escaped).</param>
    protected void WriteSampleAndReparameterizeForwarder(string escapedMap)
    {
        w.Line();
        w.Lines($$"""
            /// <summary>Draws samples z = {{escapedMap}}, shape <c>[S, ...BatchShape]</c>, with no gradient.</summary>
            {{GeneratedCode}}
            public {{Tensor}} Sample(long sampleCount, {{TorchGenerator}}? generator = null)
            {
                using (global::TorchSharp.torch.no_grad())
                {
                    return this.Reparameterize({{string.Join(", ", Parameters.Select(p => $"this.{p.PropertyName}.detach()"))}}, sampleCount, generator);
                }
            }

            {{GeneratedCode}}
            {{Tensor}} {{Runtime}}.IReparameterizedDistribution.Reparameterize({{ListOfTensors}} parameters, long sampleCount, {{TorchGenerator}}? generator)
                => this.Reparameterize({{string.Join(", ", Parameters.Select((_, i) => $"parameters[{Invariant(i)}]"))}}, sampleCount, generator);
            """);
    }
}
