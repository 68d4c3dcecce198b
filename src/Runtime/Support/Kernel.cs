using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>
/// Scalar helpers of the one-pass loops the generator writes (<see cref="IScoreKernel"/>): the functions of the
/// formula language that <see cref="Math"/> lacks or computes inaccurately.
/// For generated code: public so that the code the generator writes can call it, hidden from IntelliSense.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Kernel
{
    /// <summary>x².</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Square(double x) => x * x;

    /// <summary>x², elementwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static System.Numerics.Vector<double> Square(System.Numerics.Vector<double> x) => x * x;

    /// <summary>log(1 + x), accurate for small x (Goldberg's correction of the rounded 1 + x).</summary>
    public static double Log1p(double x)
    {
        double u = 1.0 + x;
        return u == 1.0 ? x : Math.Log(u) * (x / (u - 1.0));
    }

    /// <summary>1/(1 + e^(−x)), without overflow for either sign.</summary>
    public static double Sigmoid(double x)
    {
        if (x >= 0)
        {
            return 1.0 / (1.0 + Math.Exp(-x));
        }
        double e = Math.Exp(x);
        return e / (1.0 + e);
    }

    /// <summary>log(1 + e^x) = max(x, 0) + log(1 + e^(−|x|)), without overflow.</summary>
    public static double Softplus(double x) => Math.Max(x, 0.0) + Log1p(Math.Exp(-Math.Abs(x)));

    /// <summary>The float64 elements of a contiguous CPU float64 tensor, as a span over its buffer.</summary>
    internal static Span<double> Doubles(Tensor tensor) => MemoryMarshal.Cast<byte, double>(tensor.bytes);

    /// <summary>Whether <paramref name="tensor"/> is a contiguous float64 tensor on the CPU, so <see cref="Doubles"/> applies.</summary>
    internal static bool IsCpuDouble(Tensor tensor) =>
        tensor.dtype == ScalarType.Float64 && tensor.device_type == DeviceType.CPU && tensor.is_contiguous();
}

/// <summary>
/// The parameter-only parts of a generated loop, each broadcast to the batch shape and held as a contiguous
/// CPU float64 buffer for the loop to read coordinate by coordinate.
/// For generated code: public so that the code the generator writes can call it, hidden from IntelliSense.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class KernelValues : IDisposable
{
    private readonly Tensor[] parts;

    /// <summary>Holds <paramref name="values"/>, each broadcastable to <paramref name="batchShape"/>.</summary>
    public KernelValues(long[] batchShape, params Tensor[] values)
    {
        ArgumentNullException.ThrowIfNull(batchShape);
        ArgumentNullException.ThrowIfNull(values);
        long coordinates = 1;
        foreach (long size in batchShape)
        {
            coordinates *= size;
        }
        Coordinates = checked((int)coordinates);
        parts = new Tensor[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            parts[i] = Shapes.ToBatch(values[i].detach(), batchShape).to(ScalarType.Float64, torch.CPU).contiguous();
        }
    }

    /// <summary>The number of coordinates of the batch shape.</summary>
    public int Coordinates { get; }

    /// <summary>Part <paramref name="index"/>, one value per coordinate.</summary>
    public ReadOnlySpan<double> this[int index] => Kernel.Doubles(parts[index]);

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (Tensor part in parts)
        {
            part.Dispose();
        }
    }
}
