using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>
/// Second derivatives ∂²/∂θ_a∂θ_b E_{z~p_θ}[f(z)] by the likelihood ratio (a second-order Malliavin weight):
/// per sample f(z)·(s_a s_b + ∂s_a/∂θ_b), with s = ∇_θ log p(z; θ) the distribution's score. Needs only values
/// of f, so it works for discontinuous f (a digital option's Gamma), where a pathwise second derivative is 0.
/// </summary>
/// <remarks>
/// The identity is ∂_a∂_b ∫ f p = ∫ f (∂_a∂_b p / p) and ∂_a∂_b p / p = s_a s_b + ∂_b s_a. The derivative of
/// the score is taken by autograd through the distribution's generated <see cref="IScoredDistribution.Score(Tensor)"/>:
/// the distribution is rebuilt (by <c>rebuild</c>) on per-sample copies of its parameters, so row i of the
/// gradient is sample i's own ∂_b s_a. Only distributions whose parameters are all scalars are supported.
/// </remarks>
public static class SecondOrderEstimators
{
    /// <summary>
    /// Per-sample likelihood-ratio estimates <c>[S]</c> (detached) of ∂²E f/∂θ_first∂θ_second at fresh draws.
    /// </summary>
    /// <param name="distribution">The distribution at θ; every parameter must be a scalar tensor.</param>
    /// <param name="rebuild">Makes the same kind of distribution from given parameter tensors, in declaration order
    /// (for a generated class, its constructor: <c>ps =&gt; new Gbm(ps[0], ps[1], ps[2], ps[3])</c>).</param>
    /// <param name="objective">f.</param>
    /// <param name="sampleCount">S.</param>
    /// <param name="first">The name of θ_a.</param>
    /// <param name="second">The name of θ_b (equal to <paramref name="first"/> for a pure second derivative).</param>
    /// <param name="generator">The random number generator; null for the global one.</param>
    /// <exception cref="ArgumentException">A parameter is not a scalar, or a name is unknown.</exception>
    public static Tensor LikelihoodRatio<TDistribution>(
        TDistribution distribution, Func<IReadOnlyList<Tensor>, TDistribution> rebuild, Objective objective, long sampleCount,
        string first, string second, Generator? generator = null)
        where TDistribution : IScoredDistribution
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(rebuild);
        ArgumentNullException.ThrowIfNull(objective);
        TorchBackend.EnsureAvailable();
        int a = IndexOf(distribution, first), b = IndexOf(distribution, second);
        if (distribution.Parameters.Any(p => p.numel() != 1) || distribution.BatchShape.Length != 0)
        {
            throw new ArgumentException($"{distribution.Name}: second-order estimates need scalar parameters; got shapes {string.Join(", ", distribution.Parameters.Select(p => Shapes.Format(p.shape)))}.", nameof(distribution));
        }
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor z;
        using (torch.no_grad())
        {
            z = distribution.Sample(sampleCount, generator).detach();
        }
        Tensor values = Estimators.EvaluateObjective(objective, z).detach();

        using IDisposable gradients = torch.enable_grad();
        // Per-sample leaves: the rebuilt distribution has batch shape [S], and sample i meets only its own copy.
        Tensor[] leaves = distribution.Parameters.Select(p => p.detach().reshape(1).expand(sampleCount).contiguous().requires_grad_(true)).ToArray();
        TDistribution perSample = rebuild(leaves);
        IReadOnlyList<Tensor> scores = perSample.Score(z);
        Tensor scoreA = scores[a], scoreB = scores[b];
        Tensor derivative = scoreA.requires_grad
            ? torch.autograd.grad(new[] { scoreA.sum() }, new[] { leaves[b] }, retain_graph: false, allow_unused: true)[0]
            : torch.zeros_like(scoreA);
        if (derivative.IsInvalid)
        {
            derivative = torch.zeros_like(scoreA);
        }
        using (torch.no_grad())
        {
            Tensor weight = (scoreA.detach() * scoreB.detach()).add(derivative.detach(), Scalars.One);
            return (values * weight).MoveToOuterDisposeScope();
        }
    }

    private static int IndexOf(IDistribution distribution, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        for (int p = 0; p < distribution.ParameterNames.Count; p++)
        {
            if (string.Equals(distribution.ParameterNames[p], name, StringComparison.Ordinal))
            {
                return p;
            }
        }
        throw new ArgumentException($"{distribution.Name} has no parameter '{name}'; its parameters are {string.Join(", ", distribution.ParameterNames)}.", nameof(name));
    }
}
