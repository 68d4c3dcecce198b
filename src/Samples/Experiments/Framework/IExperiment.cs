using System.Collections.Generic;

namespace StochasticBackprop.Samples.Experiments;

/// <summary>
/// One experiment of the suite: reproduces a table or figure of a paper (or a study beyond it) and
/// writes a CSV of raw results, PNG plots and a Markdown report into its own directory.
/// </summary>
/// <remarks>
/// Implementations have a public parameterless constructor; <see cref="ExperimentCatalog"/> finds
/// them by reflection, so adding an experiment touches no shared list.
/// </remarks>
public interface IExperiment
{
    /// <summary>The command-line name, e.g. <c>malliavin-table1</c>; also the report directory's name.</summary>
    string Name { get; }

    /// <summary>A one-line title for the index and <c>list</c>.</summary>
    string Title { get; }

    /// <summary>What it reproduces, e.g. "Oden (2025), §7.2, Table 1".</summary>
    string Source { get; }

    /// <summary>Sort key of the suite's index (experiments of one paper together, in the paper's order).</summary>
    int Order { get; }

    /// <summary>Runs the experiment at the sizes <paramref name="context"/> asks for and writes its report.</summary>
    ExperimentOutcome Run(ExperimentContext context);
}

/// <summary>
/// An experiment whose plots are drawn from the CSV files of its report alone, so they can be redrawn
/// (<c>replot &lt;name&gt;</c>) without rerunning it. Its <see cref="IExperiment.Run"/> draws them the same way.
/// </summary>
public interface IReplottable : IExperiment
{
    /// <summary>Redraws every PNG of the report in <paramref name="directory"/> from the CSV files there.</summary>
    void Plot(string directory);
}

/// <summary>What an experiment hands back to the runner and to smoke tests.</summary>
/// <param name="Verdict">One line for the suite's index: what reproduced and what did not.</param>
/// <param name="Metrics">Headline numbers by name (for smoke tests and the index); never typed in, always measured.</param>
public sealed record ExperimentOutcome(string Verdict, IReadOnlyDictionary<string, double> Metrics);
