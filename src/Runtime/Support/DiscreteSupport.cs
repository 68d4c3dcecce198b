using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>
/// What generated discrete distributions share: sampling by inverse CDF (from a probability table, or
/// from the log density on the counts), the log density and score of a probability table, and
/// per-sample parameter copies for per-sample gradients.
/// </summary>
public static class DiscreteSupport
{
    /// <summary>The largest count the counts sampler visits before it gives up (the tail mass must be below 1e-12 by then).</summary>
    public const int MaxCount = 100_000;

    /// <summary>
    /// Draws <paramref name="sampleCount"/> samples from a probability table <c>[...batch, K]</c> over
    /// <paramref name="supportValues"/>, by inverse CDF: shape <c>[S, ...batch]</c>, the support values as
    /// floats of the table's dtype, with no gradient.
    /// </summary>
    public static Tensor Sample(Tensor probabilities, IReadOnlyList<double> supportValues, long sampleCount, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(supportValues);
        using DisposeScope scope = torch.NewDisposeScope();
        using (torch.no_grad())
        {
            Tensor table = probabilities.detach();
            long categories = table.shape[^1];
            long[] batch = table.shape[..^1];
            Tensor cdf = table.cumsum(-1);
            Tensor uniform = torch.rand(Shapes.Sampled(sampleCount, batch).Append(1L).ToArray(), dtype: table.dtype, device: table.device, generator: generator);
            // The index is the number of categories whose cumulative probability lies below u (clamped against rounding).
            using Scalar lastCategory = (categories - 1).ToScalar(); // held for the call: see Scalars
            Tensor index = cdf.lt(uniform).sum(new long[] { -1 }).clamp_max(lastCategory);
            Tensor values = torch.tensor(supportValues.ToArray(), dtype: table.dtype, device: table.device);
            return values[index].MoveToOuterDisposeScope();
        }
    }

    /// <summary>
    /// Draws <paramref name="sampleCount"/> samples on the counts 0, 1, 2, … by inverse CDF from the
    /// log density, visiting counts until every draw is placed: shape <c>[S, ...batchShape]</c>, floats.
    /// </summary>
    /// <exception cref="InvalidOperationException">Some draw is still unplaced after <see cref="MaxCount"/> counts (the log density does not sum to 1).</exception>
    public static Tensor SampleCounts(Func<Tensor, Tensor> logDensity, long[] batchShape, long sampleCount, Tensor like, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(logDensity);
        ArgumentNullException.ThrowIfNull(like);
        using DisposeScope scope = torch.NewDisposeScope();
        using (torch.no_grad())
        {
            long[] shape = Shapes.Sampled(sampleCount, batchShape);
            Tensor uniform = torch.rand(shape, dtype: like.dtype, device: like.device, generator: generator);
            Tensor cdf = torch.zeros(shape, dtype: like.dtype, device: like.device);
            Tensor count = torch.zeros(shape, dtype: like.dtype, device: like.device);
            Tensor k = torch.zeros(shape, dtype: like.dtype, device: like.device);
            for (int visited = 0; visited < MaxCount; visited++)
            {
                cdf = cdf.add(logDensity(k).detach().exp(), Scalars.One);
                Tensor below = cdf.lt(uniform);
                if (!below.any().item<bool>())
                {
                    return count.MoveToOuterDisposeScope();
                }
                count = count.add(below.to_type(like.dtype), Scalars.One);
                k = k.add(Scalars.Of(1), Scalars.One);
            }
            throw new InvalidOperationException($"The counts sampler placed not every draw within {MaxCount} counts: the log density's probabilities do not sum to 1.");
        }
    }

    /// <summary>
    /// The categories 0..K−1 of a categorical distribution, K the size of the last (event) axis of its
    /// event parameters, which must agree.
    /// </summary>
    /// <exception cref="ArgumentException">An event parameter is a scalar, or two disagree on K.</exception>
    public static IReadOnlyList<double> CategoryValues(string distribution, params Tensor[] eventParameters)
    {
        ArgumentNullException.ThrowIfNull(eventParameters);
        long categories = -1;
        foreach (Tensor parameter in eventParameters)
        {
            if (parameter.dim() < 1)
            {
                throw new ArgumentException($"{distribution}: an event parameter needs a last axis of categories; got a scalar.", nameof(eventParameters));
            }
            long size = parameter.shape[^1];
            if (categories >= 0 && size != categories)
            {
                throw new ArgumentException($"{distribution}: the event parameters disagree on the number of categories ({categories} and {size}).", nameof(eventParameters));
            }
            categories = size;
        }
        return Enumerable.Range(0, (int)categories).Select(k => (double)k).ToArray();
    }

    /// <summary>log p(z) from a finite distribution's probability table: −∞ off the support. Shape of <paramref name="z"/>.</summary>
    public static Tensor LogDensity(IFiniteDistribution distribution, Tensor z)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(z);
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor table = distribution.Probabilities(distribution.Parameters);
        return Pick(table, distribution.SupportValues, z).log().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The per-sample score ∂ log p(z_i)/∂θ of a finite distribution, by autograd through its
    /// probability table on per-sample parameter copies (one backward pass): per parameter,
    /// <c>[S, ...BatchShape]</c>, or <c>[S, ...BatchShape, K]</c> for an event-axis parameter. Detached.
    /// </summary>
    public static IReadOnlyList<Tensor> Score(IFiniteDistribution distribution, Tensor z)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(z);
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable gradients = torch.enable_grad();
        Tensor[] leaves = PerSampleLeaves(distribution, z.shape[0]);
        Tensor logDensity = Pick(distribution.Probabilities(leaves), distribution.SupportValues, z.detach()).log();
        return Gradient(logDensity.sum(), leaves).Select(g => g.MoveToOuterDisposeScope()).ToArray();
    }

    /// <summary>
    /// Per-sample copies of the parameters as fresh leaves that require grad: <c>[S, ...BatchShape]</c>, plus
    /// the event axis for event-axis parameters. Sample i's gradient lands in row i.
    /// </summary>
    public static Tensor[] PerSampleLeaves(IDistribution distribution, long sampleCount)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        IReadOnlyList<int> eventRanks = distribution is IFiniteDistribution finite ? finite.ParameterEventRanks : new int[distribution.Parameters.Count];
        return distribution.Parameters
            .Select((p, i) =>
            {
                long[] shape = Shapes.Sampled(sampleCount, distribution.BatchShape.Concat(p.shape[((int)p.dim() - eventRanks[i])..]).ToArray());
                return p.detach().expand(shape).contiguous().requires_grad_(true);
            })
            .ToArray();
    }

    /// <summary>d(output)/d(leaf) per leaf; zeros where the output does not depend on it.</summary>
    internal static Tensor[] Gradient(Tensor output, Tensor[] leaves)
    {
        if (!output.requires_grad)
        {
            return leaves.Select(l => torch.zeros_like(l)).ToArray();
        }
        IList<Tensor> rows = torch.autograd.grad(new[] { output }, leaves, allow_unused: true);
        return leaves.Select((l, i) => rows[i].IsInvalid ? torch.zeros_like(l) : rows[i].detach()).ToArray();
    }

    /// <summary>p(z) per element: the table's entry at z's support value, 0 off the support.</summary>
    private static Tensor Pick(Tensor table, IReadOnlyList<double> supportValues, Tensor z)
    {
        Tensor values = torch.tensor(supportValues.ToArray(), dtype: z.dtype, device: z.device);
        Tensor match = z.unsqueeze(-1).eq(values).to_type(table.dtype);
        return (table * match).sum(new long[] { -1 });
    }
}
