using System.Linq;
using Xunit;

namespace StochasticBackprop.Samples.Tests;

/// <summary>Sanity checks on the quick run of <c>categorical-vae</c>: sane numbers, not the paper's (quick sizes are far too small).</summary>
[Collection(QuickSuiteCollection.Name)]
public sealed class CategoricalVaeExperimentTests(QuickSuite suite)
{
    [Fact]
    public void QuickRun_TestLogLikelihoodsAreSane_AndCsbCostsGrowWithTheParticles()
    {
        var metrics = suite.Get("categorical-vae").Outcome.Metrics;
        var logLikelihoods = metrics.Where(m => m.Key.StartsWith("test_ll_")).ToList();
        Assert.NotEmpty(logLikelihoods);
        // 784 Bernoulli pixels: below 0, and far above 784·log(1/2) ≈ −543 once the output bias starts at the pixel log-odds.
        Assert.All(logLikelihoods, m => Assert.InRange(m.Value, -543, 0));
        foreach (string model in new[] { "one_linear_layer", "categorical_vae" })
        {
            // 180·B·S replayed rows per CSB step against one pass for Gumbel-softmax.
            Assert.True(metrics[$"cost_ratio_{model}_csb_s___1"] > 1, model);
            Assert.True(metrics[$"cost_ratio_{model}_csb_s___10"] > metrics[$"cost_ratio_{model}_csb_s___1"], model);
        }
    }
}
