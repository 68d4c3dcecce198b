using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Generator.Model;
using static StochasticBackprop.Generator.Emit.EmitText;

namespace StochasticBackprop.Generator.Emit;

/// <summary>
/// The cumulants the generator derived from the characteristic function, with their gradients: ordinary κn
/// (<c>ICumulantDistribution</c>, φ expanded in s = i·w) or factorial ζn (<c>IFactorialCumulantDistribution</c>, in
/// t = e^{iw} − 1, on the integers). Both families have the same members under their own names.
/// </summary>
internal sealed class CumulantWriter : CapabilityWriter
{
    private readonly CumulantSpec cumulants;
    private readonly Family names;

    private CumulantWriter(DistributionSpec spec, SourceWriter writer, CumulantSpec cumulants, Family names)
        : base(spec, writer)
    {
        this.cumulants = cumulants;
        this.names = names;
    }

    /// <summary>κn: <c>Cumulant(order)</c>, <c>CumulantGradient(order)</c>, ….</summary>
    public static CumulantWriter Ordinary(DistributionSpec spec, SourceWriter writer, CumulantSpec cumulants)
        => new(spec, writer, cumulants, Family.Ordinary);

    /// <summary>ζn: <c>FactorialCumulant(order)</c>, <c>FactorialCumulantGradient(order)</c>, ….</summary>
    public static CumulantWriter Factorial(DistributionSpec spec, SourceWriter writer, CumulantSpec cumulants)
        => new(spec, writer, cumulants, Family.Factorial);

    public override IEnumerable<string> Interfaces => new[] { $"{Runtime}.{names.Interface}" };

    public override void Write()
    {
        int order = spec.CumulantOrder;
        string k = names.Symbol;
        var present = cumulants.Terms.Where(t => !t.Cumulant.IsZero).ToList();
        var vanishing = cumulants.Terms.Where(t => t.Cumulant.IsZero).Select(t => t.Order).ToList();
        string zero = $"{Runtime}.Shapes.Full(this.BatchShape, 0.0, {Like})";

        w.Line();
        w.Lines($$"""
            // {{(cumulants.DeclaredAsLog ? "log φ(w)" : "φ(w)")}} = {{cumulants.Declared}}
            // {{names.Description}} (derived by the generator):
            {{present.Select(t => $"//   {k}{Invariant(t.Order)} = {t.Cumulant.Printed}")}}
            {{(vanishing.Count > 0 ? new[] { $"//   {k}n = 0 for n = {OrderList(vanishing)}" } : NoLines)}}

            /// <inheritdoc/>
            {{GeneratedCode}}
            public int FourierOrder => {{spec.FourierOrder}};

            /// <inheritdoc/>
            {{GeneratedCode}}
            public int {{names.Order}} => {{order}};

            /// <inheritdoc/>
            {{GeneratedCode}}
            public bool {{names.Vanishes}}(int order)
            {
                {{names.Check}}(order);
                {{(vanishing.Count == 0 ? "return false;" : $"return {string.Join(" || ", Ranges(vanishing).Select(RangeTest))};")}}
            }

            /// <inheritdoc/>
            {{GeneratedCode}}
            public {{Tensor}} {{names.Value}}(int order)
            {
                {{names.Check}}(order);
                {{ParameterLocals}}
                switch (order)
                {
                    {{present.Select(t => $"case {Invariant(t.Order)}: return {ToShape(t.Cumulant, "this.BatchShape")}; // {k}{Invariant(t.Order)} = {t.Cumulant.Printed}")}}
                    default: return {{zero}}; // {{k}}n = 0
                }
            }

            /// <inheritdoc/>
            {{GeneratedCode}}
            public {{ListOfTensors}} {{names.Gradient}}(int order)
            {
                {{names.Check}}(order);
                {{ParameterLocals}}
                switch (order)
                {
                    {{present.SelectMany(GradientCase)}}
                    default:
                        return new[] { {{string.Join(", ", Parameters.Select(_ => zero))}} };
                }
            }

            {{GeneratedCode}}
            private static void {{names.Check}}(int order)
            {
                if (order < 1 || order > {{order}})
                {
                    throw new global::System.ArgumentOutOfRangeException(nameof(order), order, {{Quote($"{Name} has {names.Plural} of orders 1 to {Invariant(order)}.")}});
                }
            }
            """);
    }

    private IEnumerable<string> GradientCase(CumulantTermSpec term) => Template($$"""
        case {{term.Order}}:
            return new[]
            {
                {{Parameters.Select((p, i) => $"{ToShape(term.Gradient[i], "this.BatchShape")}, // ∂{names.Symbol}{Invariant(term.Order)}/∂{p.Name} = {term.Gradient[i].Printed}")}}
            };
        """);

    private static IEnumerable<(int From, int To)> Ranges(IReadOnlyList<int> orders)
    {
        int i = 0;
        while (i < orders.Count)
        {
            int from = orders[i];
            int to = from;
            while (i + 1 < orders.Count && orders[i + 1] == to + 1)
            {
                to = orders[++i];
            }
            yield return (from, to);
            i++;
        }
    }

    private static string RangeTest((int From, int To) range)
        => range.From == range.To ? $"order == {Invariant(range.From)}" : $"(order >= {Invariant(range.From)} && order <= {Invariant(range.To)})";

    private static string OrderList(IReadOnlyList<int> orders)
        => string.Join(", ", Ranges(orders).Select(r => r.From == r.To ? Invariant(r.From) : $"{Invariant(r.From)}..{Invariant(r.To)}"));

    /// <summary>The member names of one cumulant family: ordinary (κ, from s = i·w) or factorial (ζ, from t = e^{iw} − 1).</summary>
    private sealed record Family(string Symbol, string Plural, string Interface, string Order, string Vanishes, string Value, string Gradient, string Check, string Description)
    {
        public static readonly Family Ordinary = new("κ", "cumulants", "ICumulantDistribution", "CumulantOrder", "CumulantVanishes", "Cumulant", "CumulantGradient", "CheckCumulantOrder",
            "Cumulants κn from log φ expanded in s = i*w as Σ κn s^n/n!");

        public static readonly Family Factorial = new("ζ", "factorial cumulants", "IFactorialCumulantDistribution", "FactorialCumulantOrder", "FactorialCumulantVanishes", "FactorialCumulant", "FactorialCumulantGradient", "CheckFactorialCumulantOrder",
            "Factorial cumulants ζn from log φ expanded in t = exp(i*w) - 1 as Σ ζn t^n/n!");
    }
}
