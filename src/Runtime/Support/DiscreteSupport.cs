using System;
using System.ComponentModel;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>
/// What generated discrete distributions share: sampling by inverse CDF (from a probability table, or
/// from the log density on the counts), the log density and score of a probability table, and
/// per-sample parameter copies for per-sample gradients.
/// For generated code: public so that the code the generator writes can call it, hidden from IntelliSense.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
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
            if (supportValues.Select((v, k) => v == k).All(same => same))
            {
                // Support 0..K−1 (a Bernoulli, categories): the index is the value; no gather.
                return index.to_type(table.dtype).MoveToOuterDisposeScope();
            }
            Tensor values = torch.tensor(supportValues.ToArray(), dtype: table.dtype, device: table.device);
            return values[index].MoveToOuterDisposeScope();
        }
    }

    /// <summary>
    /// Draws <paramref name="sampleCount"/> samples on the counts 0, 1, 2, … by inverse CDF from the
    /// log density, visiting counts until every draw is placed: shape <c>[S, ...batchShape]</c>, floats.
    /// Each visited count's temporaries are released at once, so memory stays at a few tensors of the sampled
    /// shape however many counts are visited; time grows with the largest count drawn, at most
    /// <see cref="MaxCount"/> steps. Counts distributions whose mass lies further out need a sampler of their
    /// own (the Poisson has one: <see cref="SamplePoisson"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">Some draw is still unplaced after <see cref="MaxCount"/> counts; the message gives the cumulative probability reached.</exception>
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
                using DisposeScope step = torch.NewDisposeScope();
                cdf.add_(logDensity(k).detach().exp(), Scalars.One);
                Tensor below = cdf.lt(uniform);
                if (!below.any().item<bool>())
                {
                    return count.MoveToOuterDisposeScope();
                }
                count.add_(below.to_type(like.dtype), Scalars.One);
                k.add_(Scalars.Of(1), Scalars.One);
            }
            double reached = cdf.min().to_type(ScalarType.Float64).item<double>();
            throw new InvalidOperationException(
                $"The counts sampler placed not every draw within {MaxCount} counts: the probabilities of 0..{MaxCount - 1} sum to only "
                + reached.ToString("R", System.Globalization.CultureInfo.InvariantCulture)
                + " at some coordinate. Either the distribution's mass lies beyond that count (a sampler of its own is needed) or its log density does not sum to 1.");
        }
    }

    /// <summary>
    /// Draws <paramref name="sampleCount"/> Poisson samples per coordinate, shape <c>[S, ...batchShape]</c>, floats of
    /// <paramref name="rate"/>'s dtype, with no gradient: the sampler generated for a counts distribution whose factorial
    /// cumulants vanish beyond the first (log E[(1 + t)^z] = ζ₁·t), with <paramref name="rate"/> = ζ₁.
    /// </summary>
    /// <remarks>
    /// libtorch's <c>poisson</c>, not an inverse CDF: it draws by multiplying uniforms below rate 10 and by Hörmann's
    /// transformed rejection (PTRS) above, a bounded expected number of uniforms per draw for every rate, in the memory
    /// of its output. An inverse CDF started at the mode would need the CDF at the mode, a sum over ~√rate counts per
    /// coordinate (10⁵ at rate 10⁹, unbounded as the rate grows); the walk from 0 it replaces kept every step's tensors
    /// and visited ~rate counts (1.08 GB at rate 10⁴ and S = 1024, a crash at rate 10⁹).
    /// </remarks>
    public static Tensor SamplePoisson(Tensor rate, long[] batchShape, long sampleCount, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(rate);
        ArgumentNullException.ThrowIfNull(batchShape);
        using DisposeScope scope = torch.NewDisposeScope();
        using (torch.no_grad())
        {
            long[] shape = Shapes.Sampled(sampleCount, batchShape);
            Tensor rates = rate.detach().expand(shape).contiguous();
            return torch.poisson(rates, generator).MoveToOuterDisposeScope();
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
    /// The per-sample score ∂ log p(z_i)/∂θ of a finite distribution: per parameter, <c>[S, ...BatchShape]</c>,
    /// or <c>[S, ...BatchShape, K]</c> for an event-axis parameter. Detached. Each sample's entry is read
    /// from <see cref="IFiniteDistribution.ScoreTable"/> (K values per coordinate, computed once), so the
    /// cost per sample is one gather, not a backward pass.
    /// </summary>
    public static IReadOnlyList<Tensor> Score(IFiniteDistribution distribution, Tensor z)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return Score(distribution, z, AllWanted(distribution.Parameters.Count))!.Select(s => s!).ToArray();
    }

    /// <summary>
    /// <see cref="Score(IFiniteDistribution, Tensor)"/> for the parameters with <paramref name="wanted"/>[p] set; null
    /// for the others (not computed).
    /// </summary>
    public static IReadOnlyList<Tensor?> Score(IFiniteDistribution distribution, Tensor z, IReadOnlyList<bool> wanted)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(z);
        ArgumentNullException.ThrowIfNull(wanted);
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable noGradient = torch.no_grad();
        IReadOnlyList<Tensor?> tables = distribution.ScoreTable(wanted);
        Tensor index = SupportIndex(distribution.SupportValues, z.detach());
        var scores = new Tensor?[tables.Count];
        for (int p = 0; p < tables.Count; p++)
        {
            if (tables[p] is not { } table)
            {
                continue;
            }
            scores[p] = GatherAt(table, index, eventAxis: distribution.ParameterEventRanks[p] == 1).MoveToOuterDisposeScope();
        }
        return scores;
    }

    /// <summary>
    /// weight_s · ∂ log p(z_sj)/∂θ_p for every wanted elementwise parameter in one pass over CPU float64 samples on a
    /// support of consecutive integers: each sample's entry is read from the K-entry score table of its coordinate.
    /// Null when the case does not apply (another dtype or device, an event-axis parameter, another support); the
    /// tensor gather of <see cref="Score(IFiniteDistribution, Tensor, IReadOnlyList{bool})"/> serves then.
    /// </summary>
    internal static Tensor?[]? WeightedScoreLoop(IFiniteDistribution distribution, Tensor z, Tensor weight, IReadOnlyList<bool> wanted)
    {
        IReadOnlyList<double> support = distribution.SupportValues;
        double first = support[0];
        bool consecutive = first == Math.Floor(first) && support.Select((v, k) => v == first + k).All(same => same);
        if (!consecutive || !Kernel.IsCpuDouble(z) || weight.dtype != ScalarType.Float64 || distribution.ParameterEventRanks.Any(rank => rank != 0))
        {
            return null;
        }
        using IDisposable noGradient = torch.no_grad();
        IReadOnlyList<Tensor?> tables = distribution.ScoreTable(wanted);
        Tensor flatWeight = weight.contiguous();
        long sampleCount = z.shape[0];
        int coordinates = checked((int)(z.numel() / sampleCount));
        int categories = support.Count;
        var result = new Tensor?[tables.Count];
        for (int p = 0; p < tables.Count; p++)
        {
            if (tables[p] is not { } table)
            {
                continue;
            }
            Tensor values = Shapes.ToBatch(table, distribution.BatchShape.Append(categories).ToArray()).to_type(ScalarType.Float64).contiguous();
            Tensor destination = torch.empty(z.shape, dtype: ScalarType.Float64);
            ScoreRows(Kernel.Doubles(z), Kernel.Doubles(flatWeight), Kernel.Doubles(values), Kernel.Doubles(destination), coordinates, categories, first);
            result[p] = destination;
        }
        return result;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void ScoreRows(ReadOnlySpan<double> z, ReadOnlySpan<double> weight, ReadOnlySpan<double> table, Span<double> destination, int coordinates, int categories, double first)
    {
        for (int s = 0, row = 0; s < weight.Length; s++, row += coordinates)
        {
            double w = weight[s];
            for (int j = 0; j < coordinates; j++)
            {
                int k = (int)(z[row + j] - first);
                destination[row + j] = w * table[j * categories + k];
            }
        }
    }

    /// <summary>
    /// ∂ log p(z_j = v_k)/∂θ by autograd through the probability table at batch-shaped copies of the
    /// parameters (K backward passes over the batch, none over samples): the table
    /// <see cref="IFiniteDistribution.ScoreTable"/> describes. Generated code calls this where the
    /// generator has no closed form (categories, event-axis parameters).
    /// </summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static IReadOnlyList<Tensor?> ScoreTableByAutograd(IFiniteDistribution distribution, IReadOnlyList<bool> wanted) =>
        TableGradient(distribution, wanted, logarithm: true);

    /// <summary>
    /// ∂p(z_j = v_k)/∂θ (or of log p when <paramref name="logarithm"/>) per wanted parameter, by K backward passes
    /// through the table at batch-shaped parameter copies: <c>[...BatchShape, K]</c> for an elementwise parameter,
    /// <c>[...BatchShape, K, K]</c> (entry [k, l]: by θ_l) for an event-axis one. Detached.
    /// </summary>
    internal static Tensor?[] TableGradient(IFiniteDistribution distribution, IReadOnlyList<bool> wanted, bool logarithm)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(wanted);
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable gradients = torch.enable_grad();
        IReadOnlyList<int> eventRanks = distribution.ParameterEventRanks;
        Tensor[] leaves = distribution.Parameters
            .Select((p, i) =>
            {
                long[] shape = distribution.BatchShape.Concat(p.shape[((int)p.dim() - eventRanks[i])..]).ToArray();
                return p.detach().expand(shape).contiguous().requires_grad_(wanted[i]);
            })
            .ToArray();
        Tensor table = distribution.Probabilities(leaves);
        if (logarithm)
        {
            table = table.log();
        }
        int[] needed = Enumerable.Range(0, leaves.Length).Where(p => wanted[p]).ToArray();
        var result = new Tensor?[leaves.Length];
        long categories = table.shape[^1];
        var perValue = needed.ToDictionary(p => p, _ => new List<Tensor>());
        Tensor[] neededLeaves = needed.Select(p => leaves[p]).ToArray();
        for (long k = 0; k < categories && needed.Length > 0; k++)
        {
            Tensor entry = table.select(-1, k).sum();
            Tensor[] rows = entry.requires_grad
                ? Gradient(entry, neededLeaves, keepGraph: k < categories - 1)
                : neededLeaves.Select(l => torch.zeros_like(l)).ToArray();
            for (int n = 0; n < needed.Length; n++)
            {
                perValue[needed[n]].Add(rows[n]);
            }
        }
        foreach (int p in needed)
        {
            // Elementwise: [...BatchShape, K]; event axis: rows k stacked before the parameter's own axis l.
            result[p] = torch.stack(perValue[p], eventRanks[p] == 1 ? -2 : -1).MoveToOuterDisposeScope();
        }
        return result;
    }

    /// <summary>Every parameter wanted: <paramref name="count"/> true flags.</summary>
    internal static bool[] AllWanted(int count) => Enumerable.Repeat(true, count).ToArray();

    /// <summary>
    /// The index k of each sample's support value v_k, as int64 of z's shape: z − v₀ for consecutive integers,
    /// else by comparison with every value. Off-support values are not detected here.
    /// </summary>
    internal static Tensor SupportIndex(IReadOnlyList<double> supportValues, Tensor z)
    {
        bool consecutive = supportValues.Select((v, k) => v == supportValues[0] + k).All(b => b) && supportValues[0] == Math.Floor(supportValues[0]);
        if (consecutive)
        {
            return supportValues[0] == 0 ? z.to_type(ScalarType.Int64) : (z - Scalars.Of(supportValues[0])).to_type(ScalarType.Int64);
        }
        Tensor values = torch.tensor(supportValues.ToArray(), dtype: z.dtype, device: z.device);
        return z.unsqueeze(-1).eq(values).to_type(ScalarType.Int64).argmax(-1);
    }

    /// <summary>
    /// Per sample, the table's entry at the sample's index: a <c>[...B, K]</c> table gives <c>[S, ...B]</c>; with
    /// <paramref name="eventAxis"/>, a <c>[...B, K, L]</c> table gives row k, <c>[S, ...B, L]</c>.
    /// </summary>
    internal static Tensor GatherAt(Tensor table, Tensor index, bool eventAxis)
    {
        long sampleCount = index.shape[0];
        if (!eventAxis)
        {
            Tensor expanded = table.unsqueeze(0).expand(new[] { sampleCount }.Concat(table.shape).ToArray());
            return expanded.gather(-1, index.unsqueeze(-1)).squeeze(-1);
        }
        long width = table.shape[^1];
        Tensor rows = table.unsqueeze(0).expand(new[] { sampleCount }.Concat(table.shape).ToArray());
        Tensor at = index.unsqueeze(-1).unsqueeze(-1).expand(index.shape.Concat(new[] { 1L, width }).ToArray());
        return rows.gather(-2, at).squeeze(-2);
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
    internal static Tensor[] Gradient(Tensor output, Tensor[] leaves, bool keepGraph = false)
    {
        if (!output.requires_grad)
        {
            return leaves.Select(l => torch.zeros_like(l)).ToArray();
        }
        IList<Tensor> rows = torch.autograd.grad(new[] { output }, leaves, retain_graph: keepGraph, allow_unused: true);
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
