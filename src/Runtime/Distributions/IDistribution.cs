using System;
using System.Collections.Generic;
using System.Linq;
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

    /// <summary>
    /// torch.distributions' <c>sample(sample_shape)</c>: draws samples of shape <c>[...sampleShape, ...BatchShape]</c>
    /// (<c>[...BatchShape]</c> for an empty <paramref name="sampleShape"/>), with no gradient, from the global generator.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size in <paramref name="sampleShape"/> is below 1.</exception>
    Tensor Sample(params long[] sampleShape) => TorchMembers.Sample(this, sampleShape);
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

    /// <summary>
    /// torch.distributions' <c>rsample</c>: <paramref name="sampleCount"/> samples z = g(θ, ε), shape
    /// <c>[S, ...BatchShape]</c>, at the distribution's own parameters, keeping the autograd graph back to them
    /// (<see cref="Reparameterize"/> of <see cref="IDistribution.Parameters"/>).
    /// </summary>
    Tensor RSample(long sampleCount, Generator? generator = null) => Reparameterize(Parameters, sampleCount, generator);
}

/// <summary>
/// A pathwise map whose per-sample Jacobian ∂z/∂θ the generator derived in closed form (by symbolic
/// differentiation of z = g(θ, ε); for Gamma noise with the implicit ∂ε/∂shape of libtorch's
/// <c>_standard_gamma</c>). The pathwise estimator then needs one backward pass through f only:
/// ĝ_i = ∇z f(z_i)·∂z_i/∂θ, with no per-sample parameter copies. Generated for every
/// <c>[Reparameterization]</c> whose parameters are elementwise.
/// </summary>
public interface IPathwiseJacobian : IReparameterizedDistribution
{
    /// <summary>
    /// Draws <paramref name="sampleCount"/> samples z = g(θ, ε) at the distribution's own parameters, with
    /// no autograd graph, and for each parameter p with <paramref name="wanted"/>[p] the per-sample
    /// Jacobian ∂z/∂θ_p, of shape <c>[S, ...BatchShape]</c> or broadcastable to it (a constant
    /// Jacobian is a 0-dimensional tensor); null where not wanted.
    /// </summary>
    /// <param name="sampleCount">S.</param>
    /// <param name="wanted">One flag per parameter, in declaration order.</param>
    /// <param name="generator">The random number generator; null for the global one.</param>
    PathwiseDraw DrawWithJacobian(long sampleCount, IReadOnlyList<bool> wanted, Generator? generator = null);
}

/// <summary>Samples z = g(θ, ε) and the per-sample Jacobian ∂z/∂θ_p of each wanted parameter (null otherwise).</summary>
/// <param name="Samples">z, <c>[S, ...BatchShape]</c>, without an autograd graph.</param>
/// <param name="Jacobians">Per parameter, ∂z/∂θ_p broadcastable to <c>[S, ...BatchShape]</c>, or null when it was not wanted.</param>
public readonly record struct PathwiseDraw(Tensor Samples, IReadOnlyList<Tensor?> Jacobians);

/// <summary>A distribution with a log density and a score.</summary>
public interface IScoredDistribution : IDistribution
{
    /// <summary>log p(z; θ) elementwise, the shape of <paramref name="z"/>. Null when only the score was declared.</summary>
    Tensor? LogDensity(Tensor z);

    /// <summary>∂ log p(z; θ)/∂θ for each parameter, in declaration order, each the shape of <paramref name="z"/> (the score of a parameter with an event axis carries that axis, [..., K]).</summary>
    IReadOnlyList<Tensor> Score(Tensor z);

    /// <summary>
    /// The score of the parameters with <paramref name="wanted"/>[p] set, as in <see cref="Score(Tensor)"/>; null
    /// for the others, which are not computed. Generated distributions compute only the wanted ones; the default
    /// (for a hand-written distribution) computes <see cref="Score(Tensor)"/> and drops the others.
    /// </summary>
    IReadOnlyList<Tensor?> Score(Tensor z, IReadOnlyList<bool> wanted)
    {
        IReadOnlyList<Tensor> all = Score(z);
        return all.Select((score, p) => p < wanted.Count && wanted[p] ? score : null).ToArray();
    }
}

/// <summary>
/// The score as one-pass loops over CPU float64 samples, generated from the score formulas with their
/// parameter-only parts computed once per coordinate: the score-function and hybrid estimators use it on the
/// CPU in place of about one tensor pass per operation of the formula.
/// </summary>
public interface IScoreKernel : IScoredDistribution
{
    /// <summary>
    /// Writes <c>destination[i] = weight[i / C] · ∂ log p(z_i)/∂θ_p</c> for the flat samples <paramref name="z"/> of
    /// <c>[S, ...BatchShape]</c> (C the number of batch coordinates, <paramref name="weight"/> one value per
    /// sample), and returns true; false, writing nothing, when parameter <paramref name="parameter"/> has no loop.
    /// </summary>
    bool ScoreKernel(int parameter, ReadOnlySpan<double> z, ReadOnlySpan<double> weight, Span<double> destination);
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
/// A distribution whose cumulant generating function K_θ(s) = log E_θ[e^{s z}] = log φ_θ(−i s) the generator
/// derived from its characteristic function: w = −i·s substituted and simplified (i·i = −1) to a real formula,
/// for example −k·log(1 − θ s) for the Gamma. Generated only when the result is evidently real and reproduces
/// the declared cumulants (else hidden diagnostic SBG022 says why). Used by <see cref="ExponentialFourier"/>.
/// </summary>
/// <remarks>
/// K is finite only where E e^{s z} &lt; ∞, an interval around s = 0 (s &lt; 1/θ for the Gamma, |s| &lt; 1/b for
/// the Laplace, every s for the Normal and the Poisson). The generated formula is NaN or infinite where a
/// logarithm (or root) in it sees a non-positive argument, which marks the end of that interval for the
/// sample distributions; each generated member names its own conditions.
/// </remarks>
public interface ICumulantGeneratingFunction : IDistribution
{
    /// <summary>K_θ(s) per coordinate at the distribution's own parameters; gradients flow into them.</summary>
    /// <param name="s">The argument; broadcasts against <see cref="IDistribution.BatchShape"/> (a 0-dimensional tensor for one s).</param>
    /// <returns>Shape: the broadcast of <see cref="IDistribution.BatchShape"/> and the shape of <paramref name="s"/>.</returns>
    Tensor CumulantGeneratingFunction(Tensor s);

    /// <summary>
    /// K_θ(s) per coordinate from the given parameter tensors (in declaration order; for instance leaf copies to
    /// differentiate), keeping the autograd graph back to them.
    /// </summary>
    /// <returns>Shape: the broadcast of the parameters' shapes and the shape of <paramref name="s"/>.</returns>
    Tensor CumulantGeneratingFunction(IReadOnlyList<Tensor> parameters, Tensor s);
}

/// <summary>
/// A distribution with both a pathwise map and a score, so the hybrid estimator applies
/// (<see cref="HybridEstimator.Estimate{TDistribution}"/>). Generated for every distribution that has both.
/// </summary>
public interface IHybridDistribution : IReparameterizedDistribution, IScoredDistribution
{
}

/// <summary>
/// A distribution whose coordinates are independent and each takes one of K values
/// (<see cref="SupportValues"/>) with probabilities given by a table: Bernoulli, categorical.
/// Gives the local-expectation estimator (Echraibi et al. 2020, Theorem 2), the score function, the Gumbel-softmax
/// relaxation and exact enumeration (<see cref="Enumeration"/>).
/// </summary>
public interface IFiniteDistribution : IScoredDistribution
{
    /// <summary>The support values v₀ &lt; … &lt; v_{K−1}; samples are these values (for a categorical, the indices 0..K−1), as floats.</summary>
    IReadOnlyList<double> SupportValues { get; }

    /// <summary>Per parameter, in declaration order: 1 when its last axis is an event (category) axis, else 0.</summary>
    IReadOnlyList<int> ParameterEventRanks { get; }

    /// <summary>
    /// p(z_j = v_k) from the given parameter tensors (for instance per-sample copies), shape
    /// <c>[...broadcast batch shape, K]</c>, keeping the autograd graph back to them.
    /// </summary>
    Tensor Probabilities(IReadOnlyList<Tensor> parameters);

    /// <summary>
    /// ∂ log p(z_j = v_k)/∂θ for each parameter with <paramref name="wanted"/>[p] set (null for the others), at
    /// the distribution's own parameters, detached: <c>[...BatchShape, K]</c> for an elementwise parameter (entry k
    /// the derivative by that coordinate's own θ), <c>[...BatchShape, K, K]</c> for an event-axis parameter (entry
    /// [k, l] the derivative by θ_l). The per-sample score is the entry at each sample's value (no per-sample autograd).
    /// The default differentiates <see cref="Probabilities"/> by autograd at batch-shaped parameters.
    /// </summary>
    IReadOnlyList<Tensor?> ScoreTable(IReadOnlyList<bool> wanted) => DiscreteSupport.ScoreTableByAutograd(this, wanted);
}

/// <summary>
/// A distribution on the integers with factorial cumulants ζₙ(θ): log E[(1 + t)^z] = Σ ζₙ tⁿ/n!,
/// log φ expanded in t = e^{iw} − 1. Gives the discrete-difference Fourier rule
/// ∇θ E f = Σₙ (∇θ ζₙ / n!) E[Δⁿ f(z)], Δ the forward difference (exact at N = 1 for the Poisson).
/// </summary>
public interface IFactorialCumulantDistribution : IDistribution
{
    /// <summary>The truncation order used when a call does not give one.</summary>
    int FourierOrder { get; }

    /// <summary>The highest factorial-cumulant order the generator derived.</summary>
    int FactorialCumulantOrder { get; }

    /// <summary>True when ζₙ is identically zero, so order n adds nothing.</summary>
    bool FactorialCumulantVanishes(int order);

    /// <summary>ζₙ(θ), shape <see cref="IDistribution.BatchShape"/>.</summary>
    Tensor FactorialCumulant(int order);

    /// <summary>∂ζₙ/∂θ for each parameter, in declaration order, each of shape <see cref="IDistribution.BatchShape"/>.</summary>
    IReadOnlyList<Tensor> FactorialCumulantGradient(int order);
}

/// <summary>
/// A distribution declared as z = g(ζ₁, …, ζ_C) of independent building blocks (Beta and Dirichlet
/// from Gammas, Echraibi et al. (2020), eqs. 20–21). Gives the Fourier estimator through the building blocks' cumulants:
/// ∇θ E f(g(ζ)) = Σ_c Σₙ (∇θ κₙ⁽ᶜ⁾ / n!) E[∂ⁿ(f∘g)/∂ζ_cⁿ].
/// </summary>
public interface IComposedDistribution : IReparameterizedDistribution
{
    /// <summary>The truncation order used when a call does not give one.</summary>
    int FourierOrder { get; }

    /// <summary>The building blocks' names, as the composition formula writes them.</summary>
    IReadOnlyList<string> ComponentNames { get; }

    /// <summary>
    /// The building blocks at the given parameter tensors (for instance per-sample copies), each of the
    /// parameters' broadcast shape, keeping the autograd graph back to them.
    /// </summary>
    IReadOnlyList<IDistribution> Components(IReadOnlyList<Tensor> parameters);

    /// <summary>z = g(ζ₁, …, ζ_C) from one tensor per building block, each <c>[S, ...BatchShape]</c>, at the distribution's own parameters.</summary>
    Tensor Compose(IReadOnlyList<Tensor> components);

    /// <summary>
    /// True when the map g names the distribution's own parameters besides the building blocks (a Student-t as
    /// mu + sigma*x/sqrt(g)): z then depends on θ directly as well as through the blocks, and the Fourier
    /// estimator adds the pathwise term E[∂f/∂z·∂g/∂θ] at fixed ζ to its series through the blocks.
    /// </summary>
    bool MapDependsOnParameters => false;

    /// <summary>
    /// z = g(θ, ζ₁, …, ζ_C) from the given parameter tensors (in declaration order, for instance per-sample copies,
    /// each broadcastable to <c>[S, ...BatchShape]</c>) and one tensor per building block, keeping the autograd graph
    /// back to both. The default ignores <paramref name="parameters"/>, right when <see cref="MapDependsOnParameters"/> is false.
    /// </summary>
    Tensor Compose(IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> components) => Compose(components);
}
