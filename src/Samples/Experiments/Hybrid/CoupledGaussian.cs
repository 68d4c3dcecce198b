using System;
using System.Collections.Generic;
using System.Linq;
using MathNet.Numerics.Integration;
using StochasticBackprop.Samples.Distributions;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Hybrid;

/// <summary>
/// A loss of the synthetic study of Oden (2025), §7.2: the tensor form the estimators evaluate (autograd
/// differentiates it) and a scalar form with its a.e. derivative and kinks, used only for the
/// quadrature truths.
/// </summary>
internal sealed record Loss(string Name, string Formula, Func<Tensor, Tensor> Elementwise, Func<double, double> Value, Func<double, double> Derivative, double[] Kinks)
{
    public Objective Objective { get; } = Objective.Separable(Elementwise);

    // Constants as Scalars held for the life of the process (Scalars.Of). An implicit double → Scalar conversion
    // makes a temporary that TorchSharp 0.107 does not keep alive across the native call (no GC.KeepAlive): when
    // the finalizer frees it mid-call libtorch reports "Unknown scalar type" (seen once in a long run of this
    // suite). So does a member that makes one itself: 1 − z is written −(z − 1), not z.neg().add(1) (a hidden
    // alpha = 1), z² is z.pow(2), not z.square(), and softplus(x) is −logsigmoid(−x). See the README, "TorchSharp
    // 0.107's temporary Scalars".

    /// <summary>f(z) = max(0, 1 − z).</summary>
    public static Loss Hinge { get; } = new(
        "hinge", "max(0, 1 − z)",
        z => (-(z - Scalars.Of(1.0))).clamp_min(Scalars.Of(0.0)),
        z => Math.Max(0.0, 1.0 - z),
        z => z < 1.0 ? -1.0 : 0.0,
        new[] { 1.0 });

    /// <summary>f(z) = min(z²/2, 2).</summary>
    public static Loss ClippedQuadratic { get; } = new(
        "clipped-quadratic", "min(z²/2, 2)",
        z => z.pow(Scalars.Of(2)).mul(Scalars.Of(0.5)).clamp_max(Scalars.Of(2.0)),
        z => Math.Min(z * z / 2.0, 2.0),
        z => Math.Abs(z) < 2.0 ? z : 0.0,
        new[] { -2.0, 2.0 });

    /// <summary>f(z) = softplus(1 − z) = log(1 + e^{1−z}): a smooth hinge, where the Fourier series is exact at N = 2.</summary>
    public static Loss SmoothHinge { get; } = new(
        "smooth-hinge", "log(1 + exp(1 − z))",
        z => -torch.nn.functional.logsigmoid(z - Scalars.Of(1.0)),   // softplus(1 − z) = −log σ(z − 1)
        z => Math.Max(0.0, 1.0 - z) + Math.Log(1 + Math.Exp(-Math.Abs(1.0 - z))),
        z => -1.0 / (1.0 + Math.Exp(z - 1.0)),
        Array.Empty<double>());

    public static IReadOnlyList<Loss> Both { get; } = new[] { Hinge, ClippedQuadratic };
}

/// <summary>Which reading of "N(θ, e^{αθ})": the paper's (e^{αθ} the standard deviation) or the variance.</summary>
internal enum ScaleReading
{
    StandardDeviation,
    Variance,
}

/// <summary>
/// The synthetic problem of Oden (2025), §7.2: q_θ = N(θ, σ²), σ = exp(αθ), θ = 0.8, α = 2, with the two
/// non-smooth losses. Builds the generated distributions and computes the true gradient dL/dθ by
/// quadrature (MathNet.Numerics), two ways.
/// </summary>
internal static class CoupledGaussian
{
    public const double Theta = 0.8;
    public const double Alpha = 2.0;
    public const long PaperSamples = 100_000;
    public const int PaperReplicates = 50;

    private const double NoiseRange = 16.0;   // φ(16) ≈ 1e-56: the tails beyond contribute nothing.

    public static CoupledNormal Create(double theta, double alpha) =>
        new(tensor(theta, float64), tensor(alpha, float64));

    public static CoupledNormalVarianceReading CreateVarianceReading(double theta, double alpha) =>
        new(tensor(theta, float64), tensor(alpha, float64));

    public static double Sigma(double theta, double alpha, ScaleReading reading = ScaleReading.StandardDeviation) =>
        reading == ScaleReading.StandardDeviation ? Math.Exp(alpha * theta) : Math.Exp(alpha * theta / 2);

    /// <summary>
    /// dL/dθ = ∫ f′(θ + σε)(1 + σ′ε) φ(ε) dε (the pathwise form, valid since f is Lipschitz), by adaptive
    /// Gauss–Kronrod on pieces split where θ + σε crosses a kink of f.
    /// </summary>
    public static double TrueGradient(Loss loss, double theta, double alpha, ScaleReading reading = ScaleReading.StandardDeviation)
    {
        double sigma = Sigma(theta, alpha, reading);
        double dSigma = (reading == ScaleReading.StandardDeviation ? alpha : alpha / 2) * sigma;
        double Integrand(double e) => loss.Derivative(theta + sigma * e) * (1 + dSigma * e) * NormalDensity(e);
        return Pieces(loss, theta, sigma).Sum(p => GaussKronrodRule.Integrate(Integrand, p.From, p.To, out _, out _, 1e-13, 20, 61));
    }

    /// <summary>
    /// dL/dθ by a different route: L(θ) = ∫ f(θ + σε) φ(ε) dε by fixed-order Gauss–Legendre on the same
    /// kind of pieces, differentiated by a 5-point central difference (step h = 1e-3; error O(h⁴)).
    /// </summary>
    public static double TrueGradientByDifference(Loss loss, double theta, double alpha, ScaleReading reading = ScaleReading.StandardDeviation)
    {
        const double h = 1e-3;
        double L(double t) => Expectation(loss, t, alpha, reading);
        return (L(theta - 2 * h) - 8 * L(theta - h) + 8 * L(theta + h) - L(theta + 2 * h)) / (12 * h);
    }

    /// <summary>L(θ) = E f(z) by Gauss–Legendre (order 64) on pieces of width ≤ 1 split at the kinks.</summary>
    public static double Expectation(Loss loss, double theta, double alpha, ScaleReading reading = ScaleReading.StandardDeviation)
    {
        double sigma = Sigma(theta, alpha, reading);
        double Integrand(double e) => loss.Value(theta + sigma * e) * NormalDensity(e);
        return Pieces(loss, theta, sigma).Sum(p => GaussLegendreRule.Integrate(Integrand, p.From, p.To, 64));
    }

    private static IEnumerable<(double From, double To)> Pieces(Loss loss, double theta, double sigma)
    {
        var cuts = new SortedSet<double> { -NoiseRange, NoiseRange };
        for (double e = -NoiseRange + 1; e < NoiseRange; e += 1) cuts.Add(e);
        foreach (double kink in loss.Kinks)
        {
            double e = (kink - theta) / sigma;
            if (Math.Abs(e) < NoiseRange) cuts.Add(e);
        }
        double[] points = cuts.ToArray();
        for (int i = 0; i + 1 < points.Length; i++)
        {
            if (points[i + 1] - points[i] > 1e-14) yield return (points[i], points[i + 1]);
        }
    }

    private static double NormalDensity(double e) => Math.Exp(-e * e / 2) / Math.Sqrt(2 * Math.PI);
}

/// <summary>
/// One replicate of the pathwise, score-function and hybrid estimators of dL/dθ on the same N samples:
/// the estimates (sample means), λ̂*, and the per-sample variances and covariance they came from.
/// </summary>
internal readonly record struct HybridDraw(
    double Pathwise, double Score, double Hybrid, double Lambda,
    double PathwiseVariance, double ScoreVariance, double Covariance, double HybridVariance)
{
    /// <summary>
    /// Pathwise draws z = θ + σε and evaluates the per-sample pathwise gradient; the score-function
    /// estimator is evaluated at the same z, and <see cref="HybridEstimator.Combine"/> mixes them with
    /// λ̂* from the per-sample moments of this batch (Oden 2025, Algorithm 1, per parameter tensor).
    /// </summary>
    public static HybridDraw Measure(IHybridDistribution distribution, Objective objective, long sampleCount, Generator generator, string parameter = "theta") =>
        MeasureAll(distribution, objective, sampleCount, generator, parameter)[0];

    /// <summary>As <see cref="Measure"/>, for several parameters of one draw (λ̂* is per parameter tensor).</summary>
    public static HybridDraw[] MeasureAll(IHybridDistribution distribution, Objective objective, long sampleCount, Generator generator, params string[] parameters)
    {
        using var scope = torch.NewDisposeScope();
        GradientEstimate pathwise = Estimators.Pathwise(distribution, objective, sampleCount, generator);
        GradientEstimate score = Estimators.ScoreFunctionAt(distribution, objective, pathwise.Samples);
        GradientEstimate hybrid = HybridEstimator.Combine(pathwise, score);
        return parameters.Select(parameter => Extract(pathwise, score, hybrid, pathwise.ParameterNames.ToList().IndexOf(parameter))).ToArray();
    }

    /// <summary>The draw scaled by a constant c (a discount factor): estimates by c, variances by c².</summary>
    public HybridDraw Scaled(double c) =>
        new(c * Pathwise, c * Score, c * Hybrid, Lambda, c * c * PathwiseVariance, c * c * ScoreVariance, c * c * Covariance, c * c * HybridVariance);

    private static HybridDraw Extract(GradientEstimate pathwise, GradientEstimate score, GradientEstimate hybrid, int index)
    {
        Tensor p = pathwise.PerSampleGradients[index], s = score.PerSampleGradients[index], h = hybrid.PerSampleGradients[index];
        return new HybridDraw(
            pathwise.Gradients[index].item<double>(),
            score.Gradients[index].item<double>(),
            hybrid.Gradients[index].item<double>(),
            hybrid.Lambdas![index],
            VarianceStatistics.TotalVariance(p),
            VarianceStatistics.TotalVariance(s),
            VarianceStatistics.TotalCovariance(p, s),
            VarianceStatistics.TotalVariance(h));
    }

    /// <summary>Oden (2025), App. C.2's variance reduction, 100·(1 − Var ĝ_λ / min(Var ĝ_P, Var ĝ_M)), from per-sample variances.</summary>
    public double VarianceReductionPercent => 100 * VarianceStatistics.VarianceReduction(HybridVariance, Math.Min(PathwiseVariance, ScoreVariance));
}

/// <summary>Root-mean-square error over replicates, with its standard error by the delta method.</summary>
internal readonly record struct Rmse(double Value, double StandardError, double Bias, double BiasStandardError)
{
    /// <summary>RMSE = √(mean over R replicates of (ĝ_r − g)²); SE = SE(mean squared error)/(2·RMSE).</summary>
    public static Rmse Of(IReadOnlyList<double> estimates, double truth)
    {
        double[] squared = estimates.Select(e => (e - truth) * (e - truth)).ToArray();
        Summary mse = Summary.Of(squared);
        Summary errors = Summary.Of(estimates.Select(e => e - truth));
        double rmse = Math.Sqrt(mse.Mean);
        return new Rmse(rmse, mse.StandardError / (2 * rmse), errors.Mean, errors.StandardError);
    }
}
