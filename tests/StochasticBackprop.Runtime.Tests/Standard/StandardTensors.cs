using System;
using System.Linq;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Standard;

/// <summary>Small helpers shared by the standard-distribution tests: float64 tensors in, doubles out, exact comparisons.</summary>
internal static class StandardTensors
{
    /// <summary>Relative tolerance for closed forms evaluated two ways in float64 (round-off only).</summary>
    public const double Exact = 1e-10;

    public static Tensor T(params double[] values) => torch.tensor(values, dtype: ScalarType.Float64);

    public static Tensor Grad(params double[] values) => torch.tensor(values, dtype: ScalarType.Float64, requires_grad: true);

    public static double[] Values(Tensor tensor) => tensor.detach().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();

    /// <summary>Whether <paramref name="actual"/> equals <paramref name="expected"/> entry by entry within <see cref="Exact"/> (relative, with an absolute floor of the same size).</summary>
    public static bool Close(double[] actual, double[] expected) =>
        actual.Length == expected.Length
        && actual.Zip(expected).All(pair => pair.First.Equals(pair.Second) || Math.Abs(pair.First - pair.Second) <= Exact * (1 + Math.Abs(pair.Second)));

    public static void AssertClose(double[] actual, double[] expected, string label) =>
        Assert.True(Close(actual, expected), $"{label}: got [{string.Join(", ", actual.Select(v => v.ToString("R")))}], expected [{string.Join(", ", expected.Select(v => v.ToString("R")))}]");
}
