using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Generator.Model;
using static StochasticBackprop.Generator.Emit.EmitText;

namespace StochasticBackprop.Generator.Emit;

/// <summary>
/// A declared pathwise map z = g(θ, ε): <c>IReparameterizedDistribution</c> (<c>IsImplicit</c>, <c>Sample</c>,
/// <c>Reparameterize</c>, with the map's noise drawn at the sample shape) and, when the generator derived ∂z/∂θ for
/// every parameter, <c>IPathwiseJacobian</c> (<c>DrawWithJacobian</c>).
/// </summary>
internal sealed class ReparameterizationWriter : PathwiseSamplingWriter
{
    private const string ShapeGradientLocal = "epsShapeGradient";

    private readonly ReparameterizationSpec r;

    public ReparameterizationWriter(DistributionSpec spec, SourceWriter writer, ReparameterizationSpec reparameterization)
        : base(spec, writer)
    {
        r = reparameterization;
    }

    public override IEnumerable<string> Interfaces
    {
        get
        {
            yield return $"{Runtime}.IReparameterizedDistribution";
            if (r.Jacobian is not null)
            {
                yield return $"{Runtime}.IPathwiseJacobian";
            }
        }
    }

    public override void Write()
    {
        string noise = NoiseText();
        w.Line();
        w.Lines($$"""
            /// <inheritdoc/>
            {{GeneratedCode}}
            public bool IsImplicit => {{(r.IsImplicit ? "true" : "false")}};
            """);
        WriteSampleAndReparameterizeForwarder($"{Escape(r.Map.Printed)}{noise}");
        w.Line();
        w.Lines($$"""
            /// <summary>The pathwise map z = {{Escape(r.Map.Printed)}}{{noise}}.</summary>
            {{GeneratedCode}}
            private {{Tensor}} Reparameterize({{ParameterArguments}}, long sampleCount, {{TorchGenerator}}? generator)
            {
                long[] shape = {{Runtime}}.Shapes.Sampled(sampleCount, this.BatchShape);
                {{Noise(shapeGradientWanted: null)}}
                return {{ToShape(r.Map, "shape")}};
            }
            """);
        if (r.Jacobian is { } jacobian)
        {
            WriteDrawWithJacobian(jacobian, noise);
        }
    }

    /// <summary>
    /// <c>DrawWithJacobian</c>: z = g(θ, ε) at the detached parameters and ∂z/∂θ_p per wanted parameter, each a
    /// formula the generator derived (a constant one is a 0-dimensional tensor that broadcasts).
    /// </summary>
    private void WriteDrawWithJacobian(EquatableArray<JacobianSpec> jacobian, string noise)
    {
        bool anyImplicit = jacobian.Any(j => j.UsesShapeGradient);
        IEnumerable<string> implicitNote = anyImplicit
            ? new[] { $"/// <br/>{Escape(Analysis.DistributionAnalyzer.ShapeGradientSymbol)}: the implicit derivative of the Gamma noise by its shape (libtorch's)." }
            : NoLines;
        string shapeGradientWanted = anyImplicit
            ? string.Join(" || ", jacobian.Select((j, p) => (j, p)).Where(x => x.j.UsesShapeGradient).Select(x => $"wanted[{Invariant(x.p)}]"))
            : "false";
        w.Line();
        w.Lines($$"""
            /// <summary>
            /// Draws z = {{Escape(r.Map.Printed)}}{{noise}}, with no graph, and the per-sample Jacobian ∂z/∂θ of each wanted parameter
            /// (derived by the generator):
            {{Parameters.Select((p, i) => $"/// <br/>∂z/∂{p.Name} = {Escape(jacobian[i].Value.Printed)}")}}
            {{implicitNote}}
            /// </summary>
            {{GeneratedCode}}
            public {{Runtime}}.PathwiseDraw DrawWithJacobian(long sampleCount, {{ListOfBools}} wanted, {{TorchGenerator}}? generator = null)
            {
                using (global::TorchSharp.torch.no_grad())
                {
                    {{(Parameters.Count > 0 ? new[] { DetachedParameterLocals } : NoLines)}}
                    long[] shape = {{Runtime}}.Shapes.Sampled(sampleCount, this.BatchShape);
                    {{Noise(shapeGradientWanted)}}
                    return new {{Runtime}}.PathwiseDraw({{ToShape(r.Map, "shape")}}, new {{Tensor}}?[]
                    {
                        {{Parameters.Select((p, i) => JacobianRow(p, i, jacobian[i]))}}
                    });
                }
            }
            """);
    }

    private string JacobianRow(ParameterSpec parameter, int index, JacobianSpec jacobian)
    {
        DerivedFormula value = jacobian.Value;
        string code = value.IsTensor ? value.Code : $"{Runtime}.Shapes.Constant({value.Code}, {Like})";
        if (jacobian.UsesShapeGradient)
        {
            code = code.Replace(ShapeGradientLocal, ShapeGradientLocal + "!");
        }
        return $"wanted[{Invariant(index)}] ? {code} : null, // ∂z/∂{parameter.Name} = {value.Printed}";
    }

    /// <summary>
    /// <c>eps</c>, the map's noise, at <c>shape</c> (no line for a point mass). With <paramref name="shapeGradientWanted"/>
    /// (a C# condition) Gamma noise also gives its implicit ∂eps/∂shape, when the condition holds.
    /// </summary>
    private IEnumerable<string> Noise(string? shapeGradientWanted)
    {
        switch (r.Noise)
        {
            case NoiseKind.None:
                break;
            case NoiseKind.StandardGamma when shapeGradientWanted is not null:
                yield return $"({Tensor} eps, {Tensor}? {ShapeGradientLocal}) = {Runtime}.Noise.StandardGammaWithShapeGradient({ToShape(r.NoiseShape!, "shape")}, {shapeGradientWanted}, generator);";
                break;
            case NoiseKind.StandardGamma:
                yield return $"{Tensor} eps = {Runtime}.Noise.StandardGamma({ToShape(r.NoiseShape!, "shape")}, generator);";
                break;
            default:
                yield return $"{Tensor} eps = {Runtime}.Noise.{r.Noise}(shape, {Like}, generator);";
                break;
        }
    }

    private string NoiseText() => r.Noise switch
    {
        NoiseKind.None => "",
        NoiseKind.StandardNormal => ", eps ~ N(0, 1)",
        NoiseKind.StandardUniform => ", eps ~ U(0, 1)",
        NoiseKind.StandardLaplace => ", eps ~ Laplace(0, 1)",
        NoiseKind.StandardExponential => ", eps ~ Exponential(1)",
        _ => $", eps ~ Gamma({Escape(r.NoiseShape?.Printed ?? "")}, 1) (implicit gradient)",
    };
}
