using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>
/// Which parameters an estimator computes gradients for. A parameter that does not require grad gets
/// none (its per-sample gradient is a zero that costs nothing) as long as another parameter does; when no
/// parameter requires grad, the caller wants the numbers themselves (variance studies, tables), and every
/// parameter's gradient is computed.
/// For the runtime's estimators, not for user code: hidden from IntelliSense.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Wanted
{
    /// <summary>One flag per parameter of <paramref name="distribution"/>, by the rule above.</summary>
    public static bool[] Of(IDistribution distribution)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        IReadOnlyList<Tensor> parameters = distribution.Parameters;
        bool[] flags = parameters.Select(p => p.requires_grad).ToArray();
        return flags.Any(f => f) ? flags : All(flags.Length);
    }

    /// <summary><paramref name="count"/> true flags.</summary>
    public static bool[] All(int count) => Enumerable.Repeat(true, count).ToArray();

    /// <summary>The tensors of a fully wanted result, with the nulls ruled out (generated <c>Score(z)</c> forwards through this).</summary>
    public static IReadOnlyList<Tensor> Required(IReadOnlyList<Tensor?> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        return tensors.Select((t, p) => t ?? throw new InvalidOperationException($"Parameter {p}'s tensor was not computed.")).ToArray();
    }

    /// <summary>
    /// The per-sample gradient of a parameter that was not computed: zero, of shape <c>[S, ...parameter shape]</c> (what the
    /// reduction to the parameter leaves unchanged, whatever the batch and event axes), as a broadcast view.
    /// </summary>
    internal static Tensor For(IDistribution distribution, int parameter, long sampleCount, Tensor like) =>
        Zero(Shapes.Sampled(sampleCount, distribution.Parameters[parameter].shape), like);

    /// <summary>A zero per-sample gradient of <paramref name="shape"/>, as a broadcast view of one element (no buffer of that shape).</summary>
    internal static Tensor Zero(long[] shape, Tensor like) =>
        torch.zeros(Array.Empty<long>(), dtype: like.dtype, device: like.device).expand(shape);
}
