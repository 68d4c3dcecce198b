using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Models;

/// <summary>The variational family q(z | x): draws each latent site with <see cref="GuideTrace.Sample(string, IDistribution, SiteEstimator?)"/>.</summary>
/// <param name="q">The trace that records the sites.</param>
/// <param name="data">The data, one row per particle and data point: <c>[Rows, ...]</c> (see <see cref="LatentModel"/>).</param>
public delegate void GuideProgram(GuideTrace q, Tensor data);

/// <summary>The generative model p(x, z): scores the guide's sites with <see cref="ModelTrace.Sample(string, IDistribution)"/> and the data with <see cref="ModelTrace.Observe(string, IDistribution, Tensor)"/>.</summary>
/// <param name="p">The trace that records the terms.</param>
/// <param name="data">The same rows as the guide's.</param>
public delegate void ModelProgram(ModelTrace p, Tensor data);

/// <summary>
/// A latent-variable model with several stochastic sites: a guide q(z | x) and a model p(x, z), written as two
/// programs over a trace, in the spirit of Pyro's model/guide pair, with an estimator chosen per site as in
/// storchastic. Gives the evidence lower bound (<see cref="Elbo"/>), the importance-weighted bound
/// (<see cref="Iwae"/>, with VIMCO for non-reparameterised sites) and the importance-sampled marginal
/// log-likelihood (<see cref="LogMarginal"/>).
/// </summary>
/// <remarks>
/// <para>
/// <b>Rows.</b> Both programs run once per estimate on <c>Rows = particles × B</c> rows: the data <c>[B, ...]</c>
/// repeated <c>particles</c> times along its first axis, particle-major (row <c>n·B + b</c> is particle n of data
/// point b). Every guide site's parameters carry this rows axis first (they are computed from the data or from
/// upstream samples), and one value is drawn per row and coordinate. Rows never interact: a row's costs depend only
/// on that row's values, as a batch of independent data points does.
/// </para>
/// <para>
/// <b>Costs.</b> The bound is the sum of the model's log-probabilities (<see cref="ModelTrace.Sample(string, IDistribution)"/>,
/// <see cref="ModelTrace.Observe(string, IDistribution, Tensor)"/>, <see cref="ModelTrace.Cost(string, Tensor)"/>) minus the guide's log-probabilities at its
/// own samples, per row.
/// </para>
/// <para>
/// <b>Dependencies.</b> Each site's estimator sees as its objective only the costs downstream of it: those that
/// depend on its value directly or through a later site's parameters. The dependencies are found by autograd on
/// the first estimate (each site's value is made a leaf, and a cost depends on a site when it is connected to that
/// leaf) and reused while the programs record the same site and cost names. A cost owned by a site (its own
/// log q and log p terms), elementwise in that site's coordinates and independent of the sites after it, multiplies
/// only its own coordinate's score (Rao-Blackwellisation, as Pyro's <c>TraceGraph_ELBO</c> with a plate).
/// </para>
/// <para>
/// <b>Replays.</b> Local expectation, ARM/DisARM, REBAR and RELAX re-evaluate the downstream part with a site's
/// value replaced: both programs run again on <c>R × Rows</c> rows, the earlier sites replaying their values, the
/// replaced site taking the given values, and later finite sites redrawn by inverse CDF from the same uniform
/// numbers (their random numbers held fixed). Later continuous sites are redrawn independently: the estimate
/// stays unbiased, with less coupling between the replicas.
/// </para>
/// </remarks>
public sealed class LatentModel
{
    private readonly GuideProgram guide;
    private readonly ModelProgram model;
    private Dependencies? dependencies;

    /// <summary>A model from its guide and model programs.</summary>
    /// <param name="guide">q(z | x).</param>
    /// <param name="model">p(x, z).</param>
    /// <param name="defaultEstimator">The estimator of guide sites that name none: pathwise where the distribution is reparameterised, else the score function with a leave-one-out baseline when there are several particles and none otherwise.</param>
    public LatentModel(GuideProgram guide, ModelProgram model, SiteEstimator? defaultEstimator = null)
    {
        this.guide = guide ?? throw new ArgumentNullException(nameof(guide));
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        DefaultEstimator = defaultEstimator;
    }

    /// <summary>The estimator of sites that name none (null: chosen per site, see the constructor).</summary>
    public SiteEstimator? DefaultEstimator { get; }

    /// <summary>
    /// The evidence lower bound E_q[log p(x, z) − log q(z | x)] per data point, averaged over <paramref name="particles"/>
    /// draws, with a surrogate whose <c>backward()</c> carries every site's gradient estimate into the networks.
    /// </summary>
    /// <param name="data">The data, <c>[B, ...]</c>.</param>
    /// <param name="particles">Draws per data point (the score function's leave-one-out baseline and local expectation's inner samples use them).</param>
    /// <param name="generator">The random number generator; null for the global one.</param>
    /// <param name="options">Per-site gradients and replay sizes.</param>
    public ElboEstimate Elbo(Tensor data, int particles = 1, Generator? generator = null, ElboOptions? options = null)
        => Estimate(data, particles, generator, options ?? new ElboOptions(), importanceWeighted: false);

    /// <summary>
    /// The plain expectation E_q[Σ model terms] per data point, without the guide's −log q: the objective when q is a policy
    /// or a sampling distribution rather than a posterior approximation (e.g. E_{b~Bernoulli(θ)}[f(b)] with f added by
    /// <see cref="ModelTrace.Cost(string, Tensor)"/>). Every site estimator works as for <see cref="Elbo"/>.
    /// </summary>
    public ElboEstimate Expectation(Tensor data, int particles = 1, Generator? generator = null, ElboOptions? options = null)
        => Estimate(data, particles, generator, options ?? new ElboOptions(), importanceWeighted: false, guideLogQ: false);

    /// <summary>
    /// The importance-weighted bound log (1/K) Σ_k p(x, z_k)/q(z_k | x) with K = <paramref name="particles"/> (Burda et al.),
    /// per data point. Reparameterised sites are differentiated through the bound; score-function sites get VIMCO's
    /// per-particle learning signals with its leave-one-out baseline (Mnih and Rezende 2016), whatever score baseline they name.
    /// Local expectation, ARM/DisARM, REBAR and RELAX are defined for the single-sample bound and are refused here.
    /// </summary>
    public ElboEstimate Iwae(Tensor data, int particles, Generator? generator = null, ElboOptions? options = null)
    {
        if (particles < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(particles), particles, "The importance-weighted bound and VIMCO need at least 2 particles.");
        }
        return Estimate(data, particles, generator, options ?? new ElboOptions(), importanceWeighted: true);
    }

    /// <summary>
    /// The importance-sampled estimate of log p(x) = log E_q[p(x, z)/q(z | x)] with <paramref name="samples"/> draws
    /// from the guide per data point, <c>[B]</c>, no gradient: for evaluation (Echraibi et al. 2020 use 200 samples). Sites are drawn
    /// hard (relaxed sites by their exact discrete sample). Runs in chunks of at most <paramref name="maxRows"/> rows.
    /// </summary>
    public Tensor LogMarginal(Tensor data, int samples = 200, Generator? generator = null, long maxRows = 1 << 15)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (samples < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(samples), samples, "The importance-sampled log-likelihood needs at least one sample.");
        }
        TorchBackend.EnsureAvailable();
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable noGradient = torch.no_grad();
        long points = data.shape[0];
        int perChunk = (int)Math.Max(1, Math.Min(samples, maxRows / Math.Max(1, points)));
        var logWeights = new List<Tensor>();
        for (int done = 0; done < samples; done += perChunk)
        {
            int count = Math.Min(perChunk, samples - done);
            Trace trace = Trace.Base(this, data, count, generator, hard: true);
            Run(trace);
            logWeights.Add(trace.RowTotal(trace.Costs).reshape(count, points));
        }
        Tensor all = torch.cat(logWeights, 0);
        using Scalar logCount = Math.Log(samples).ToScalar(); // held for the call: see Scalars
        Tensor result = all.logsumexp(0).sub(logCount);
        return Checked(result, "the importance-sampled log-likelihood").MoveToOuterDisposeScope();
    }

    internal SiteEstimator EstimatorFor(IDistribution distribution, SiteEstimator? named, int particles)
    {
        if (named is not null)
        {
            return named;
        }
        if (DefaultEstimator is not null)
        {
            return DefaultEstimator;
        }
        return distribution is IReparameterizedDistribution
            ? SiteEstimator.Pathwise
            : SiteEstimator.Score(particles > 1 ? ScoreBaseline.LeaveOneOut : ScoreBaseline.None);
    }

    internal void Run(Trace trace)
    {
        guide(trace.Guide, trace.Data);
        trace.EnterModel();
        model(trace.Model, trace.Data);
        trace.Finish();
    }

    private ElboEstimate Estimate(Tensor data, int particles, Generator? generator, ElboOptions options, bool importanceWeighted, bool guideLogQ = true)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (particles < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(particles), particles, "The number of particles must be at least 1.");
        }
        if (data.dim() < 1 || data.shape[0] < 1)
        {
            throw new ArgumentException("The data must have a first axis of data points, at least one; got shape " + Shapes.Format(data.shape) + ".", nameof(data));
        }
        TorchBackend.EnsureAvailable();
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable gradients = torch.enable_grad();
        Trace trace = Trace.Base(this, data, particles, generator, hard: false, guideLogQ: guideLogQ);
        Run(trace);
        Dependencies graph = DependenciesOf(trace, data, particles, generator, guideLogQ);
        var context = new EstimationContext(this, trace, graph, options, importanceWeighted) { BoundName = guideLogQ ? null : "expectation" };
        ElboEstimate estimate = context.Assemble();
        return estimate.MoveToOuterDisposeScope();
    }

    private Dependencies DependenciesOf(Trace trace, Tensor data, int particles, Generator? generator, bool guideLogQ)
    {
        string signature = trace.Signature();
        if (dependencies is { } known && known.Signature == signature)
        {
            return known;
        }
        // A separate run whose site values are autograd leaves: a cost depends on a site when it is connected to its leaf.
        using DisposeScope scope = torch.NewDisposeScope();
        Trace probe = Trace.Base(this, data, particles, generator, hard: false, analysis: true, guideLogQ: guideLogQ);
        Run(probe);
        if (probe.Signature() != signature)
        {
            throw new InvalidOperationException("The programs recorded different sites or costs on two runs with the same data (" + signature + " then " + probe.Signature() + "); the dependencies between sites cannot be found.");
        }
        dependencies = Dependencies.Find(probe, signature);
        return dependencies;
    }

    internal static Tensor Checked(Tensor value, string what)
    {
        using (torch.no_grad())
        {
            if (!torch.isfinite(value).all().item<bool>())
            {
                throw new InvalidOperationException($"{char.ToUpperInvariant(what[0])}{what[1..]} is not finite (NaN or ±∞): a log-probability is −∞ at a sampled value or a network returned NaN.");
            }
        }
        return value;
    }
}

/// <summary>Options of <see cref="LatentModel.Elbo"/>.</summary>
public sealed record ElboOptions
{
    /// <summary>
    /// Whether to return each site's per-row gradient w.r.t. its distribution's parameter tensors
    /// (<see cref="SiteEstimate.PerRowGradients"/>); costs one extra backward pass per site.
    /// </summary>
    public bool SiteGradients { get; init; }

    /// <summary>The most rows one replay (local expectation's batched re-evaluation) may run at once; more replicas run in chunks.</summary>
    public long MaxReplayRows { get; init; } = 1 << 16;
}
