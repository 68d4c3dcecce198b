using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Models;

/// <summary>One guide site as recorded by a run.</summary>
internal sealed class SiteRecord
{
    public required string Name { get; init; }
    public required int Index { get; init; }
    public required IDistribution Distribution { get; init; }
    public required SiteEstimator Estimator { get; init; }

    /// <summary>The finite distribution, when the site has a finite support.</summary>
    public IFiniteDistribution? Finite => Distribution as IFiniteDistribution;

    /// <summary>Whether the value is a one-hot vector (a finite distribution with an event-axis parameter).</summary>
    public bool OneHot { get; init; }

    /// <summary>K for a finite site.</summary>
    public long Categories { get; init; }

    /// <summary>The value's coordinate shape: without the rows axis and without the one-hot axis.</summary>
    public required long[] Coordinates { get; init; }

    /// <summary>p(z_j = v_k) with its graph to the parameters, <c>[Rows, ...coordinates, K]</c>, for a finite site.</summary>
    public Tensor? Table { get; set; }

    /// <summary>The value, detached: <c>[Rows, ...coordinates]</c> or one-hot <c>[Rows, ...coordinates, K]</c>.</summary>
    public Tensor Value { get; set; } = null!;

    /// <summary>What the program received (with a graph to the parameters for pathwise and relaxed sites).</summary>
    public Tensor Returned { get; set; } = null!;

    /// <summary>The autograd leaf standing for the value in a dependency probe.</summary>
    public Tensor? Leaf { get; set; }

    /// <summary>The uniform random numbers the site drew, by slot, each <c>[BaseRows, ...]</c>.</summary>
    public List<Tensor> Uniforms { get; } = new();

    /// <summary>Whether a cost's graph through this site's value reaches its parameters (pathwise, relaxations).</summary>
    public bool CarriesGraph { get; set; }


    /// <summary>For a hybrid site: the per-row parameter leaves, the reparameterised value with its graph to them, and the leaf the program received.</summary>
    public Tensor[]? HybridLeaves { get; set; }
    public Tensor? HybridPath { get; set; }
    public Tensor? HybridValue { get; set; }

    /// <summary>The number of coordinates (the product of <see cref="Coordinates"/>).</summary>
    public long CoordinateCount => Coordinates.Aggregate(1L, (a, b) => a * b);
}

/// <summary>One term of the bound as recorded by a run: a log-probability (negated for the guide) or a user cost.</summary>
internal sealed record CostRecord(string Name, int Owner, Tensor Value, bool IsGuideLogQ)
{
    /// <summary>A replay did not evaluate this term: it is not downstream of the replaced site (its value is empty).</summary>
    public bool Skipped { get; init; }
}

/// <summary>
/// A run of the guide and the model: the base run of an estimate, a dependency probe, or a replay with one site's
/// value replaced on <c>R × BaseRows</c> rows.
/// </summary>
internal sealed class Trace
{
    private readonly Dictionary<string, int> siteByName = new(StringComparer.Ordinal);
    private readonly HashSet<string> costNames = new(StringComparer.Ordinal);
    private bool inModel;

    private Trace(LatentModel owner, Tensor data, int particles, int replicas, Generator? generator)
    {
        Owner = owner;
        Points = data.shape[0];
        Particles = particles;
        Replicas = replicas;
        Generator = generator;
        long repeat = (long)particles * replicas;
        Data = repeat == 1 ? data : data.repeat(new[] { repeat }.Concat(Enumerable.Repeat(1L, (int)data.dim() - 1)).ToArray());
        Guide = new GuideTrace(this);
        Model = new ModelTrace(this);
    }

    public LatentModel Owner { get; }
    public Tensor Data { get; }
    public long Points { get; }
    public int Particles { get; }
    public int Replicas { get; }
    public long BaseRows => Points * Particles;
    public long Rows => BaseRows * Replicas;
    public Generator? Generator { get; }
    public GuideTrace Guide { get; }
    public ModelTrace Model { get; }

    /// <summary>Draw every site by its exact discrete sample (relaxed sites too): evaluation.</summary>
    public bool Hard { get; private init; }

    /// <summary>A dependency probe: site values are autograd leaves.</summary>
    public bool Analysis { get; private init; }

    /// <summary>For a replay: the base run whose values and random numbers it replays.</summary>
    public Trace? BaseRun { get; private init; }

    /// <summary>For a replay: the replaced site.</summary>
    public int ReplacedSite { get; private init; } = -1;

    /// <summary>For a replay: the replaced site's values, <c>[Rows, ...]</c>.</summary>
    public Tensor? Replacement { get; private init; }

    public List<SiteRecord> Sites { get; } = new();
    public List<CostRecord> Costs { get; } = new();

    /// <summary>Whether the guide's −log q terms are part of the objective (the bounds); false for a plain expectation E_q[Σ costs].</summary>
    public bool GuideLogQ { get; private init; } = true;

    public static Trace Base(LatentModel owner, Tensor data, int particles, Generator? generator, bool hard, bool analysis = false, bool guideLogQ = true)
        => new(owner, data, particles, 1, generator) { Hard = hard, Analysis = analysis, GuideLogQ = guideLogQ };

    /// <summary>For a replay: later sites also replay their base values instead of being redrawn (a test seam for the defect of ignoring the sites downstream).</summary>
    public bool FreezeLaterSites { get; private init; }

    /// <summary>
    /// For a relaxed replay (REBAR, RELAX): the temperature λ at which later binary sites are relaxed,
    /// σ((α_j + logit u_j)/λ) from their own uniforms, so that the downstream costs are smooth in the replaced value.
    /// </summary>
    public Tensor? RelaxTemperature { get; private init; }

    /// <summary>For a replay: which of the base run's terms are downstream of the replaced site (the others are not evaluated when given as factories).</summary>
    public bool[]? NeededCosts { get; private init; }

    public static Trace Replay(Trace baseRun, int site, int replicas, Tensor replacement, bool freezeLaterSites = false, Tensor? relaxTemperature = null, bool[]? neededCosts = null)
    {
        long rows = baseRun.BaseRows * replicas;
        if (replacement.shape[0] != rows)
        {
            throw new InvalidOperationException($"A replay of site '{baseRun.Sites[site].Name}' needs {rows} replacement rows; got {replacement.shape[0]}.");
        }
        return new Trace(baseRun.Owner, baseRun.Data.narrow(0, 0, baseRun.Points), baseRun.Particles, replicas, baseRun.Generator)
        {
            BaseRun = baseRun,
            GuideLogQ = baseRun.GuideLogQ,
            ReplacedSite = site,
            Replacement = replacement,
            FreezeLaterSites = freezeLaterSites,
            RelaxTemperature = relaxTemperature,
            NeededCosts = neededCosts,
        };
    }

    public void EnterModel() => inModel = true;

    public void Finish()
    {
        if (Sites.Count == 0)
        {
            throw new InvalidOperationException("The guide drew no site: a latent-variable model needs at least one GuideTrace.Sample.");
        }
    }

    /// <summary>The site names, estimators and cost names in order: equal signatures mean the same dependency structure.</summary>
    public string Signature()
        => string.Join(",", Sites.Select(s => s.Name + ":" + s.Estimator.Name)) + "|" + string.Join(",", Costs.Select(c => c.Name));

    /// <summary>Σ of the given costs per row, <c>[Rows]</c>.</summary>
    public Tensor RowTotal(IEnumerable<CostRecord> costs)
    {
        Tensor? total = null;
        foreach (CostRecord cost in costs)
        {
            Tensor perRow = PerRow(cost.Value);
            total = total is null ? perRow : total.add(perRow, Scalars.One);
        }
        return total ?? torch.zeros(Rows, dtype: Data.dtype.IsFloatingPoint() ? Data.dtype : ScalarType.Float32, device: Data.device);
    }

    public static Tensor PerRow(Tensor value) => value.dim() == 1 ? value : value.flatten(1).sum(new long[] { 1 });

    /// <summary>A uniform draw for a site, <c>[Rows, ...shape]</c>: fresh in a base run, the base run's numbers repeated in a replay.</summary>
    public Tensor Uniform(SiteRecord site, int slot, long[] shape, Tensor like)
    {
        if (BaseRun is null)
        {
            if (slot != site.Uniforms.Count)
            {
                throw new InvalidOperationException($"Site '{site.Name}': uniform slots must be drawn in order.");
            }
            Tensor u;
            using (torch.no_grad())
            {
                u = torch.rand(new[] { Rows }.Concat(shape).ToArray(), dtype: like.dtype, device: like.device, generator: Generator);
            }
            site.Uniforms.Add(u);
            return u;
        }
        SiteRecord original = BaseRun.Sites[site.Index];
        if (slot >= original.Uniforms.Count)
        {
            throw new InvalidOperationException($"Site '{site.Name}' draws more random numbers in a replay than in its base run.");
        }
        Tensor stored = original.Uniforms[slot];
        Tensor repeated = Replicas == 1 ? stored : stored.repeat(new[] { (long)Replicas }.Concat(Enumerable.Repeat(1L, (int)stored.dim() - 1)).ToArray());
        site.Uniforms.Add(repeated);
        return repeated;
    }

    public Tensor SampleGuide(string name, Func<IDistribution> factory, SiteEstimator? named)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (inModel)
        {
            throw new InvalidOperationException($"Site '{name}': the model program called the guide's Sample; the model scores sites with ModelTrace.Sample.");
        }
        if (siteByName.ContainsKey(name))
        {
            throw new ArgumentException($"The guide drew two sites named '{name}'; site names must be unique.", nameof(name));
        }
        int index = Sites.Count;
        if (BaseRun is not null && (BaseRun.Sites.Count <= index || BaseRun.Sites[index].Name != name))
        {
            throw new InvalidOperationException($"A replay drew site '{name}' where the base run drew {(BaseRun.Sites.Count > index ? "'" + BaseRun.Sites[index].Name + "'" : "no site")}: the guide must draw the same sites in the same order on every run.");
        }
        if (BaseRun is not null && (index < ReplacedSite || (index == ReplacedSite && BaseRun.Sites[index].Finite is not null)))
        {
            return ReplaySiteWithoutFactory(BaseRun.Sites[index]);
        }
        IDistribution distribution = factory() ?? throw new ArgumentException($"Site '{name}': the distribution factory returned null.", nameof(factory));
        long[] batch = distribution.BatchShape;
        if (batch.Length == 0 || batch[0] != Rows)
        {
            throw new ArgumentException(
                $"Site '{name}': the distribution's batch shape {Shapes.Format(batch)} must start with the rows axis ({Rows} = particles × data points{(Replicas > 1 ? " × replicas" : "")}); compute its parameters from the program's data or expand them to [{Rows}, ...].",
                nameof(distribution));
        }
        if (distribution is not IScoredDistribution)
        {
            throw new ArgumentException($"Site '{name}': {distribution.Name} has no log density, which the bound needs.", nameof(distribution));
        }
        SiteEstimator estimator = Owner.EstimatorFor(distribution, named, Particles);
        IFiniteDistribution? finite = distribution as IFiniteDistribution;
        bool oneHot = finite is not null && finite.ParameterEventRanks.Any(r => r > 0);
        Tensor? table = finite is null ? null : Broadcast(finite.Probabilities(finite.Parameters), batch, finite);
        long categories = table is null ? 0 : table.shape[^1];
        var site = new SiteRecord
        {
            Name = name,
            Index = Sites.Count,
            Distribution = distribution,
            Estimator = estimator,
            OneHot = oneHot,
            Categories = categories,
            Coordinates = batch[1..], // an event-axis distribution's batch shape excludes its category axis
            Table = table,
        };
        estimator.Validate(site);
        if (BaseRun is not null && FreezeLaterSites && site.Index > ReplacedSite)
        {
            site.Value = RepeatRows(BaseRun.Sites[site.Index].Value);
            site.Returned = site.Value;
        }
        else if (BaseRun is not null && site.Index == ReplacedSite)
        {
            site.Returned = Replacement!;
            site.Value = Replacement!.detach();
            site.CarriesGraph = Replacement!.requires_grad;
        }
        else if (BaseRun is not null && RelaxTemperature is not null && site.Finite is not null && !estimator.Reparameterized)
        {
            site.Returned = RelaxedLaterSite(site);
            site.Value = site.Returned.detach();
            site.CarriesGraph = true;
        }
        else
        {
            SiteDraw draw = Hard ? SiteEstimator.HardDraw(this, site) : estimator.Draw(this, site);
            site.Value = draw.Value.detach();
            site.Returned = draw.Returned;
            site.CarriesGraph = draw.Returned.requires_grad;
        }
        if (Analysis)
        {
            Tensor leaf = site.Value.detach().clone().requires_grad_(true);
            site.Leaf = leaf;
            site.Returned = site.CarriesGraph ? site.Returned.add(leaf - leaf.detach(), Scalars.One) : leaf;
        }
        siteByName[name] = site.Index;
        Sites.Add(site);
        if (GuideLogQ)
        {
            Tensor logQ = SiteLogProbability(site, distribution, site.Returned);
            AddCostRecord(new CostRecord("q:" + name, site.Index, logQ.neg(), IsGuideLogQ: true));
        }
        return site.Returned;
    }

    /// <summary>
    /// In a replay, a site before the replaced one (its base value repeated; its −log q is upstream and not evaluated) or the
    /// replaced finite site itself (the replacement; its −log q from the base run's table, which its own value does not change):
    /// neither needs its distribution, so the program's factory is not called and the networks behind it do not run.
    /// </summary>
    private Tensor ReplaySiteWithoutFactory(SiteRecord original)
    {
        bool replaced = original.Index == ReplacedSite;
        Tensor? table = replaced && original.Table is not null ? RepeatRows(original.Table) : null;
        var site = new SiteRecord
        {
            Name = original.Name,
            Index = original.Index,
            Distribution = original.Distribution,
            Estimator = original.Estimator,
            OneHot = original.OneHot,
            Categories = original.Categories,
            Coordinates = original.Coordinates,
            Table = table,
        };
        if (replaced)
        {
            site.Returned = Replacement!;
            site.Value = Replacement!.detach();
            site.CarriesGraph = Replacement!.requires_grad;
        }
        else
        {
            site.Value = RepeatRows(original.Value);
            site.Returned = site.Value;
        }
        siteByName[site.Name] = site.Index;
        Sites.Add(site);
        if (!GuideLogQ)
        {
            return site.Returned;
        }
        if (replaced)
        {
            Tensor logQ = FiniteLogProbability(table!, original.Finite!, site.Returned, site.OneHot);
            AddCostRecord(new CostRecord("q:" + site.Name, site.Index, logQ.neg(), IsGuideLogQ: true));
        }
        else
        {
            AddSkipped("q:" + site.Name, site.Index, isGuideLogQ: true);
        }
        return site.Returned;
    }

    private Tensor RepeatRows(Tensor tensor)
        => Replicas == 1 ? tensor : tensor.repeat(new[] { (long)Replicas }.Concat(Enumerable.Repeat(1L, (int)tensor.dim() - 1)).ToArray());

    /// <summary>Whether a replay needs the term about to be recorded (always outside replays).</summary>
    private bool NextCostNeeded => NeededCosts is null || (Costs.Count < NeededCosts.Length && NeededCosts[Costs.Count]);

    private void AddSkipped(string name, int owner, bool isGuideLogQ)
        => AddCostRecord(new CostRecord(name, owner, torch.empty(0), isGuideLogQ) { Skipped = true });

    /// <summary>
    /// A later binary site in a relaxed replay: σ((α + logit u)/λ) with u its inverse-CDF uniform, on its support's scale.
    /// (A later relaxed site, Gumbel-softmax or straight-through, is drawn by its own relaxation, already smooth.)
    /// </summary>
    private Tensor RelaxedLaterSite(SiteRecord site)
    {
        if (site.OneHot || site.Categories != 2)
        {
            throw new NotSupportedException($"Site '{site.Name}' ({site.Categories} values{(site.OneHot ? " on an event axis" : "")}) lies after a REBAR or RELAX site, whose control variate relaxes every later finite site; only binary later sites can be relaxed.");
        }
        Tensor table = site.Table!;
        Tensor u = Uniform(site, 0, site.Coordinates, table);
        Tensor logTable = table.clamp_min(Scalars.Of(1e-300)).log();
        Tensor logits = logTable.select(-1, 1) - logTable.select(-1, 0);
        using Scalar low = RebarEstimator.Margin(u.dtype).ToScalar(), high = (1 - RebarEstimator.Margin(u.dtype)).ToScalar(); // held for the call: see Scalars
        Tensor clamped = u.clamp(low, high);
        Tensor noise = clamped.log() - (-(clamped - Scalars.Of(1.0))).log();
        Tensor t = (logits.add(noise, Scalars.One) / RelaxTemperature!.to(logits.dtype, logits.device)).sigmoid();
        IReadOnlyList<double> support = site.Finite!.SupportValues;
        return support[0] == 0 && support[1] == 1 ? t : (t * Scalars.Of(support[1] - support[0])).add(Shapes.Constant(support[0], t), Scalars.One);
    }

    public Tensor SampleModel(string name, Func<IDistribution> factory)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (!siteByName.TryGetValue(name, out int index))
        {
            throw new ArgumentException($"The model scores a site '{name}' that the guide did not draw; every latent site must be drawn by the guide (sites: {string.Join(", ", siteByName.Keys)}).", nameof(name));
        }
        SiteRecord site = Sites[index];
        if (!NextCostNeeded)
        {
            AddSkipped("p:" + name, index, isGuideLogQ: false);
            return site.Returned;
        }
        IDistribution prior = factory() ?? throw new ArgumentException($"Site '{name}': the prior factory returned null.", nameof(factory));
        if (prior is not IScoredDistribution)
        {
            throw new ArgumentException($"Site '{name}': the prior {prior.Name} has no log density.", nameof(prior));
        }
        Tensor logP = SiteLogProbability(site, prior, site.Returned);
        AddCostRecord(new CostRecord("p:" + name, index, logP, IsGuideLogQ: false));
        return site.Returned;
    }

    public void Observe(string name, Func<IDistribution> factory, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(value);
        if (value.dim() == 0 || value.shape[0] != Rows)
        {
            throw new ArgumentException($"Observation '{name}': the value's shape {Shapes.Format(value.shape)} must start with the rows axis ({Rows}).", nameof(value));
        }
        if (!NextCostNeeded)
        {
            AddSkipped("p:" + name, -1, isGuideLogQ: false);
            return;
        }
        IDistribution likelihood = factory() ?? throw new ArgumentException($"Observation '{name}': the likelihood factory returned null.", nameof(factory));
        Tensor logP = likelihood switch
        {
            IFiniteDistribution finite => FiniteLogProbability(finite.Probabilities(finite.Parameters), finite, value, oneHot: false),
            IScoredDistribution scored => scored.LogDensity(value) ?? throw new ArgumentException($"Observation '{name}': {likelihood.Name} gives no log density.", nameof(likelihood)),
            _ => throw new ArgumentException($"Observation '{name}': {likelihood.Name} has no log density.", nameof(likelihood)),
        };
        AddCostRecord(new CostRecord("p:" + name, -1, logP, IsGuideLogQ: false));
    }

    public void AddCost(string name, Func<Tensor> factory)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (!NextCostNeeded)
        {
            AddSkipped(name, -1, isGuideLogQ: false);
            return;
        }
        Tensor perRow = factory() ?? throw new ArgumentException($"Cost '{name}': the factory returned null.", nameof(factory));
        if (perRow.dim() == 0 || perRow.shape[0] != Rows)
        {
            throw new ArgumentException($"Cost '{name}': shape {Shapes.Format(perRow.shape)} must start with the rows axis ({Rows}).", nameof(perRow));
        }
        AddCostRecord(new CostRecord(name, -1, perRow, IsGuideLogQ: false));
    }

    private void AddCostRecord(CostRecord cost)
    {
        if (!costNames.Add(cost.Name))
        {
            throw new ArgumentException($"Two terms named '{cost.Name}'; names of sites, observations and costs must be unique.");
        }
        if (!cost.Skipped && !cost.Value.dtype.IsFloatingPoint())
        {
            throw new ArgumentException($"Term '{cost.Name}' has dtype {cost.Value.dtype}; a log-probability or cost must be floating point.");
        }
        Costs.Add(cost);
    }

    /// <summary>log q or log p of a site's value, elementwise over its coordinates: <c>[Rows, ...coordinates]</c>.</summary>
    public static Tensor SiteLogProbability(SiteRecord site, IDistribution distribution, Tensor value)
    {
        if (distribution is IFiniteDistribution finite)
        {
            Tensor table = ReferenceEquals(distribution, site.Distribution) && site.Table is not null
                ? site.Table
                : finite.Probabilities(finite.Parameters);
            if (site.Finite is null)
            {
                throw new ArgumentException($"Site '{site.Name}': the guide's {site.Distribution.Name} is continuous but the model's {distribution.Name} is finite.");
            }
            if (table.shape[^1] != site.Categories)
            {
                throw new ArgumentException($"Site '{site.Name}': the guide's {site.Distribution.Name} has {site.Categories} values but the model's {distribution.Name} has {table.shape[^1]}.");
            }
            return FiniteLogProbability(table, finite, value, site.OneHot);
        }
        if (site.Finite is not null)
        {
            throw new ArgumentException($"Site '{site.Name}': the guide's {site.Distribution.Name} is finite but the model's {distribution.Name} is not.");
        }
        Tensor? logDensity = ((IScoredDistribution)distribution).LogDensity(value);
        return logDensity ?? throw new ArgumentException($"Site '{site.Name}': {distribution.Name} gives no log density.");
    }

    /// <summary>
    /// log p(z) from a probability table: Σ_k z_k log p_k for a one-hot (or relaxed) z; for two support values v₀, v₁,
    /// the linear interpolation (1 − t) log p₀ + t log p₁ with t = (z − v₀)/(v₁ − v₀), exact on the support and
    /// defined for relaxed z; else the table's entry at z's index.
    /// </summary>
    public static Tensor FiniteLogProbability(Tensor table, IFiniteDistribution distribution, Tensor value, bool oneHot)
    {
        Tensor logTable = table.clamp_min(Scalars.Of(1e-300)).log();
        if (oneHot)
        {
            return torch.where(value.eq(Scalars.Of(0.0)), torch.zeros_like(value), value * logTable).sum(new long[] { -1 });
        }
        IReadOnlyList<double> support = distribution.SupportValues;
        if (support.Count == 2)
        {
            Tensor t = support[0] == 0 && support[1] == 1 ? value : (value - Scalars.Of(support[0])) / Scalars.Of(support[1] - support[0]);
            Tensor p0 = logTable.select(-1, 0);
            Tensor p1 = logTable.select(-1, 1);
            Tensor first = torch.where(t.eq(Scalars.Of(1.0)), torch.zeros_like(t), (-(t - Scalars.Of(1.0))) * p0);
            Tensor second = torch.where(t.eq(Scalars.Of(0.0)), torch.zeros_like(t), t * p1);
            return first.add(second, Scalars.One);
        }
        Tensor index = DiscreteSupport.SupportIndex(support, value.detach());
        Tensor expanded = logTable.expand(value.shape.Append(logTable.shape[^1]).ToArray());
        return expanded.gather(-1, index.unsqueeze(-1)).squeeze(-1);
    }

    private static Tensor Broadcast(Tensor table, long[] batch, IFiniteDistribution finite)
    {
        long[] shape = batch.Append(table.shape[^1]).ToArray();
        return table.shape.SequenceEqual(shape) ? table : table.expand(shape);
    }
}
