using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using StochasticBackprop.Distributions;
using StochasticBackprop.Models;
using StochasticBackprop.Samples.Experiments.Fourier;
using TorchSharp;
using StochasticBackprop.Optim;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Latent;

/// <summary>
/// The RELAX paper's toy (Grathwohl et al. 2018, Figure 1), as Echraibi et al. (2020), Appendix B uses it: minimise
/// E_{b ~ Bernoulli(θ)}[(b − 0.499)²] over θ = σ(φ) with each discrete estimator of the model API, written as a
/// one-site <see cref="LatentModel"/>. The exact gradient is known, so the estimators' bias is checked too.
/// </summary>
public sealed class RelaxToyExperiment : IExperiment
{
    internal const double Target = 0.499;
    internal const double LearningRate = 0.01;
    internal const double VarianceFloor = 1e-12;

    /// <summary>d E[f]/dθ = f(1) − f(0) = (1 − 0.499)² − 0.499²; the bound here is −E[f], so its θ-gradient is minus this.</summary>
    internal static readonly double ExactCostGradient = (1 - Target) * (1 - Target) - Target * Target;

    public string Name => "relax-toy";
    public string Title => "RELAX toy: E[(b − 0.499)²], b ~ Bernoulli(σ(φ)), by each discrete estimator";
    public string Source => "Echraibi et al. (2020), Appendix B; Grathwohl et al. 2018, Figure 1";
    public int Order => 400;

    /// <summary>The estimators compared; one line each.</summary>
    internal static IReadOnlyList<EstimatorChoice> Estimators { get; } = new EstimatorChoice[]
    {
        new("score", 1, _ => SiteEstimator.Score()),
        new("score + leave-one-out (2 particles)", 2, _ => SiteEstimator.Score(ScoreBaseline.LeaveOneOut)),
        new("local expectation", 1, _ => SiteEstimator.LocalExpectation),
        new("ARM", 1, _ => SiteEstimator.Arm),
        new("DisARM", 1, _ => SiteEstimator.DisArm),
        new("Gumbel-softmax τ = 0.5", 1, _ => SiteEstimator.GumbelSoftmax(0.5)),
        new("straight-through τ = 0.5", 1, _ => SiteEstimator.StraightThrough(0.5)),
        new("REBAR", 1, _ => SiteEstimator.Rebar()),
        new("RELAX", 1, c => SiteEstimator.Relax((int)c, hidden: 10)),
    };

    public ExperimentOutcome Run(ExperimentContext context)
    {
        int runs = context.Size(3, 2);
        int iterations = context.Size(2000, 60);
        int every = context.Size(50, 20);
        int varianceDraws = context.Size(2000, 200);
        long biasDraws = context.Size(1_000_000L, 20_000L);
        double[] checkpoints = Enumerable.Range(0, iterations / every + 1).Select(i => (double)(i * every)).ToArray();
        var theta = new Curves(checkpoints);
        var variance = new Curves(checkpoints);
        var csv = new CsvTable("estimator", "run", "iteration", "theta", "gradient_mean", "gradient_variance");
        var biasCsv = new CsvTable("estimator", "draws", "gradient_mean", "standard_error", "exact", "z");
        var bias = new Dictionary<string, (double Mean, double StandardError, double Variance)>();
        var seconds = new Dictionary<string, double>();
        var controls = new Dictionary<string, List<(double Temperature, double Scale)>>();

        using (ProgressBar bar = context.Progress(Name, Estimators.Count * (runs * iterations + 1)))
        {
            for (int e = 0; e < Estimators.Count; e++)
            {
                EstimatorChoice choice = Estimators[e];
                // Bias at θ = ½ (φ = 0), with the estimator's own initial state.
                {
                    var toy = new BernoulliToy(choice.Create(1));
                    var generator = new Generator(context.StreamSeed(1000 + e), torch.CPU);
                    var estimates = new List<double>();
                    const long chunk = 100_000;
                    for (long done = 0; done < biasDraws; done += chunk)
                    {
                        using DisposeScope scope = torch.NewDisposeScope();
                        estimates.AddRange(toy.PerPointGradients(Math.Min(chunk, biasDraws - done), choice.Particles, generator));
                    }
                    Summary s = Summary.Of(estimates);
                    bias[choice.Label] = (s.Mean, s.StandardError, s.StandardDeviation * s.StandardDeviation);
                    biasCsv.Add(choice.Label, biasDraws, s.Mean, s.StandardError, -ExactCostGradient, (s.Mean + ExactCostGradient) / s.StandardError);
                    toy.Dispose();
                    bar.Tick();
                }
                var clock = Stopwatch.StartNew();
                for (int run = 0; run < runs; run++)
                {
                    var toy = new BernoulliToy(choice.Create(1));
                    var generator = new Generator(context.StreamSeed(run), torch.CPU);
                    var measurement = new Generator(context.StreamSeed(100 + run), torch.CPU);
                    using var adam = new Adam(toy.Parameters, LearningRate);
                    var thetaValues = new List<double>();
                    var varianceValues = new List<double>();
                    using Tensor one = torch.zeros(1, 1, dtype: ScalarType.Float64);
                    for (int iteration = 0; iteration <= iterations; iteration++)
                    {
                        if (iteration % every == 0)
                        {
                            using DisposeScope scope = torch.NewDisposeScope();
                            double[] g = toy.PerPointGradients(varianceDraws, choice.Particles, measurement);
                            Summary s = Summary.Of(g);
                            thetaValues.Add(toy.Theta);
                            varianceValues.Add(s.StandardDeviation * s.StandardDeviation);
                            csv.Add(choice.Label, run, iteration, toy.Theta, s.Mean, varianceValues[^1]);
                        }
                        if (iteration == iterations)
                        {
                            break;
                        }
                        using (DisposeScope scope = torch.NewDisposeScope())
                        {
                            using ElboEstimate estimate = toy.Model.Expectation(one, choice.Particles, generator);
                            adam.zero_grad();
                            estimate.Loss.backward();
                            adam.step();
                        }
                        bar.Tick();
                    }
                    if (toy.Estimator is RebarEstimator rebar)
                    {
                        (controls.TryGetValue(choice.Label, out var list) ? list : controls[choice.Label] = new List<(double, double)>()).Add((rebar.Temperature, rebar.Scale));
                    }
                    theta.Add(choice.Label, thetaValues.ToArray());
                    variance.Add(choice.Label, varianceValues.ToArray());
                    toy.Dispose();
                }
                seconds[choice.Label] = clock.Elapsed.TotalSeconds;
                context.Info($"   {choice.Label}: final θ {theta.At(choice.Label, -1).Mean:F4}, bias z = {(bias[choice.Label].Mean + ExactCostGradient) / bias[choice.Label].StandardError:F2}, {clock.Elapsed.TotalSeconds:F1} s");
            }
        }
        csv.Save(context.PathOf("curves.csv"));
        biasCsv.Save(context.PathOf("bias.csv"));
        Draw(theta, context.PathOf("theta.png"), $"θ = σ(φ) during training (Adam, lr {LearningRate}; mean ± sd, {runs} runs)", "θ (optimum 0)", v => v, logY: true);
        // Local expectation sums over both values of the one bit: its variance is round-off (~1e-32); drawn at the floor.
        Draw(variance, context.PathOf("variance.png"), $"Variance of one θ-gradient estimate ({varianceDraws} draws per point; mean ± sd, {runs} runs)", $"Var of dbound/dθ (floor {Figure.FormatPower(Math.Log10(VarianceFloor))})", v => Math.Max(v, VarianceFloor), logY: true);
        return Report(context, runs, iterations, every, varianceDraws, biasDraws, theta, variance, bias, seconds, controls);
    }

    /// <summary>Every series' mean ± sd band over runs, the legend beside the plot (nine series fill every corner).</summary>
    private static void Draw(Curves curves, string path, string title, string yLabel, Func<double, double> map, bool logY)
    {
        var figure = new Figure(title, "iteration", yLabel, logY: logY);
        foreach (string series in curves.Series)
        {
            double[][] runs = curves.Runs(series).Select(r => r.Select(map).ToArray()).ToArray();
            double[] mean = Enumerable.Range(0, curves.Steps.Count).Select(i => runs.Average(r => r[i])).ToArray();
            double[] sd = Enumerable.Range(0, curves.Steps.Count).Select(i => Summary.Of(runs.Select(r => r[i])).StandardDeviation).Select(v => double.IsNaN(v) ? 0 : v).ToArray();
            // On a log axis a band below zero is meaningless: keep its lower edge positive.
            double[] error = logY ? mean.Select((m, i) => Math.Min(sd[i], 0.9 * Math.Abs(m))).ToArray() : sd;
            figure.Line(series, curves.Steps, mean, error, markers: false);
        }
        figure.LegendOutside().Save(path, 1000, 520);
    }

    /// <summary>A variance, or "0 (round-off)" below the floor.</summary>
    private static string VarianceCell(double v) => v < VarianceFloor ? $"0 (round-off, {MarkdownReport.Num(v, 2)})" : MarkdownReport.Num(v, 3);

    private ExperimentOutcome Report(ExperimentContext context, int runs, int iterations, int every, int varianceDraws, long biasDraws, Curves theta, Curves variance,
        Dictionary<string, (double Mean, double StandardError, double Variance)> bias, Dictionary<string, double> seconds, Dictionary<string, List<(double Temperature, double Scale)>> controls)
    {
        var metrics = new Dictionary<string, double>();
        var rows = new List<IReadOnlyList<string>>();
        var biasRows = new List<IReadOnlyList<string>>();
        var unbiasedFailures = new List<string>();
        var biasedDetected = new List<string>();
        foreach (EstimatorChoice choice in Estimators)
        {
            string label = choice.Label;
            Summary end = theta.At(label, -1), v = variance.MeanOverSteps(label);
            var (mean, se, var0) = bias[label];
            double z = (mean + ExactCostGradient) / se;
            bool biased = choice.Create(1).Biased;
            if (!biased && Math.Abs(z) > 3) unbiasedFailures.Add(label);
            if (biased && Math.Abs(z) > 3) biasedDetected.Add(label);
            rows.Add(new[] { label, MarkdownReport.PlusMinus(end.Mean, end.StandardDeviation, 3), VarianceCell(var0), VarianceCell(v.Mean), controls.TryGetValue(label, out var state) ? string.Join("; ", state.Select(c => $"λ {MarkdownReport.Num(c.Temperature, 3)}, η {MarkdownReport.Num(c.Scale, 3)}")) : "—", $"{seconds[label]:F1}" });
            biasRows.Add(new[] { label, biased ? "biased (relaxation)" : "unbiased", MarkdownReport.PlusMinus(mean, se, 4), MarkdownReport.Num(-ExactCostGradient, 4), MarkdownReport.Num(z, 3) });
            string key = GammaToyExperiment.Slug(label);
            metrics[$"final_theta_{key}"] = end.Mean;
            metrics[$"bias_z_{key}"] = z;
            metrics[$"variance_at_half_{key}"] = var0;
        }
        string best = Estimators.Where(c => !c.Create(1).Biased).OrderBy(c => bias[c.Label].Variance).First().Label;
        string verdict = (unbiasedFailures.Count == 0 ? "Every unbiased estimator's mean θ-gradient at θ = ½ matches the exact −0.002 within 3 SE" : $"Unbiased estimators off the exact gradient by more than 3 SE: {string.Join(", ", unbiasedFailures)}")
            + (biasedDetected.Count > 0 ? $"; the relaxations' bias is resolved ({string.Join(", ", biasedDetected)})" : "; the relaxations' bias is not resolved at this size")
            + $"; lowest variance at θ = ½ among the unbiased: {best} ({VarianceCell(bias[best].Variance)}, score {MarkdownReport.Num(bias["score"].Variance, 3)}); "
            + $"final θ after {iterations} steps: " + string.Join(", ", Estimators.Select(c => $"{c.Label} {MarkdownReport.Num(theta.At(c.Label, -1).Mean, 2)}")) + ".";

        var report = new MarkdownReport(Title, context, $"dotnet run --project src/Samples -c Release -- {Name}");
        report.Verdict(verdict);
        report.Heading("Setup");
        report.Bullets(new[]
        {
            $"Objective: minimise E_{{b ~ Bernoulli(θ)}}[(b − {Target})²], θ = σ(φ), φ = 0 at the start (θ = ½). The optimum is θ → 0: f(0) = {MarkdownReport.Num(Target * Target, 4)} < f(1) = {MarkdownReport.Num((1 - Target) * (1 - Target), 4)}. The exact gradient is dE[f]/dθ = (1 − {Target})² − {Target}² = {MarkdownReport.Num(ExactCostGradient, 4)}, so tiny against f that every estimator's signal-to-noise matters (the RELAX paper's point).",
            "As a `LatentModel`: the guide draws one site `b` from Bernoulli(σ(φ)) expanded to the rows (the data is a dummy column of zeros, one row per draw) and the model adds the cost −(b − 0.499)² with `ModelTrace.Cost`; `LatentModel.Expectation` estimates E_q[−f(b)] itself, without the guide's −log q (the bound's entropy term, which would move the optimum away from θ = 0).",
            $"Estimators (the model API's, one site): {string.Join("; ", Estimators.Select(c => $"{c.Label}{(c.Particles > 1 ? $" ({c.Particles} particles)" : "")}"))}. REBAR starts at temperature ½ and scale η = 1; RELAX adds a network of 10 ReLU units; their control parameters are trained by the same Adam on the estimate's variance (the runtime's second-order surrogate).",
            $"Training: Adam (the runtime's Scalar-safe `StochasticBackprop.Optim.Adam`), learning rate {LearningRate}, {iterations} steps of one estimate each (one draw, two for leave-one-out), {runs} runs with their own random streams.",
            $"Variance: every {every} steps, {varianceDraws} independent estimates of dbound/dθ at the current θ (and the estimator's current control variate), from the site's per-row gradients (`ElboOptions.SiteGradients`, gradient w.r.t. the Bernoulli probability, one data point per draw); their sample variance. The bias check uses {biasDraws:N0} such estimates at θ = ½ with a fresh estimator.",
        });
        report.Heading("Results");
        report.Table(new[] { "estimator", $"θ after {iterations} steps (mean ± sd)", "Var at θ = ½", "Var averaged over training", "control variate at the end, per run", "time (s)" }, rows);
        report.Heading("Bias check at θ = ½");
        report.Paragraph($"Mean ± SE of {biasDraws:N0} independent estimates of dbound/dθ against the exact value −({MarkdownReport.Num(ExactCostGradient, 4)}); z = (mean − exact)/SE. An unbiased estimator has |z| ≲ 3; a biased relaxation may show a resolved z.");
        report.Table(new[] { "estimator", "kind", "mean ± SE", "exact", "z" }, biasRows);
        report.Heading("The papers' claims beside ours");
        report.Table(new[] { "claim", "ours" }, new[]
        {
            new[] { "RELAX paper (Figure 1): the relaxations (concrete) converge to the wrong θ; REBAR and RELAX reach θ → 0 with lower variance than REINFORCE", $"final θ: Gumbel-softmax {MarkdownReport.Num(theta.At("Gumbel-softmax τ = 0.5", -1).Mean, 3)}, straight-through {MarkdownReport.Num(theta.At("straight-through τ = 0.5", -1).Mean, 3)}, REBAR {MarkdownReport.Num(theta.At("REBAR", -1).Mean, 3)}, RELAX {MarkdownReport.Num(theta.At("RELAX", -1).Mean, 3)}, score {MarkdownReport.Num(theta.At("score", -1).Mean, 3)}; variance at θ = ½: REBAR {MarkdownReport.Num(bias["REBAR"].Variance, 3)}, RELAX {MarkdownReport.Num(bias["RELAX"].Variance, 3)}, score {MarkdownReport.Num(bias["score"].Variance, 3)}" },
            new[] { "Echraibi et al. (2020), Appendix B: the local-expectation (BSB) estimator is exact for one binary variable (it sums over both values) and so has zero variance here", $"Var at θ = ½: {VarianceCell(bias["local expectation"].Variance)}; final θ {MarkdownReport.Num(theta.At("local expectation", -1).Mean, 3)}" },
        });
        report.Paragraph("The RELAX paper plots this toy's curves only (θ and log-variance against steps, without a table); there are no numbers of the paper to place beside ours.");
        report.Image("theta.png", "θ against iterations");
        report.Image("variance.png", "Variance of the θ-gradient estimate against iterations (log scale)");
        report.Save(context.PathOf("README.md"));
        return new ExperimentOutcome(verdict, metrics);
    }
}

/// <summary>The toy as a one-site latent model: guide Bernoulli(σ(φ)), model prior equal to q in value, cost −(b − 0.499)².</summary>
internal sealed class BernoulliToy : IDisposable
{
    private readonly SiteEstimator estimator;
    private readonly Tensor phi;
    private Tensor? probability;

    private Tensor? sampled;

    public BernoulliToy(SiteEstimator estimator)
    {
        this.estimator = estimator;
        using (torch.no_grad())
        {
            phi = torch.zeros(1, dtype: ScalarType.Float64).requires_grad_(true).DetachFromDisposeScope();
        }
        // The objective is the plain expectation E_q[−f(b)] (LatentModel.Expectation: no guide −log q), so the model only adds −f.
        Model = new LatentModel(
            (q, x) =>
            {
                probability = phi.sigmoid().expand(q.Rows, 1);
                sampled = q.Sample("b", new Bernoulli(probability), estimator);
            },
            (p, x) =>
            {
                // The guide's value (no prior: the expectation has no log p term).
                Tensor d = sampled! - Scalars.Of(RelaxToyExperiment.Target);
                p.Cost("f", (d * d).neg());
            });
    }

    public LatentModel Model { get; }

    public SiteEstimator Estimator => estimator;

    public double Theta
    {
        get
        {
            using IDisposable noGradient = torch.no_grad();
            using Tensor t = phi.sigmoid();
            return t.item<double>();
        }
    }

    /// <summary>φ and the estimator's control parameters.</summary>
    public IReadOnlyList<Tensor> Parameters => new[] { phi }.Concat(EstimatorChoice.ControlParameters(estimator)).ToArray();

    /// <summary><paramref name="draws"/> independent estimates of dbound/dθ (one per dummy data point, each from <paramref name="particles"/> draws).</summary>
    public double[] PerPointGradients(long draws, int particles, Generator generator)
    {
        Tensor data = torch.zeros(draws, 1, dtype: ScalarType.Float64);
        using ElboEstimate estimate = Model.Expectation(data, particles, generator, new ElboOptions { SiteGradients = true });
        Tensor perRow = estimate["b"].PerRowGradients![0]!; // [particles × draws, 1], row r's own estimate w.r.t. its probability
        return perRow.reshape(particles, draws).mean(new long[] { 0 }).data<double>().ToArray();
    }

    public void Dispose() => phi.Dispose();
}
