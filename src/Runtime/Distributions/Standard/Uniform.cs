using System;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Distributions;

/// <summary>
/// The continuous uniform distribution on [<c>low</c>, <c>high</c>] (both real, low &lt; high, which the constructor
/// checks by the <see cref="ConstraintAttribute"/>), drawn as
/// z = low + (high − low)·eps with eps ~ Uniform(0, 1), and declared by its natural characteristic function
/// φ(w) = (e^{i·high·w} − e^{i·low·w}) / (i·w·(high − low)), whose removable 0/0 at w = 0 the generator
/// cancels by series division (κ₁ = (low + high)/2, κ₂ = (high − low)²/12, κ₃ = 0, κ₄ = −(high − low)⁴/120).
/// </summary>
/// <remarks>
/// Estimators: pathwise (Kingma and Welling, 2014) and the Fourier series through the cumulants (Echraibi et
/// al., 2020). No score-function or hybrid estimator: the support moves with the parameters, so the score
/// would miss the boundary terms (∂/∂high E f = (f(high) − E f)/(high − low), while E[f·∂ log p/∂high] =
/// −E f/(high − low)). The log density is therefore an ordinary member here (<see cref="LogProb"/>), not a
/// <see cref="LogDensityAttribute"/> declaration, and so is the CDF.
/// </remarks>
[Distribution]
[Parameter("low")]
[Parameter("high")]
[CharacteristicFunction("(exp(i*high*w) - exp(i*low*w))/(i*w*(high - low))")]
[Reparameterization("low + (high - low)*eps", Noise = NoiseKind.StandardUniform)]
[Constraint("high - low", ParameterDomain.Positive)]
[Entropy("log(high - low)")]
public sealed partial class Uniform : IHasLogProb, IHasCdf
{
    /// <summary>
    /// log p(value) = −log(high − low) on [low, high] and −∞ outside, the shape of <paramref name="value"/>
    /// broadcast against the batch shape; differentiable in the parameters.
    /// </summary>
    public Tensor LogProb(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        using var scope = NewDisposeScope();
        Tensor width = High - Low;
        Tensor inside = value.ge(Low).logical_and(value.le(High));
        Tensor logProb = torch.zeros_like(inside, dtype: width.dtype) - width.log();
        return logProb.masked_fill(inside.logical_not(), Scalars.Of(double.NegativeInfinity)).MoveToOuterDisposeScope();
    }

    /// <summary>P(z ≤ value) = clamp((value − low)/(high − low), 0, 1), differentiable in the parameters and the value.</summary>
    public Tensor Cdf(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        using var scope = NewDisposeScope();
        return ((value - Low) / (High - Low)).clamp(Scalars.Of(0.0), Scalars.Of(1.0)).MoveToOuterDisposeScope();
    }
}
