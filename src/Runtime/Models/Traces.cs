using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Models;

/// <summary>What a guide program sees: draws latent sites.</summary>
public sealed class GuideTrace
{
    private readonly Trace trace;

    internal GuideTrace(Trace trace) => this.trace = trace;

    /// <summary>Rows in this run: particles × data points (× replicas during a replay).</summary>
    public long Rows => trace.Rows;

    /// <summary>
    /// Draws the latent site <paramref name="name"/> from <paramref name="distribution"/>, one value per row and coordinate,
    /// and records −log q at the value. The distribution's batch shape must start with <see cref="Rows"/>.
    /// </summary>
    /// <param name="name">A name unique among the sites; the model scores the site under the same name.</param>
    /// <param name="distribution">q(z | upstream), a declared distribution whose parameters carry the rows axis first.</param>
    /// <param name="estimator">How this site's gradient is estimated; null for the model's default.</param>
    /// <returns>
    /// The value, <c>[Rows, ...coordinates]</c>; for a categorical (a finite distribution whose parameters have an event
    /// axis) the one-hot vector <c>[Rows, ...coordinates, K]</c>, so that relaxations can replace it.
    /// </returns>
    public Tensor Sample(string name, IDistribution distribution, SiteEstimator? estimator = null)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return trace.SampleGuide(name, () => distribution, estimator);
    }

    /// <summary>
    /// As <see cref="Sample(string, IDistribution, SiteEstimator?)"/> with the distribution built by <paramref name="distribution"/> only
    /// when it is needed: a replay (local expectation, ARM, REBAR) re-runs the program for a later site, and the networks behind
    /// an earlier site's distribution then do not run. Same numbers, less work.
    /// </summary>
    public Tensor Sample(string name, Func<IDistribution> distribution, SiteEstimator? estimator = null)
        => trace.SampleGuide(name, distribution, estimator);
}

/// <summary>What a model program sees: scores the guide's sites and observes data.</summary>
public sealed class ModelTrace
{
    private readonly Trace trace;

    internal ModelTrace(Trace trace) => this.trace = trace;

    /// <summary>Rows in this run.</summary>
    public long Rows => trace.Rows;

    /// <summary>
    /// Adds log p(z) of the guide's site <paramref name="name"/> under <paramref name="prior"/> (elementwise, broadcast
    /// against the value) and returns the guide's value.
    /// </summary>
    public Tensor Sample(string name, IDistribution prior)
    {
        ArgumentNullException.ThrowIfNull(prior);
        return trace.SampleModel(name, () => prior);
    }

    /// <summary>As <see cref="Sample(string, IDistribution)"/>, the prior built only when a replay needs this term (it is downstream of the replaced site).</summary>
    public Tensor Sample(string name, Func<IDistribution> prior) => trace.SampleModel(name, prior);

    /// <summary>Adds log p(x) of the observed <paramref name="value"/> under <paramref name="likelihood"/>.</summary>
    /// <param name="name">A name for the term.</param>
    /// <param name="likelihood">p(x | z), with a batch shape that broadcasts against <paramref name="value"/>.</param>
    /// <param name="value">The observation, <c>[Rows, ...]</c> (the program's data, or part of it).</param>
    public void Observe(string name, IDistribution likelihood, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(likelihood);
        trace.Observe(name, () => likelihood, value);
    }

    /// <summary>As <see cref="Observe(string, IDistribution, Tensor)"/>, the likelihood (and the decoder behind it) built only when a replay needs this term.</summary>
    public void Observe(string name, Func<IDistribution> likelihood, Tensor value) => trace.Observe(name, likelihood, value);

    /// <summary>Adds a term of the user's own to the bound, <c>[Rows]</c> or <c>[Rows, ...]</c> (summed per row), e.g. a log-prior of the model's parameters divided among the rows.</summary>
    public void Cost(string name, Tensor perRow)
    {
        ArgumentNullException.ThrowIfNull(perRow);
        trace.AddCost(name, () => perRow);
    }

    /// <summary>As <see cref="Cost(string, Tensor)"/>, computed only when a replay needs this term (a decoder's likelihood written by hand).</summary>
    public void Cost(string name, Func<Tensor> perRow) => trace.AddCost(name, perRow);
}
