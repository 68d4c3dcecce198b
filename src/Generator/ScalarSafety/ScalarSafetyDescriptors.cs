using Microsoft.CodeAnalysis;

namespace StochasticBackprop.Generator.ScalarSafety;

/// <summary>
/// The diagnostics of <see cref="ScalarSafetyAnalyzer"/>. IDs are stable: never renumber, only add.
/// Each message names the unsafe form and the safe one; the code fix in StochasticBackprop.CodeFixes
/// rewrites the forms it can.
/// </summary>
internal static class ScalarSafetyDescriptors
{
    private const string Category = "StochasticBackprop.ScalarSafety";

    private const string Why =
        "TorchSharp 0.107 hands the native handle of a finalizable TorchSharp.Scalar to libtorch without keeping the wrapper alive " +
        "(dotnet/TorchSharp pull requests #1434 and #1496): a garbage collection at that moment frees the value while libtorch reads it, " +
        "and the process aborts ('toDouble at c10/core/Scalar.h', 'Unknown scalar type') or computes with a freed value. ";

    /// <summary>Property key under which the analyzer tells the code fix what the safe form is.</summary>
    public const string FixKey = "SbsFix";

    public static readonly DiagnosticDescriptor NumberToTemporaryScalar = new(
        id: "SBS001",
        title: "Number converted to a temporary Scalar",
        messageFormat: "{0} becomes a temporary TorchSharp Scalar that a garbage collection can free while libtorch reads it; {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Why +
            "A number next to a tensor (t * 2.0, t.pow(2), t.clamp(min: 0.0), torch.full(shape, v), t > 0) or value.ToScalar() passed inline makes such a temporary. " +
            "For a constant write StochasticBackprop.Scalars.Of(c), a Scalar cached for the life of the process; for a value computed at run time hold it in " +
            "a local for the whole call: using Scalar s = value.ToScalar();.");

    public static readonly DiagnosticDescriptor HiddenAlpha = new(
        id: "SBS002",
        title: "Tensor addition with a hidden temporary alpha",
        messageFormat: "{0} passes a temporary alpha = 1 Scalar to libtorch; {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Why +
            "TorchSharp's operator + (tensor + tensor, tensor + Scalar, number + tensor), Tensor.add(x), add_(x), torch.add(a, b), addcdiv(a, b), and " +
            "number - tensor (negative().add(number)) call the overload with an alpha and pass it the number 1 as a temporary Scalar, even when every " +
            "operand is safe. Pass the alpha yourself: a.add(b, Scalars.One); write number - t as -(t - Scalars.Of(number)). Tensor - tensor and " +
            "tensor - Scalar have no alpha and are safe.");

    public static readonly DiagnosticDescriptor MemberMakesTemporaryScalar = new(
        id: "SBS003",
        title: "TorchSharp member makes a temporary Scalar internally",
        messageFormat: "{0} makes a temporary TorchSharp Scalar internally; {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Why +
            "Some TorchSharp members convert a number to a Scalar inside their own body, so no care at the call site helps: Tensor.square() (pow(2)), " +
            "softplus (beta, threshold), elu/celu/leaky_relu/hardtanh/threshold/hardshrink/softshrink/mish/softsign, Tensor.ToDouble() and the other " +
            "To<Number>() and explicit casts (through ToScalar()), tolist(), arange(stop), normal(mean, std, size), vector_norm/matrix_norm with a " +
            "numeric ord, printing a tensor's values, and TorchSharp's optimizers (torch.optim) and distributions (torch.distributions). " +
            "Safe forms: t.pow(Scalars.Of(2)) or t * t, -torch.nn.functional.logsigmoid(-x) for softplus(x), t.item<double>() on a float64 tensor, " +
            "and optimizer updates and log densities written with tensor operations and Scalars.Of constants.");
}
