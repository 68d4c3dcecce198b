using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>
/// A distribution over tensors of its batch shape (the broadcast shape of its parameters), with
/// independent coordinates. Samples carry a leading sample axis: <c>[S, ...BatchShape]</c>.
/// Generated code implements this and the capability interfaces below; users rarely do.
/// </summary>
public interface IDistribution
{
    /// <summary>The distribution's name, as declared.</summary>
    string Name { get; }

    /// <summary>Parameter names as the formulas write them, in declaration order.</summary>
    IReadOnlyList<string> ParameterNames { get; }

    /// <summary>The parameter tensors, in declaration order (may require grad: outputs of a network).</summary>
    IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The broadcast shape of the parameters.</summary>
    long[] BatchShape { get; }

    /// <summary>Draws <paramref name="sampleCount"/> samples, shape <c>[S, ...BatchShape]</c>, with no gradient.</summary>
    Tensor Sample(long sampleCount, Generator? generator = null);
}

/// <summary>A distribution with a pathwise map z = g(θ, ε), explicit or implicit.</summary>
public interface IReparameterizedDistribution : IDistribution
{
    /// <summary>True when ∂z/∂θ comes from an implicit (CDF-based) gradient rather than an explicit map.</summary>
    bool IsImplicit { get; }

    /// <summary>
    /// Draws <paramref name="sampleCount"/> samples z = g(θ, ε) from the given parameter tensors
    /// (each broadcastable to <c>[S, ...BatchShape]</c>, for instance per-sample copies), keeping
    /// the autograd graph from z back to them.
    /// </summary>
    Tensor Reparameterize(IReadOnlyList<Tensor> parameters, long sampleCount, Generator? generator = null);
}

/// <summary>A distribution with a log density and a score.</summary>
public interface IScoredDistribution : IDistribution
{
    /// <summary>log p(z; θ) elementwise, the shape of <paramref name="z"/>. Null when only the score was declared.</summary>
    Tensor? LogDensity(Tensor z);

    /// <summary>∂ log p(z; θ)/∂θ for each parameter, in declaration order, each the shape of <paramref name="z"/>.</summary>
    IReadOnlyList<Tensor> Score(Tensor z);
}

/// <summary>A distribution with cumulants κₙ(θ) derived from its characteristic function.</summary>
public interface ICumulantDistribution : IDistribution
{
    /// <summary>The Fourier-series truncation order used when a call does not give one.</summary>
    int FourierOrder { get; }

    /// <summary>The highest cumulant order the generator derived.</summary>
    int CumulantOrder { get; }

    /// <summary>True when κₙ is identically zero (for every parameter value), so order n adds nothing.</summary>
    bool CumulantVanishes(int order);

    /// <summary>κₙ(θ), shape <see cref="IDistribution.BatchShape"/>.</summary>
    Tensor Cumulant(int order);

    /// <summary>∂κₙ/∂θ for each parameter, in declaration order, each of shape <see cref="IDistribution.BatchShape"/>.</summary>
    IReadOnlyList<Tensor> CumulantGradient(int order);
}

/// <summary>
/// A distribution with both a pathwise map and a score, so the hybrid estimator applies
/// (<see cref="HybridEstimator.Estimate{TDistribution}"/>). Generated for every distribution that has both.
/// </summary>
public interface IHybridDistribution : IReparameterizedDistribution, IScoredDistribution
{
}
