using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Generator.Model;
using static StochasticBackprop.Generator.Emit.EmitText;

namespace StochasticBackprop.Generator.Emit;

/// <summary>
/// A log density and scores (declared or derived): <c>LogDensity</c> and <c>Score</c> (all parameters, or the wanted
/// ones), as <c>IHybridDistribution</c> when the distribution also has a pathwise sampler, else <c>IScoredDistribution</c>.
/// </summary>
internal sealed class DensityWriter : CapabilityWriter
{
    private readonly DensitySpec density;

    public DensityWriter(DistributionSpec spec, SourceWriter writer, DensitySpec density)
        : base(spec, writer)
    {
        this.density = density;
    }

    public override IEnumerable<string> Interfaces => new[]
    {
        spec.Reparameterization is not null || spec.Composition is not null ? $"{Runtime}.IHybridDistribution" : $"{Runtime}.IScoredDistribution",
    };

    public override void Write()
    {
        w.Line();
        if (density.LogDensity is { } logDensity)
        {
            w.Lines($$"""
                /// <summary>log p(z) = {{Escape(logDensity.Printed)}}</summary>
                {{GeneratedCode}}
                public {{Tensor}}? LogDensity({{Tensor}} z)
                {
                    {{ParameterLocals}}
                    return {{ToShape(logDensity, "z.shape", "z")}};
                }
                """);
        }
        else
        {
            w.Lines($$"""
                /// <summary>No log density was declared (only scores): returns null.</summary>
                {{GeneratedCode}}
                public {{Tensor}}? LogDensity({{Tensor}} z)
                {
                    return null;
                }
                """);
        }

        w.Line();
        w.Lines($$"""
            /// <summary>
            /// The score ∂ log p(z)/∂θ, per parameter:
            {{density.Scores.Select(s => $"/// <br/>∂/∂{s.Parameter} = {Escape(s.Score.Printed)}{(s.Derived ? " (derived from the log density)" : " (declared)")}")}}
            /// </summary>
            {{GeneratedCode}}
            public {{ListOfTensors}} Score({{Tensor}} z)
            {
                {{ParameterLocals}}
                return new[]
                {
                    {{density.Scores.Select(s => $"{ToShape(s.Score, "z.shape", "z")}, // ∂/∂{s.Parameter} = {s.Score.Printed}")}}
                };
            }

            /// <inheritdoc/>
            {{GeneratedCode}}
            public {{ListOfOptionalTensors}} Score({{Tensor}} z, {{ListOfBools}} wanted)
            {
                {{ParameterLocals}}
                return new {{Tensor}}?[]
                {
                    {{density.Scores.Select((s, p) => $"wanted[{Invariant(p)}] ? {ToShape(s.Score, "z.shape", "z")} : null, // ∂/∂{s.Parameter} = {s.Score.Printed}")}}
                };
            }
            """);
    }
}
