using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using StochasticBackprop.Generator.Model;

namespace StochasticBackprop.Generator.Emit;

/// <summary>
/// The text every capability writer shares: the fully qualified type names the generated code uses, the
/// <c>[GeneratedCode]</c> attribute, and how names, formulas and numbers are quoted into C# and XML comments.
/// Writers import it with <c>using static</c>.
/// </summary>
internal static class EmitText
{
    public const string Tensor = "global::TorchSharp.torch.Tensor";

    /// <summary>TorchSharp's random generator (the sampling methods' optional argument).</summary>
    public const string TorchGenerator = "global::TorchSharp.torch.Generator";

    /// <summary>The runtime package's namespace.</summary>
    public const string Runtime = "global::StochasticBackprop";

    public const string ListOfTensors = "global::System.Collections.Generic.IReadOnlyList<" + Tensor + ">";

    public const string ListOfOptionalTensors = "global::System.Collections.Generic.IReadOnlyList<" + Tensor + "?>";

    public const string ListOfBools = "global::System.Collections.Generic.IReadOnlyList<bool>";

    public const string ListOfDoubles = "global::System.Collections.Generic.IReadOnlyList<double>";

    public static string GeneratorVersion { get; } = typeof(EmitText).Assembly.GetName().Version?.ToString() ?? "0.0.0.0";

    /// <summary>The attribute on every generated member.</summary>
    public static string GeneratedCode { get; } = $"[global::System.CodeDom.Compiler.GeneratedCode(\"StochasticBackprop.Generator\", \"{GeneratorVersion}\")]";

    /// <summary>A C# string literal.</summary>
    public static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\r", "\\r").Replace("\n", "\\n").Replace("\t", "\\t") + "\"";

    /// <summary>Text for an XML doc comment (a printed formula may hold &lt;, &gt; and &amp;).</summary>
    public static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>A C# double literal (round-trip exact).</summary>
    public static string Literal(double value) => Formulas.TensorCodeWriter.DoubleLiteral(value);

    /// <summary>A number as a comment shows it (round-trip, invariant culture).</summary>
    public static string Shown(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string DomainText(ParameterDomain domain) => domain switch
    {
        ParameterDomain.Simplex => "probabilities over the last axis",
        ParameterDomain.Positive => "positive",
        ParameterDomain.NonNegative => "non-negative",
        ParameterDomain.UnitInterval => "in [0, 1]",
        _ => "real",
    };

    /// <summary>A template's lines (see <see cref="TemplateHandler"/>), to fill a hole of an enclosing template.</summary>
    public static IEnumerable<string> Template(ref TemplateHandler template) => template.Lines();

    /// <summary>No lines: a hole given it removes its line.</summary>
    public static IEnumerable<string> NoLines => Enumerable.Empty<string>();

    /// <summary><c>Name&lt;T&gt;</c> → <c>Name</c> (a constructor's name).</summary>
    public static string StripTypeParameters(string name)
    {
        int angle = name.IndexOf('<');
        return angle < 0 ? name : name.Substring(0, angle);
    }
}
