using System.Linq;
using StochasticBackprop.Runtime.Tests.Models;
using StochasticBackprop.Samples;
using Xunit;
using Xunit.Abstractions;

namespace StochasticBackprop.Runtime.Tests.Generated;

/// <summary>The sample program's second table (<see cref="ModelEstimatorTable"/>) at a small size; RELAX's network is seeded from the global generator.</summary>
[Collection(GlobalGeneratorCollection.Name)]
public sealed class ModelEstimatorTableTests(ITestOutputHelper output)
{
    [Fact]
    public void SampleProgramModelTable_CoversEverySiteEstimator_UnbiasedRowsWithinFourAndAHalfStandardErrors_RelaxationsLabelledBiased()
    {
        ModelEstimatorTable.Result result = ModelEstimatorTable.Measure(estimates: Estimates, seed: 5);
        output.WriteLine(ModelEstimatorTable.Format(result));

        Assert.Equal(
            new[] { "score", "score(leave-one-out)", "local-expectation", "arm", "disarm", "rebar", "relax", "gumbel-softmax(tau=1)", "straight-through-gumbel-softmax(tau=1)", "vimco" },
            result.Rows.Select(r => r.Estimator));
        Assert.All(result.Rows, row => Assert.Equal(ModelEstimatorTable.Particles, row.Particles));
        Assert.Equal("iwae K=2", result.Rows.Single(r => r.Estimator == "vimco").Bound);
        // The relaxations are the biased ones, by their own flag; whether they deviate detectably at this size is not asserted.
        Assert.Equal(
            new[] { "gumbel-softmax(tau=1)", "straight-through-gumbel-softmax(tau=1)" },
            result.Rows.Where(r => r.Biased).Select(r => r.Estimator));
        // 4.5 SE over the 50 coordinates of each of 8 unbiased rows: a 4-SE excursion somewhere would not be rare.
        Assert.All(result.Rows.Where(r => !r.Biased), row =>
        {
            Assert.True(row.MaxDeviation < 4.5, $"{row.Estimator}: max deviation {row.MaxDeviation:F2} SE over {result.Coordinates} coordinates");
            Assert.True(row.TotalVariance > 0 && double.IsFinite(row.TotalVariance) && row.GuideVariance > 0, $"{row.Estimator}: variance {row.TotalVariance}");
            Assert.True(row.CpuMilliseconds > 0, $"{row.Estimator}: cpu {row.CpuMilliseconds} ms");
        });
    }

    private const int Estimates = 80;
}
