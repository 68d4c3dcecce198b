using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using StochasticBackprop.Runtime.Tests.Support;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests;

/// <summary>
/// Measures the per-sample gradient variance (total over coordinates, per parameter) of every
/// estimator for f(z) = (z − 1)², prints the table, and checks the orderings that theory fixes.
/// </summary>
public sealed class VarianceReportTests(ITestOutputHelper output)
{
    private const long SampleCount = 100_000;

    [Fact]
    public void Square_VarianceTable_IsMeasured_AndFourierIsExactForTheNormal()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Objective square = Objective.Separable(z => ClosedForms.Apply(TestFunction.Square, z));
        var table = new StringBuilder();
        table.AppendLine("f(z) = (z - 1)^2, batch [2]; total per-sample variance (sum over the 2 coordinates), S = 100000, float64");
        table.AppendLine(string.Format(CultureInfo.InvariantCulture, "{0,-28} {1,14} {2,14} {3,14} {4,14}", "estimator", "Normal mu", "Normal sigma", "Gamma k", "Gamma theta"));
        var variances = new Dictionary<(EstimatorKind, DistributionKind), double[]>();
        foreach (EstimatorKind estimator in Enum.GetValues<EstimatorKind>())
        {
            var row = new List<double>();
            foreach (DistributionKind distribution in Enum.GetValues<DistributionKind>())
            {
                Tensor[] perSample = EstimatorRunner.PerSample(distribution, estimator, square, SampleCount, 500);
                double[] v = perSample.Select(VarianceStatistics.TotalVariance).ToArray();
                variances[(estimator, distribution)] = v;
                row.AddRange(v);
            }
            table.AppendLine(string.Format(CultureInfo.InvariantCulture, "{0,-28} {1,14:G6} {2,14:G6} {3,14:G6} {4,14:G6}", estimator, row[0], row[1], row[2], row[3]));
        }
        output.WriteLine(table.ToString());
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "variance-table.txt"), table.ToString());

        // Price/Bonnet at N = 2: the σ gradient 2σ is deterministic, so its variance is 0.
        Assert.True(variances[(EstimatorKind.FourierOrder2, DistributionKind.Normal)][1] < 1e-20);
        // The same-batch hybrid never does worse than the better of its two parts (up to sampling noise in λ).
        foreach (DistributionKind distribution in Enum.GetValues<DistributionKind>())
        {
            for (int p = 0; p < 2; p++)
            {
                double best = Math.Min(variances[(EstimatorKind.Pathwise, distribution)][p], variances[(EstimatorKind.Score, distribution)][p]);
                Assert.True(variances[(EstimatorKind.HybridSameBatch, distribution)][p] <= best * 1.01);
            }
        }
    }
}
