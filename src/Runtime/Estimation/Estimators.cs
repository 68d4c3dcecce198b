using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>
/// Monte Carlo estimators of ∇_θ E_{z~p_θ}[f(z)] (docs/ESTIMATORS.md). Each returns the per-sample
/// gradient w.r.t. every distribution parameter, from which means, variances, hybrid weights and
/// the surrogate for backpropagation into a network are built. Tensors created along the way
/// are released before returning; the result's tensors live in the caller's dispose scope.
/// </summary>
public static partial class Estimators
{
    /// <summary>
    /// The pathwise (reparameterization) estimator ĝ_i = ∇_z f(z_i)·∂z_i/∂θ, explicit or implicit
    /// (Gamma-family samplers built on <see cref="Noise.StandardGamma"/>).
    /// </summary>
    /// <remarks>
    /// With a generated closed-form Jacobian (<see cref="IPathwiseJacobian"/>) it takes one backward pass
    /// through f only: ∇_z f times ∂z/∂θ per sample. Otherwise (composites, event-axis parameters) each
    /// wanted parameter is expanded to <c>[S, ...BatchShape]</c> as a fresh leaf, so sample i's gradient lands
    /// in row i. Rows are then summed over the axes along which the parameter is broadcast. Gradients are
    /// computed only for parameters that require grad (all of them when none does; see <see cref="Wanted"/>).
    /// </remarks>
    [Estimator("pathwise")]
    public static GradientEstimate Pathwise(this IReparameterizedDistribution distribution, Objective objective, long sampleCount, Generator? generator = null)
        => PathwiseCore(distribution, objective, sampleCount, generator, useJacobian: true);

    /// <summary>
    /// The pathwise estimator through the generated Jacobian when there is one and <paramref name="useJacobian"/>,
    /// else through per-sample parameter leaves (tests compare the two sample by sample).
    /// </summary>
    internal static GradientEstimate PathwiseCore(IReparameterizedDistribution distribution, Objective objective, long sampleCount, Generator? generator, bool useJacobian)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        return PathwiseParts(distribution, objective, sampleCount, generator, useJacobian).ToEstimate().MoveToOuterDisposeScope();
    }

    /// <summary>The pathwise estimate's pieces, in the caller's dispose scope (the hybrid combines them without building the estimate).</summary>
    internal static EstimateParts PathwiseParts(IReparameterizedDistribution distribution, Objective objective, long sampleCount, Generator? generator, bool useJacobian)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(objective);
        TorchBackend.EnsureAvailable();
        EstimatorChecks.RequireLiveParameters(distribution);
        using IDisposable gradients = torch.enable_grad();
        long[] sampledShape = Shapes.Sampled(sampleCount, distribution.BatchShape);
        bool[] wanted = Wanted.Of(distribution);
        Tensor z;
        Tensor values;
        Tensor[] perSample = new Tensor[wanted.Length];
        if (useJacobian && distribution is IPathwiseJacobian explicitMap)
        {
            PathwiseDraw draw = explicitMap.DrawWithJacobian(sampleCount, wanted, generator);
            RequireSampledShape(draw.Samples, sampledShape, distribution.Name + ".DrawWithJacobian");
            bool ownParameters = HasOwnParameters(objective, draw.Samples);
            z = draw.Samples.detach().requires_grad_(true);
            values = EvaluateObjective(objective, z, "pathwise");
            // Retained only when f has parameters of its own: the surrogate's mean f(z) term then backpropagates
            // through this graph into them. Otherwise the graph is freed and the surrogate carries no f term, so
            // its backward() does not traverse f a second time.
            Tensor? pathGradient = values.requires_grad
                ? torch.autograd.grad(new[] { values.sum() }, new[] { z }, retain_graph: ownParameters, allow_unused: true)[0]
                : null;
            if (pathGradient is not { IsInvalid: false })
            {
                throw EstimatorChecks.IndependentOfSamples(sampleCount, "pathwise");
            }
            if (!ownParameters)
            {
                values = values.detach();
            }
            using (torch.no_grad())
            {
                for (int p = 0; p < wanted.Length; p++)
                {
                    perSample[p] = wanted[p] && pathGradient is { IsInvalid: false } && draw.Jacobians[p] is { } jacobian
                        ? pathGradient * jacobian
                        : Wanted.For(distribution, p, sampleCount, z);
                }
            }
        }
        else
        {
            Tensor[] parameters = distribution.Parameters
                .Select((p, i) => wanted[i] ? p.detach().expand(sampledShape).contiguous().requires_grad_(true) : p.detach())
                .ToArray();
            z = distribution.Reparameterize(parameters, sampleCount, generator);
            RequireSampledShape(z, sampledShape, distribution.Name + ".Reparameterize");
            bool ownParameters = HasOwnParameters(objective, z);
            values = EvaluateObjective(objective, z, "pathwise");
            Tensor[] leaves = Enumerable.Range(0, wanted.Length).Where(p => wanted[p]).Select(p => parameters[p]).ToArray();
            IList<Tensor>? rows = values.requires_grad && leaves.Length > 0
                ? torch.autograd.grad(new[] { values.sum() }, leaves, retain_graph: ownParameters, allow_unused: true)
                : null;
            // Only when the map itself has a graph: a sampler that detaches z is the distribution's defect, not f's
            // (WrongFormulaTests shows the statistical test catching it).
            if (z.requires_grad && leaves.Length > 0 && (rows is null || rows.All(row => row.IsInvalid)))
            {
                throw EstimatorChecks.IndependentOfSamples(sampleCount, "pathwise");
            }
            if (!ownParameters)
            {
                values = values.detach();
            }
            int next = 0;
            for (int p = 0; p < wanted.Length; p++)
            {
                Tensor? row = wanted[p] && rows is not null ? rows[next++] : null;
                perSample[p] = row is { IsInvalid: false } ? row : Wanted.For(distribution, p, sampleCount, z);
            }
        }

        return new EstimateParts("pathwise", distribution.ParameterNames, distribution.Parameters, z.detach(), values, ReduceAll(distribution, perSample, "pathwise", objective.CheckFinite));
    }

    /// <summary>
    /// Whether f has parameters of its own that require grad (a decoder's weights), found by evaluating it on the
    /// first sample alone, detached: its value then requires grad only through f's own parameters. When the probe
    /// cannot run (f rejects a batch of one), f is assumed to have some, which is always correct, only slower.
    /// </summary>
    internal static bool HasOwnParameters(Objective objective, Tensor samples)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable gradients = torch.enable_grad();
        try
        {
            // A null or non-tensor result counts as "has some": the checked evaluation that follows reports it.
            return objective.Evaluate(samples.detach().narrow(0, 0, 1)) is not { IsInvalid: false } probe || probe.requires_grad;
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or System.Runtime.InteropServices.ExternalException or IndexOutOfRangeException)
        {
            return true;
        }
    }

    /// <summary>
    /// Draws <paramref name="sampleCount"/> fresh samples (no gradient), runs an estimator's <c>…At</c>
    /// form on them and keeps only its result: the one body behind every "at fresh draws" overload.
    /// </summary>
    internal static GradientEstimate AtFreshSamples(IDistribution distribution, long sampleCount, Generator? generator, Func<Tensor, GradientEstimate> estimateAt)
    {
        TorchBackend.EnsureAvailable();
        EstimatorChecks.RequireLiveParameters(distribution);
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor samples;
        using (torch.no_grad())
        {
            samples = distribution.Sample(sampleCount, generator);
        }
        using (EstimatorChecks.DrawnHere())
        {
            return estimateAt(samples).MoveToOuterDisposeScope();
        }
    }

    /// <summary>
    /// The score-function (REINFORCE, Malliavin weight) estimator ĝ_i = (f(z_i) − b_i)·∇_θ log p(z_i; θ),
    /// at <paramref name="sampleCount"/> fresh draws. Needs only values of f: any f, even discontinuous.
    /// </summary>
    /// <param name="distribution">The distribution.</param>
    /// <param name="objective">f.</param>
    /// <param name="sampleCount">S.</param>
    /// <param name="baseline">The control variate b; null for none. Stateful baselines are updated after the batch.</param>
    /// <param name="generator">The random number generator; null for the global one.</param>
    [Estimator("score-function")]
    public static GradientEstimate ScoreFunction(this IScoredDistribution distribution, Objective objective, long sampleCount, Baseline? baseline = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return Estimators.AtFreshSamples(distribution, sampleCount, generator, samples => ScoreFunctionAt(distribution, objective, samples, baseline));
    }

    /// <summary>The score-function estimator evaluated at given samples <c>[S, ...BatchShape]</c> (for instance another estimate's <see cref="GradientEstimate.Samples"/>).</summary>
    /// <param name="distribution">The distribution.</param>
    /// <param name="objective">f.</param>
    /// <param name="samples">Draws from the distribution, <c>[S, ...BatchShape]</c>; used detached.</param>
    /// <param name="baseline">The control variate b; null for none. Stateful baselines are updated after the batch.</param>
    public static GradientEstimate ScoreFunctionAt(this IScoredDistribution distribution, Objective objective, Tensor samples, Baseline? baseline = null)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(samples);
        TorchBackend.EnsureAvailable();
        EstimatorChecks.RequireLiveParameters(distribution);
        EstimatorChecks.RequireScoreDomain(distribution, samples);
        EstimatorChecks.RequireSamples(distribution, samples, "score-function");
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor z = samples.detach();
        Tensor values = EvaluateObjective(objective, z, "score-function");
        return ScoreCore(distribution, z, values, baseline, objective.CheckFinite).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The Fourier-series (cumulant) estimator ĝ_i,j = Σ_{n=1..N} (∂κ_n/∂θ_j / n!)·∂ⁿf(z_i)/∂z_ijⁿ
    /// (docs/ESTIMATORS.md#fourier-series), at fresh draws. Exact when f is a polynomial of degree ≤ N (and, for the
    /// Normal, for every smooth f at N ≥ 2); otherwise the truncation biases it. Needs f smooth:
    /// at kinks autograd's higher derivatives are 0 and the estimate is biased.
    /// </summary>
    /// <param name="distribution">The distribution.</param>
    /// <param name="objective">f.</param>
    /// <param name="sampleCount">S.</param>
    /// <param name="order">N; null for the distribution's <see cref="ICumulantDistribution.FourierOrder"/>. 1 ≤ N ≤ <see cref="ICumulantDistribution.CumulantOrder"/>.</param>
    /// <param name="generator">The random number generator; null for the global one.</param>
    [Estimator("fourier")]
    [OverloadResolutionPriority(1)] // a composite that also declares a characteristic function: its own cumulants first
    public static GradientEstimate Fourier(this ICumulantDistribution distribution, Objective objective, long sampleCount, int? order = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        int truncation = CheckFourierOrder(distribution, order);
        return Estimators.AtFreshSamples(distribution, sampleCount, generator, samples => FourierAt(distribution, objective, samples, truncation));
    }

    /// <summary>The Fourier-series estimator evaluated at given samples <c>[S, ...BatchShape]</c>; see <see cref="Fourier(ICumulantDistribution, Objective, long, int?, Generator?)"/>.</summary>
    /// <param name="distribution">The distribution.</param>
    /// <param name="objective">f.</param>
    /// <param name="samples">Draws from the distribution, <c>[S, ...BatchShape]</c>; used detached.</param>
    /// <param name="order">N; null for the distribution's <see cref="ICumulantDistribution.FourierOrder"/>.</param>
    [OverloadResolutionPriority(1)]
    public static GradientEstimate FourierAt(this ICumulantDistribution distribution, Objective objective, Tensor samples, int? order = null)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(samples);
        TorchBackend.EnsureAvailable();
        int truncation = CheckFourierOrder(distribution, order);
        EstimatorChecks.RequireLiveParameters(distribution);
        EstimatorChecks.RequireSamples(distribution, samples, "fourier");
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor z = samples.detach();
        long[] sampledShape = Shapes.Sampled(z.shape[0], distribution.BatchShape);
        Tensor values = EvaluateObjective(objective, z, "fourier");
        EstimatorChecks.RequireDependence(objective, z, "fourier");

        // Orders whose cumulant vanishes identically add nothing; derivatives are requested only up to
        // the highest order that does not (the Normal needs two).
        int[] orders = Enumerable.Range(1, truncation).Where(n => !distribution.CumulantVanishes(n)).ToArray();
        IReadOnlyList<Tensor> derivatives = orders.Length == 0 ? Array.Empty<Tensor>() : objective.CoordinateDerivatives(z, orders.Max());

        if (objective.CheckFinite)
        {
            foreach (Tensor derivative in derivatives)
            {
                EstimatorChecks.RequireFinite(derivative, z.shape[0], "fourier", "a derivative of f");
            }
        }
        Tensor[] perSample = SeriesPerSample(distribution, orders, distribution.CumulantGradient, derivatives, sampledShape, z);
        Tensor[] reduced = ReduceAll(distribution, perSample, "fourier", objective.CheckFinite);
        return new GradientEstimate($"fourier(N={truncation})", distribution.ParameterNames, distribution.Parameters, z, values, reduced)
            .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Σ_n (∂c_n/∂θ_p / n!)·D_n per parameter, <c>[S, ...BatchShape]</c>: the series estimators' per-sample
    /// gradient, from coefficient gradients of the batch shape and per-sample terms D_n (derivatives or differences).
    /// </summary>
    private static Tensor[] SeriesPerSample(IDistribution distribution, int[] orders, Func<int, IReadOnlyList<Tensor>> coefficientGradient, IReadOnlyList<Tensor> terms, long[] sampledShape, Tensor like)
    {
        bool[] wanted = Wanted.Of(distribution);
        var perSample = new Tensor[wanted.Length];
        using (torch.no_grad())
        {
            var accumulated = new Tensor?[wanted.Length];
            foreach (int n in orders)
            {
                IReadOnlyList<Tensor> gradient = coefficientGradient(n);
                using Scalar factorial = Factorial(n).ToScalar(); // held for the loop: see Scalars
                for (int p = 0; p < wanted.Length; p++)
                {
                    if (!wanted[p])
                    {
                        continue;
                    }
                    // The coefficient's gradient has the batch shape and broadcasts over the sample axis; it is
                    // scaled once (batch-sized), and each order costs one sample-sized multiply-add.
                    Tensor coefficient = gradient[p].detach() / factorial;
                    accumulated[p] = accumulated[p] is { } sum
                        ? sum.addcmul_(terms[n - 1], coefficient, Scalars.One)
                        : Shapes.ToBatch(terms[n - 1] * coefficient, sampledShape).contiguous();
                }
            }
            for (int p = 0; p < wanted.Length; p++)
            {
                perSample[p] = accumulated[p] ?? Wanted.For(distribution, p, sampledShape[0], like);
            }
        }
        return perSample;
    }

    /// <summary>The score-function estimate from values already computed at <paramref name="z"/> (same dispose scope as the caller).</summary>
    internal static GradientEstimate ScoreCore(IScoredDistribution distribution, Tensor z, Tensor values, Baseline? baseline, bool checkFinite = true) =>
        ScoreParts(distribution, z, values, baseline, checkFinite).ToEstimate();

    /// <summary>The score-function estimate's pieces from values already computed at <paramref name="z"/> (same dispose scope as the caller).</summary>
    internal static EstimateParts ScoreParts(IScoredDistribution distribution, Tensor z, Tensor values, Baseline? baseline, bool checkFinite = true)
    {
        long sampleCount = z.shape[0];
        EstimatorChecks.RequireScoreDomain(distribution, z);
        var perSample = new Tensor[distribution.Parameters.Count];
        using (torch.no_grad())
        {
            Tensor fz = values.detach();
            Tensor weight = baseline is null ? fz : fz - baseline.Compute(fz);
            var weightShape = new long[z.dim()];
            Array.Fill(weightShape, 1L);
            weightShape[0] = sampleCount;
            bool[] wanted = Wanted.Of(distribution);
            if (distribution is IFiniteDistribution finite && DiscreteSupport.WeightedScoreLoop(finite, z, weight, wanted) is { } looped)
            {
                // One pass per parameter: (f − b) times each sample's entry of the score table.
                for (int p = 0; p < wanted.Length; p++)
                {
                    if (looped[p] is { } score)
                    {
                        perSample[p] = score;
                    }
                }
            }
            else if (distribution is IScoreKernel kernels && Kernel.IsCpuDouble(z) && weight.dtype == ScalarType.Float64)
            {
                // One pass per parameter over the samples: (f − b)·score from the generated loop.
                Tensor flatWeight = weight.contiguous();
                for (int p = 0; p < wanted.Length; p++)
                {
                    if (!wanted[p])
                    {
                        continue;
                    }
                    Tensor destination = torch.empty(z.shape, dtype: ScalarType.Float64);
                    if (kernels.ScoreKernel(p, Kernel.Doubles(z), Kernel.Doubles(flatWeight), Kernel.Doubles(destination)))
                    {
                        perSample[p] = destination;
                    }
                }
            }
            weight = weight.reshape(weightShape);
            bool[] remaining = wanted.Select((w, p) => w && perSample[p] is null).ToArray();
            IReadOnlyList<Tensor?> scores = remaining.Any(w => w) ? distribution.Score(z, remaining) : new Tensor?[perSample.Length];
            if (scores.Count != perSample.Length)
            {
                throw new InvalidOperationException($"{distribution.Name}.Score returned {scores.Count} tensors for {perSample.Length} parameters.");
            }
            for (int p = 0; p < perSample.Length; p++)
            {
                if (perSample[p] is not null)
                {
                    continue;
                }
                if (!remaining[p] || scores[p] is null)
                {
                    perSample[p] = Wanted.For(distribution, p, sampleCount, z);
                    continue;
                }
                // An event-axis parameter's score has one more axis than z ([S, ...BatchShape, K]); the weight broadcasts over it.
                Tensor score = scores[p]!.detach();
                perSample[p] = score.dim() > z.dim()
                    ? weight.reshape(weightShape.Concat(Enumerable.Repeat(1L, (int)(score.dim() - z.dim()))).ToArray()) * score
                    : Shapes.ToBatch(weight * score, z.shape);
            }
            baseline?.Observe(fz);
        }
        string name = baseline is null ? "score-function" : $"score-function(baseline={baseline.Name})";
        return new EstimateParts(name, distribution.ParameterNames, distribution.Parameters, z, values, ReduceAll(distribution, perSample, "score-function", checkFinite));
    }

    /// <summary>f(z) checked to have shape <c>[S]</c>.</summary>
    internal static Tensor EvaluateObjective(Objective objective, Tensor z, string estimator = "The estimator") =>
        EstimatorChecks.Evaluate(objective, z, estimator);

    private static int CheckFourierOrder(ICumulantDistribution distribution, int? order)
    {
        int truncation = order ?? distribution.FourierOrder;
        if (truncation < 1 || truncation > distribution.CumulantOrder)
        {
            throw new ArgumentOutOfRangeException(nameof(order), truncation,
                $"The Fourier order for {distribution.Name} must lie between 1 and its cumulant order {distribution.CumulantOrder}; got {truncation}.");
        }
        return truncation;
    }

    /// <summary>The per-sample gradients reduced to each parameter's shape, after checking them finite (unless f's <see cref="Objective.CheckFinite"/> is off).</summary>
    private static Tensor[] ReduceAll(IDistribution distribution, IReadOnlyList<Tensor> perSample, string estimator, bool checkFinite)
    {
        if (checkFinite)
        {
            EstimatorChecks.RequireFiniteGradients(distribution, perSample, estimator);
        }
        return perSample.Select((g, p) => Shapes.ReduceToParameter(g, distribution.Parameters[p].shape)).ToArray();
    }

    private static void RequireSampledShape(Tensor z, long[] expected, string what)
    {
        if (!z.shape.SequenceEqual(expected))
        {
            throw new ArgumentException($"{what} have shape {Shapes.Format(z.shape)}; expected [S, ...BatchShape] = {Shapes.Format(expected)}.");
        }
    }

    private static double Factorial(int n)
    {
        double result = 1;
        for (int i = 2; i <= n; i++)
        {
            result *= i;
        }
        return result;
    }
}
