using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Generator.Model;
using static StochasticBackprop.Generator.Emit.EmitText;

namespace StochasticBackprop.Generator.Emit;

/// <summary>
/// The constructor (each parameter checked against its domain, then stored), the parameter properties, and
/// <c>IDistribution</c>'s <c>Name</c>, <c>ParameterNames</c>, <c>Parameters</c> and <c>BatchShape</c>. Written for
/// every distribution, first.
/// </summary>
internal sealed class ConstructionWriter : CapabilityWriter
{
    public ConstructionWriter(DistributionSpec spec, SourceWriter writer)
        : base(spec, writer)
    {
    }

    public override void Write()
    {
        w.Lines($$"""
            private static readonly string[] ParameterNameList = { {{string.Join(", ", Parameters.Select(p => Quote(p.Name)))}} };

            /// <summary>Creates {{DisplayName}}({{string.Join(", ", Parameters.Select(p => p.Name))}}); the parameters broadcast against each other.</summary>
            {{Parameters.Select(p => $"/// <param name=\"{p.Name}\">Parameter <c>{p.Name}</c> ({DomainText(p.Domain)}); may require grad.</param>")}}
            {{ExceptionDoc()}}
            {{GeneratedCode}}
            public {{Name}}({{ParameterArguments}})
            {
                {{Checks()}}
                {{ConstraintChecks()}}
                {{Parameters.Select(p => $"this.{p.PropertyName} = {p.LocalName};")}}
                {{BatchShape()}}
            }
            """);

        foreach (ParameterSpec parameter in Parameters)
        {
            w.Line();
            w.Lines($$"""
                /// <summary>Parameter <c>{{parameter.Name}}</c> ({{DomainText(parameter.Domain)}}).</summary>
                {{GeneratedCode}}
                public {{Tensor}} {{parameter.PropertyName}} { get; }
                """);
        }

        w.Line();
        w.Lines($$"""
            /// <inheritdoc/>
            {{GeneratedCode}}
            public string Name => {{Quote(DisplayName)}};

            /// <inheritdoc/>
            {{GeneratedCode}}
            public global::System.Collections.Generic.IReadOnlyList<string> ParameterNames => ParameterNameList;

            /// <inheritdoc/>
            {{GeneratedCode}}
            public {{ListOfTensors}} Parameters => new[] { {{string.Join(", ", Parameters.Select(p => "this." + p.PropertyName))}} };

            /// <inheritdoc/>
            {{GeneratedCode}}
            public long[] BatchShape { get; }
            """);
    }

    /// <summary>The parameter checks, in declaration order: the event axis first (a Simplex check includes it), then the domain.</summary>
    private IEnumerable<string> Checks()
    {
        foreach (ParameterSpec parameter in Parameters)
        {
            if (parameter.EventRank == 1 && parameter.Domain != ParameterDomain.Simplex)
            {
                yield return $"{Runtime}.ParameterCheck.EventAxis({Quote(DisplayName)}, {Quote(parameter.Name)}, {parameter.LocalName});";
            }
            yield return $"{Runtime}.ParameterCheck.{parameter.Domain}({Quote(DisplayName)}, {Quote(parameter.Name)}, {parameter.LocalName});";
        }
    }

    private string ExceptionDoc() => spec.Constraints.Count == 0
        ? "/// <exception cref=\"global::System.ArgumentException\">A parameter is NaN, infinite or outside its domain.</exception>"
        : $"/// <exception cref=\"global::System.ArgumentException\">A parameter is NaN, infinite or outside its domain, or a constraint fails: {Escape(string.Join("; ", spec.Constraints.Select(c => $"{c.Text} {DomainText(c.Domain)}")))}.</exception>";

    /// <summary>The [Constraint]s, after every parameter's own check: each formula's value in its domain, elementwise.</summary>
    private IEnumerable<string> ConstraintChecks()
    {
        foreach (ConstraintSpec constraint in spec.Constraints)
        {
            string value = constraint.Value.IsTensor ? constraint.Value.Code : $"{Runtime}.Shapes.Constant({constraint.Value.Code}, {Like})";
            yield return $"{Runtime}.ParameterCheck.Condition({Quote(DisplayName)}, {Quote(constraint.Text)}, {Quote(constraint.Parameter)}, {value}, global::StochasticBackprop.ParameterDomain.{constraint.Domain});";
        }
    }

    private IEnumerable<string> BatchShape()
    {
        if (spec.Support is { Kind: SupportKind.Categories })
        {
            // The event axis holds the categories; samples are one category per batch element.
            yield return $"this.BatchShape = {Runtime}.Shapes.BroadcastShapes({string.Join(", ", Parameters.Select(p => p.EventRank == 1 ? p.LocalName + ".shape[..^1]" : p.LocalName + ".shape"))});";
            yield return $"this.SupportValues = {Runtime}.DiscreteSupport.CategoryValues({Quote(DisplayName)}, {string.Join(", ", Parameters.Where(p => p.EventRank == 1).Select(p => p.LocalName))});";
        }
        else
        {
            yield return $"this.BatchShape = {Runtime}.Shapes.Broadcast({ParameterList});";
        }
    }
}
