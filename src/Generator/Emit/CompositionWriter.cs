using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Generator.Model;
using static StochasticBackprop.Generator.Emit.EmitText;

namespace StochasticBackprop.Generator.Emit;

/// <summary>
/// A composite z = g(ζ₁, …, ζ_C) of independent building blocks: <c>IComposedDistribution</c> (the blocks at given
/// parameters, <c>Compose</c>) and <c>IReparameterizedDistribution</c> through each block's own pathwise map.
/// </summary>
internal sealed class CompositionWriter : PathwiseSamplingWriter
{
    private readonly CompositionSpec composition;

    public CompositionWriter(DistributionSpec spec, SourceWriter writer, CompositionSpec composition)
        : base(spec, writer)
    {
        this.composition = composition;
    }

    public override IEnumerable<string> Interfaces => new[] { $"{Runtime}.IComposedDistribution" };

    public override void Write()
    {
        var components = composition.Components;
        string blocks = string.Join(", ", components.Select(c => $"{c.Name} ~ {c.TypeName.Replace("global::", "")}({string.Join(", ", c.Parameters.Select(a => a.Printed))})"));
        w.Line();
        w.Lines($$"""
            private static readonly string[] ComponentNameList = { {{string.Join(", ", components.Select(c => Quote(c.Name)))}} };

            /// <inheritdoc/>
            {{GeneratedCode}}
            public global::System.Collections.Generic.IReadOnlyList<string> ComponentNames => ComponentNameList;

            /// <inheritdoc/>
            {{GeneratedCode}}
            public int FourierOrder => {{spec.FourierOrder}};

            /// <summary>True when a building block's pathwise gradient is implicit (a Gamma's).</summary>
            {{GeneratedCode}}
            public bool IsImplicit
            {
                get
                {
                    foreach ({{Runtime}}.IDistribution component in this.Components(this.Parameters))
                    {
                        if (component is {{Runtime}}.IReparameterizedDistribution { IsImplicit: true })
                        {
                            return true;
                        }
                    }
                    return false;
                }
            }

            /// <summary>The building blocks {{Escape(blocks)}}, independent, at the given parameters.</summary>
            {{GeneratedCode}}
            public global::System.Collections.Generic.IReadOnlyList<{{Runtime}}.IDistribution> Components({{ListOfTensors}} parameters)
            {
                {{Tensor}}[][] arguments = ComponentParameters(parameters);
                return new {{Runtime}}.IDistribution[]
                {
                    {{components.Select((c, k) => $"new {c.TypeName}({string.Join(", ", c.Parameters.Select((_, i) => $"arguments[{Invariant(k)}][{Invariant(i)}]"))}),")}}
                };
            }

            {{GeneratedCode}}
            private static {{Tensor}}[][] ComponentParameters({{ListOfTensors}} parameters)
            {
                {{ParameterLocalsFromList}}
                long[] shape = {{Runtime}}.Shapes.Broadcast({{ParameterList}});
                return new[]
                {
                    {{components.Select(c => $"new[] {{ {string.Join(", ", c.Parameters.Select(a => ToShape(a, "shape")))} }}, // {c.Name}")}}
                };
            }
            """);

        WriteCompose();

        WriteSampleAndReparameterizeForwarder($"{Escape(composition.Map.Printed)}, {Escape(blocks)}");
        string compose = composition.MapUsesParameters
            ? $"return this.Compose(new[] {{ {ParameterList} }}, components);"
            : "return this.Compose(components);";
        w.Line();
        w.Lines($$"""
            /// <summary>The pathwise map z = {{Escape(composition.Map.Printed)}} through each building block's own pathwise map.</summary>
            {{GeneratedCode}}
            private {{Tensor}} Reparameterize({{ParameterArguments}}, long sampleCount, {{TorchGenerator}}? generator)
            {
                long[] shape = {{Runtime}}.Shapes.Sampled(sampleCount, this.BatchShape);
                global::System.Collections.Generic.IReadOnlyList<{{Runtime}}.IDistribution> blocks = this.Components(this.Parameters);
                {{Tensor}}[][] arguments = ComponentParameters(new[] { {{string.Join(", ", Parameters.Select(p => $"{Runtime}.Shapes.ToBatch({p.LocalName}, shape)"))}} });
                var components = new {{Tensor}}[blocks.Count];
                for (int block = 0; block < blocks.Count; block++)
                {
                    components[block] = (({{Runtime}}.IReparameterizedDistribution)blocks[block]).Reparameterize(arguments[block], sampleCount, generator);
                }
                {{compose}}
            }
            """);
    }

    /// <summary>
    /// <c>Compose(components)</c>; and when the map names the composite's own parameters, <c>Compose(parameters, components)</c>
    /// with them as locals (the first forwards to it at <c>this.Parameters</c>) and <c>MapDependsOnParameters</c>.
    /// </summary>
    private void WriteCompose()
    {
        string printed = Escape(composition.Map.Printed);
        string componentLocals = $"{Tensor} {string.Join(", ", composition.Components.Select((c, i) => $"{c.LocalName} = components[{Invariant(i)}]"))};";
        w.Line();
        if (!composition.MapUsesParameters)
        {
            w.Lines($$"""
                /// <summary>z = {{printed}}</summary>
                {{GeneratedCode}}
                public {{Tensor}} Compose({{ListOfTensors}} components)
                {
                    {{componentLocals}}
                    return {{composition.Map.Code}};
                }
                """);
            return;
        }
        w.Lines($$"""
            /// <summary>z = {{printed}} at the distribution's own parameters.</summary>
            {{GeneratedCode}}
            public {{Tensor}} Compose({{ListOfTensors}} components) => this.Compose(this.Parameters, components);

            /// <summary>True: the map z = {{printed}} names the parameters as well as the building blocks.</summary>
            {{GeneratedCode}}
            public bool MapDependsOnParameters => true;

            /// <summary>z = {{printed}} at the given parameters (in declaration order) and building blocks, keeping the graph back to both.</summary>
            {{GeneratedCode}}
            public {{Tensor}} Compose({{ListOfTensors}} parameters, {{ListOfTensors}} components)
            {
                {{ParameterLocalsFromList}}
                {{componentLocals}}
                return {{composition.Map.Code}};
            }
            """);
    }
}
