using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Generator.Formulas;
using StochasticBackprop.Generator.Model;
using static StochasticBackprop.Generator.Emit.EmitText;

namespace StochasticBackprop.Generator.Emit;

/// <summary>
/// <c>IScoreKernel</c>, for the scores that have a one-pass loop over CPU float64 samples: per such parameter, its
/// parameter-only parts held once per coordinate (<c>KernelValues</c>) and a private static loop over the samples in
/// which only the sample varies (vectorized when the formula has a <c>Vector&lt;double&gt;</c> form).
/// </summary>
internal sealed class ScoreKernelWriter : CapabilityWriter
{
    private const string Span = "global::System.ReadOnlySpan<double>";
    private const string Vector = "global::System.Numerics.Vector<double>";
    private const string Cast = "global::System.Runtime.InteropServices.MemoryMarshal.Cast";

    private readonly DensitySpec density;

    public ScoreKernelWriter(DistributionSpec spec, SourceWriter writer, DensitySpec density)
        : base(spec, writer)
    {
        this.density = density;
    }

    /// <summary>Whether any score of <paramref name="density"/> has a loop (else there is nothing to write).</summary>
    public static bool Applies(DensitySpec density) => density.Scores.Any(score => score.Kernel is not null);

    public override IEnumerable<string> Interfaces => new[] { $"{Runtime}.IScoreKernel" };

    /// <summary>The parameters (by index) whose score has a loop, with it.</summary>
    private IEnumerable<(int Parameter, ScoreSpec Score, ScalarKernel Kernel)> Kernels
    {
        get
        {
            for (int p = 0; p < density.Scores.Count; p++)
            {
                if (density.Scores[p].Kernel is { } kernel)
                {
                    yield return (p, density.Scores[p], kernel);
                }
            }
        }
    }

    public override void Write()
    {
        w.Line();
        w.Lines($$"""
            /// <summary>
            /// The score of one parameter for every sample in one pass over CPU float64 samples, times a weight per sample:
            /// the formulas of <see cref="Score(global::TorchSharp.torch.Tensor)"/>, with their parameter-only parts (h0, h1, …) computed once per coordinate.
            /// </summary>
            {{GeneratedCode}}
            public bool ScoreKernel(int parameter, {{Span}} z, {{Span}} weight, global::System.Span<double> destination)
            {
                switch (parameter)
                {
                    {{Kernels.SelectMany(k => Case(k.Parameter, k.Score))}}
                    default:
                        return false;
                }
            }
            """);
        foreach ((int p, ScoreSpec score, ScalarKernel kernel) in Kernels)
        {
            string parts = string.Join(", ", kernel.Hoisted.Select((code, h) => kernel.HoistedIsTensor[h] ? code : $"{Runtime}.Shapes.Constant({code}, {Like})"));
            w.Line();
            w.Lines($$"""
                /// <summary>The parameter-only parts of ∂/∂{{score.Parameter}}, per coordinate: {{string.Join(", ", kernel.Hoisted.Select((_, h) => ScalarKernelWriter.HoistedLocal(h)))}}.</summary>
                {{GeneratedCode}}
                private static {{Runtime}}.KernelValues ScoreParts{{p}}({{ParameterArguments}})
                {
                    using (global::TorchSharp.torch.no_grad())
                    {
                        return new {{Runtime}}.KernelValues({{Runtime}}.Shapes.Broadcast({{ParameterList}}){{(kernel.Hoisted.Count == 0 ? "" : ", " + parts)}});
                    }
                }
                """);
        }
        foreach ((int p, _, ScalarKernel kernel) in Kernels)
        {
            w.Line();
            // Full optimisation from the first call: a loop left to tiered compilation runs unoptimised for its first calls.
            // After the one-coordinate fast path, row by row (sample by sample), in memory order; each coordinate's parts
            // come from small cached arrays.
            w.Lines($$"""
                {{GeneratedCode}}
                [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
                private static void ScoreLoop{{p}}({{Span}} z, {{Span}} weight, global::System.Span<double> destination, {{Runtime}}.KernelValues values)
                {
                    {{kernel.Hoisted.Select((_, h) => $"{Span} v{Invariant(h)} = values[{Invariant(h)}];")}}
                    int coordinates = values.Coordinates;
                    {{ContiguousLoop(kernel)}}
                    for (int s = 0, row = 0; s < weight.Length; s++, row += coordinates)
                    {
                        double ws = weight[s];
                        int j = 0;
                        {{RowVectorLoop(kernel)}}
                        for (; j < coordinates; j++)
                        {
                            {{HoistedScalars(kernel, "j")}}
                            double zi = z[row + j];
                            destination[row + j] = ws * ({{kernel.Code}});
                        }
                    }
                }
                """);
        }
    }

    private IEnumerable<string> Case(int p, ScoreSpec score) => Template($$"""
        case {{p}}: // ∂/∂{{score.Parameter}} = {{score.Score.Printed}}
        {
            using {{Runtime}}.KernelValues values = ScoreParts{{p}}({{string.Join(", ", Parameters.Select(q => "this." + q.PropertyName))}});
            ScoreLoop{{p}}(z, weight, destination, values);
            return true;
        }
        """);

    /// <summary>One coordinate (scalar parameters): the samples are contiguous, so a vector of them at a time.</summary>
    private IEnumerable<string> ContiguousLoop(ScalarKernel kernel)
    {
        if (kernel.VectorCode is not { } vectorCode)
        {
            return NoLines;
        }
        return Template($$"""
            if (coordinates == 1)
            {
                {{kernel.Hoisted.Select((_, h) => $"var {ScalarKernelWriter.HoistedLocal(h, vector: true)} = new {Vector}(v{Invariant(h)}[0]);")}}
                global::System.ReadOnlySpan<{{Vector}}> zv = {{Cast}}<double, {{Vector}}>(z);
                global::System.ReadOnlySpan<{{Vector}}> wv = {{Cast}}<double, {{Vector}}>(weight);
                global::System.Span<{{Vector}}> dv = {{Cast}}<double, {{Vector}}>(destination);
                for (int b = 0; b < zv.Length; b++)
                {
                    {{Vector}} zi = zv[b];
                    dv[b] = wv[b] * ({{vectorCode}});
                }
                {{HoistedScalars(kernel, "0")}}
                for (int i = zv.Length * {{Vector}}.Count; i < z.Length; i++)
                {
                    double zi = z[i];
                    destination[i] = weight[i] * ({{kernel.Code}});
                }
                return;
            }
            """);
    }

    /// <summary>Several coordinates: a vector of coordinates at a time within each sample's row, while a whole vector fits.</summary>
    private IEnumerable<string> RowVectorLoop(ScalarKernel kernel)
    {
        if (kernel.VectorCode is not { } vectorCode)
        {
            return NoLines;
        }
        return Template($$"""
            for (; j <= coordinates - {{Vector}}.Count; j += {{Vector}}.Count)
            {
                {{kernel.Hoisted.Select((_, h) => $"var {ScalarKernelWriter.HoistedLocal(h, vector: true)} = new {Vector}(v{Invariant(h)}.Slice(j));")}}
                var zi = new {{Vector}}(z.Slice(row + j));
                (new {{Vector}}(ws) * ({{vectorCode}})).CopyTo(destination.Slice(row + j));
            }
            """);
    }

    /// <summary><c>double h0 = v0[index], h1 = v1[index];</c> (no line when nothing is hoisted).</summary>
    private static IEnumerable<string> HoistedScalars(ScalarKernel kernel, string index)
        => kernel.Hoisted.Count == 0
            ? NoLines
            : new[] { $"double {string.Join(", ", kernel.Hoisted.Select((_, h) => $"{ScalarKernelWriter.HoistedLocal(h)} = v{Invariant(h)}[{index}]"))};" };
}
