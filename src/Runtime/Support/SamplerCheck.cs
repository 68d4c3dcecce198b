using System;
using System.ComponentModel;
using System.Globalization;
using System.Linq;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>
/// Checks the samples a user-written sampler (<c>Draw</c>) returns before any estimator uses them; called by generated
/// code. A wrong shape, dtype or device, or a NaN or infinite sample, is an exception naming the distribution and
/// what it returned, never a silently wrong estimate.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class SamplerCheck
{
    /// <summary>
    /// <paramref name="samples"/>, detached, when it has shape <c>[S, ...BatchShape]</c>, the dtype and device of
    /// <paramref name="like"/> (the first parameter) and only finite values.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sampleCount"/> is below 1.</exception>
    /// <exception cref="InvalidOperationException">The samples are null, of another shape, dtype or device, or not all finite.</exception>
    public static Tensor Checked(string distribution, Tensor? samples, long sampleCount, long[] batchShape, Tensor like)
    {
        ArgumentNullException.ThrowIfNull(like);
        long[] expected = Shapes.Sampled(sampleCount, batchShape);
        string call = string.Create(CultureInfo.InvariantCulture, $"{distribution}.Draw({sampleCount}, …)");
        if (samples is null)
        {
            throw new InvalidOperationException($"{call} returned null; it must return the samples, shape {Shape(expected)} ([S, ...BatchShape]).");
        }
        if (!samples.shape.SequenceEqual(expected))
        {
            throw new InvalidOperationException($"{call} returned a tensor of shape {Shape(samples.shape)}; samples have shape [S, ...BatchShape] = {Shape(expected)}.");
        }
        if (samples.dtype != like.dtype)
        {
            throw new InvalidOperationException($"{call} returned {samples.dtype} samples; the parameters are {like.dtype}, and the samples must be too.");
        }
        if (samples.device.type != like.device.type || samples.device.index != like.device.index)
        {
            throw new InvalidOperationException($"{call} returned samples on {samples.device}; the parameters are on {like.device}, and the samples must be too.");
        }
        using (no_grad())
        {
            using Tensor finite = samples.isfinite();
            using Tensor allFinite = finite.all();
            if (!allFinite.item<bool>())
            {
                using Tensor notFinite = finite.logical_not();
                using Tensor count = notFinite.sum();
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"{call} returned {count.item<long>()} NaN or infinite samples of {samples.numel()}; a sampler returns finite values."));
            }
        }
        return samples.detach();
    }

    private static string Shape(long[] shape) => "[" + string.Join(", ", shape.Select(size => size.ToString(CultureInfo.InvariantCulture))) + "]";
}
