using System;
using System.Linq;
using StochasticBackprop.Samples.Experiments;
using Xunit;

namespace StochasticBackprop.Samples.Tests;

/// <summary>
/// Sanity checks on the quick runs of the Fourier (Echraibi et al. 2020) experiments: sane numbers, not the paper's
/// values (quick sizes are far too small for those).
/// </summary>
[Collection(QuickSuiteCollection.Name)]
public sealed class FourierExperimentTests(QuickSuite suite)
{
    private static readonly int[] Dimensions = { 1, 10, 100 };
    private static readonly string[] GammaEstimators = { "fourier_series__n___2__exact", "implicit_pathwise", "score_function", "g_rep__ruiz_et_al" };

    [Fact]
    public void GammaQuadratic_LossesFallBelowTheStartAndFourierHasTheLowestVariance()
    {
        var metrics = suite.Get("fourier-gamma-quadratic").Outcome.Metrics;
        foreach (int d in Dimensions)
        {
            // Start: k = μ = 1 gives L = d·(1 + (1 − 0.49)²) = 1.2601·d; every estimator descends.
            foreach (string estimator in GammaEstimators)
            {
                double loss = metrics[$"final_loss_d{d}_{estimator}"];
                Assert.InRange(loss, 0, 1.2601 * d);
            }
            // N = 2 is exact here, and its per-sample gradient 2θ(z − ε) + θ² has no ∂z/∂k factor: lower variance than pathwise.
            Assert.True(metrics[$"log10_variance_d{d}_fourier_series__n___2__exact"] < metrics[$"log10_variance_d{d}_implicit_pathwise"]);
        }
    }

    [Fact]
    public void GammaExponential_LossesFallBelowTheStart()
    {
        var metrics = suite.Get("fourier-gamma-exponential").Outcome.Metrics;
        double start = Math.Pow(1 + 0.49, -1); // (1 + εμ)^{−k} at k = μ = 1
        foreach (int d in Dimensions)
        {
            foreach (string estimator in new[] { "fourier_series__closed_form", "implicit_pathwise", "score_function", "g_rep__ruiz_et_al" })
            {
                Assert.InRange(metrics[$"final_loss_d{d}_{estimator}"], 0, start * d);
            }
        }
    }

    [Fact]
    public void LogisticRegression_AccuraciesAreProbabilitiesAndTruncationBarelyMatters()
    {
        var metrics = suite.Get("fourier-logistic-regression").Outcome.Metrics;
        foreach (string estimator in new[] { "fourier_n___4", "fourier_n___8", "pathwise", "score_function" })
        {
            Assert.InRange(metrics[$"final_accuracy_{estimator}"], 0.5, 1.0);
            Assert.True(metrics[$"final_elbo_{estimator}"] < 0);
        }
        Assert.InRange(metrics["truncation_elbo_difference"], 0, 5);
    }

    [Fact]
    public void Truncation_BiasAndVarianceAreNonNegativeAndOrderOneLacksTheScaleTerm()
    {
        var metrics = suite.Get("fourier-truncation").Outcome.Metrics;
        for (int n = 1; n <= 12; n++)
        {
            Assert.True(metrics[$"squared_bias_N{n}"] >= 0);
            Assert.True(metrics[$"variance_N{n}"] > 0);
        }
        // Odd Laplace cumulants above the first vanish: N = 2k + 1 adds nothing to N = 2k, sample for sample.
        for (int n = 2; n <= 10; n += 2)
        {
            Assert.Equal(metrics[$"squared_bias_N{n}"], metrics[$"squared_bias_N{n + 1}"], 12);
        }
        Assert.True(metrics["mean_msd_fourier_pathwise"] >= 0 && metrics["mean_msd_fourier_score"] >= 0);
    }

    [Fact]
    public void Hinge_FourierLosesExactlyTheScaleTermAndThePathwiseHybridIsUnbiased()
    {
        var metrics = suite.Get("fourier-hinge").Outcome.Metrics;
        // ∂σ E max(0, 1 − z) = φ((1 − μ)/σ) at μ = 0.8, σ = 1.
        double truth = MathNet.Numerics.Distributions.Normal.PDF(0, 1, 0.2);
        Assert.Equal(truth, metrics["hinge_truth_sigma"], 12);
        // Autograd's f'' is 0 on the hinge: the estimate is exactly 0, a bias of −φ.
        Assert.Equal(-truth, metrics["hinge_fourier_sigma_bias"], 12);
        Assert.InRange(metrics["hinge_hybrid_fourier_lambda_sigma"], 0.0, 1.0);
        Assert.InRange(metrics["hinge_hybrid_pathwise_lambda_sigma"], 0.0, 1.0);
        Assert.InRange(Math.Abs(metrics["hinge_hybrid_pathwise_sigma_z"]), 0, 5);
    }
}
