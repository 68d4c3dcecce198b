using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Samples.Experiments.Fourier;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Policy;

/// <summary>
/// Oden (2025), §7.4 (Table 3) without MuJoCo: pathwise (BPTT through the dynamics), REINFORCE with a learned value
/// baseline, and the hybrid λ ĝ_path + (1 − λ) ĝ_score with λ* by Oden's (2025) Algorithm 1 on the last 32 episodes,
/// trained on three differentiable tasks written in TorchSharp (an LQR, pendulum swing-up, cart-pole with its
/// termination); plus the unbiasedness check of the three estimators against the LQR's exact policy gradient.
/// </summary>
public sealed class PolicyGradientExperiment : IExperiment
{
    private const double ZTolerance = 4;
    private static readonly PolicyEstimator[] Estimators = { PolicyEstimator.Pathwise, PolicyEstimator.Reinforce, PolicyEstimator.Hybrid };

    /// <summary>Oden (2025), Table 3 (HalfCheetah-v2, Hopper-v2, Walker2d-v2 in MuJoCo): return, sd, relative variance (NaN: "—").</summary>
    private static readonly (string Task, string Method, double Return, double Sd, double RelativeVariance)[] PaperTable3 =
    {
        ("HalfCheetah", "pathwise", -625.0, 20.5, 58), ("HalfCheetah", "REINFORCE", -592.2, 49.4, double.NaN), ("HalfCheetah", "hybrid (λ*)", -524.0, 75.7, -53),
        ("Hopper", "pathwise", 177.7, 10.8, -54), ("Hopper", "REINFORCE", 116.3, 7.0, double.NaN), ("Hopper", "hybrid (λ*)", 185.9, 12.6, -81),
        ("Walker2d", "pathwise", 214.0, 63.4, -15), ("Walker2d", "REINFORCE", 137.7, 55.1, double.NaN), ("Walker2d", "hybrid (λ*)", 150.8, 73.1, -33),
    };

    /// <summary>Metric names of the rows of <see cref="RunLqrCheck"/>, in order.</summary>
    internal static readonly string[] CheckKeys = { "pathwise", "reinforce", "hybrid_previous_32", "hybrid_previous_2", "hybrid_same_32", "hybrid_same_2", "wrong_pathwise_detached", "wrong_score_without_sigma" };

    public string Name => "policy-gradients";
    public string Title => "Policy gradients on differentiable control tasks (LQR, pendulum, cart-pole): pathwise, REINFORCE, hybrid λ*";
    public string Source => "Oden (2025), §7.4, Table 3";
    public int Order => 510;

    internal static string Label(PolicyEstimator e) => e switch
    {
        PolicyEstimator.Pathwise => "pathwise",
        PolicyEstimator.Reinforce => "REINFORCE",
        _ => "hybrid (λ*)",
    };

    private sealed record TaskSetup(IControlTask Task, Func<Generator, GaussianPolicy> Policy, string Description);

    public ExperimentOutcome Run(ExperimentContext context)
    {
        int iterations = context.Size(200, 6);
        int seeds = context.Size(3, 2);
        int finalWindow = Math.Min(20, iterations);
        int smoothing = context.Size(10, 2);
        using var lqr = new LinearQuadraticRegulator(context.Size(50, 15));
        var pendulum = new Pendulum(context.Size(200, 20));
        var cartPole = new CartPole(context.Size(500, 20));
        var tasks = new[]
        {
            new TaskSetup(lqr, _ => GaussianPolicy.Linear(new[] { 0.0, 0.0 }, Math.Log(0.5)), "linear Gaussian policy u = Kᵀx + σε, K = 0 and σ = 0.5 at the start"),
            new TaskSetup(pendulum, g => new GaussianPolicy(new[] { 3, 64, 64, 1 }, bias: true, 0.0, 0.1, g), "tanh MLP 3-64-64-1, log σ = 0 at the start"),
            new TaskSetup(cartPole, g => new GaussianPolicy(new[] { 4, 64, 64, 1 }, bias: true, 0.0, 0.1, g), "tanh MLP 4-64-64-1, log σ = 0 at the start"),
        };
        long checkEpisodes = context.Size(1L << 16, 1L << 10);

        var runs = new Dictionary<(string Task, PolicyEstimator Estimator), List<TrainingRun>>();
        var curves = new CsvTable("task", "estimator", "seed", "iteration", "mean_return", "mean_length", "gradient_variance", "lambda", "pathwise_variance", "score_variance");
        using (ProgressBar bar = context.Progress(Name, (long)tasks.Length * Estimators.Length * seeds * iterations))
        {
            for (int t = 0; t < tasks.Length; t++)
            {
                TaskSetup setup = tasks[t];
                foreach (PolicyEstimator estimator in Estimators)
                {
                    var list = runs[(setup.Task.Name, estimator)] = new List<TrainingRun>();
                    for (int seed = 0; seed < seeds; seed++)
                    {
                        // One initialisation per task and seed, shared by the three estimators; each estimator its own episodes.
                        TrainingRun run = PolicyTraining.Train(setup.Task, setup.Policy, estimator, iterations, context.StreamSeed(1000 + 10 * t + seed), context.StreamSeed(2000 + 100 * t + 10 * (int)estimator + seed), () => bar.Tick());
                        list.Add(run);
                        for (int i = 0; i < iterations; i++)
                            curves.Add(setup.Task.Name, Label(estimator), seed, i, run.Returns[i], run.Lengths[i], run.Variance[i], run.Lambda[i], run.PathwiseVariance[i], run.ScoreVariance[i]);
                    }
                    context.Info($"   {setup.Task.Name} {Label(estimator)}: final return {list.Average(r => r.Returns.TakeLast(finalWindow).Average()):F2}, {list.Sum(r => r.Seconds):F1} s");
                }
            }
        }
        curves.Save(context.PathOf("training.csv"));

        LqrCheckRow[] check = RunLqrCheck(checkEpisodes, context, out double[] exact, out double[] finiteDifference, out double[] lambdasSame, out double[] lambdasPrevious);
        var checkCsv = new CsvTable("estimator", "samples", "coordinate", "mean", "standard_error", "exact", "z");
        foreach (LqrCheckRow row in check)
            for (int j = 0; j < exact.Length; j++)
                checkCsv.Add(row.Estimator, row.Samples, LqrGradientCheck.Coordinates[j], row.Mean[j], row.StandardError[j], row.Exact[j], row.Z[j]);
        checkCsv.Save(context.PathOf("lqr-unbiasedness.csv"));

        foreach (TaskSetup setup in tasks)
        {
            var figure = new Figure($"{setup.Task.Name}: return, {smoothing}-iteration moving average per seed (mean ± sd over {seeds} seeds)", "iteration", "mean episode return (undiscounted)");
            foreach (PolicyEstimator estimator in Estimators)
                Band(figure, Label(estimator), runs[(setup.Task.Name, estimator)].Select(r => MovingAverage(r.Returns, smoothing)).ToArray());
            figure.LegendOutside().Save(context.PathOf($"return-{GammaToyExperiment.Slug(setup.Task.Name)}.png"), 1000, 500);
        }
        var lambdaFigure = new Figure($"Hybrid λ* per iteration (Algorithm 1, last {GradientHistory.Capacity} episodes; mean ± sd over {seeds} seeds)", "iteration", "λ (weight of pathwise)");
        foreach (TaskSetup setup in tasks)
        {
            // Cart-pole's λ sits at 1 like the LQR's: dashed, so both stay visible.
            Band(lambdaFigure, setup.Task.Name, runs[(setup.Task.Name, PolicyEstimator.Hybrid)].Select(r => r.Lambda).ToArray(), dashed: setup.Task.Terminates);
        }
        lambdaFigure.LegendOutside().Save(context.PathOf("lambda.png"), 1000, 500);

        return Report(context, tasks, runs, iterations, seeds, finalWindow, check, exact, finiteDifference, lambdasSame, lambdasPrevious, checkEpisodes);
    }

    /// <summary>The trailing mean of the last <paramref name="window"/> values (fewer at the start).</summary>
    private static double[] MovingAverage(double[] values, int window) =>
        values.Select((_, i) => values.Skip(Math.Max(0, i - window + 1)).Take(Math.Min(window, i + 1)).Average()).ToArray();

    private static void Band(Figure figure, string label, double[][] series, bool dashed = false)
    {
        int n = series[0].Length;
        double[] x = Enumerable.Range(1, n).Select(i => (double)i).ToArray();
        double[] mean = Enumerable.Range(0, n).Select(i => series.Average(s => s[i])).ToArray();
        double[] sd = Enumerable.Range(0, n).Select(i => Summary.Of(series.Select(s => s[i])).StandardDeviation).Select(v => double.IsNaN(v) ? 0 : v).ToArray();
        figure.Line(label, x, mean, sd, markers: false, dashed: dashed);
    }

    private static LqrCheckRow[] RunLqrCheck(long episodes, ExperimentContext context, out double[] exact, out double[] finiteDifference, out double[] lambdasSame, out double[] lambdasPrevious)
    {
        using var task = new LinearQuadraticRegulator(LqrGradientCheck.Horizon);
        using GaussianPolicy policy = GaussianPolicy.Linear(LqrGradientCheck.Gain, LqrGradientCheck.LogStd);
        exact = LqrGradientCheck.ExactGradient(task, LqrGradientCheck.Gain, LqrGradientCheck.LogStd);
        finiteDifference = LqrGradientCheck.FiniteDifferenceGradient(task, LqrGradientCheck.Gain, LqrGradientCheck.LogStd);
        const long chunk = 1 << 13;
        using ValueBaseline baseline = LqrGradientCheck.PilotBaseline(task, policy, 256, 60, new Generator(context.StreamSeed(3000), torch.CPU));
        int batches = (int)(episodes / LqrGradientCheck.HybridBatch), perRollout = (int)(chunk / LqrGradientCheck.HybridBatch);
        var same = new List<double>();
        var previous = new List<double>();
        LqrCheckRow[] rows =
        {
            LqrGradientCheck.PerEpisode("pathwise", task, policy, null, new GradientRequest(true, false), episodes, chunk, exact, new Generator(context.StreamSeed(3001), torch.CPU)),
            LqrGradientCheck.PerEpisode("REINFORCE (value baseline)", task, policy, baseline, new GradientRequest(false, true), episodes, chunk, exact, new Generator(context.StreamSeed(3002), torch.CPU)),
            LqrGradientCheck.Hybrid("hybrid, λ from the previous 32 episodes (unbiased)", task, policy, baseline, LambdaSource.Previous, batches, perRollout, exact, new Generator(context.StreamSeed(3003), torch.CPU), previous),
            LqrGradientCheck.Hybrid("hybrid, λ from the previous 2 episodes (unbiased)", task, policy, baseline, LambdaSource.Previous, (int)(episodes / 2), (int)(chunk / 2), exact, new Generator(context.StreamSeed(3004), torch.CPU), batchSize: 2),
            LqrGradientCheck.Hybrid("hybrid, λ from the same 32 episodes (Algorithm 1)", task, policy, baseline, LambdaSource.SameBatch, batches, perRollout, exact, new Generator(context.StreamSeed(3003), torch.CPU), same),
            LqrGradientCheck.Hybrid("hybrid, λ from the same 2 episodes (Algorithm 1, B = 2)", task, policy, baseline, LambdaSource.SameBatch, (int)(episodes / 2), (int)(chunk / 2), exact, new Generator(context.StreamSeed(3004), torch.CPU), batchSize: 2),
            LqrGradientCheck.PerEpisode("wrong on purpose: pathwise, state detached between steps", task, policy, null, new GradientRequest(true, false, DetachStateBetweenSteps: true), episodes, chunk, exact, new Generator(context.StreamSeed(3001), torch.CPU)),
            LqrGradientCheck.PerEpisode("wrong on purpose: REINFORCE with (a − μ)/σ for ∂log π/∂μ", task, policy, baseline, new GradientRequest(false, true, ScoreWithoutSigmaFactor: true), episodes, chunk, exact, new Generator(context.StreamSeed(3002), torch.CPU)),
        };
        lambdasSame = same.ToArray();
        lambdasPrevious = previous.Skip(1).ToArray();
        return rows;
    }

    private ExperimentOutcome Report(ExperimentContext context, TaskSetup[] tasks, Dictionary<(string Task, PolicyEstimator Estimator), List<TrainingRun>> runs, int iterations, int seeds, int finalWindow,
        LqrCheckRow[] check, double[] exact, double[] finiteDifference, double[] lambdasSame, double[] lambdasPrevious, long checkEpisodes)
    {
        var metrics = new Dictionary<string, double>();
        var table = new List<IReadOnlyList<string>>();
        var final = new Dictionary<(string, PolicyEstimator), Summary>();
        var relative = new Dictionary<(string, PolicyEstimator), double>();
        foreach (TaskSetup setup in tasks)
        {
            string task = setup.Task.Name;
            double reinforceVariance = runs[(task, PolicyEstimator.Reinforce)].SelectMany(r => r.Variance).Average();
            foreach (PolicyEstimator estimator in Estimators)
            {
                List<TrainingRun> list = runs[(task, estimator)];
                Summary perSeed = Summary.Of(list.Select(r => r.Returns.TakeLast(finalWindow).Average()));
                double change = perSeed.Mean - list.Average(r => r.Returns.Take(finalWindow).Average());
                double variance = list.SelectMany(r => r.Variance).Average();
                double rel = (variance - reinforceVariance) / reinforceVariance * 100;
                final[(task, estimator)] = perSeed;
                relative[(task, estimator)] = rel;
                double lambda = estimator == PolicyEstimator.Hybrid ? list.SelectMany(r => r.Lambda).Average() : double.NaN;
                int skipped = list.Sum(r => r.SkippedUpdates);
                table.Add(new[]
                {
                    task, Label(estimator), MarkdownReport.Num(perSeed.Mean, 4), MarkdownReport.Num(perSeed.StandardDeviation, 3), MarkdownReport.Num(change, 3),
                    MarkdownReport.Num(variance, 3), estimator == PolicyEstimator.Reinforce ? "— (reference)" : $"{MarkdownReport.Num(rel, 3)}%",
                    double.IsNaN(lambda) ? "—" : MarkdownReport.Num(lambda, 3), skipped.ToString(), $"{list.Sum(r => r.Seconds):F0}",
                });
                string key = $"{GammaToyExperiment.Slug(task)}_{estimator.ToString().ToLowerInvariant()}";
                metrics[$"final_return_{key}"] = perSeed.Mean;
                metrics[$"relative_variance_{key}"] = rel;
                metrics[$"gradient_variance_{key}"] = variance;
                if (estimator == PolicyEstimator.Hybrid)
                {
                    metrics[$"lambda_min_{GammaToyExperiment.Slug(task)}"] = list.SelectMany(r => r.Lambda).Min();
                    metrics[$"lambda_max_{GammaToyExperiment.Slug(task)}"] = list.SelectMany(r => r.Lambda).Max();
                }
            }
        }
        for (int r = 0; r < check.Length; r++) metrics[$"lqr_max_abs_z_{CheckKeys[r]}"] = check[r].MaxAbsZ;
        metrics["lqr_exact_vs_finite_difference"] = exact.Zip(finiteDifference, (a, b) => Math.Abs(a - b)).Max();

        // "Best" is by the mean over seeds; it counts as resolved when the margin over the runner-up exceeds twice
        // the standard error of the difference (the seeds' spread), and as within noise otherwise.
        string BestClaim(string task, PolicyEstimator claimed)
        {
            PolicyEstimator[] order = Estimators.OrderByDescending(e => final[(task, e)].Mean).ToArray();
            Summary a = final[(task, order[0])], b = final[(task, order[1])];
            double margin = a.Mean - b.Mean, se = Math.Sqrt(a.StandardError * a.StandardError + b.StandardError * b.StandardError);
            bool resolved = margin > 2 * se;
            return order[0] != claimed
                ? $"does not hold (best: {Label(order[0])}{(resolved ? "" : ", within noise")})"
                : resolved ? "holds" : $"holds by the mean only, within noise (margin {MarkdownReport.Num(margin, 2)} over {Label(order[1])}, SE {MarkdownReport.Num(se, 2)})";
        }
        string Says(bool holds) => holds ? "holds" : "does not hold";
        bool hybridMoreVariance = tasks.All(s => relative[(s.Task.Name, PolicyEstimator.Hybrid)] > 0);
        // Rows of RunLqrCheck: 0–3 unbiased estimators, 4–5 Algorithm 1's same-batch λ (B = 32, 2), 6–7 planted defects.
        LqrCheckRow[] unbiasedRows = check.Take(4).ToArray(), sameBatchRows = check.Skip(4).Take(2).ToArray(), defectRows = check.Skip(6).ToArray();
        bool unbiased = unbiasedRows.All(r => r.MaxAbsZ <= ZTolerance);
        bool defectsSeen = defectRows.All(r => r.MaxAbsZ > ZTolerance);
        string verdict =
            $"LQR check: pathwise, REINFORCE and the previous-batch hybrid {(unbiased ? "match" : "do NOT all match")} the exact gradient within {ZTolerance:0} SE (max |z| {string.Join(", ", unbiasedRows.Select(r => MarkdownReport.Num(r.MaxAbsZ, 2)))}); Algorithm 1's same-batch λ has max |z| {MarkdownReport.Num(sameBatchRows[0].MaxAbsZ, 2)} at B = 32 and {MarkdownReport.Num(sameBatchRows[1].MaxAbsZ, 2)} at B = 2 ({(sameBatchRows[1].MaxAbsZ > ZTolerance ? "biased, resolved" : "bias not resolved")}){(defectsSeen ? "; both planted defects are detected" : "; a planted defect is NOT detected")}. "
            + $"Oden's (2025) RL claims: pathwise best on smooth dynamics: LQR {BestClaim("LQR", PolicyEstimator.Pathwise)}, pendulum {BestClaim("Pendulum", PolicyEstimator.Pathwise)}; "
            + $"hybrid best on the termination task (cart-pole) {BestClaim("CartPole", PolicyEstimator.Hybrid)}: pathwise is blind to termination (its gradient is exactly 0), so Algorithm 1 puts λ* ≈ {MarkdownReport.Num(runs[("CartPole", PolicyEstimator.Hybrid)].SelectMany(r => r.Lambda).Average(), 3)} on it and the hybrid barely moves; "
            + $"hybrid variance above REINFORCE's {Says(hybridMoreVariance)} (eq. 46: {string.Join(", ", tasks.Select(s => $"{s.Task.Name} {MarkdownReport.Num(relative[(s.Task.Name, PolicyEstimator.Hybrid)], 3)}%"))}).";

        var report = new MarkdownReport(Title, context, $"dotnet run --project src/Samples -c Release -- {Name}");
        report.Verdict(verdict);
        report.Heading("What this reproduces, and what it substitutes");
        report.Paragraph("Oden (2025), §7.4 trains a tanh policy (64, 64) with a learned diagonal Gaussian by pathwise, REINFORCE (state-value baseline) and the hybrid λ* estimator on HalfCheetah, Hopper and Walker2d in MuJoCo (200 iterations of 5 episodes, γ = 0.99, Adam 3·10⁻⁴, λ* from the last 32 gradient samples, 3 seeds) and reports Table 3. MuJoCo cannot be had here, so the tasks are written in the project with TorchSharp dynamics, batched over episodes and differentiable, so that pathwise through the dynamics exists as Oden (2025) assumes. **The tasks differ from Oden's (2025), so the returns are not comparable task for task**; what can be compared is the pattern (which estimator wins where, and the variance ordering).");
        report.Heading("Setup");
        report.Bullets(new[]
        {
            $"LQR: double integrator x = (position, velocity), dt = {LinearQuadraticRegulator.TimeStep}, x_{{t+1}} = Ax_t + Bu_t + w_t, w ~ N(0, diag(0.01², 0.03²)), x₀ ~ N((1, 0), 0.1²I), r = −(x₁² + 0.1x₂² + {LinearQuadraticRegulator.ActionWeight}u²), horizon {tasks[0].Task.Horizon}; {tasks[0].Description}. Its expected return is exact (state-moment recursion), see the check below.",
            $"Pendulum (gym's Pendulum-v1 physics): θ̈ = (3g/(2l)) sin θ + 3u/(ml²), g = 10, m = l = 1, dt = 0.05, semi-implicit Euler; torque u = {Pendulum.MaxTorque}·tanh(a) (a smooth squash where gym clamps); speed not clipped; reward −(angle² + 0.1θ̇² + 0.001u²); θ₀ ~ U(−π, π), θ̇₀ ~ U(−1, 1); observation (cos θ, sin θ, θ̇); {tasks[1].Task.Horizon} steps; {tasks[1].Description}.",
            $"Cart-pole (gym's CartPole physics, Euler, 0.02 s) with a continuous force F = 10·tanh(a); the episode ends when |x| > {CartPole.PositionLimit} or |θ| > 12°; reward 1 per step alive; at most {tasks[2].Task.Horizon} steps (Oden's (2025) maximum is 1000, reduced to {tasks[2].Task.Horizon} to fit the time budget; see the mean lengths in training.csv); {tasks[2].Description}. The reward is an indicator of the state: its derivative is 0 wherever it exists, so pathwise through the dynamics is blind to the termination and its gradient is exactly 0 (no boundary term), the case where pathwise breaks.",
            "Pathwise: a = μ(s) + σε, the discounted return Σγᵗr_t backpropagated through actions and dynamics (BPTT over the whole episode).",
            $"REINFORCE: Σ_t γᵗ ∇log π(a_t|s_t)(G_t − V(s_t, t)), G_t = Σ_{{k≥t}} γ^{{k−t}} r_k (the γᵗ makes it the gradient of the same discounted objective as pathwise). ∇log π is the generated `Normal.Score` (Oden 2025, eq. 44: the Malliavin weight of a Gaussian is its score), chained through μ and σ by autograd. V is a tanh network (64, 64) of (observation, t/T), refitted by {PolicyTraining.BaselineFitSteps} Adam steps (lr {ValueBaseline.LearningRate}) on each iteration's reward-to-go **after** that iteration's gradient is taken: at iteration i it is a function of earlier episodes only, so it does not bias the estimator.",
            $"Hybrid: per episode λ ĝ_path + (1 − λ) ĝ_score, λ* by Oden's (2025) Algorithm 1 (eq. 39, ridge ε = 10⁻¹² relative, clipped to [0, 1]) from a rolling buffer of the last {GradientHistory.Capacity} episodes' pairs (ĝ_path, ĝ_score) across iterations, this iteration's 5 included (Oden's (2025) choice; slightly biased). **λ is one scalar for all policy parameters**, from the total (trace) variances and covariance. An unbiased variant (λ from earlier episodes only) is offered and checked on the LQR.",
            $"Training as Oden (2025): {iterations} iterations of {PolicyTraining.EpisodesPerIteration} episodes, γ = {PolicyTraining.Gamma}, Adam (the runtime's Scalar-safe `StochasticBackprop.Optim.Adam`) at {PolicyTraining.LearningRate}, {seeds} seeds; per seed one policy initialisation shared by the three estimators (PyTorch's Linear initialisation, output layer ×0.1), each estimator with its own episodes. Per-episode gradients come from one backward pass: each episode has its own copy of the parameters ([E, …] leaves used through batched matmuls). All tensors are float64. An update with a non-finite entry would be skipped (column 'skipped').",
            $"Return: the mean undiscounted return of an iteration's 5 episodes; 'avg return' is its mean over the final {finalWindow} iterations of a seed, averaged over the {seeds} seeds; **sd is the standard deviation over the seeds** of those per-seed averages.",
            $"Variance: at each iteration, the trace of the covariance of that iteration's gradient estimate (the mean over its 5 episodes), Σ_j s²_j / 5 with s²_j the per-episode sample variance (divisor 4) of coordinate j of the estimator's own per-episode gradients (for the hybrid, λ ĝ_path + (1 − λ) ĝ_score at that iteration's λ); averaged over all iterations and seeds. Each method is measured along its own training run. Relative variance by Oden (2025), eq. 46, (Var[method] − Var[REINFORCE]) / Var[REINFORCE] × 100%, **as written: positive means more variance than REINFORCE, negative less** (Oden's (2025) text reads its negative values as higher variance, the opposite of its formula).",
        });
        double trainingSeconds = runs.Values.SelectMany(l => l).Sum(r => r.Seconds);
        report.Paragraph($"Run time: {trainingSeconds:F0} s of training in all (one libtorch thread), load average {LoadAverage.Read()} (1/5/15 min) when the report was written; the machine's 2 cores were shared with other work.");
        report.Heading("Table 3: ours beside Oden's (2025)");
        report.Table(new[] { "task", "method", $"avg return (final {finalWindow} it.)", "sd over seeds", $"change from the first {finalWindow} it.", "Var (trace, per iteration)", "relative variance (eq. 46)", "mean λ", "skipped", "time (s)" }, table);
        report.Paragraph($"At Adam's learning rate {PolicyTraining.LearningRate} a parameter moves by at most about {PolicyTraining.LearningRate} per iteration, {MarkdownReport.Num(PolicyTraining.LearningRate * iterations, 2)} over the run: the 'change' column says how much each run learned at all, which bounds how far the final returns can separate.");
        report.Paragraph("Oden's (2025) Table 3, as printed (MuJoCo tasks; **not comparable task for task** with the rows above; Oden (2025) says negative means higher variance, against its own eq. 46):");
        report.Table(new[] { "task (Oden 2025, MuJoCo)", "method", "avg return", "sd", "relative variance" },
            PaperTable3.Select(p => (IReadOnlyList<string>)new[] { p.Task, p.Method, MarkdownReport.Num(p.Return, 4), MarkdownReport.Num(p.Sd, 3), double.IsNaN(p.RelativeVariance) ? "—" : $"{p.RelativeVariance:0}%" }));
        report.Heading("Hybrid runs: the components' variances at the hybrid's own policies");
        report.Table(new[] { "task", "Var pathwise", "Var score", "Var hybrid", "mean λ" }, tasks.Select(s =>
        {
            List<TrainingRun> list = runs[(s.Task.Name, PolicyEstimator.Hybrid)];
            return (IReadOnlyList<string>)new[]
            {
                s.Task.Name, MarkdownReport.Num(list.SelectMany(r => r.PathwiseVariance).Average(), 3), MarkdownReport.Num(list.SelectMany(r => r.ScoreVariance).Average(), 3),
                MarkdownReport.Num(list.SelectMany(r => r.Variance).Average(), 3), MarkdownReport.Num(list.SelectMany(r => r.Lambda).Average(), 3),
            };
        }));
        report.Heading("LQR: each estimator's mean gradient against the exact gradient");
        report.Paragraph($"At K = ({string.Join(", ", LqrGradientCheck.Gain)}), σ = 0.5, horizon {LqrGradientCheck.Horizon}, γ = {LqrGradientCheck.Gamma}. The exact gradient is autograd of the moment recursion (float64; central differences agree to {MarkdownReport.Num(metrics["lqr_exact_vs_finite_difference"], 2)}). Pathwise and REINFORCE: mean ± SE over {checkEpisodes:N0} per-episode estimates; the hybrids: over {checkEpisodes / LqrGradientCheck.HybridBatch:N0} batches of {LqrGradientCheck.HybridBatch} episodes. The value baseline is fitted on 256 pilot episodes, independent of these. z = (mean − exact)/SE; an unbiased estimator has |z| ≲ {ZTolerance:0} on every coordinate. Algorithm 1 weights the samples its λ is estimated from, so E[λ̂ḡ] ≠ E[λ̂]E[ḡ]: a bias of order 1/B, shown at B = 2 (buffer = batch = 2 episodes) beside B = 32. The last two rows are deliberately wrong formulas, shown to fail the same test. Mean λ: same-batch {MarkdownReport.Num(lambdasSame.Average(), 3)}, previous-batch {MarkdownReport.Num(lambdasPrevious.Average(), 3)}.");
        report.Table(new[] { "estimator" }.Concat(LqrGradientCheck.Coordinates.Select(c => $"{c}: mean ± SE (z)")).Concat(new[] { "max \\|z\\|", $"within {ZTolerance:0} SE" }).ToArray(),
            new[] { (IReadOnlyList<string>)new[] { "exact" }.Concat(exact.Select(g => MarkdownReport.Num(g, 5))).Concat(new[] { "—", "—" }).ToArray() }
            .Concat(check.Select(r => (IReadOnlyList<string>)new[] { r.Estimator }
                .Concat(r.Mean.Select((m, j) => $"{MarkdownReport.PlusMinus(m, r.StandardError[j], 5)} ({MarkdownReport.Num(r.Z[j], 3)})"))
                .Concat(new[] { MarkdownReport.Num(r.MaxAbsZ, 3), r.MaxAbsZ <= ZTolerance ? "yes" : "no" }).ToArray())));
        report.Heading("Plots");
        foreach (TaskSetup s in tasks)
            report.Image($"return-{GammaToyExperiment.Slug(s.Task.Name)}.png", $"{s.Task.Name}: mean episode return per iteration (each seed's moving average over {context.Size(10, 2)} iterations), mean ± sd over {seeds} seeds");
        report.Image("lambda.png", "Hybrid λ* per iteration per task, mean ± sd over seeds (λ itself lies in [0, 1]; the band is mean ± sd and may cross the bounds)");
        report.Save(context.PathOf("README.md"));
        return new ExperimentOutcome(verdict, metrics);
    }
}
