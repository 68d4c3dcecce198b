using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
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
    public sealed record Row(string Distribution, string Estimator, string Parameter, double Mean, double StandardError, double Truth, double Variance)
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
        Objective objective = Objective.Separable(z => (z - c).square());
        foreach (Case @case in Cases(c))
        {
            using var scope = NewDisposeScope();
            var estimates = new List<GradientEstimate>();
            var generator = new Generator((ulong)seed);
            IDistribution d = @case.Distribution;
            if (d is IReparameterizedDistribution r) estimates.Add(Estimators.Pathwise(r, objective, sampleCount, generator));
            if (d is IScoredDistribution s)
            {
                estimates.Add(Estimators.ScoreFunction(s, objective, sampleCount, null, generator));
                estimates.Add(Estimators.ScoreFunction(s, objective, sampleCount, Baseline.LeaveOneOut, generator));
            }
            if (d is ICumulantDistribution k) estimates.Add(Estimators.Fourier(k, objective, sampleCount, null, generator));
            if (d is IHybridDistribution h) estimates.Add(new HybridEstimator().Estimate(h, objective, sampleCount, generator));

            foreach (GradientEstimate estimate in estimates)
            {
                for (int p = 0; p < estimate.ParameterNames.Count; p++)
                {
                    Tensor perSample = estimate.PerSampleGradients[p];
                    double mean = perSample.mean().item<double>();
                    double variance = VarianceStatistics.TotalVariance(perSample);
                    rows.Add(new Row(d.Name, estimate.Estimator, estimate.ParameterNames[p], mean, Math.Sqrt(variance / sampleCount), @case.TrueGradient[p], variance));
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
    }

    public static string Format(IReadOnlyList<Row> rows, long sampleCount)
    {
        var lines = new List<string>
        {
            $"f(z) = (z - 1)^2, {sampleCount.ToString(CultureInfo.InvariantCulture)} samples per estimator; truth = closed-form gradient; dev = |mean - truth| / standard error",
            "",
            $"{"distribution",-12} {"estimator",-40} {"param",-6} {"mean grad",12} {"truth",12} {"dev (SE)",9} {"per-sample var",15}",
            new string('-', 112),
        };
        foreach (Row row in rows)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{row.Distribution,-12} {row.Estimator,-40} {row.Parameter,-6} {row.Mean,12:F5} {row.Truth,12:F5} {row.Deviation,9:F2} {row.Variance,15:G6}"));
        }
        return string.Join(Environment.NewLine, lines);
    }
}
