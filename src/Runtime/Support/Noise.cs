using System;
using System.ComponentModel;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>
/// Parameter-free noise for pathwise samplers z = g(θ, ε), with the dtype and device of a
/// reference tensor. None of it requires grad; the gradient flows through g.
/// For generated code: public so that the code the generator writes can call it, hidden from IntelliSense.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Noise
{
    /// <summary>ε ~ N(0, 1), elementwise.</summary>
    /// <remarks>
    /// float64 on the CPU is drawn by the ziggurat method (<see cref="ZigguratNormal"/>) on a xoshiro256** stream
    /// whose seed is one draw from <paramref name="generator"/> (or the global generator), so the draws are as
    /// reproducible as libtorch's: libtorch's own float64 <c>randn</c> runs a scalar Box–Muller per element (its
    /// vectorised path is float32 only) and measured 4–6× slower than its float32 draw, about half of a pathwise
    /// estimate at 10⁵ samples. Other dtypes and devices use <c>randn</c>.
    /// </remarks>
    public static Tensor StandardNormal(long[] shape, Tensor like, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(like);
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (long size in shape)
        {
            count *= size;
        }
        if (like.dtype != ScalarType.Float64 || like.device_type != DeviceType.CPU || count > int.MaxValue / sizeof(double))
        {
            return torch.randn(shape, dtype: like.dtype, device: like.device, generator: generator);
        }
        Tensor normal = torch.empty(shape, dtype: ScalarType.Float64);
        ZigguratNormal.Fill(Kernel.Doubles(normal), Seed(generator));
        return normal;
    }

    /// <summary>One 63-bit draw from the generator, to seed a stream of the runtime's own.</summary>
    private static ulong Seed(Generator? generator)
    {
        using Tensor draw = torch.randint(long.MaxValue, new long[] { 1 }, dtype: ScalarType.Int64, generator: generator);
        return (ulong)draw.item<long>();
    }

    /// <summary>u ~ Uniform[0, 1), elementwise.</summary>
    public static Tensor StandardUniform(long[] shape, Tensor like, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(like);
        return torch.rand(shape, dtype: like.dtype, device: like.device, generator: generator);
    }

    /// <summary>ε ~ Exponential(1), elementwise, computed as −log(1 − u) so it is finite for every draw.</summary>
    public static Tensor StandardExponential(long[] shape, Tensor like, Generator? generator = null)
    {
        using Tensor uniform = StandardUniform(shape, like, generator);
        return uniform.neg().log1p_().neg_();
    }

    /// <summary>ε ~ Laplace(0, 1), elementwise, as the difference of two independent Exponential(1) draws.</summary>
    public static Tensor StandardLaplace(long[] shape, Tensor like, Generator? generator = null)
    {
        using Tensor first = StandardExponential(shape, like, generator);
        using Tensor second = StandardExponential(shape, like, generator);
        return first - second;
    }

    /// <summary>
    /// ζ ~ Gamma(k, 1) for each element k of <paramref name="shapeParameter"/> (its shape, dtype and device).
    /// Uses libtorch's <c>_standard_gamma</c>, which carries the implicit reparameterization gradient
    /// ∂ζ/∂k = −(∂F/∂k)/p(ζ) into <paramref name="shapeParameter"/> when it requires grad; TorchSharp's
    /// <c>Gamma.rsample</c> returns a detached tensor and must not be used for pathwise gradients.
    /// To draw S samples, pass the shape parameter expanded to <c>[S, ...BatchShape]</c>.
    /// </summary>
    public static Tensor StandardGamma(Tensor shapeParameter, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(shapeParameter);
        return torch._standard_gamma(shapeParameter, generator);
    }

    /// <summary>
    /// ζ ~ Gamma(k, 1) for each element k of <paramref name="shapeParameter"/> (expanded to the sampled shape),
    /// with no graph, and the implicit reparameterization derivative ∂ζ/∂k = −(∂F(ζ; k)/∂k)/p(ζ; k) per element,
    /// libtorch's own (<c>_standard_gamma_grad</c>, reached through autograd of the one elementwise op: TorchSharp
    /// does not expose it directly). The derivative is null unless <paramref name="withShapeGradient"/>.
    /// </summary>
    public static (Tensor Noise, Tensor? ShapeGradient) StandardGammaWithShapeGradient(Tensor shapeParameter, bool withShapeGradient, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(shapeParameter);
        if (!withShapeGradient)
        {
            using (torch.no_grad())
            {
                return (torch._standard_gamma(shapeParameter.detach(), generator), null);
            }
        }
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable gradients = torch.enable_grad();
        Tensor leaf = shapeParameter.detach().requires_grad_(true);
        Tensor noise = torch._standard_gamma(leaf, generator);
        // ζ_i depends on k_i alone, so the gradient of Σζ by the (expanded) leaf is ∂ζ_i/∂k_i per element.
        Tensor derivative = torch.autograd.grad(new[] { noise.sum() }, new[] { leaf })[0];
        return (noise.detach().MoveToOuterDisposeScope(), derivative.detach().MoveToOuterDisposeScope());
    }
}
