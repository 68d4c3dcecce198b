using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>
/// A standardization ε = T(z; θ) for the generalized reparameterization gradient: elementwise in z
/// (coordinate j of ε depends on z_j and the parameters only), differentiable and strictly monotone in z.
/// </summary>
/// <param name="z">Samples, <c>[S, ...BatchShape]</c>.</param>
/// <param name="parameters">The parameter tensors, each expanded to <c>[S, ...BatchShape]</c>, in declaration order.</param>
/// <returns>ε, the shape of <paramref name="z"/>.</returns>
public delegate Tensor Standardization(Tensor z, IReadOnlyList<Tensor> parameters);

/// <summary>
/// The generalized reparameterization gradient (G-REP) of Ruiz, Titsias and Blei (2016, "The
/// generalized reparameterization gradient", eqs. 7–9): a standardization ε = T(z; θ) whose law
/// depends only weakly on θ splits the gradient into a pathwise part and a score-like correction,
/// <code>
/// ĝ = ∇_z f·h + f(z)·[∇_z log q(z)·h + ∇_θ log q(z) + d/dθ log|∂z/∂ε| at fixed ε],   h = ∂z/∂θ|_ε = −(∂T/∂z)⁻¹ ∂T/∂θ,
/// </code>
/// with log|∂z/∂ε| = −log|∂T/∂z(z, θ)|, whose derivative at fixed ε is ∂_θ + h·∂_z (the bracket is
/// ∇_θ log q(ε; θ), the score of ε's own density, Ruiz et al. eq. 9). It is unbiased for every valid T; the correction's variance is
/// small when T makes ε nearly parameter-free (for the Normal and T = (z − μ)/σ it vanishes and
/// G-REP is the pathwise estimator). Every derivative of T comes from autograd, so no inverse of T is
/// needed; the log density's z-derivative also comes from autograd, the score is the distribution's own.
/// </summary>
public static class GeneralizedReparameterization
{
    /// <summary>
    /// The standardization Ruiz et al. use for Gamma(shape k, scale θ) (their rate β = 1/θ):
    /// ε = (log z − ψ(k) − log θ)/√ψ₁(k), the log of z centred and scaled by its exact mean and
    /// standard deviation. Parameters in the order (shape, scale).
    /// </summary>
    public static Standardization GammaShapeScale { get; } =
        (z, p) => (torch.log(z) - torch.digamma(p[0]) - torch.log(p[1])) / torch.sqrt(torch.polygamma(p[0], 1));

    /// <summary>G-REP at <paramref name="sampleCount"/> fresh draws of <paramref name="distribution"/>.</summary>
    /// <param name="distribution">A distribution with a log density (its score and ∇_z log q are used).</param>
    /// <param name="standardization">T, elementwise in z.</param>
    /// <param name="objective">f; only ∂f/∂z_j is needed (one backward pass).</param>
    /// <param name="sampleCount">S.</param>
    /// <param name="generator">The random number generator; null for the global one.</param>
    /// <param name="correction">False drops the correction term and returns ∇_z f·h alone, which is biased
    /// unless ε's law is free of θ (for studies of that bias; never for training).</param>
    public static GradientEstimate Estimate(IScoredDistribution distribution, Standardization standardization, Objective objective, long sampleCount, Generator? generator = null, bool correction = true)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return Estimators.AtFreshSamples(distribution, sampleCount, generator, samples => EstimateAt(distribution, standardization, objective, samples, correction));
    }

    /// <summary>G-REP evaluated at given samples <c>[S, ...BatchShape]</c>; see <see cref="Estimate"/>.</summary>
    public static GradientEstimate EstimateAt(IScoredDistribution distribution, Standardization standardization, Objective objective, Tensor samples, bool correction = true)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(standardization);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(samples);
        TorchBackend.EnsureAvailable();
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor zDetached = samples.detach();
        long sampleCount = zDetached.shape[0];
        long[] sampledShape = Shapes.Sampled(sampleCount, distribution.BatchShape);
        if (!zDetached.shape.SequenceEqual(sampledShape))
        {
            throw new ArgumentException($"The samples have shape {Shapes.Format(zDetached.shape)}; expected [S, ...BatchShape] = {Shapes.Format(sampledShape)}.", nameof(samples));
        }
        Tensor values = Estimators.EvaluateObjective(objective, zDetached);
        int parameterCount = distribution.Parameters.Count;

        Tensor[] transport;          // h_p = ∂z/∂θ_p at fixed ε, per sample and coordinate
        Tensor[] logJacobianGradient; // d/dθ_p log|∂z/∂ε| at fixed ε
        using (torch.enable_grad())
        {
            Tensor z = zDetached.clone().requires_grad_(true);
            Tensor[] leaves = distribution.Parameters
                .Select(p => p.detach().expand(sampledShape).contiguous().requires_grad_(true))
                .ToArray();
            Tensor eps = standardization(z, leaves);
            if (!eps.shape.SequenceEqual(sampledShape))
            {
                throw new ArgumentException($"The standardization returned shape {Shapes.Format(eps.shape)}; expected {Shapes.Format(sampledShape)} (it must be elementwise in z).", nameof(standardization));
            }
            // T is elementwise, so the gradient of Σ T gives ∂T/∂z_j and ∂T/∂θ_p per sample and coordinate;
            // the graph is kept because ∂T/∂z depends on θ (the Jacobian term below).
            IList<Tensor> first = torch.autograd.grad(new[] { eps.sum() }, new[] { z }.Concat(leaves).ToArray(), retain_graph: true, create_graph: true, allow_unused: true);
            Tensor dTdz = first[0];
            if (dTdz.IsInvalid)
            {
                throw new ArgumentException("The standardization does not depend on z.", nameof(standardization));
            }
            transport = new Tensor[parameterCount];
            for (int p = 0; p < parameterCount; p++)
            {
                transport[p] = first[p + 1].IsInvalid ? torch.zeros_like(zDetached) : (-first[p + 1] / dTdz).detach();
            }
            // log|∂z/∂ε| = −log|∂T/∂z|, a function of (z, θ). Its θ-derivative at fixed ε is total:
            // ∂_θ log J|_z + ∂_z log J · h (z moves with θ when ε is held).
            Tensor logJacobian = -torch.log(dTdz.abs());
            logJacobianGradient = new Tensor[parameterCount];
            if (logJacobian.requires_grad)
            {
                IList<Tensor> second = torch.autograd.grad(new[] { logJacobian.sum() }, new[] { z }.Concat(leaves).ToArray(), retain_graph: false, allow_unused: true);
                Tensor alongZ = second[0].IsInvalid ? torch.zeros_like(zDetached) : second[0].detach();
                for (int p = 0; p < parameterCount; p++)
                {
                    Tensor alongTheta = second[p + 1].IsInvalid ? torch.zeros_like(zDetached) : second[p + 1].detach();
                    logJacobianGradient[p] = alongTheta.add(alongZ * transport[p], Scalars.One);
                }
            }
            else
            {
                for (int p = 0; p < parameterCount; p++)
                {
                    logJacobianGradient[p] = torch.zeros_like(zDetached);
                }
            }
        }

        Tensor objectiveGradient = objective.CoordinateDerivatives(zDetached, 1)[0];
        Tensor logDensityGradient = correction ? LogDensityGradient(distribution, zDetached) : torch.zeros_like(zDetached);

        var perSample = new Tensor[parameterCount];
        using (torch.no_grad())
        {
            var weightShape = new long[zDetached.dim()];
            Array.Fill(weightShape, 1L);
            weightShape[0] = sampleCount;
            Tensor fz = values.detach().reshape(weightShape);
            IReadOnlyList<Tensor> scores = distribution.Score(zDetached);
            for (int p = 0; p < parameterCount; p++)
            {
                Tensor rep = objectiveGradient * transport[p];
                perSample[p] = correction
                    ? rep.add(fz * (logDensityGradient * transport[p]).add(Shapes.ToBatch(scores[p].detach(), zDetached.shape), Scalars.One).add(logJacobianGradient[p], Scalars.One), Scalars.One)
                    : rep;
            }
        }

        Tensor[] reduced = perSample.Select((g, p) => Shapes.ReduceToParameter(g, distribution.Parameters[p].shape)).ToArray();
        string name = correction ? "generalized-reparameterization" : "generalized-reparameterization(rep only)";
        return new GradientEstimate(name, distribution.ParameterNames, distribution.Parameters, zDetached, values, reduced)
            .MoveToOuterDisposeScope();
    }

    /// <summary>∂ log q(z)/∂z_j per sample and coordinate, by autograd on the generated log density.</summary>
    private static Tensor LogDensityGradient(IScoredDistribution distribution, Tensor z)
    {
        using IDisposable gradients = torch.enable_grad();
        Tensor leaf = z.detach().clone().requires_grad_(true);
        Tensor logDensity = distribution.LogDensity(leaf)
            ?? throw new ArgumentException($"{distribution.Name} declares no log density; the generalized reparameterization gradient needs ∇_z log q.", nameof(distribution));
        IList<Tensor> gradient = torch.autograd.grad(new[] { logDensity.sum() }, new[] { leaf }, allow_unused: true);
        return gradient[0].IsInvalid ? torch.zeros_like(z) : gradient[0].detach();
    }
}
