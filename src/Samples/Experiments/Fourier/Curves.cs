using System;
using System.Collections.Generic;
using System.Linq;

namespace StochasticBackprop.Samples.Experiments.Fourier;

/// <summary>
/// Replicated training curves: for each series (an estimator, say), one array of values per run,
/// all recorded at the same steps. Gives the mean ± standard deviation over runs that the Echraibi et al. (2020)
/// figures plot.
/// </summary>
internal sealed class Curves
{
    private readonly Dictionary<string, List<double[]>> runs = new();
    private readonly List<string> order = new();

    public Curves(IReadOnlyList<double> steps) => Steps = steps;

    /// <summary>The x values (iterations or epochs) at which every run records.</summary>
    public IReadOnlyList<double> Steps { get; }

    public IReadOnlyList<string> Series => order;

    public void Add(string series, double[] values)
    {
        if (values.Length != Steps.Count) throw new ArgumentException($"{values.Length} values for {Steps.Count} steps.");
        if (!runs.TryGetValue(series, out List<double[]>? list))
        {
            runs[series] = list = new List<double[]>();
            order.Add(series);
        }
        list.Add(values);
    }

    public IReadOnlyList<double[]> Runs(string series) => runs[series];

    /// <summary>Mean and standard deviation over runs at each step.</summary>
    public (double[] Mean, double[] StandardDeviation) Band(string series)
    {
        List<double[]> list = runs[series];
        var mean = new double[Steps.Count];
        var sd = new double[Steps.Count];
        for (int i = 0; i < Steps.Count; i++)
        {
            Summary summary = Summary.Of(list.Select(r => r[i]).Where(double.IsFinite));
            mean[i] = summary.Mean;
            sd[i] = double.IsNaN(summary.StandardDeviation) ? 0 : summary.StandardDeviation;
        }
        return (mean, sd);
    }

    /// <summary>The summary over runs of the value at step index <paramref name="index"/> (negative: from the end).</summary>
    public Summary At(string series, int index)
    {
        int i = index < 0 ? Steps.Count + index : index;
        return Summary.Of(runs[series].Select(r => r[i]));
    }

    /// <summary>The summary over runs of each run's mean over all steps.</summary>
    public Summary MeanOverSteps(string series) =>
        Summary.Of(runs[series].Select(r => r.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average()));

    /// <summary>A figure of every series, mean ± sd bands.</summary>
    public void Plot(string path, string title, string xLabel, string yLabel, bool logY, ScottPlot.Alignment? legend = null, Func<string, bool>? include = null)
    {
        var figure = new Figure(title, xLabel, yLabel, logY: logY);
        foreach (string series in order.Where(s => include?.Invoke(s) ?? true))
        {
            (double[] mean, double[] sd) = Band(series);
            // On a log axis a band below zero is meaningless: keep its lower edge positive.
            double[] error = logY ? mean.Select((m, i) => Math.Min(sd[i], 0.9 * Math.Abs(m))).ToArray() : sd;
            figure.Line(series, Steps, mean, error, markers: false);
        }
        if (legend is not null) figure.Legend(legend.Value);
        figure.Save(path);
    }

    /// <summary>
    /// Curves read back from a raw-results CSV: one row per (series, run, step), series and steps in the order
    /// they first appear, runs in file order (as <see cref="Rows"/> and the experiments write them).
    /// </summary>
    public static Curves FromCsv(IReadOnlyList<CsvRow> rows, string seriesColumn, string runColumn, string stepColumn, string valueColumn)
    {
        double[] steps = rows.Select(r => r.Number(stepColumn)).Distinct().ToArray();
        var curves = new Curves(steps);
        foreach (var series in rows.GroupBy(r => r.Text(seriesColumn)))
            foreach (var run in series.GroupBy(r => r.Text(runColumn)))
                curves.Add(series.Key, run.Select(r => r.Number(valueColumn)).ToArray());
        return curves;
    }

    /// <summary>Rows (series, run, step, value) for the raw-results CSV.</summary>
    public IEnumerable<(string Series, int Run, double Step, double Value)> Rows()
    {
        foreach (string series in order)
        {
            List<double[]> list = runs[series];
            for (int r = 0; r < list.Count; r++)
            {
                for (int i = 0; i < Steps.Count; i++) yield return (series, r, Steps[i], list[r][i]);
            }
        }
    }
}
