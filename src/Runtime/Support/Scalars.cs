using System;
using System.Collections.Concurrent;
using TorchSharp;

namespace StochasticBackprop;

/// <summary>
/// TorchSharp <see cref="Scalar"/>s that stay alive: use them wherever a number meets a tensor.
/// </summary>
/// <remarks>
/// <para>
/// <b>Why this exists (do not "simplify" it away).</b> In TorchSharp 0.107, an operation with a number
/// operand (<c>t * 2.0</c>, <c>k - 1</c>, <c>2 / t</c>, <c>t.pow(2)</c>, <c>t.clamp(min: 0.0)</c>,
/// <c>torch.full(shape, value)</c>) converts the number into a <see cref="Scalar"/>: a finalizable
/// wrapper of a native <c>c10::Scalar</c>. TorchSharp passes the wrapper's native handle to libtorch
/// without <c>GC.KeepAlive</c>, so the temporary is unreachable as soon as its handle has been read. A
/// garbage collection at that moment lets the finalizer thread free the native scalar while libtorch is
/// about to read it; the process aborts with libtorch errors such as
/// <c>Expected false to be true ... toDouble at c10/core/Scalar.h</c> or <c>Unknown scalar type</c>
/// (or, worse, computes with a freed value). Upstream: dotnet/TorchSharp pull requests #1434 and #1496
/// (open, unmerged when this was written). Dispose scopes do not help: they track tensors, not Scalars.
/// </para>
/// <para>
/// Some TorchSharp members make such a temporary themselves, even when the caller passes no number:
/// <c>Tensor + Tensor</c> and <c>Tensor.add(x)</c> call <c>add(x, 1)</c> (the <c>alpha</c> is a temporary
/// Scalar); <c>number - Tensor</c> is <c>t.negative().add(number)</c>, so it has the same hidden
/// <c>alpha</c>; <c>Tensor.square()</c> is <c>pow(2)</c>; <c>Tensor.softplus</c> and
/// <c>nn.functional.softplus</c> convert <c>beta</c> and <c>threshold</c>; <c>Tensor.ToDouble()</c>
/// goes through <c>Tensor.ToScalar()</c>; so do TorchSharp's optimizers' <c>step()</c> and its
/// distributions. The safe forms:
/// </para>
/// <list type="table">
/// <listheader><term>instead of</term><description>write</description></listheader>
/// <item><term><c>t * 2.0</c>, <c>t.pow(2)</c>, <c>2 / t</c></term><description><c>t * Scalars.Of(2.0)</c>, <c>t.pow(Scalars.Of(2))</c>, <c>Scalars.Of(2) / t</c></description></item>
/// <item><term><c>a + b</c> (tensors)</term><description><c>a.add(b, Scalars.One)</c></description></item>
/// <item><term><c>t + 1</c></term><description><c>t.add(Scalars.Of(1), Scalars.One)</c></description></item>
/// <item><term><c>1 - t</c></term><description><c>-(t - Scalars.Of(1))</c> (exact: negation and rounding are symmetric)</description></item>
/// <item><term><c>t.square()</c></term><description><c>t.pow(Scalars.Of(2))</c> or <c>t * t</c></description></item>
/// <item><term><c>softplus(t)</c></term><description><c>-torch.nn.functional.logsigmoid(-t)</c> (as the generated code writes it)</description></item>
/// <item><term><c>t.ToDouble()</c></term><description><c>t.item&lt;double&gt;()</c></description></item>
/// <item><term><c>t * value</c> (a value computed at run time)</term><description><c>using Scalar s = value.ToScalar(); … t * s …</c> (a local held for the whole call), or a 0-dimensional tensor <c>torch.tensor(value, t.dtype)</c> made inside the dispose scope</description></item>
/// </list>
/// <para>
/// <b>Design.</b> <see cref="Of(double)"/> and <see cref="Of(long)"/> cache one Scalar per distinct value
/// for the life of the process and never dispose it, so a cached Scalar is always reachable from a static
/// field. That suits constants, whose set in a program is finite (the literals in its code and the
/// generated code). Do not pass values computed at run time (a learning rate, a sample statistic): the
/// cache would grow with every new value; hold those in a local as shown above. <see cref="Of(long)"/>
/// gives an integer Scalar, which keeps an integer tensor's dtype (<c>k + 1</c> on an <c>int64</c> tensor)
/// and, like a C# <c>int</c> literal, keeps a floating tensor's dtype too; <see cref="Of(double)"/> gives a
/// <c>float64</c> Scalar, which turns an integer tensor floating. Both are thread-safe.
/// </para>
/// </remarks>
public static class Scalars
{
    // Keyed by the bit pattern, so 0.0 and -0.0 (equal as doubles) stay distinct.
    private static readonly ConcurrentDictionary<long, Scalar> Floating = new();
    private static readonly ConcurrentDictionary<long, Scalar> Integral = new();

    /// <summary>The integer Scalar 1: the <c>alpha</c> to pass to <c>Tensor.add(other, alpha)</c> instead of writing <c>a + b</c>.</summary>
    public static Scalar One { get; } = Of(1L);

    /// <summary>The <c>float64</c> Scalar <paramref name="value"/>, cached and kept alive for the life of the process.</summary>
    /// <param name="value">A constant (a literal or a value fixed by the code); not a value computed at run time.</param>
    public static Scalar Of(double value) =>
        Floating.GetOrAdd(BitConverter.DoubleToInt64Bits(value), static (_, v) => v.ToScalar(), value);

    /// <summary>The <c>int64</c> Scalar <paramref name="value"/>, cached and kept alive for the life of the process.</summary>
    /// <param name="value">A constant (a literal or a value fixed by the code); not a value computed at run time.</param>
    public static Scalar Of(long value) =>
        Integral.GetOrAdd(value, static v => v.ToScalar());
}
