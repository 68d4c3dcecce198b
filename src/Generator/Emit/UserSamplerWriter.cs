using StochasticBackprop.Generator.Model;
using static StochasticBackprop.Generator.Emit.EmitText;

namespace StochasticBackprop.Generator.Emit;

/// <summary>
/// A distribution sampled by C# the user writes (<c>Draw</c>): <c>Sample</c> calls it under no_grad and checks what it
/// returns (<c>SamplerCheck.Checked</c>), and, when the user wrote the implementing half of a partial method, the
/// defining half is written here with the same modifiers, parameter names and nullability (so the halves match).
/// No interface beyond <c>IDistribution</c>: there is no pathwise map.
/// </summary>
internal sealed class UserSamplerWriter : CapabilityWriter
{
    private readonly SamplerDeclaration sampler;

    public UserSamplerWriter(DistributionSpec spec, SourceWriter writer, SamplerDeclaration sampler)
        : base(spec, writer)
    {
        this.sampler = sampler;
    }

    public override void Write()
    {
        string like = spec.Parameters.Count > 0 ? "this." + spec.Parameters[0].PropertyName : "null!";
        w.Line();
        w.Lines($$"""
            /// <summary>
            /// Draws samples with the sampler written in this class (<c>Draw</c>), shape <c>[S, ...BatchShape]</c>, with no gradient.
            /// The samples are checked: shape, dtype and device of the parameters, every value finite.
            /// </summary>
            /// <exception cref="global::System.ArgumentOutOfRangeException"><paramref name="sampleCount"/> is below 1.</exception>
            /// <exception cref="global::System.InvalidOperationException">Draw returned samples of another shape, dtype or device, or a NaN or infinite sample.</exception>
            {{GeneratedCode}}
            public {{Tensor}} Sample(long sampleCount, {{TorchGenerator}}? generator = null)
            {
                {{Runtime}}.Shapes.Sampled(sampleCount, this.BatchShape);
                using (global::TorchSharp.torch.no_grad())
                {
                    return {{Runtime}}.SamplerCheck.Checked({{Quote(DisplayName)}}, this.Draw(sampleCount, generator), sampleCount, this.BatchShape, {{like}});
                }
            }
            """);
        WriteDefinition(w, sampler, GeneratedCode);
    }

    /// <summary>The defining half of the user's partial Draw, when the user wrote only the implementing half.</summary>
    public static void WriteDefinition(SourceWriter w, SamplerDeclaration sampler, string generatedCode)
    {
        if (!sampler.NeedsDefinition)
        {
            return;
        }
        w.Line();
        w.Lines($$"""
            /// <summary>The sampler, written in the other part of this class: samples of shape <c>[S, ...BatchShape]</c> at the parameters.</summary>
            {{generatedCode}}
            {{sampler.Modifiers}} {{Tensor}} Draw(long {{sampler.CountName}}, {{TorchGenerator}}{{(sampler.GeneratorNullable ? "?" : "")}} {{sampler.GeneratorName}});
            """);
    }
}
