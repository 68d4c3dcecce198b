using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>
/// The cumulant generating function K_θ(s) = log E_θ[e^{s z}] = log φ_θ(s/i) of a distribution with
/// independent coordinates, per coordinate.
/// </summary>
/// <param name="parameters">The distribution's parameter tensors, in declaration order (the estimator passes
/// detached copies that require grad, and differentiates the result).</param>
/// <param name="s">The argument s.</param>
/// <returns>K_θ(s), shape BatchShape (or broadcastable to it).</returns>
public delegate Tensor CumulantGeneratingFunction(IReadOnlyList<Tensor> parameters, double s);

/// <summary>
/// The Fourier-series estimator summed in closed form for exponential objectives (Echraibi et al. 2020, Corollary 3.1;
/// eq. 23 of its v2): when every coordinate derivative is geometric, ∂_jⁿ f = sⁿ⁻¹·∂_j f (f = c·e^{s Σ_j z_j},
/// f = Σ_j c_j e^{s z_j}, and sums of such), Theorem 1's series Σ_n (∇_θκ_n/n!)·E[∂_jⁿ f] sums to
/// <code>
/// ∇_θ L = (∇_θ K_θ(s) / s) · E[∂_j f(z)],
/// </code>
/// with K the cumulant generating function: no truncation, and valid wherever K is finite, even where the
/// cumulant series itself diverges (for the Gamma, |s|θ ≥ 1). Only f's first derivative is needed.
/// </summary>
/// <remarks>
/// K comes from the distribution itself when the generator derived it (<see cref="ICumulantGeneratingFunction"/>,
/// log φ at ω = −i·s), or from the caller as a <see cref="CumulantGeneratingFunction"/> delegate for a
/// distribution without one. Where K is not finite (s outside the interval where E e^{s z} &lt; ∞) the estimate
/// does not exist and an <see cref="ArgumentOutOfRangeException"/> names s and the parameter values. The
/// estimator does not check that f is geometric: for any other f it is wrong.
/// </remarks>
public static class ExponentialFourier
{
    /// <summary>The closed-form Fourier estimate at <paramref name="sampleCount"/> fresh draws, with the distribution's generated K.</summary>
    /// <param name="distribution">The distribution: sampled, and its <see cref="ICumulantGeneratingFunction.CumulantGeneratingFunction(IReadOnlyList{Tensor}, Tensor)"/> differentiated.</param>
    /// <param name="rate">s, the rate of the exponential: ∂_jⁿ f = sⁿ⁻¹·∂_j f. Non-zero, and K(s) finite.</param>
    /// <param name="objective">f, geometric in the sense above.</param>
    /// <param name="sampleCount">S.</param>
    /// <param name="generator">The random number generator; null for the global one.</param>
    /// <exception cref="ArgumentOutOfRangeException">K(s) is not finite for some coordinate.</exception>
    public static GradientEstimate Estimate(ICumulantGeneratingFunction distribution, double rate, Objective objective, long sampleCount, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return Estimate(distribution, Generated(distribution), rate, objective, sampleCount, generator);
    }

    /// <summary>The closed-form Fourier estimate at given samples <c>[S, ...BatchShape]</c>, with the distribution's generated K; see <see cref="Estimate(ICumulantGeneratingFunction, double, Objective, long, Generator?)"/>.</summary>
    public static GradientEstimate EstimateAt(ICumulantGeneratingFunction distribution, double rate, Objective objective, Tensor samples)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return EstimateAt(distribution, Generated(distribution), rate, objective, samples);
    }

    /// <summary>The generated K as the delegate the estimator differentiates: s as a 0-dimensional tensor of the parameters' dtype, on their device.</summary>
    private static CumulantGeneratingFunction Generated(ICumulantGeneratingFunction distribution)
        => (parameters, s) => distribution.CumulantGeneratingFunction(parameters, parameters.Count > 0
            ? torch.tensor(s, dtype: parameters[0].dtype, device: parameters[0].device)
            : torch.tensor(s, dtype: ScalarType.Float64));

    /// <summary>The closed-form Fourier estimate at <paramref name="sampleCount"/> fresh draws.</summary>
    /// <param name="distribution">The distribution (only sampled).</param>
    /// <param name="cumulantGeneratingFunction">K_θ(s) of the distribution, for one without a generated K (else use the overload without it).</param>
    /// <param name="rate">s, the rate of the exponential: ∂_jⁿ f = sⁿ⁻¹·∂_j f. Non-zero.</param>
    /// <param name="objective">f, geometric in the sense above.</param>
    /// <param name="sampleCount">S.</param>
    /// <param name="generator">The random number generator; null for the global one.</param>
    public static GradientEstimate Estimate(IDistribution distribution, CumulantGeneratingFunction cumulantGeneratingFunction, double rate, Objective objective, long sampleCount, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return Estimators.AtFreshSamples(distribution, sampleCount, generator, samples => EstimateAt(distribution, cumulantGeneratingFunction, rate, objective, samples));
    }

    /// <summary>The closed-form Fourier estimate at given samples <c>[S, ...BatchShape]</c>; see <see cref="Estimate(IDistribution, CumulantGeneratingFunction, double, Objective, long, Generator?)"/>.</summary>
    public static GradientEstimate EstimateAt(IDistribution distribution, CumulantGeneratingFunction cumulantGeneratingFunction, double rate, Objective objective, Tensor samples)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(cumulantGeneratingFunction);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(samples);
        if (rate == 0 || !double.IsFinite(rate))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The exponential's rate s must be finite and non-zero.");
        }
        TorchBackend.EnsureAvailable();
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor z = samples.detach();
        long[] sampledShape = Shapes.Sampled(z.shape[0], distribution.BatchShape);
        if (!z.shape.SequenceEqual(sampledShape))
        {
            throw new ArgumentException($"The samples have shape {Shapes.Format(z.shape)}; expected [S, ...BatchShape] = {Shapes.Format(sampledShape)}.", nameof(samples));
        }
        Tensor values = Estimators.EvaluateObjective(objective, z);
        Tensor firstDerivative = objective.CoordinateDerivatives(z, 1)[0];

        int parameterCount = distribution.Parameters.Count;
        Tensor[] cgfGradient = new Tensor[parameterCount];
        using (torch.enable_grad())
        {
            Tensor[] leaves = distribution.Parameters.Select(p => p.detach().clone().requires_grad_(true)).ToArray();
            Tensor k = Shapes.ToBatch(cumulantGeneratingFunction(leaves, rate), distribution.BatchShape);
            CheckFinite(k, distribution, rate);
            // Coordinates are independent: Σ_j K_j differentiated by θ gives each coordinate's ∇K_j where θ is per coordinate.
            IList<Tensor> gradients = torch.autograd.grad(new[] { k.sum() }, leaves, allow_unused: true);
            for (int p = 0; p < parameterCount; p++)
            {
                cgfGradient[p] = gradients[p].IsInvalid ? torch.zeros_like(leaves[p]) : gradients[p].detach();
            }
        }

        var perSample = new Tensor[parameterCount];
        using Scalar rateScalar = rate.ToScalar(); // held for the call: see Scalars
        using (torch.no_grad())
        {
            for (int p = 0; p < parameterCount; p++)
            {
                // Per coordinate: ∂K_j/∂θ_p broadcast to the batch shape, times ∂_j f / s.
                Tensor coefficient = Shapes.ToBatch(PerCoordinate(cgfGradient[p], distribution.Parameters[p], distribution.BatchShape), distribution.BatchShape);
                perSample[p] = coefficient * firstDerivative / rateScalar;
            }
        }
        Tensor[] reduced = perSample.Select((g, p) => Shapes.ReduceToParameter(g, distribution.Parameters[p].shape)).ToArray();
        return new GradientEstimate("fourier(closed form, exponential)", distribution.ParameterNames, distribution.Parameters, z, values, reduced)
            .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Outside the interval where E e^{s z} &lt; ∞, K(s) is +∞ and so is every estimate; the formula then gives NaN
    /// or an infinity (the log of a non-positive number). Say so, naming s and the parameters of the first such coordinate.
    /// </summary>
    private static void CheckFinite(Tensor k, IDistribution distribution, double rate)
    {
        Tensor finite = torch.isfinite(k.detach());
        if (finite.all().item<bool>())
        {
            return;
        }
        long index = finite.logical_not().reshape(-1).nonzero()[0, 0].item<long>();
        string parameters = string.Join(", ", distribution.ParameterNames.Select((name, p) =>
        {
            Tensor value = Shapes.ToBatch(distribution.Parameters[p].detach(), distribution.BatchShape).reshape(-1)[index];
            return $"{name} = {value.to_type(ScalarType.Float64).item<double>().ToString("R", System.Globalization.CultureInfo.InvariantCulture)}";
        }));
        double shown = k.detach().reshape(-1)[index].to_type(ScalarType.Float64).item<double>();
        throw new ArgumentOutOfRangeException(
            "rate",
            rate,
            $"The cumulant generating function K(s) of {distribution.Name} is not finite ({shown.ToString(System.Globalization.CultureInfo.InvariantCulture)}) at s = {rate.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} "
            + $"for coordinate {index} (flat index) with {parameters}: E[exp(s*z)] is infinite there, so the closed-form estimate does not exist. Choose s inside the interval where K is finite.");
    }

    /// <summary>
    /// ∂K_j/∂θ_p per coordinate j. When θ_p is broadcast (a scalar feeding every coordinate), the autograd
    /// gradient has summed over coordinates; dividing it back out is exact only if all K_j are equal, so
    /// broadcast parameters are rejected.
    /// </summary>
    private static Tensor PerCoordinate(Tensor gradient, Tensor parameter, long[] batchShape)
    {
        if (!parameter.shape.SequenceEqual(batchShape))
        {
            throw new ArgumentException($"The closed-form Fourier estimator needs every parameter to have the batch shape {Shapes.Format(batchShape)}; one has shape {Shapes.Format(parameter.shape)}.");
        }
        return gradient;
    }
}
