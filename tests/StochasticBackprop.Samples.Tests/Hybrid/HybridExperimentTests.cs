using System;
using System.Linq;
using StochasticBackprop.Samples.Experiments;
using Xunit;
using StandardNormal = MathNet.Numerics.Distributions.Normal;

namespace StochasticBackprop.Samples.Tests.Hybrid;

/// <summary>
/// Sanity checks of the hybrid-paper (Oden 2025) experiments on their quick runs: truths agree with a second
/// method, weights lie in [0, 1], known structural facts hold. Not the paper's values.
/// </summary>
[Collection(QuickSuiteCollection.Name)]
public sealed class HybridExperimentTests(QuickSuite suite)
{
    [Fact]
    public void Table1_TrueGradients_AgreeWithTheSecondQuadratureAndTheHingeClosedForm()
    {
        var metrics = suite.Get("hybrid-table1").Outcome.Metrics;
        Assert.True(metrics["hinge.truth_difference"] < 1e-6);
        Assert.True(metrics["clipped-quadratic.truth_difference"] < 1e-6);
        // E max(0, 1 − z) for z ~ N(θ, σ²), σ = e^{αθ}: d/dθ = −Φ(d) + φ(d)·ασ, d = (1 − θ)/σ.
        double sigma = Math.Exp(2 * 0.8), d = (1 - 0.8) / sigma;
        double closedForm = -StandardNormal.CDF(0, 1, d) + StandardNormal.PDF(0, 1, d) * 2 * sigma;
        Assert.Equal(closedForm, metrics["hinge.truth"], 9);
    }

    [Fact]
    public void Table1_LambdasLieInTheUnitInterval_AndRmsesArePositive()
    {
        var metrics = suite.Get("hybrid-table1").Outcome.Metrics;
        Assert.All(metrics.Where(m => m.Key.Contains("lambda")), m => Assert.InRange(m.Value, 0.0, 1.0));
        Assert.All(metrics.Where(m => m.Key.Contains("rmse")), m => Assert.True(m.Value > 0));
    }

    [Fact]
    public void LambdaAlpha_EveryLambdaLiesInTheUnitInterval()
    {
        var metrics = suite.Get("hybrid-lambda-alpha").Outcome.Metrics;
        Assert.NotEmpty(metrics);
        Assert.All(metrics, m => Assert.InRange(m.Value, 0.0, 1.0));
    }

    [Fact]
    public void VarianceReduction_IsNeverNegative_WithWeightsFromTheSameMoments()
    {
        var metrics = suite.Get("hybrid-variance-reduction").Outcome.Metrics;
        Assert.NotEmpty(metrics);
        Assert.All(metrics, m => Assert.InRange(m.Value, -1e-9, 100.0));
    }

    [Fact]
    public void LambdaBatch_MseShrinksWithBatchSize()
    {
        var metrics = suite.Get("hybrid-lambda-batch").Outcome.Metrics;
        Assert.InRange(metrics["lambda_star"], 0.0, 1.0);
        Assert.True(metrics["mse.B=512"] < metrics["mse.B=8"]);
        Assert.True(metrics["slope"] < 0);
    }

    [Fact]
    public void NormalizedWeight_EstimatesTheGradientDividedBySqrtOnePlusAlphaSquared()
    {
        var metrics = suite.Get("hybrid-normalized-weight").Outcome.Metrics;
        Assert.True(metrics["worst_bias_in_se"] > 4);
        Assert.InRange(metrics["clipped-quadratic.normalized_over_truth.alpha=2"], 1 / Math.Sqrt(5) - 0.05, 1 / Math.Sqrt(5) + 0.05);
    }

    [Fact]
    public void Greeks_BlackScholesAgreesWithQuadrature_AndDigitalPathwiseIsZero()
    {
        var metrics = suite.Get("hybrid-greeks").Outcome.Metrics;
        Assert.All(metrics.Where(m => m.Key.EndsWith("closed_vs_quadrature", StringComparison.Ordinal)), m => Assert.True(m.Value < 1e-6, $"{m.Key} = {m.Value}"));
        Assert.Equal(0.0, metrics["digital.Delta.pathwise.mean"]);
        Assert.All(metrics.Where(m => m.Key.EndsWith(".lambda", StringComparison.Ordinal)), m => Assert.InRange(m.Value, 0.0, 1.0));
        // The second-order likelihood ratio is unbiased for both payoffs (fixed seed; 4 SE as in the runtime tests).
        Assert.InRange(metrics["call.Gamma.score2.bias_in_se"], -4.0, 4.0);
        Assert.InRange(metrics["digital.Gamma.score2.bias_in_se"], -4.0, 4.0);
    }

    [Fact]
    public void KEstimator_FourierOnTheHinge_IsDetectablyBiased()
    {
        // Autograd's f″ of max(0, 1 − z) is 0: the Fourier estimator misses the point mass at the kink.
        var metrics = suite.Get("hybrid-k-estimator").Outcome.Metrics;
        Assert.True(Math.Abs(metrics.First(m => m.Key.StartsWith("hinge.N=", StringComparison.Ordinal) && m.Key.EndsWith(".2.bias_in_se", StringComparison.Ordinal)).Value) > 4);
    }

    [Fact]
    public void Cost_TimesArePositive()
    {
        var metrics = suite.Get("hybrid-cost").Outcome.Metrics;
        Assert.All(metrics.Where(m => m.Key.Contains(".ms.")), m => Assert.True(m.Value > 0));
        Assert.Equal(1.0, metrics["0.ratio.0"]);
    }
}
