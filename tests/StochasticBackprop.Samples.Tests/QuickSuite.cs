using System;
using System.Collections.Concurrent;
using System.IO;
using StochasticBackprop.Samples.Experiments;
using Xunit;

namespace StochasticBackprop.Samples.Tests;

/// <summary>
/// Runs each experiment of the suite once in <c>--quick</c> mode (into a temporary directory) and
/// keeps its outcome, so the generic smoke test and each experiment's own sanity checks share one run.
/// </summary>
public sealed class QuickSuite : IDisposable
{
    public const long Seed = 20261123;
    private readonly ConcurrentDictionary<string, Lazy<(ExperimentOutcome Outcome, string Directory)>> runs = new();

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "sb-quick-" + Guid.NewGuid().ToString("N"));

    /// <summary>The quick run of <paramref name="name"/> (run on first request).</summary>
    public (ExperimentOutcome Outcome, string Directory) Get(string name) =>
        runs.GetOrAdd(name, n => new Lazy<(ExperimentOutcome, string)>(() => RunOne(n))).Value;

    private (ExperimentOutcome, string) RunOne(string name)
    {
        IExperiment experiment = ExperimentCatalog.Find(name) ?? throw new ArgumentException($"No experiment '{name}'.");
        var runner = new ExperimentRunner(Root, Seed, quick: true, TextWriter.Null, showProgress: false);
        var result = runner.Run(new[] { experiment })[0];
        return (result.Outcome, Path.Combine(Root, name));
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class QuickSuiteCollection : ICollectionFixture<QuickSuite>
{
    public const string Name = "quick suite";
}
