using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Models;

/// <summary>A site's value: what the program receives (with a graph for pathwise and relaxed sites) and its detached value.</summary>
internal readonly record struct SiteDraw(Tensor Returned, Tensor Value);

/// <summary>The baseline subtracted from a score-function site's learning signal.</summary>
public enum ScoreBaseline
{
    /// <summary>No baseline.</summary>
    None,

    /// <summary>Per data point and coordinate, the mean learning signal of the other particles (needs 2 particles or more).</summary>
    LeaveOneOut,

    /// <summary>Per coordinate, an exponential moving average of the learning signal over earlier estimates (decay 0.9).</summary>
    MovingAverage,
}

/// <summary>
/// How one site's gradient is estimated inside a <see cref="LatentModel"/>. The estimators see as their objective
/// the costs downstream of the site; see <see cref="LatentModel"/> for how that part is found and re-evaluated.
/// </summary>
public abstract class SiteEstimator
{
    private protected SiteEstimator()
    {
    }

    /// <summary>A short name, e.g. <c>score(leave-one-out)</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Whether the gradient estimate is biased (relaxations).</summary>
    public virtual bool Biased => false;

    /// <summary>The pathwise (reparameterisation) estimator: the value keeps its graph to the parameters. Needs <see cref="IReparameterizedDistribution"/>.</summary>
    public static SiteEstimator Pathwise { get; } = new PathwiseSite();

    /// <summary>
    /// Pathwise with the guide's direct score term dropped ("sticking the landing", Roeder, Wu and Duvenaud 2017): the site's
    /// own log q(z; θ) is differentiated through z = g(ε; θ) only, not through θ at fixed z. Unbiased, since E_q[∇θ log q(z; θ)]
    /// = 0, and exact (zero variance from that term) when q matches the posterior; the pathwise half of <see cref="Hybrid"/>
    /// is this estimator. Needs <see cref="IReparameterizedDistribution"/>.
    /// </summary>
    public static SiteEstimator StickingTheLanding { get; } = new PathwiseSite(stickingTheLanding: true);

    /// <summary>
    /// The score function: Σ_j ∇ log q(z_j) · (downstream costs − baseline), each coordinate's score multiplied only by
    /// the costs downstream of the site, and the site's own elementwise terms only by their own coordinate's.
    /// </summary>
    public static SiteEstimator Score(ScoreBaseline baseline = ScoreBaseline.None) => new ScoreSite(baseline);

    /// <summary>
    /// The local-expectation estimator (Titsias and Lázaro-Gredilla 2015; Echraibi et al. 2020, eqs. 16–17, BSB for a Bernoulli and CSB
    /// for a categorical site): per coordinate j, Σ_v ∇q(z_j = v) · F(z with z_j = v), F the downstream costs re-evaluated
    /// with the other sites' random numbers held fixed; the particles are its inner samples. All d·(K − 1) replaced values
    /// are evaluated in batched replays of at most <see cref="ElboOptions.MaxReplayRows"/> rows.
    /// </summary>
    public static SiteEstimator LocalExpectation { get; } = new LocalExpectationSite();

    /// <summary>ARM, the augment-REINFORCE-merge estimator (Yin and Zhou 2019), for a Bernoulli site (two support values).</summary>
    public static SiteEstimator Arm { get; } = new ArmSite(disarm: false);

    /// <summary>DisARM, ARM with the antithetic pair's uniform integrated out (Dong, Mnih and Tucker 2020), for a Bernoulli site.</summary>
    public static SiteEstimator DisArm { get; } = new ArmSite(disarm: true);

    /// <summary>The Gumbel-softmax (concrete) relaxation at temperature τ: biased; the program sees the relaxed value.</summary>
    public static SiteEstimator GumbelSoftmax(double temperature = 1.0) => new GumbelSite(temperature, straightThrough: false);

    /// <summary>Straight-through Gumbel-softmax: the program sees the exact discrete sample, gradients flow through the relaxation. Biased.</summary>
    public static SiteEstimator StraightThrough(double temperature = 1.0) => new GumbelSite(temperature, straightThrough: true);

    /// <summary>
    /// REBAR for a binary site (Tucker et al. 2017): the score function with the concrete relaxation as control variate,
    /// its temperature (initially <paramref name="temperature"/>) and scale η (initially <paramref name="scale"/>) trained to
    /// minimise the variance. Use one instance per site and give its <see cref="RebarEstimator.ControlParameters"/> to the optimiser.
    /// </summary>
    public static RebarEstimator Rebar(double temperature = 0.5, double scale = 1.0) => new(temperature, scale, relaxCoordinates: null, hidden: 1);

    /// <summary>
    /// RELAX for a binary site with <paramref name="coordinates"/> coordinates (Grathwohl et al. 2018): REBAR's control variate
    /// plus a network r_φ(z) (one hidden layer of <paramref name="hidden"/> ReLU units) on the relaxed log-odds, all trained to
    /// minimise the variance. One instance per site; give its <see cref="RebarEstimator.ControlParameters"/> to the optimiser.
    /// </summary>
    public static RebarEstimator Relax(int coordinates, int hidden = 100, double temperature = 0.5, double scale = 1.0) => new(temperature, scale, coordinates, hidden);

    /// <summary>
    /// The variance-optimal hybrid of pathwise and score function for a continuous site (Oden's (2025) λ*), with λ from this
    /// batch or earlier ones, per parameter tensor, per latent coordinate or one for all, and the moments taken within each
    /// data point (pooled over the batch) or across rows. Keep one instance across steps for <see cref="LambdaMode.PreviousBatches"/>.
    /// </summary>
    public static HybridSite Hybrid(HybridOptions? options = null, MomentPooling pooling = MomentPooling.WithinDataPoint)
        => new(options ?? new HybridOptions(), pooling);

    /// <summary>Checks that the estimator applies to the site, with a message naming both when not.</summary>
    internal abstract void Validate(SiteRecord site);

    /// <summary>Draws the site's value in a base run or, for a site after the replaced one, in a replay.</summary>
    internal abstract SiteDraw Draw(Trace trace, SiteRecord site);

    /// <summary>Whether the program's value keeps a graph to the parameters, so the costs' own graph carries the gradient (no score term; the guide's −log q is kept).</summary>
    internal virtual bool Reparameterized => false;

    /// <summary>A zero-valued term whose gradient is the site's estimate (mean over rows), or null when the costs' graph carries it.</summary>
    internal abstract Tensor? Surrogate(EstimationContext context, SiteRecord site);

    /// <summary>The exact discrete sample, for evaluation: inverse CDF for finite sites, the distribution's sampler otherwise.</summary>
    internal static SiteDraw HardDraw(Trace trace, SiteRecord site)
    {
        if (site.Finite is not null)
        {
            Tensor value = FiniteDraw(trace, site);
            return new SiteDraw(value, value);
        }
        Tensor sample;
        using (torch.no_grad())
        {
            sample = site.Distribution.Sample(1, trace.Generator).squeeze(0);
        }
        return new SiteDraw(sample, sample);
    }

    /// <summary>
    /// A finite site's value by inverse CDF from uniform slot 0 (one number per coordinate): index = #{k : CDF_k &lt; u},
    /// as a support value or one-hot vector, detached.
    /// </summary>
    internal static Tensor FiniteDraw(Trace trace, SiteRecord site)
    {
        Tensor table = site.Table!.detach();
        Tensor u = trace.Uniform(site, 0, site.Coordinates, table);
        return ValueAt(site, IndexAt(table, u));
    }

    /// <summary>The category index by inverse CDF at u, <c>[Rows, ...coordinates]</c>.</summary>
    internal static Tensor IndexAt(Tensor table, Tensor u)
    {
        using (torch.no_grad())
        {
            using Scalar last = (table.shape[^1] - 1).ToScalar(); // held for the call: see Scalars
            return table.cumsum(-1).lt(u.unsqueeze(-1)).sum(new long[] { -1 }).clamp_max(last);
        }
    }

    /// <summary>The value for category indices: a one-hot vector or the support value, detached.</summary>
    internal static Tensor ValueAt(SiteRecord site, Tensor index)
    {
        using (torch.no_grad())
        {
            Tensor table = site.Table!;
            if (site.OneHot)
            {
                return torch.nn.functional.one_hot(index, site.Categories).to_type(table.dtype);
            }
            IReadOnlyList<double> support = site.Finite!.SupportValues;
            if (support.Select((v, k) => v == k).All(same => same))
            {
                return index.to_type(table.dtype);
            }
            return torch.tensor(support.ToArray(), dtype: table.dtype, device: table.device)[index];
        }
    }

    /// <summary>The category index of a site's (hard) value.</summary>
    internal static Tensor IndexOf(SiteRecord site, Tensor value)
        => site.OneHot ? value.argmax(-1) : DiscreteSupport.SupportIndex(site.Finite!.SupportValues, value);

    private protected static void RequireFinite(SiteRecord site, string estimator)
    {
        if (site.Finite is null)
        {
            throw new ArgumentException($"Site '{site.Name}': {estimator} needs a finite distribution (Bernoulli, categorical); {site.Distribution.Name} is not.");
        }
    }

    private protected static void RequireBinary(SiteRecord site, string estimator)
    {
        RequireFinite(site, estimator);
        if (site.OneHot || site.Categories != 2)
        {
            throw new ArgumentException($"Site '{site.Name}': {estimator} is defined for binary sites (two support values, no event axis); {site.Distribution.Name} has {site.Categories} values{(site.OneHot ? " on an event axis" : "")}.");
        }
    }

    /// <summary>The log-odds log p₁ − log p₀ of a binary site's table, with its graph, <c>[Rows, ...coordinates]</c>.</summary>
    private protected static Tensor Logits(SiteRecord site)
    {
        Tensor logTable = site.Table!.clamp_min(Scalars.Of(1e-300)).log();
        return logTable.select(-1, 1) - logTable.select(-1, 0);
    }

    /// <summary>log q of the site's detached value with the graph to its parameters only, <c>[Rows, ...coordinates]</c>.</summary>
    private protected static Tensor LogQ(SiteRecord site)
        => Trace.SiteLogProbability(site, site.Distribution, site.Value);
}

internal sealed class PathwiseSite(bool stickingTheLanding = false) : SiteEstimator
{
    /// <summary>Whether the guide's direct ∇θ log q term is dropped (<see cref="SiteEstimator.StickingTheLanding"/>).</summary>
    public bool DropsDirectScore => stickingTheLanding;

    public override string Name => stickingTheLanding ? "pathwise (sticking the landing)" : "pathwise";

    internal override bool Reparameterized => true;

    internal override void Validate(SiteRecord site)
    {
        if (site.Distribution is not IReparameterizedDistribution)
        {
            throw new ArgumentException($"Site '{site.Name}': the pathwise estimator needs a reparameterised distribution; {site.Distribution.Name} has none (use the score function, local expectation or a relaxation).");
        }
    }

    internal override SiteDraw Draw(Trace trace, SiteRecord site)
    {
        var distribution = (IReparameterizedDistribution)site.Distribution;
        Tensor z = distribution.Reparameterize(distribution.Parameters, 1, trace.Generator).squeeze(0);
        return new SiteDraw(z, z.detach());
    }

    internal override Tensor? Surrogate(EstimationContext context, SiteRecord site) => null;
}

internal sealed class ScoreSite : SiteEstimator
{
    private const double Decay = 0.9;
    private readonly Dictionary<string, Tensor> averages = new(StringComparer.Ordinal);

    public ScoreSite(ScoreBaseline baseline)
    {
        if (!Enum.IsDefined(baseline))
        {
            throw new ArgumentOutOfRangeException(nameof(baseline), baseline, "Unknown score baseline.");
        }
        Baseline = baseline;
    }

    public ScoreBaseline Baseline { get; }

    /// <summary>Test seam: the defect of multiplying the score only by the site's own log q and log p terms (Rao-Blackwellising away the costs downstream).</summary>
    internal bool OwnCostsOnly { get; init; }

    /// <summary>Test seam: no Rao-Blackwellisation over coordinates: every coordinate's score multiplied by all the site's downstream costs (unbiased, noisier).</summary>
    internal bool WholeCostPerCoordinate { get; init; }

    /// <summary>Test seam: the defect of dropping the guide's direct term from the importance-weighted bound's gradient.</summary>
    internal bool VimcoWithoutDirectTerm { get; init; }

    public override string Name => Baseline switch
    {
        ScoreBaseline.LeaveOneOut => "score(leave-one-out)",
        ScoreBaseline.MovingAverage => "score(moving-average)",
        _ => "score",
    };

    internal override void Validate(SiteRecord site)
    {
    }

    internal override SiteDraw Draw(Trace trace, SiteRecord site) => HardDraw(trace, site);

    internal override Tensor? Surrogate(EstimationContext context, SiteRecord site)
    {
        Tensor logQ = LogQ(site);
        Tensor signal;
        if (context.ImportanceWeighted)
        {
            signal = context.VimcoSignal().unsqueeze(-1).expand(logQ.shape[0], site.CoordinateCount).reshape(logQ.shape);
            return (logQ * signal.detach()).sum() / Scalars.Of((double)context.Base.Points);
        }
        signal = context.LearningSignal(site, OwnCostsOnly);
        if (WholeCostPerCoordinate)
        {
            (Tensor nonLocal, Tensor own) = context.Downstream(site);
            Tensor total = nonLocal.add(Trace.PerRow(own), Scalars.One);
            signal = total.view(new[] { total.shape[0] }.Concat(Enumerable.Repeat(1L, site.Coordinates.Length)).ToArray()).expand(signal.shape);
        }
        if (Baseline == ScoreBaseline.LeaveOneOut)
        {
            int particles = context.Base.Particles;
            if (particles < 2)
            {
                throw new InvalidOperationException($"Site '{site.Name}': the leave-one-out baseline needs at least 2 particles; got 1.");
            }
            using (torch.no_grad())
            {
                Tensor grouped = signal.reshape(new[] { (long)particles, context.Base.Points }.Concat(site.Coordinates).ToArray());
                Tensor others = (grouped.sum(new long[] { 0 }, keepdim: true) - grouped) / Scalars.Of(particles - 1.0);
                signal = (grouped - others).reshape(signal.shape);
            }
        }
        else if (Baseline == ScoreBaseline.MovingAverage)
        {
            using (torch.no_grad())
            {
                Tensor mean = signal.mean(new long[] { 0 });
                if (averages.TryGetValue(site.Name, out Tensor? average) && average.shape.SequenceEqual(mean.shape))
                {
                    Tensor previous = average;
                    signal = signal - previous;
                    Tensor updated = (previous * Scalars.Of(Decay)).add(mean * Scalars.Of(1 - Decay), Scalars.One);
                    averages[site.Name] = updated.DetachFromDisposeScope();
                    previous.Dispose();
                }
                else
                {
                    averages[site.Name] = mean.clone().DetachFromDisposeScope();
                }
            }
        }
        return (logQ * signal.detach()).sum() / Scalars.Of((double)logQ.shape[0]);
    }
}

internal sealed class LocalExpectationSite : SiteEstimator
{
    /// <summary>Test seam: the defect of holding later sites' values fixed instead of redrawing them.</summary>
    internal bool FreezeLaterSites { get; init; }

    public override string Name => "local-expectation";

    internal override void Validate(SiteRecord site) => RequireFinite(site, "local expectation");

    internal override SiteDraw Draw(Trace trace, SiteRecord site)
    {
        Tensor value = FiniteDraw(trace, site);
        return new SiteDraw(value, value);
    }

    internal override Tensor? Surrogate(EstimationContext context, SiteRecord site)
    {
        if (context.ImportanceWeighted)
        {
            throw new InvalidOperationException($"Site '{site.Name}': local expectation is defined for the evidence lower bound, not the importance-weighted bound.");
        }
        long rows = context.Base.Rows;
        long coordinates = site.CoordinateCount;
        long others = site.Categories - 1;
        long replicas = coordinates * others;
        Tensor index = IndexOf(site, site.Value).reshape(rows, coordinates);
        // F at the current value: its own coordinate's local terms plus every non-local downstream cost.
        (Tensor baseNonLocal, Tensor baseOwn) = context.Downstream(site);
        Tensor current = baseOwn.reshape(rows, coordinates).add(baseNonLocal.unsqueeze(-1), Scalars.One);
        Tensor values = torch.zeros(rows, coordinates, site.Categories, dtype: current.dtype, device: current.device);
        values.scatter_(-1, index.unsqueeze(-1), current.unsqueeze(-1));
        long perChunk = Math.Max(1, context.Options.MaxReplayRows / rows);
        using Scalar categories = site.Categories.ToScalar(); // held for the call: see Scalars
        using Scalar otherValues = others.ToScalar();
        for (long start = 0; start < replicas; start += perChunk)
        {
            long count = Math.Min(perChunk, replicas - start);
            using Scalar first = start.ToScalar(), end = (start + count).ToScalar(); // held for the call: see Scalars
            Tensor replica = torch.arange(first, end, Scalars.One, dtype: ScalarType.Int64, device: index.device);
            Tensor coordinate = replica.div(otherValues, rounding_mode: RoundingMode.floor);   // j
            Tensor offset = replica.remainder(otherValues).add(Scalars.One, Scalars.One);      // o = 1..K−1
            // Replica r replaces coordinate j_r by (index + o_r) mod K and keeps the others.
            Tensor mask = torch.nn.functional.one_hot(coordinate, coordinates).to(ScalarType.Bool).unsqueeze(1); // [R, 1, c]
            Tensor shifted = index.unsqueeze(0).add(offset.view(count, 1, 1), Scalars.One).remainder(categories); // [R, rows, c]
            Tensor replaced = torch.where(mask, shifted, index.unsqueeze(0).expand(count, rows, coordinates));
            Tensor replacement = ValueAt(site, replaced.reshape(new[] { count * rows }.Concat(site.Coordinates).ToArray()));
            (Tensor nonLocal, Tensor own) = context.Replay(site, (int)count, replacement, withGraph: false, FreezeLaterSites);
            Tensor ownAtCoordinate = own.reshape(count, rows, coordinates).gather(-1, coordinate.view(count, 1, 1).expand(count, rows, 1)).squeeze(-1);
            Tensor f = ownAtCoordinate.add(nonLocal.reshape(count, rows), Scalars.One); // [R, rows]
            Tensor newIndex = shifted.gather(-1, coordinate.view(count, 1, 1).expand(count, rows, 1)).squeeze(-1); // [R, rows]
            // values[row, j_r, newIndex] = f[r, row]
            Tensor flatPosition = coordinate.view(count, 1).mul(categories).add(newIndex, Scalars.One); // [R, rows]
            values.view(rows, coordinates * site.Categories).scatter_(-1, flatPosition.t(), f.t());
        }
        Tensor table = site.Table!.reshape(rows, coordinates, site.Categories);
        Tensor centred = (values - current.unsqueeze(-1)).detach();
        return (table * centred).sum() / Scalars.Of((double)rows);
    }
}

internal sealed class ArmSite : SiteEstimator
{
    private readonly bool disarm;

    public ArmSite(bool disarm) => this.disarm = disarm;

    /// <summary>Test seam: the defect of holding later sites' values fixed instead of redrawing them.</summary>
    internal bool FreezeLaterSites { get; init; }

    /// <summary>Test seam: DisARM without its σ(|α|) factor.</summary>
    internal bool OmitSigmoidFactor { get; init; }

    public override string Name => disarm ? "disarm" : "arm";

    internal override void Validate(SiteRecord site) => RequireBinary(site, Name);

    internal override SiteDraw Draw(Trace trace, SiteRecord site)
    {
        Tensor value = FiniteDraw(trace, site);
        return new SiteDraw(value, value);
    }

    internal override Tensor? Surrogate(EstimationContext context, SiteRecord site)
    {
        if (context.ImportanceWeighted)
        {
            throw new InvalidOperationException($"Site '{site.Name}': {Name} is defined for the evidence lower bound, not the importance-weighted bound.");
        }
        Tensor logits = Logits(site);
        Tensor u = site.Uniforms[0];
        Tensor table = site.Table!.detach();
        Tensor index = IndexOf(site, site.Value);                            // 1[u > σ(−α)]
        Tensor antithetic = IndexAt(table, -(u - Scalars.Of(1.0)));          // 1[1 − u > σ(−α)] = 1[u < σ(α)]
        (Tensor baseNonLocal, Tensor baseOwn) = context.Downstream(site);
        Tensor fBase = baseNonLocal.add(Trace.PerRow(baseOwn), Scalars.One);
        (Tensor nonLocal, Tensor own) = context.Replay(site, 1, ValueAt(site, antithetic), withGraph: false, FreezeLaterSites);
        Tensor fAnti = nonLocal.add(Trace.PerRow(own), Scalars.One);
        Tensor difference = (fBase - fAnti).view(new[] { fBase.shape[0] }.Concat(Enumerable.Repeat(1L, site.Coordinates.Length)).ToArray());
        Tensor gradient;
        using (torch.no_grad())
        {
            if (!disarm)
            {
                // ARM: (f(1[u > σ(−α)]) − f(1[u < σ(α)]))·(u − ½).
                gradient = difference * (u - Scalars.Of(0.5));
            }
            else
            {
                // DisARM with b = 1[u < σ(α)] (the antithetic here) and b̃ = 1[1 − u < σ(α)] (the base value):
                // ½ (f(b) − f(b̃)) (−1)^{b̃} 1[b ≠ b̃] σ(|α|).
                Tensor sign = -(index.to_type(u.dtype) * Scalars.Of(2.0) - Scalars.Of(1.0));
                Tensor differs = index.ne(antithetic).to_type(u.dtype);
                gradient = difference.neg() * Scalars.Of(0.5) * sign * differs;
                if (!OmitSigmoidFactor)
                {
                    gradient = gradient * logits.detach().abs().sigmoid();
                }
            }
        }
        return (logits * gradient).sum() / Scalars.Of((double)logits.shape[0]);
    }
}

internal sealed class GumbelSite : SiteEstimator
{
    private readonly double temperature;
    private readonly bool straightThrough;

    public GumbelSite(double temperature, bool straightThrough)
    {
        if (!(temperature > 0) || double.IsInfinity(temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be positive and finite.");
        }
        this.temperature = temperature;
        this.straightThrough = straightThrough;
    }

    public override string Name => (straightThrough ? "straight-through-gumbel-softmax" : "gumbel-softmax") + $"(tau={temperature:R})";

    public override bool Biased => true;

    internal override bool Reparameterized => true;

    internal override void Validate(SiteRecord site) => RequireFinite(site, Name);

    internal override SiteDraw Draw(Trace trace, SiteRecord site)
    {
        Tensor table = site.Table!;
        Tensor logTable = table.clamp_min(Scalars.Of(1e-300)).log();
        Tensor u = trace.Uniform(site, 0, site.Coordinates.Append(site.Categories).ToArray(), table);
        Tensor gumbel;
        using (torch.no_grad())
        {
            gumbel = u.clamp_min(Scalars.Of(1e-300)).log().neg().log().neg();
        }
        using Scalar tau = temperature.ToScalar(); // held for the call: see Scalars
        Tensor weights = (logTable.add(gumbel, Scalars.One) / tau).softmax(-1);
        Tensor hard;
        using (torch.no_grad())
        {
            hard = torch.nn.functional.one_hot(logTable.add(gumbel, Scalars.One).argmax(-1), site.Categories).to_type(table.dtype);
        }
        Tensor vector = straightThrough ? hard.add(weights - weights.detach(), Scalars.One) : weights;
        if (site.OneHot)
        {
            return new SiteDraw(vector, vector.detach());
        }
        Tensor support = torch.tensor(site.Finite!.SupportValues.ToArray(), dtype: table.dtype, device: table.device);
        Tensor value = vector.mul(support).sum(new long[] { -1 });
        return new SiteDraw(value, value.detach());
    }

    internal override Tensor? Surrogate(EstimationContext context, SiteRecord site) => null;
}
