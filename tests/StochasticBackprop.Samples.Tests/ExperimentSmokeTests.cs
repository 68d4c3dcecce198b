using System.Collections.Generic;
using System.IO;
using System.Linq;
using StochasticBackprop.Samples.Experiments;
using Xunit;

namespace StochasticBackprop.Samples.Tests;

/// <summary>Every experiment of the suite runs in quick mode and writes a report, its raw results and its plots.</summary>
[Collection(QuickSuiteCollection.Name)]
public sealed class ExperimentSmokeTests(QuickSuite suite)
{
    public static TheoryData<string> Names()
    {
        var names = new TheoryData<string>();
        foreach (IExperiment e in ExperimentCatalog.All) names.Add(e.Name);
        return names;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Experiment_QuickRun_WritesReportWithVerdictCsvAndLinkedPlots(string name)
    {
        var (outcome, directory) = suite.Get(name);

        Assert.False(string.IsNullOrWhiteSpace(outcome.Verdict));
        Assert.All(outcome.Metrics, m => Assert.False(double.IsNaN(m.Value), $"metric {m.Key} is NaN"));
        string report = File.ReadAllText(Path.Combine(directory, "README.md"));
        Assert.Contains(ExperimentRunner.VerdictMarker, report);
        Assert.NotEmpty(Directory.GetFiles(directory, "*.csv"));
        string[] plots = Directory.GetFiles(directory, "*.png").Select(Path.GetFileName).ToArray()!;
        Assert.NotEmpty(plots);
        foreach (string plot in plots)
        {
            Assert.Contains($"]({plot})", report);
            byte[] header = File.ReadAllBytes(Path.Combine(directory, plot)).Take(8).ToArray();
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, header);
        }
    }

    [Fact]
    public void Catalog_Names_AreUniqueAndCommandLineSafe()
    {
        IReadOnlyList<IExperiment> all = ExperimentCatalog.All;
        Assert.NotEmpty(all);
        Assert.Equal(all.Count, all.Select(e => e.Name).Distinct().Count());
        Assert.All(all, e => Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", e.Name));
    }
}
