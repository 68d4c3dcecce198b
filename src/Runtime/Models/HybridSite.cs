using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Models;

/// <summary>Which per-row gradients a site hybrid's λ* treats as the samples of its moments.</summary>
public enum MomentPooling
{
    /// <summary>
    /// The Monte Carlo moments within each data point (across its particles), summed over the batch: the variance the
    /// estimate actually has, not the spread between data points. Needs at least 2 particles.
    /// </summary>
    WithinDataPoint,

    /// <summary>Every row as one sample (the minibatch as the batch of Oden's (2025) Algorithm 1): with one particle per data point, the spread between data points is part of the moments.</summary>
    AcrossRows,
}

/// <summary>
/// The variance-optimal hybrid of the pathwise and score-function estimators for a site (Oden's (2025) λ*, Algorithm 1):
/// per row, ĝ_P = ∂F/∂z·∂z/∂θ and ĝ_S = ∇θ log q(z)·F (F the site's downstream costs, its own terms only for
/// their own coordinate), combined as λ ĝ_P + (1 − λ) ĝ_S with λ* = (Var ĝ_S − Cov)/(Var ĝ_P + Var ĝ_S − 2 Cov)
/// clipped to [0, 1], from this batch's moments (<see cref="LambdaMode.SameBatch"/>) or earlier batches'
/// (<see cref="LambdaMode.PreviousBatches"/>, unbiased). θ are the site distribution's parameter tensors (the
/// encoder's outputs); λ is per parameter tensor, per coordinate or one for all (<see cref="HybridOptions.Granularity"/>;
/// per coordinate means per latent coordinate, shared by the data points).
/// </summary>
public sealed class HybridSite : SiteEstimator
{
    private readonly Dictionary<string, (Tensor First, Tensor Second, Tensor Covariance)> history = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double[]> lastLambdas = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HybridMoments[]> lastMoments = new(StringComparer.Ordinal);
    private readonly HashSet<string> withHistory = new(StringComparer.Ordinal);

    internal HybridSite(HybridOptions options, MomentPooling pooling)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        if (!Enum.IsDefined(pooling))
        {
            throw new ArgumentOutOfRangeException(nameof(pooling), pooling, "Unknown moment pooling.");
        }
        if (!Enum.IsDefined(options.Mode) || !Enum.IsDefined(options.Granularity))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Unknown λ mode or granularity.");
        }
        if (!(options.Decay >= 0 && options.Decay < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Decay, "The decay must lie in [0, 1).");
        }
        Pooling = pooling;
    }

    /// <summary>Test seam: the defect of weighting both estimators by λ (weights not summing to one).</summary>
    internal bool WeightsDefect { get; init; }

    /// <summary>The λ settings.</summary>
    public HybridOptions Options { get; }

    /// <summary>The moments' samples.</summary>
    public MomentPooling Pooling { get; }

    /// <inheritdoc/>
    public override string Name => $"hybrid({(Options.Mode == LambdaMode.SameBatch ? "same-batch" : "previous-batches")}, {Options.Granularity.ToString().ToLowerInvariant()}, {(Pooling == MomentPooling.WithinDataPoint ? "within-point" : "across-rows")})";

    /// <summary>The λ of the last estimate of site <paramref name="site"/>, per parameter (the mean over its coordinates for per-coordinate λ).</summary>
    public IReadOnlyList<double> LastLambdas(string site)
        => lastLambdas.TryGetValue(site, out double[]? lambdas) ? lambdas : throw new KeyNotFoundException($"No estimate of site '{site}' yet.");

    /// <summary>
    /// The moments behind the last estimate of site <paramref name="site"/>, per parameter, summed over its coordinates: the ones
    /// λ was computed from (for <see cref="LambdaMode.PreviousBatches"/>, the earlier batches' average, not this batch's).
    /// </summary>
    public IReadOnlyList<HybridMoments> LastMoments(string site)
        => lastMoments.TryGetValue(site, out HybridMoments[]? moments) ? moments : throw new KeyNotFoundException($"No estimate of site '{site}' yet.");

    internal override void Validate(SiteRecord site)
    {
        if (site.Distribution is not IReparameterizedDistribution)
        {
            throw new ArgumentException($"Site '{site.Name}': the hybrid needs a reparameterised distribution; {site.Distribution.Name} has none.");
        }
        if (site.Finite is not null)
        {
            throw new ArgumentException($"Site '{site.Name}': the hybrid is for continuous sites.");
        }
        long[] batch = site.Distribution.BatchShape;
        for (int p = 0; p < site.Distribution.Parameters.Count; p++)
        {
            if (!site.Distribution.Parameters[p].shape.SequenceEqual(batch))
            {
                throw new ArgumentException($"Site '{site.Name}': the hybrid needs per-row gradients, so every parameter must have the full batch shape {Shapes.Format(batch)}; '{site.Distribution.ParameterNames[p]}' has {Shapes.Format(site.Distribution.Parameters[p].shape)} (expand it).");
            }
        }
    }

    internal override SiteDraw Draw(Trace trace, SiteRecord site)
    {
        var distribution = (IReparameterizedDistribution)site.Distribution;
        long[] batch = distribution.BatchShape;
        // Per-row copies of the parameters, so that each row's pathwise and score gradients land in its own row.
        Tensor[] leaves = distribution.Parameters.Select(p => p.detach().expand(batch).contiguous().requires_grad_(true)).ToArray();
        Tensor z = distribution.Reparameterize(leaves, 1, trace.Generator).squeeze(0);
        site.HybridLeaves = leaves;
        site.HybridPath = z;
        // The program's value is a leaf: the costs' graph reaches z, not θ, so the combination decides how much pathwise there is.
        Tensor value = z.detach().requires_grad_(true);
        site.HybridValue = value;
        return new SiteDraw(value, z.detach());
    }

    internal override Tensor? Surrogate(EstimationContext context, SiteRecord site)
    {
        if (context.ImportanceWeighted)
        {
            throw new InvalidOperationException($"Site '{site.Name}': the hybrid is defined for the evidence lower bound.");
        }
        Tensor[] leaves = site.HybridLeaves!;
        IReadOnlyList<Tensor> parameters = site.Distribution.Parameters;
        long rows = context.Base.Rows;
        // ∂F/∂z per row, F the site's downstream costs (its own terms included).
        Tensor downstream = context.DownstreamWithGraph(site);
        Tensor slope = torch.autograd.grad(new[] { downstream.sum() }, new[] { site.HybridValue! }, retain_graph: true, allow_unused: true)[0];
        if (slope is null || slope.IsInvalid)
        {
            slope = torch.zeros_like(site.HybridValue!);
        }
        IList<Tensor> pathwise = torch.autograd.grad(new[] { site.HybridPath! }, leaves, grad_outputs: new[] { slope.detach() }, retain_graph: false, allow_unused: true);
        Tensor signal = context.LearningSignal(site);
        // The generated score, elementwise: each row's (and coordinate's) own ∂ log q/∂θ, as the parameters carry the full batch shape.
        IReadOnlyList<Tensor> scores = ((IScoredDistribution)site.Distribution).Score(site.Value.unsqueeze(0));
        var first = new Tensor[leaves.Length];
        var second = new Tensor[leaves.Length];
        for (int p = 0; p < leaves.Length; p++)
        {
            first[p] = pathwise[p] is { IsInvalid: false } a ? a.detach() : torch.zeros_like(leaves[p]);
            second[p] = (scores[p].detach().squeeze(0) * signal).expand(leaves[p].shape);
        }
        Tensor[] lambdas = Lambdas(context, site, first, second);
        Tensor carried = torch.zeros(new long[0], dtype: first[0].dtype, device: first[0].device);
        for (int p = 0; p < leaves.Length; p++)
        {
            if (!parameters[p].requires_grad)
            {
                continue;
            }
            Tensor complement = WeightsDefect ? lambdas[p] : -(lambdas[p] - Scalars.Of(1.0));
            Tensor combined = (lambdas[p] * first[p]).add(complement * second[p], Scalars.One);
            carried = carried.add((parameters[p].expand(leaves[p].shape) * combined).sum(), Scalars.One);
        }
        return carried / Scalars.Of((double)rows);
    }

    /// <summary>λ per parameter, shaped to broadcast against its per-row gradient <c>[Rows, ...]</c>.</summary>
    private Tensor[] Lambdas(EstimationContext context, SiteRecord site, Tensor[] first, Tensor[] second)
    {
        int particles = context.Base.Particles;
        long points = context.Base.Points;
        if (Pooling == MomentPooling.WithinDataPoint && particles < 2)
        {
            throw new InvalidOperationException($"Site '{site.Name}': λ* from the moments within each data point needs at least 2 particles; got 1 (use MomentPooling.AcrossRows or more particles).");
        }
        // Per parameter, the moments per coordinate of the site (rows pooled as the option says), [coords...].
        var moments = new (Tensor First, Tensor Second, Tensor Covariance)[first.Length];
        using (torch.no_grad())
        {
            for (int p = 0; p < first.Length; p++)
            {
                Tensor a = first[p];
                Tensor b = second[p];
                if (Pooling == MomentPooling.WithinDataPoint)
                {
                    long[] grouped = new[] { (long)particles, points }.Concat(a.shape[1..]).ToArray();
                    a = a.reshape(grouped);
                    b = b.reshape(grouped);
                }
                Tensor ca = a - a.mean(new long[] { 0 }, keepdim: true);
                Tensor cb = b - b.mean(new long[] { 0 }, keepdim: true);
                using Scalar degrees = (a.shape[0] - 1.0).ToScalar(); // held for the call: see Scalars
                Tensor va = (ca * ca).sum(new long[] { 0 }) / degrees;
                Tensor vb = (cb * cb).sum(new long[] { 0 }) / degrees;
                Tensor cov = (ca * cb).sum(new long[] { 0 }) / degrees;
                if (Pooling == MomentPooling.WithinDataPoint)
                {
                    // Sum over the data points: the within-point moments pooled over the batch.
                    va = va.sum(new long[] { 0 });
                    vb = vb.sum(new long[] { 0 });
                    cov = cov.sum(new long[] { 0 });
                }
                moments[p] = (va, vb, cov);
            }
        }
        if (Options.Mode == LambdaMode.PreviousBatches)
        {
            moments = WithHistory(site.Name, moments);
        }
        var lambdas = new Tensor[first.Length];
        var reported = new double[first.Length];
        double[] scalarMoments = Options.Granularity == LambdaGranularity.Scalar
            ? new[] { moments.Sum(m => Total(m.First)), moments.Sum(m => Total(m.Second)), moments.Sum(m => Total(m.Covariance)) }
            : Array.Empty<double>();
        lastMoments[site.Name] = moments.Select(m => new HybridMoments(Total(m.First), Total(m.Second), Total(m.Covariance))).ToArray();
        for (int p = 0; p < first.Length; p++)
        {
            (Tensor va, Tensor vb, Tensor cov) = moments[p];
            double[] values;
            if (Options.Mode == LambdaMode.PreviousBatches && IsFirstBatch(site.Name))
            {
                values = Enumerable.Repeat(Options.InitialLambda, Options.Granularity == LambdaGranularity.PerCoordinate ? (int)va.numel() : 1).ToArray();
            }
            else if (Options.Granularity == LambdaGranularity.Scalar)
            {
                values = new[] { VarianceStatistics.OptimalLambda(scalarMoments[0], scalarMoments[1], scalarMoments[2], Options.Ridge) };
            }
            else if (Options.Granularity == LambdaGranularity.PerTensor)
            {
                values = new[] { VarianceStatistics.OptimalLambda(Total(va), Total(vb), Total(cov), Options.Ridge) };
            }
            else
            {
                double[] v1 = Values(va), v2 = Values(vb), c = Values(cov);
                values = v1.Select((_, j) => VarianceStatistics.OptimalLambda(v1[j], v2[j], c[j], Options.Ridge)).ToArray();
            }
            reported[p] = values.Average();
            Tensor lambda = torch.tensor(values, dtype: first[p].dtype, device: first[p].device);
            lambdas[p] = values.Length == 1 ? lambda.reshape(new long[0]) : lambda.reshape(first[p].shape[1..]);
        }
        lastLambdas[site.Name] = reported;
        return lambdas;
    }

    /// <summary>The sum of a moment's coordinates as a double, whatever the gradients' dtype.</summary>
    private static double Total(Tensor moment)
    {
        using Tensor total = moment.sum(ScalarType.Float64);
        return total.item<double>();
    }

    /// <summary>A moment's coordinates as doubles, whatever the gradients' dtype.</summary>
    private static double[] Values(Tensor moment)
    {
        using Tensor values = moment.flatten().to_type(ScalarType.Float64);
        return values.data<double>().ToArray();
    }

    /// <summary>Whether no earlier batch of <paramref name="site"/> has been folded in yet (λ is then the initial one).</summary>
    private bool IsFirstBatch(string site) => !withHistory.Contains(site);

    /// <summary>
    /// For <see cref="LambdaMode.PreviousBatches"/>: returns the moving average of earlier batches' moments (λ then does not
    /// depend on this batch) and folds this batch's moments in afterwards.
    /// </summary>
    private (Tensor, Tensor, Tensor)[] WithHistory(string site, (Tensor First, Tensor Second, Tensor Covariance)[] current)
    {
        var earlier = new (Tensor, Tensor, Tensor)[current.Length];
        for (int p = 0; p < current.Length; p++)
        {
            string key = site + "/" + p;
            (Tensor a, Tensor b, Tensor c) = current[p];
            if (history.TryGetValue(key, out var previous) && previous.First.shape.SequenceEqual(a.shape))
            {
                earlier[p] = (previous.First.clone(), previous.Second.clone(), previous.Covariance.clone());
                using Scalar decay = Options.Decay.ToScalar(), complement = (1 - Options.Decay).ToScalar(); // held for the call: see Scalars
                var updated = ((previous.First * decay).add(a * complement, Scalars.One).DetachFromDisposeScope(),
                    (previous.Second * decay).add(b * complement, Scalars.One).DetachFromDisposeScope(),
                    (previous.Covariance * decay).add(c * complement, Scalars.One).DetachFromDisposeScope());
                previous.First.Dispose();
                previous.Second.Dispose();
                previous.Covariance.Dispose();
                history[key] = updated;
                withHistory.Add(site);
            }
            else
            {
                earlier[p] = (a, b, c);
                history[key] = (a.clone().DetachFromDisposeScope(), b.clone().DetachFromDisposeScope(), c.clone().DetachFromDisposeScope());
            }
        }
        return earlier;
    }
}

/// <summary>
/// The moments a site hybrid's λ* came from, summed over a parameter's coordinates: Var ĝ_P, Var ĝ_S and Cov(ĝ_P, ĝ_S)
/// (per-row gradients w.r.t. that parameter tensor, pooled as <see cref="HybridSite.Pooling"/> says).
/// </summary>
/// <param name="PathwiseVariance">Var ĝ_P.</param>
/// <param name="ScoreVariance">Var ĝ_S.</param>
/// <param name="Covariance">Cov(ĝ_P, ĝ_S).</param>
public readonly record struct HybridMoments(double PathwiseVariance, double ScoreVariance, double Covariance)
{
    /// <summary>Cov/Var ĝ_P, the ratio of Oden's (2025) Theorem 9 (λ* → 1 as it → 1 with Var ĝ_S above Var ĝ_P); NaN when Var ĝ_P is 0.</summary>
    public double CovarianceOverPathwiseVariance => PathwiseVariance > 0 ? Covariance / PathwiseVariance : double.NaN;
}
