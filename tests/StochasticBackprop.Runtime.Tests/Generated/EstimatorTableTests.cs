using System.Linq;
using StochasticBackprop.Samples;
using Xunit;

namespace StochasticBackprop.Runtime.Tests.Generated;

public sealed class EstimatorTableTests
{
    [Fact]
    public void SampleProgramTable_CoversEveryDistribution_AndEveryRowIsWithinFiveStandardErrors()
    {
        var rows = EstimatorTable.Measure(sampleCount: 20_000, seed: 5);

        Assert.Equal(new[] { "Normal", "Laplace", "Gamma", "Exponential", "Dirac" }, rows.Select(r => r.Distribution).Distinct());
        // 5 SE here (not 4): the table holds ~40 rows, so a 4-SE excursion somewhere is not rare.
        Assert.All(rows, row => Assert.True(row.Deviation <= 5, $"{row.Distribution} {row.Estimator} {row.Parameter}: {row.Deviation:F1} SE"));
        Assert.Contains(rows, r => r.Distribution == "Gamma" && r.Estimator.StartsWith("hybrid"));
    }
}
