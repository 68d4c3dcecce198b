using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using StochasticBackprop.Distributions;
using StochasticBackprop.Samples.Distributions;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples;

/// <summary>
/// The main job: for each sample distribution, every estimator it has on f(z) = (z − c)², its
/// mean gradient beside the closed-form gradient, and the per-sample variance of each gradient.
/// </summary>
public static class EstimatorTable
{
    /// <summary>One row of the table: a distribution, an estimator, one parameter.</summary>
    /// <param name="Biased">The estimator is biased by design (a relaxation), shown to compare with.</param>
    public sealed record Row(string Distribution, string Estimator, string Parameter, double Mean, double StandardError, double Truth, double Variance, bool Biased)
    {
        /// <summary>|mean − truth| in standard errors.</summary>
        /// <remarks>With no sampling noise (a point mass, or a per-sample gradient that is constant) the deviation is 0 when exact.</remarks>
        public double Deviation => StandardError > 1e-12 * Math.Max(1, Math.Abs(Truth))
            ? Math.Abs(Mean - Truth) / StandardError
            : Math.Abs(Mean - Truth) <= 1e-9 * Math.Max(1, Math.Abs(Truth)) ? 0 : double.PositiveInfinity;
    }

    /// <summary>A distribution at fixed parameter values, with the closed-form gradient of E (z − c)².</summary>
    private sealed record Case(IDistribution Distribution, double[] TrueGradient);

    public static IReadOnlyList<Row> Measure(long sampleCount, long seed, double c = 1.0)
    {
        TorchBackend.EnsureAvailable();
        var rows = new List<Row>();
        using Scalar center = c.ToScalar();   // c is the caller's: held for the whole measurement, not a temporary
        Objective objective = Objective.Separable(z => (z - center).pow(Scalars.Of(2)));
        foreach (Case @case in Cases(c))
        {
            using var scope = NewDisposeScope();
            var estimates = new List<(GradientEstimate Estimate, bool Biased)>();
            var generator = new Generator((ulong)seed);
            IDistribution d = @case.Distribution;
            // Every estimator the runtime has for this distribution's capabilities; the score function once
            // more with a baseline, to show what a baseline does.
            foreach (EstimatorEntry entry in EstimatorCatalog.For(d))
            {
                estimates.Add((entry.Estimate(d, objective, sampleCount, generator, Settings), entry.Biased));
            }
            if (d is IScoredDistribution s)
            {
                estimates.Add((Estimators.ScoreFunction(s, objective, sampleCount, Baseline.LeaveOneOut, generator), false));
            }

            foreach ((GradientEstimate estimate, bool biased) in estimates)
            {
                // One row per parameter entry (a vector parameter such as logits gives one per component),
                // in the order of TrueGradient.
                int entry = 0;
                for (int p = 0; p < estimate.ParameterNames.Count; p++)
                {
                    Tensor perSample = estimate.PerSampleGradients[p].reshape(sampleCount, -1);
                    long width = perSample.shape[1];
                    for (long j = 0; j < width; j++)
                    {
                        Tensor column = perSample[.., j];
                        double mean = column.mean().item<double>();
                        double variance = column.var().item<double>();
                        string name = width == 1 ? estimate.ParameterNames[p] : $"{estimate.ParameterNames[p]}[{j}]";
                        rows.Add(new Row(d.Name, estimate.Estimator, name, mean, Math.Sqrt(variance / sampleCount), @case.TrueGradient[entry++], variance, biased));
                    }
                }
            }
        }
        return rows;
    }


    private static IEnumerable<Case> Cases(double c)
    {
        static Tensor Scalar(double value) => tensor(value, float64);

        // Closed forms of d/dθ E (z − c)² = d/dθ [Var z + (E z − c)²].
        double mu = 0.5, sigma = 1.2;
        yield return new Case(new Normal(Scalar(mu), Scalar(sigma)), new[] { 2 * (mu - c), 2 * sigma });

        double b = 0.8;
        yield return new Case(new Laplace(Scalar(mu), Scalar(b)), new[] { 2 * (mu - c), 4 * b });

        double k = 2.0, theta = 1.5;
        yield return new Case(new Gamma(Scalar(k), Scalar(theta)), new[]
        {
            theta * theta * (2 * k + 1) - 2 * c * theta,
            2 * k * (k + 1) * theta - 2 * c * k,
        });

        double rate = 1.5;
        yield return new Case(new Exponential(Scalar(rate)), new[] { -4 / (rate * rate * rate) + 2 * c / (rate * rate) });

        double a = 0.7;
        yield return new Case(new Dirac(Scalar(a)), new[] { 2 * (a - c) });

        // Discrete: E (z − c)² = Σ_v p(v) (v − c)².
        double p = 0.3;
        yield return new Case(new Bernoulli(Scalar(p)), new[] { (1 - c) * (1 - c) - c * c });

        // Categories 0, 1, 2 with p = softmax(l): ∂/∂l_k Σ_v p_v g_v = p_k (g_k − Σ_v p_v g_v), g_v = (v − c)².
        double[] logits = { 0.0, 0.5, -0.3 };
        double[] probabilities = Softmax(logits);
        double[] g = { c * c, (1 - c) * (1 - c), (2 - c) * (2 - c) };
        double meanG = probabilities.Zip(g, (q, gv) => q * gv).Sum();
        yield return new Case(new CategoricalLogits(tensor(logits, float64)), probabilities.Select((q, v) => q * (g[v] - meanG)).ToArray());

        double lambda = 1.5;
        yield return new Case(new Poisson(Scalar(lambda)), new[] { 1 + 2 * (lambda - c) });

        // Beta and Dirichlet: E (z − c)² = Var z + (E z − c)², differentiated in closed form below.
        double betaA = 6, betaB = 9;
        yield return new Case(new Beta(Scalar(betaA), Scalar(betaB)), DirichletGradient(new[] { betaA, betaB }, c).Take(1).Select(row => row.Take(2).ToArray()).Single());

        double[] alpha = { 6, 4, 5 };
        yield return new Case(new Dirichlet(tensor(alpha, float64)), DirichletGradient(alpha, c).Aggregate(new double[alpha.Length], (sum, row) => sum.Zip(row, (x, y) => x + y).ToArray()));
    }

    /// <summary>The Gumbel-softmax (concrete) relaxation's temperature: a biased baseline, shown for comparison.</summary>
    public const double GumbelTemperature = 0.5;

    /// <summary>Settings the table gives every estimator that has them (see <see cref="EstimatorEntry.Estimate"/>).</summary>
    private static readonly IReadOnlyDictionary<string, object?> Settings = new Dictionary<string, object?> { ["temperature"] = GumbelTemperature };

    private static double[] Softmax(double[] logits)
    {
        double max = logits.Max();
        double[] e = logits.Select(l => Math.Exp(l - max)).ToArray();
        return e.Select(x => x / e.Sum()).ToArray();
    }

    /// <summary>
    /// For z ~ Dirichlet(α), row j holds ∂/∂α_i E (z_j − c)² for every i, with α₀ = Σα, E z_j = α_j/α₀ and
    /// E z_j² = α_j(α_j + 1)/(α₀(α₀ + 1)), so E (z_j − c)² = E z_j² − 2c E z_j + c². A Beta(a, b) is the
    /// first coordinate of a Dirichlet(a, b).
    /// </summary>
    private static IEnumerable<double[]> DirichletGradient(double[] alpha, double c)
    {
        double a0 = alpha.Sum();
        for (int j = 0; j < alpha.Length; j++)
        {
            double aj = alpha[j];
            var row = new double[alpha.Length];
            for (int i = 0; i < alpha.Length; i++)
            {
                // ∂α₀/∂α_i = 1; ∂α_j/∂α_i = δ_ij.
                double delta = i == j ? 1 : 0;
                double second = (delta * (2 * aj + 1) * a0 * (a0 + 1) - aj * (aj + 1) * (2 * a0 + 1)) / Math.Pow(a0 * (a0 + 1), 2);
                double first = (delta * a0 - aj) / (a0 * a0);
                row[i] = second - 2 * c * first;
            }
            yield return row;
        }
    }

    public static string Format(IReadOnlyList<Row> rows, long sampleCount)
    {
        var lines = new List<string>
        {
            $"f(z) = (z - 1)^2, {sampleCount.ToString(CultureInfo.InvariantCulture)} samples per estimator; truth = closed-form gradient; dev = |mean - truth| / standard error",
            "",
            $"{"distribution",-17} {"estimator",-40} {"param",-9} {"mean grad",12} {"truth",12} {"dev (SE)",9} {"per-sample var",15}",
            new string('-', 120),
        };
        foreach (Row row in rows)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{row.Distribution,-17} {row.Estimator,-40} {row.Parameter,-9} {row.Mean,12:F5} {row.Truth,12:F5} {row.Deviation,9:F2} {row.Variance,15:G6}"));
        }
        return string.Join(Environment.NewLine, lines);
    }
}
