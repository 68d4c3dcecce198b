using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Generator.Model;
using static StochasticBackprop.Generator.Emit.EmitText;

namespace StochasticBackprop.Generator.Emit;

/// <summary>
/// One capability's part of a generated distribution class: the interfaces it adds to the class's base list and the
/// members that implement them. <see cref="DistributionEmitter"/> picks the writers that apply to a declaration and
/// runs them in a fixed order; each writes its members into the class body, starting with a blank line (except
/// the first, <see cref="ConstructionWriter"/>).
/// </summary>
internal abstract class CapabilityWriter
{
    protected readonly DistributionSpec spec;
    protected readonly SourceWriter w;

    protected CapabilityWriter(DistributionSpec spec, SourceWriter writer)
    {
        this.spec = spec;
        w = writer;
        Name = StripTypeParameters(spec.Type.ClassName);
        DisplayName = Name.TrimStart('@');
    }

    /// <summary>The capability interfaces (fully qualified) the members implement, in base-list order.</summary>
    public virtual IEnumerable<string> Interfaces => Enumerable.Empty<string>();

    /// <summary>Writes the members.</summary>
    public abstract void Write();

    /// <summary>The class name as a constructor writes it (no type parameters; a keyword keeps its '@').</summary>
    protected string Name { get; }

    /// <summary>The class name as users read it (<see cref="Name"/> without a keyword's '@').</summary>
    protected string DisplayName { get; }

    protected IReadOnlyList<ParameterSpec> Parameters => spec.Parameters;

    /// <summary>The tensor a constant is filled like (dtype and device): the first parameter's local.</summary>
    protected string Like => spec.Parameters.Count > 0 ? spec.Parameters[0].LocalName : "null";

    /// <summary><c>a, b</c>: the parameters' locals.</summary>
    protected string ParameterList => string.Join(", ", Parameters.Select(p => p.LocalName));

    /// <summary><c>Tensor a, Tensor b</c>: the parameters as a method's arguments.</summary>
    protected string ParameterArguments => string.Join(", ", Parameters.Select(p => $"{Tensor} {p.LocalName}"));

    /// <summary><c>Tensor a = this.A, b = this.B;</c></summary>
    protected string ParameterLocals => $"{Tensor} {string.Join(", ", Parameters.Select(p => $"{p.LocalName} = this.{p.PropertyName}"))};";

    /// <summary><c>Tensor a = this.A.detach(), b = this.B.detach();</c></summary>
    protected string DetachedParameterLocals => $"{Tensor} {string.Join(", ", Parameters.Select(p => $"{p.LocalName} = this.{p.PropertyName}.detach()"))};";

    /// <summary><c>Tensor a = parameters[0], b = parameters[1];</c></summary>
    protected string ParameterLocalsFromList => $"{Tensor} {string.Join(", ", Parameters.Select((p, i) => $"{p.LocalName} = parameters[{Invariant(i)}]"))};";

    /// <summary>C# that evaluates a derived formula to a tensor of the given shape (a constant is filled in).</summary>
    protected string ToShape(DerivedFormula formula, string shape, string? like = null)
        => formula.IsTensor
            ? $"{Runtime}.Shapes.ToBatch({formula.Code}, {shape})"
            : $"{Runtime}.Shapes.Full({shape}, {formula.Code}, {like ?? Like})";
}
