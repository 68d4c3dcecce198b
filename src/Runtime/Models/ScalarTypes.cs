using TorchSharp;

namespace StochasticBackprop.Models;

internal static class ScalarTypes
{
    /// <summary>Whether a dtype is floating point (log-probabilities and costs must be).</summary>
    public static bool IsFloatingPoint(this torch.ScalarType type)
        => type is torch.ScalarType.Float16 or torch.ScalarType.BFloat16 or torch.ScalarType.Float32 or torch.ScalarType.Float64;
}
