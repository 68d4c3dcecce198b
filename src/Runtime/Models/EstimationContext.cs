using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Models;

/// <summary>One estimate's base run, dependencies and replays, shared by its sites' estimators.</summary>
internal sealed class EstimationContext
{
    private readonly LatentModel model;
    private Tensor? vimco;

    public EstimationContext(LatentModel model, Trace baseRun, Dependencies dependencies, ElboOptions options, bool importanceWeighted)
    {
        this.model = model;
        Base = baseRun;
        Graph = dependencies;
        Options = options;
        ImportanceWeighted = importanceWeighted;
    }

    public Trace Base { get; }
    public Dependencies Graph { get; }
    public ElboOptions Options { get; }
    public bool ImportanceWeighted { get; }

    /// <summary>The objective's name when it is neither bound (<c>expectation</c>).</summary>
    public string? BoundName { get; init; }

    /// <summary>
    /// The site's downstream costs in the base run, detached: the non-local ones summed per row, <c>[Rows]</c>, and the
    /// local ones (its own elementwise terms), <c>[Rows, ...coordinates]</c>.
    /// </summary>
    public (Tensor NonLocal, Tensor Own) Downstream(SiteRecord site) => Split(Base, site, detach: true);

    /// <summary>The site's downstream costs in the base run per row, with their graph, <c>[Rows]</c>.</summary>
    public Tensor DownstreamWithGraph(SiteRecord site)
    {
        (Tensor nonLocal, Tensor own) = Split(Base, site, detach: false);
        return nonLocal.add(Trace.PerRow(own), Scalars.One);
    }

    /// <summary>The score-function learning signal of each coordinate: its own local terms plus every non-local downstream cost, <c>[Rows, ...coordinates]</c>, detached.</summary>
    public Tensor LearningSignal(SiteRecord site, bool ownCostsOnly = false)
    {
        (Tensor nonLocal, Tensor own) = ownCostsOnly ? Split(Base, site, detach: true, ownOnly: true) : Downstream(site);
        Tensor broadcast = nonLocal.view(new[] { nonLocal.shape[0] }.Concat(Enumerable.Repeat(1L, site.Coordinates.Length)).ToArray());
        return own.add(broadcast, Scalars.One);
    }

    /// <summary>
    /// Runs both programs again on <paramref name="replicas"/> × Rows rows with <paramref name="site"/>'s value replaced by
    /// <paramref name="replacement"/> (<c>[replicas × Rows, ...]</c>, replica-major), earlier sites replaying their values and
    /// later finite sites their random numbers; returns the site's downstream costs split as <see cref="Downstream"/>.
    /// </summary>
    public (Tensor NonLocal, Tensor Own) Replay(SiteRecord site, int replicas, Tensor replacement, bool withGraph, bool freezeLaterSites = false, Tensor? relaxTemperature = null)
    {
        Trace replay = Trace.Replay(Base, site.Index, replicas, replacement, freezeLaterSites, relaxTemperature, Graph.DownstreamCosts[site.Index]);
        if (withGraph)
        {
            model.Run(replay);
        }
        else
        {
            using IDisposable noGradient = torch.no_grad();
            model.Run(replay);
        }
        if (replay.Signature() != Base.Signature())
        {
            throw new InvalidOperationException("A replay recorded different sites or costs from the base run (" + replay.Signature() + " against " + Base.Signature() + "): the programs must record the same terms on every run.");
        }
        return Split(replay, site, detach: !withGraph);
    }

    private (Tensor NonLocal, Tensor Own) Split(Trace run, SiteRecord site, bool detach, bool ownOnly = false)
    {
        bool[] downstream = ownOnly
            ? run.Costs.Select(c => c.Owner == site.Index).ToArray()
            : Graph.DownstreamCosts[site.Index];
        bool[] local = Graph.Local[site.Index];
        var nonLocal = new List<CostRecord>();
        Tensor? own = null;
        for (int c = 0; c < run.Costs.Count; c++)
        {
            if (!downstream[c])
            {
                continue;
            }
            CostRecord cost = run.Costs[c];
            if (cost.Skipped)
            {
                throw new InvalidOperationException($"Term '{cost.Name}' is downstream of site '{site.Name}' but the replay did not evaluate it.");
            }
            if (local[c])
            {
                Tensor value = detach ? cost.Value.detach() : cost.Value;
                own = own is null ? value : own.add(value, Scalars.One);
            }
            else
            {
                nonLocal.Add(detach ? cost with { Value = cost.Value.detach() } : cost);
            }
        }
        Tensor total = run.RowTotal(nonLocal);
        own ??= torch.zeros(new[] { run.Rows }.Concat(site.Coordinates).ToArray(), dtype: total.dtype, device: total.device);
        return (total, own);
    }

    /// <summary>
    /// VIMCO's learning signal per row (Mnih and Rezende 2016): L − L₋ₖ, with L = log (1/K) Σ_j w_j the data point's bound and
    /// L₋ₖ the same with log w_k replaced by the mean of the other particles' log-weights; <c>[Rows]</c>, particle-major, detached.
    /// </summary>
    public Tensor VimcoSignal()
    {
        if (vimco is not null)
        {
            return vimco;
        }
        using (torch.no_grad())
        {
            int k = Base.Particles;
            Tensor logWeights = Base.RowTotal(Base.Costs).detach().reshape(k, Base.Points);
            using Scalar logCount = Math.Log(k).ToScalar(); // held for the call: see Scalars
            Tensor bound = logWeights.logsumexp(0).sub(logCount);
            Tensor othersMean = (logWeights.sum(new long[] { 0 }, keepdim: true) - logWeights) / Scalars.Of(k - 1.0);
            // Row k of each replaced set: log w with entry k replaced by the others' mean.
            Tensor eye = torch.eye(k, dtype: ScalarType.Bool, device: logWeights.device).unsqueeze(-1);        // [k, k, 1]
            Tensor replaced = torch.where(eye, othersMean.unsqueeze(1).expand(k, k, Base.Points), logWeights.unsqueeze(0).expand(k, k, Base.Points));
            Tensor leaveOneOut = replaced.logsumexp(1).sub(logCount);                                       // [k, B]
            vimco = (bound.unsqueeze(0) - leaveOneOut).reshape(Base.Rows);
        }
        return vimco;
    }

    public ElboEstimate Assemble()
    {
        Trace run = Base;
        var graphTerms = new List<Tensor>();
        foreach (CostRecord cost in run.Costs)
        {
            SiteEstimator owner = cost.IsGuideLogQ ? run.Sites[cost.Owner].Estimator : SiteEstimator.Pathwise;
            bool dropDirect = cost.IsGuideLogQ && !owner.Reparameterized
                && (!ImportanceWeighted || owner is ScoreSite { VimcoWithoutDirectTerm: true });
            // For a site whose estimator is not pathwise, E[∇ log q(z)] = 0 at z ~ q: the guide's direct term adds only variance to the bound's gradient.
            Tensor term = dropDirect ? cost.Value.detach() : cost.Value;
            if (cost.IsGuideLogQ && owner is PathwiseSite { DropsDirectScore: true })
            {
                if (ImportanceWeighted)
                {
                    throw new InvalidOperationException($"Site '{run.Sites[cost.Owner].Name}': sticking the landing is biased for the importance-weighted bound; use SiteEstimator.Pathwise there.");
                }
                // Sticking the landing: the cost is −log q(z(θ); θ); adding log q(z; θ) − its value at the drawn z (zero, with θ-gradient ∇θ log q) cancels the direct term.
                SiteRecord site = run.Sites[cost.Owner];
                Tensor direct = Trace.SiteLogProbability(site, site.Distribution, site.Value);
                term = Trace.PerRow(term).add(Trace.PerRow(direct) - Trace.PerRow(direct).detach(), Scalars.One);
            }
            graphTerms.Add(Trace.PerRow(term));
        }
        Tensor perRow = graphTerms.Aggregate((a, b) => a.add(b, Scalars.One));
        Tensor perPoint;
        Tensor graphObjective;
        if (ImportanceWeighted)
        {
            using Scalar logCount = Math.Log(run.Particles).ToScalar(); // held for the call: see Scalars
            Tensor bound = perRow.reshape(run.Particles, run.Points).logsumexp(0).sub(logCount);
            perPoint = bound.detach();
            graphObjective = bound.mean();
        }
        else
        {
            perPoint = perRow.detach().reshape(run.Particles, run.Points).mean(new long[] { 0 });
            graphObjective = perRow.mean();
        }
        LatentModel.Checked(perPoint, ImportanceWeighted ? "the importance-weighted bound" : BoundName is null ? "the evidence lower bound" : "the expectation");
        var siteTerms = new Tensor?[run.Sites.Count];
        for (int k = 0; k < run.Sites.Count; k++)
        {
            siteTerms[k] = run.Sites[k].Estimator.Surrogate(this, run.Sites[k]);
        }
        Tensor gradientCarrier = siteTerms.Where(t => t is not null).Aggregate(graphObjective, (a, t) => a.add(t!, Scalars.One));
        Tensor value = perPoint.mean();
        Tensor surrogate = value.add(gradientCarrier - gradientCarrier.detach(), Scalars.One);
        var sites = new List<SiteEstimate>();
        for (int k = 0; k < run.Sites.Count; k++)
        {
            SiteRecord site = run.Sites[k];
            IReadOnlyList<Tensor?>? perRowGradients = null;
            if (Options.SiteGradients)
            {
                perRowGradients = PerRowGradients(site, siteTerms[k], graphObjective);
            }
            sites.Add(new SiteEstimate(site.Name, site.Estimator.Name, site.Estimator.Biased, site.Distribution, site.Value, run.Particles, run.Points, perRowGradients));
        }
        return new ElboEstimate(ImportanceWeighted ? "iwae" : BoundName ?? "elbo", value, perPoint, surrogate, sites);
    }

    private IReadOnlyList<Tensor?> PerRowGradients(SiteRecord site, Tensor? siteTerm, Tensor graphObjective)
    {
        IReadOnlyList<Tensor> parameters = site.Distribution.Parameters;
        int[] differentiable = Enumerable.Range(0, parameters.Count).Where(p => parameters[p].requires_grad).ToArray();
        var result = new Tensor?[parameters.Count];
        if (differentiable.Length == 0)
        {
            return result;
        }
        Tensor objective = site.Estimator.Reparameterized ? graphObjective : siteTerm ?? graphObjective.detach();
        if (!objective.requires_grad)
        {
            return result;
        }
        double scale = ImportanceWeighted ? Base.Points : Base.Rows;
        IList<Tensor> gradients = torch.autograd.grad(
            new[] { objective * Scalars.Of(scale) },
            differentiable.Select(p => parameters[p]).ToArray(),
            retain_graph: true,
            allow_unused: true);
        for (int i = 0; i < differentiable.Length; i++)
        {
            result[differentiable[i]] = gradients[i] is { IsInvalid: false } g ? g.detach() : null;
        }
        return result;
    }
}
