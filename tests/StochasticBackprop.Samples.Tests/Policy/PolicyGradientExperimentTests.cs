using System;
using System.IO;
using System.Linq;
using Xunit;

namespace StochasticBackprop.Samples.Tests.Policy;

/// <summary>Sanity checks on the quick run of <c>policy-gradients</c>: sane numbers, not the paper's (quick sizes are far too small).</summary>
[Collection(QuickSuiteCollection.Name)]
public sealed class PolicyGradientExperimentTests(QuickSuite suite)
{
    private static readonly string[] Tasks = { "lqr", "pendulum", "cartpole" };
    private static readonly string[] Estimators = { "pathwise", "reinforce", "hybrid" };

    [Fact]
    public void QuickRun_ReturnsAreFiniteAndInRange_LambdasInTheUnitInterval_AndTheLqrCheckPasses()
    {
        var (outcome, directory) = suite.Get("policy-gradients");
        var metrics = outcome.Metrics;
        foreach (string task in Tasks)
        {
            foreach (string estimator in Estimators)
            {
                Assert.True(double.IsFinite(metrics[$"final_return_{task}_{estimator}"]), $"{task} {estimator}");
                Assert.True(metrics[$"gradient_variance_{task}_{estimator}"] >= 0, $"{task} {estimator}");
            }
            Assert.InRange(metrics[$"lambda_min_{task}"], 0, 1);
            Assert.InRange(metrics[$"lambda_max_{task}"], 0, 1);
            Assert.Equal(0, metrics[$"relative_variance_{task}_reinforce"]);
        }
        // Quadratic costs are negative; the pendulum's cost per step is at most π² + 0.1·θ̇² + 0.004; cart-pole counts steps alive.
        Assert.All(Estimators, e => Assert.True(metrics[$"final_return_lqr_{e}"] < 0));
        Assert.All(Estimators, e => Assert.True(metrics[$"final_return_pendulum_{e}"] < 0));
        Assert.All(Estimators, e => Assert.InRange(metrics[$"final_return_cartpole_{e}"], 1, 20));
        // Cart-pole's reward is an indicator: pathwise sees a zero gradient, −100% variance against REINFORCE.
        Assert.Equal(0, metrics["gradient_variance_cartpole_pathwise"]);
        Assert.Equal(-100, metrics["relative_variance_cartpole_pathwise"], 9);
        Assert.True(metrics["lqr_exact_vs_finite_difference"] < 1e-6);
        // The report's LQR check at quick size (1,024 episodes, fixed seed): the unbiased rows pass, the planted defects fail.
        foreach (string key in new[] { "pathwise", "reinforce", "hybrid_previous_32", "hybrid_previous_2" }) Assert.True(metrics[$"lqr_max_abs_z_{key}"] <= 4, key);
        foreach (string key in new[] { "wrong_pathwise_detached", "wrong_score_without_sigma" }) Assert.True(metrics[$"lqr_max_abs_z_{key}"] > 4, key);
        string report = File.ReadAllText(Path.Combine(directory, "README.md"));
        Assert.Contains("HalfCheetah", report);
        Assert.Contains("positive means more variance than REINFORCE", report);
    }
}
