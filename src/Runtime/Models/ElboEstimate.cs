using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Models;

/// <summary>
/// A bound's estimate for a minibatch: its value, per data point, and a surrogate whose <c>backward()</c> carries every
/// site's gradient estimate into the networks that produced the distributions' parameters, and the model's own
/// parameters' pathwise gradient into them.
/// </summary>
/// <remarks>The tensors live in the dispose scope current when the estimate was made; <see cref="Dispose"/> releases them early.</remarks>
public sealed class ElboEstimate : IDisposable
{
    private readonly List<Tensor> owned;

    internal ElboEstimate(string bound, Tensor value, Tensor perDataPoint, Tensor surrogate, IReadOnlyList<SiteEstimate> sites)
    {
        Bound = bound;
        Value = value;
        PerDataPoint = perDataPoint;
        Surrogate = surrogate;
        Sites = sites;
        owned = new List<Tensor> { value, perDataPoint, surrogate };
        owned.AddRange(sites.SelectMany(s => s.OwnedTensors()));
    }

    /// <summary><c>elbo</c>, <c>iwae</c> or <c>expectation</c>.</summary>
    public string Bound { get; }

    /// <summary>The bound averaged over the data points (a 0-dimensional tensor, detached).</summary>
    public Tensor Value { get; }

    /// <summary>The bound per data point, <c>[B]</c>, detached.</summary>
    public Tensor PerDataPoint { get; }

    /// <summary>
    /// Equal to <see cref="Value"/>; its gradient is the estimate of ∇ of the bound averaged over the data points.
    /// Maximise it (or minimise <see cref="Loss"/>).
    /// </summary>
    public Tensor Surrogate { get; }

    /// <summary>−<see cref="Surrogate"/>, to hand to a minimiser.</summary>
    public Tensor Loss => Surrogate.neg();

    /// <summary>Per site, in the guide's order: its estimator and, when asked for, its per-row gradients.</summary>
    public IReadOnlyList<SiteEstimate> Sites { get; }

    /// <summary>The site named <paramref name="name"/>.</summary>
    public SiteEstimate this[string name] => Sites.FirstOrDefault(s => s.Name == name)
        ?? throw new KeyNotFoundException($"No site named '{name}' (sites: {string.Join(", ", Sites.Select(s => s.Name))}).");

    /// <summary>The estimate's tensors moved to the dispose scope outside the current one.</summary>
    internal ElboEstimate MoveToOuterDisposeScope()
    {
        foreach (Tensor tensor in owned)
        {
            tensor.MoveToOuterDisposeScope();
        }
        return this;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (Tensor tensor in owned)
        {
            tensor.Dispose();
        }
    }
}

/// <summary>One site of an estimate.</summary>
public sealed class SiteEstimate
{
    private readonly int particles;
    private readonly long points;

    internal SiteEstimate(string name, string estimator, bool biased, IDistribution distribution, Tensor value, int particles, long points, IReadOnlyList<Tensor?>? perRowGradients)
    {
        Name = name;
        Estimator = estimator;
        Biased = biased;
        Distribution = distribution;
        Value = value;
        this.particles = particles;
        this.points = points;
        PerRowGradients = perRowGradients;
    }

    /// <summary>The site's name.</summary>
    public string Name { get; }

    /// <summary>The estimator's name.</summary>
    public string Estimator { get; }

    /// <summary>Whether that estimator is biased.</summary>
    public bool Biased { get; }

    /// <summary>The site's distribution (its parameters are the networks' outputs).</summary>
    public IDistribution Distribution { get; }

    /// <summary>The site's value in the estimate, <c>[Rows, ...]</c>, detached.</summary>
    public Tensor Value { get; }

    /// <summary>
    /// With <see cref="ElboOptions.SiteGradients"/>: per parameter of <see cref="Distribution"/>, the gradient of Rows × the
    /// bound's estimate (B × for the importance-weighted bound) w.r.t. that parameter tensor; for a parameter carrying the
    /// rows axis, row r is row r's own estimate. Null for a parameter that does not require grad.
    /// </summary>
    public IReadOnlyList<Tensor?>? PerRowGradients { get; }

    /// <summary>
    /// The Monte Carlo variance of parameter <paramref name="parameter"/>'s per-row gradient within each data point (across its
    /// particles, unbiased), averaged over the data points: the pooled within-point variance, not the spread between data points.
    /// <c>[...parameter shape without the rows axis]</c>.
    /// </summary>
    public Tensor WithinPointVariance(int parameter)
    {
        if (PerRowGradients is null)
        {
            throw new InvalidOperationException($"Site '{Name}': per-row gradients were not computed; set ElboOptions.SiteGradients.");
        }
        if (particles < 2)
        {
            throw new InvalidOperationException($"Site '{Name}': the within-point variance needs at least 2 particles; got {particles}.");
        }
        Tensor gradient = PerRowGradients[parameter]
            ?? throw new InvalidOperationException($"Site '{Name}': parameter {parameter} has no gradient (it does not require grad).");
        if (gradient.dim() == 0 || gradient.shape[0] != particles * points)
        {
            throw new InvalidOperationException($"Site '{Name}': parameter {parameter} does not carry the rows axis (shape {Shapes.Format(gradient.shape)}).");
        }
        Tensor grouped = gradient.reshape(new[] { (long)particles, points }.Concat(gradient.shape[1..]).ToArray());
        return grouped.var(new long[] { 0 }, unbiased: true).mean(new long[] { 0 });
    }

    internal IEnumerable<Tensor> OwnedTensors()
    {
        yield return Value;
        if (PerRowGradients is not null)
        {
            foreach (Tensor? gradient in PerRowGradients)
            {
                if (gradient is not null)
                {
                    yield return gradient;
                }
            }
        }
    }
}
