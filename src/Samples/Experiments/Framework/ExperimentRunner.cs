using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using TorchSharp;

namespace StochasticBackprop.Samples.Experiments;

/// <summary>
/// Runs experiments, each into <c>&lt;output&gt;/&lt;name&gt;/</c>, and writes the suite's index
/// (<c>&lt;output&gt;/README.md</c>) linking every report with its one-line verdict.
/// </summary>
public sealed class ExperimentRunner
{
    private readonly string outputDirectory;
    private readonly long seed;
    private readonly bool quick;
    private readonly TextWriter log;
    private readonly bool showProgress;
    private readonly int threads;

    /// <param name="threads">libtorch intra-op threads while an experiment runs (see <see cref="IntraOpThreads"/>).</param>
    public ExperimentRunner(string outputDirectory, long seed, bool quick, TextWriter log, bool showProgress, int threads = 1)
    {
        this.threads = threads;
        this.outputDirectory = Path.GetFullPath(outputDirectory);
        this.seed = seed;
        this.quick = quick;
        this.log = log;
        this.showProgress = showProgress;
    }

    /// <summary>One finished experiment.</summary>
    public sealed record Result(IExperiment Experiment, ExperimentOutcome Outcome, TimeSpan Elapsed);

    /// <summary>Runs <paramref name="experiments"/> in order and writes the index.</summary>
    public IReadOnlyList<Result> Run(IReadOnlyList<IExperiment> experiments)
    {
        TorchBackend.EnsureAvailable();
        var results = new List<Result>();
        foreach (IExperiment experiment in experiments)
        {
            log.WriteLine($"== {experiment.Name}: {experiment.Title} ({experiment.Source}){(quick ? " [quick]" : "")}");
            var clock = Stopwatch.StartNew();
            ExperimentContext context;
            ExperimentOutcome outcome;
            try
            {
                context = new ExperimentContext(Path.Combine(outputDirectory, experiment.Name), seed, quick, log, showProgress);
                torch.manual_seed(seed);
                using (IntraOpThreads.Use(threads))
                using (torch.NewDisposeScope())
                {
                    outcome = experiment.Run(context);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The experiments run before this one keep their index lines (if the index can be written at all).
                if (results.Count > 0)
                {
                    try { WriteIndex(results); }
                    catch (IOException indexError) { log.WriteLine($"   index not written: {indexError.Message}"); }
                }
                throw new ExperimentFailedException(experiment.Name, e);
            }
            clock.Stop();
            log.WriteLine($"   {outcome.Verdict}");
            log.WriteLine($"   report: {Path.Combine(context.OutputDirectory, "README.md")} ({clock.Elapsed.TotalSeconds:F1} s)");
            results.Add(new Result(experiment, outcome, clock.Elapsed));
        }
        WriteIndex(results);
        return results;
    }

    /// <summary>Rewrites the suite's index from the reports already in the output directory (and <paramref name="results"/>).</summary>
    public void WriteIndex(IReadOnlyList<Result> results)
    {
        // Merge with the index already there, so running one experiment keeps the others' lines.
        string path = Path.Combine(outputDirectory, "README.md");
        var lines = new SortedDictionary<(int, string), string>();
        foreach (IExperiment e in ExperimentCatalog.All)
        {
            string report = Path.Combine(outputDirectory, e.Name, "README.md");
            if (File.Exists(report)) lines[(e.Order, e.Name)] = IndexLine(e, ReadVerdict(report));
        }
        foreach (Result r in results) lines[(r.Experiment.Order, r.Experiment.Name)] = IndexLine(r.Experiment, r.Outcome.Verdict);

        using var writer = new StreamWriter(path);
        writer.WriteLine("# Experiment suite");
        writer.WriteLine();
        writer.WriteLine("Each experiment has its own directory with a report (`README.md`), the raw results (CSV) and the plots (PNG).");
        writer.WriteLine($"Regenerate all of them with `dotnet run --project src/Samples -c Release -- run all{(quick ? " --quick" : "")}`.");
        if (quick) writer.WriteLine("**Quick mode**: smoke-test sizes; the numbers are not meaningful.");
        writer.WriteLine();
        writer.WriteLine("| experiment | reproduces | verdict |");
        writer.WriteLine("| --- | --- | --- |");
        foreach (string line in lines.Values) writer.WriteLine(line);
    }

    private static string IndexLine(IExperiment e, string verdict) =>
        $"| [{e.Name}]({e.Name}/README.md): {e.Title} | {e.Source} | {verdict.Replace("|", "\\|")} |";

    // The verdict is stored in each report on a line of its own, so the index can be rebuilt from the reports.
    public const string VerdictMarker = "**Verdict:** ";

    private static string ReadVerdict(string report) =>
        File.ReadLines(report).FirstOrDefault(l => l.StartsWith(VerdictMarker, StringComparison.Ordinal))?[VerdictMarker.Length..] ?? "(no verdict)";
}

/// <summary>An experiment of a run threw: names the experiment, the cause is the inner exception.</summary>
public sealed class ExperimentFailedException : Exception
{
    public ExperimentFailedException(string experiment, Exception cause)
        : base($"experiment '{experiment}' failed: {cause.GetType().Name}: {cause.Message}", cause)
    {
        Experiment = experiment;
    }

    /// <summary>The experiment's name.</summary>
    public string Experiment { get; }
}
