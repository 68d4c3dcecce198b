using System;
using System.ComponentModel;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>
/// Shape arithmetic shared by generated distributions and the estimators: batch shapes from
/// broadcasting parameters, sampled shapes with a leading sample axis, and the reduction of a
/// per-sample gradient back to a parameter's own shape.
/// For generated code: public so that the code the generator writes can call it, hidden from IntelliSense.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Shapes
{
    /// <summary>The broadcast shape of the parameters (NumPy rules), e.g. <c>[3]</c> for a <c>[3]</c> mean and a scalar scale.</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast; the message shows them.</exception>
    public static long[] Broadcast(params Tensor[] parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return BroadcastShapes(parameters.Select(p => p.shape).ToArray());
    }

    /// <summary>The broadcast shape of the given shapes (NumPy rules).</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static long[] BroadcastShapes(params long[][] shapes)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        int rank = shapes.Length == 0 ? 0 : shapes.Max(s => s.Length);
        var result = Enumerable.Repeat(1L, rank).ToArray();
        foreach (long[] shape in shapes)
        {
            for (int i = 0; i < shape.Length; i++)
            {
                int axis = rank - shape.Length + i;
                long size = shape[i];
                if (size == result[axis] || size == 1)
                {
                    continue;
                }
                if (result[axis] != 1)
                {
                    throw new ArgumentException("Shapes " + string.Join(", ", shapes.Select(Format)) + " do not broadcast.", nameof(shapes));
                }
                result[axis] = size;
            }
        }
        return result;
    }

    /// <summary>The shape of <paramref name="sampleCount"/> draws: <c>[S, ...batchShape]</c>.</summary>
    public static long[] Sampled(long sampleCount, long[] batchShape)
    {
        ArgumentNullException.ThrowIfNull(batchShape);
        if (sampleCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(sampleCount), sampleCount, "The sample count must be at least 1.");
        }
        var shape = new long[batchShape.Length + 1];
        shape[0] = sampleCount;
        Array.Copy(batchShape, 0, shape, 1, batchShape.Length);
        RequireFits(sampleCount, shape);
        return shape;
    }

    /// <summary>
    /// How many float64 tensors of the sampled shape an estimator is taken to hold at once (samples, noise, values
    /// of f, the per-sample gradients and their temporaries): the factor of the memory estimate below.
    /// </summary>
    public const int WorkingTensors = 8;

    /// <summary>Below this estimate (256 MB) no memory figure is read: every ordinary sample count passes without a system call.</summary>
    private const long UncheckedBytes = 1L << 28;

    /// <summary>
    /// Refuses a sample count whose tensors would not fit, before anything is allocated: libtorch's allocator
    /// answers an impossible request with a raw error, and beyond that with a segmentation fault inside libc10
    /// (2³⁰ Bernoulli draws), neither of which a caller can handle. The estimate is
    /// <see cref="WorkingTensors"/> float64 tensors of <paramref name="shape"/>, against the memory the system
    /// reports available (Linux's MemAvailable; elsewhere the runtime's total available memory).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The estimate exceeds the available memory; the message names the count and the bytes.</exception>
    private static void RequireFits(long sampleCount, long[] shape)
    {
        long bytes = EstimatedBytes(shape);
        if (bytes < UncheckedBytes)
        {
            return;
        }
        long available = AvailableMemoryBytes();
        if (bytes > available)
        {
            string needed = bytes == long.MaxValue ? "more than 9.2e18" : bytes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
            throw new ArgumentOutOfRangeException(nameof(sampleCount), sampleCount,
                $"The sample count {sampleCount} does not fit in memory: {WorkingTensors} float64 tensors of shape {Format(shape)} need about {needed} bytes, "
                + $"and {available.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} bytes are available. Use fewer samples per call (and average several calls).");
        }
    }

    /// <summary><see cref="WorkingTensors"/> × 8 bytes × the elements of <paramref name="shape"/>, or <see cref="long.MaxValue"/> on overflow.</summary>
    internal static long EstimatedBytes(long[] shape)
    {
        try
        {
            long elements = 1;
            foreach (long size in shape)
            {
                elements = checked(elements * Math.Max(size, 0));
            }
            return checked(elements * sizeof(double) * WorkingTensors);
        }
        catch (OverflowException)
        {
            return long.MaxValue;
        }
    }

    /// <summary>The memory available to a new allocation, in bytes: the smaller of Linux's MemAvailable and the runtime's limit (a container's).</summary>
    internal static long AvailableMemoryBytes()
    {
        long limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        try
        {
            foreach (string line in System.IO.File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return Math.Min(limit, long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) * 1024);
                }
            }
        }
        catch (Exception exception) when (exception is System.IO.IOException or UnauthorizedAccessException or FormatException)
        {
        }
        return limit;
    }

    /// <summary>
    /// A 0-dimensional tensor holding <paramref name="value"/>, with the dtype and device of <paramref name="like"/>:
    /// a constant that broadcasts against any shape without filling one (a constant Jacobian such as ∂z/∂μ = 1).
    /// </summary>
    public static Tensor Constant(double value, Tensor like)
    {
        ArgumentNullException.ThrowIfNull(like);
        using Scalar fill = value.ToScalar(); // held for the call: see Scalars
        return torch.full(Array.Empty<long>(), fill, dtype: like.dtype, device: like.device);
    }

    /// <summary>A tensor of <paramref name="shape"/> filled with <paramref name="value"/>, with the dtype and device of <paramref name="like"/>.</summary>
    public static Tensor Full(long[] shape, double value, Tensor like)
    {
        ArgumentNullException.ThrowIfNull(like);
        using Scalar fill = value.ToScalar(); // held for the call: see Scalars
        return torch.full(shape, fill, dtype: like.dtype, device: like.device);
    }

    /// <summary>
    /// <paramref name="value"/> broadcast (as a view, without copying) to <paramref name="batchShape"/>;
    /// gradients flowing back through it are summed over the broadcast axes by autograd.
    /// </summary>
    /// <exception cref="ArgumentException">The value's shape does not broadcast to the batch shape.</exception>
    public static Tensor ToBatch(Tensor value, long[] batchShape)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(batchShape);
        if (!BroadcastsTo(value.shape, batchShape))
        {
            throw new ArgumentException("A tensor of shape " + Format(value.shape) + " does not broadcast to " + Format(batchShape) + ".", nameof(value));
        }
        return value.shape.SequenceEqual(batchShape) ? value : value.expand(batchShape);
    }

    /// <summary>
    /// Reduces a per-sample tensor <c>[S, ...batchShape]</c> to <c>[S, ...parameterShape]</c> by
    /// summing over the axes along which the parameter was broadcast (the chain rule for broadcasting).
    /// </summary>
    /// <exception cref="ArgumentException">The parameter shape does not broadcast to the per-sample tensor's batch shape.</exception>
    public static Tensor ReduceToParameter(Tensor perSample, long[] parameterShape)
    {
        ArgumentNullException.ThrowIfNull(perSample);
        ArgumentNullException.ThrowIfNull(parameterShape);
        long[] batchShape = perSample.shape.Skip(1).ToArray();
        if (!BroadcastsTo(parameterShape, batchShape))
        {
            throw new ArgumentException("A parameter of shape " + Format(parameterShape) + " does not broadcast to the batch shape " + Format(batchShape) + ".", nameof(parameterShape));
        }
        int extra = batchShape.Length - parameterShape.Length;
        Tensor reduced = perSample;
        if (extra > 0)
        {
            reduced = reduced.sum(Enumerable.Range(1, extra).Select(a => (long)a).ToArray());
        }
        var keptAxes = new List<long>();
        for (int i = 0; i < parameterShape.Length; i++)
        {
            if (parameterShape[i] == 1 && batchShape[extra + i] != 1)
            {
                keptAxes.Add(i + 1);
            }
        }
        if (keptAxes.Count > 0)
        {
            reduced = reduced.sum(keptAxes.ToArray(), keepdim: true);
        }
        return reduced;
    }

    /// <summary>Formats a shape as <c>[2, 3]</c>.</summary>
    internal static string Format(long[] shape) => "[" + string.Join(", ", shape) + "]";

    private static bool BroadcastsTo(long[] shape, long[] target)
    {
        if (shape.Length > target.Length)
        {
            return false;
        }
        int offset = target.Length - shape.Length;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] != 1 && shape[i] != target[offset + i])
            {
                return false;
            }
        }
        return true;
    }
}
