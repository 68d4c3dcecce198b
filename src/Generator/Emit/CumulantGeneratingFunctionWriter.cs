using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Generator.Model;
using static StochasticBackprop.Generator.Emit.EmitText;

namespace StochasticBackprop.Generator.Emit;

/// <summary>
/// <c>ICumulantGeneratingFunction</c>: K(s) = log E[exp(s·z)] = log φ(−i·s), the real formula the generator derived,
/// at the distribution's parameters or at given ones.
/// </summary>
internal sealed class CumulantGeneratingFunctionWriter : CapabilityWriter
{
    private readonly CumulantGeneratingFunctionSpec cgf;

    public CumulantGeneratingFunctionWriter(DistributionSpec spec, SourceWriter writer, CumulantGeneratingFunctionSpec cumulantGeneratingFunction)
        : base(spec, writer)
    {
        cgf = cumulantGeneratingFunction;
    }

    public override IEnumerable<string> Interfaces => new[] { $"{Runtime}.ICumulantGeneratingFunction" };

    public override void Write()
    {
        string s = cgf.Variable;
        string domain = cgf.Conditions.Count == 0
            ? "This formula is finite for every s."
            : $"This formula needs {string.Join(" and ", cgf.Conditions.Select(Escape))}; where that fails it returns NaN or an infinity.";
        string shape = $"{Runtime}.Shapes.BroadcastShapes({string.Join(", ", Parameters.Select(p => p.LocalName + ".shape").Append(s + ".shape"))})";
        w.Line();
        w.Lines($$"""
            /// <summary>
            /// The cumulant generating function K(s) = log E[exp(s*z)] = log φ(-i*s), per coordinate (derived by the generator):
            /// <br/>K({{s}}) = {{Escape(cgf.Value.Printed)}}
            /// </summary>
            /// <param name="s">The argument; broadcasts against <see cref="BatchShape"/> (a 0-dimensional tensor for one s).</param>
            /// <returns>K(s), of the broadcast shape of <see cref="BatchShape"/> and <paramref name="s"/>, differentiable in the parameters.</returns>
            /// <remarks>K is finite only where E[exp(s*z)] is, an interval around s = 0. {{domain}}</remarks>
            {{GeneratedCode}}
            public {{Tensor}} CumulantGeneratingFunction({{Tensor}} s) => this.CumulantGeneratingFunction(this.Parameters, s);

            /// <inheritdoc/>
            {{GeneratedCode}}
            public {{Tensor}} CumulantGeneratingFunction({{ListOfTensors}} parameters, {{Tensor}} {{s}})
            {
                {{(Parameters.Count > 0 ? new[] { ParameterLocalsFromList } : NoLines)}}
                return {{ToShape(cgf.Value, shape, s)}}; // K({{s}}) = {{cgf.Value.Printed}}
            }
            """);
    }
}
