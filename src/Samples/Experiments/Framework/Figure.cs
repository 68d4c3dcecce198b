using System;
using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace StochasticBackprop.Samples.Experiments;

/// <summary>
/// A line plot saved as PNG: series with optional ±error bands, optional log axes, reference lines.
/// A thin layer over ScottPlot 5 so every figure of the suite looks alike.
/// </summary>
public sealed class Figure
{
    private static readonly Color[] Palette = new ScottPlot.Palettes.Category10().Colors;
    private static readonly Color[] ReferenceColors = { Colors.Gray, Colors.Black, Colors.DarkGoldenRod, Colors.DarkSlateBlue };
    private readonly Plot plot = new();
    private readonly bool logX;
    private readonly bool logY;
    private int seriesCount;
    private int referenceCount;
    private Alignment legendAlignment = Alignment.UpperRight;
    private Edge? legendEdge;

    public Figure(string title, string xLabel, string yLabel, bool logX = false, bool logY = false)
    {
        this.logX = logX;
        this.logY = logY;
        plot.Title(title);
        plot.XLabel(logX ? xLabel + " (log scale)" : xLabel);
        plot.YLabel(logY ? yLabel + " (log scale)" : yLabel);
        plot.Font.Set("DejaVu Sans");
        if (logX) UseLogTicks(plot.Axes.Bottom);
        if (logY) UseLogTicks(plot.Axes.Left);
    }

    /// <summary>A series; <paramref name="error"/>, when given, draws a shaded band y ± error.</summary>
    public Figure Line(string label, IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<double>? error = null, bool markers = true, bool dashed = false)
    {
        if (x.Count != y.Count) throw new ArgumentException($"Series '{label}': {x.Count} x values but {y.Count} y values.");
        Color color = Palette[seriesCount++ % Palette.Length];
        if (error is not null)
        {
            double[] bandX = Xs(x);
            double[] upper = Ys(y.Select((v, i) => v + error[i]).ToArray());
            double[] lower = Ys(y.Select((v, i) => v - error[i]).ToArray());
            // A fill polygon breaks on a NaN vertex (x = 0 on a log axis, say): the band keeps the points it can draw.
            int[] drawable = Enumerable.Range(0, bandX.Length).Where(i => double.IsFinite(bandX[i]) && double.IsFinite(upper[i]) && double.IsFinite(lower[i])).ToArray();
            var band = plot.Add.FillY(drawable.Select(i => bandX[i]).ToArray(), drawable.Select(i => upper[i]).ToArray(), drawable.Select(i => lower[i]).ToArray());
            band.FillColor = color.WithAlpha(0.2);
            band.LineWidth = 0;
        }
        var scatter = plot.Add.Scatter(Xs(x), Ys(y));
        scatter.LegendText = label;
        scatter.Color = color;
        scatter.LineWidth = 2;
        scatter.MarkerSize = markers ? 5 : 0;
        if (dashed) scatter.LinePattern = LinePattern.Dashed;
        return this;
    }

    /// <summary>A horizontal reference line (e.g. a paper's value or the truth).</summary>
    public Figure HorizontalLine(double y, string label)
    {
        var line = plot.Add.HorizontalLine(logY ? Math.Log10(y) : y);
        line.LegendText = label;
        // Several reference values on one plot must be told apart by more than legend order.
        line.Color = ReferenceColors[referenceCount++ % ReferenceColors.Length];
        line.LinePattern = LinePattern.Dashed;
        return this;
    }

    /// <summary>Saves the figure as PNG.</summary>
    public void Save(string path, int width = 800, int height = 500)
    {
        if (seriesCount > 1 || plot.GetPlottables().Any(p => p is ScottPlot.Plottables.HorizontalLine))
        {
            if (legendEdge is Edge edge) plot.ShowLegend(edge);
            else plot.ShowLegend(legendAlignment);
        }
        plot.SavePng(path, width, height);
    }

    /// <summary>The legend's position, when the default (upper right) hides data.</summary>
    public Figure Legend(Alignment alignment)
    {
        legendAlignment = alignment;
        return this;
    }

    /// <summary>The legend outside the data area, on the right: for many series whose lines fill every corner.</summary>
    public Figure LegendOutside()
    {
        legendEdge = Edge.Right;
        return this;
    }

    private double[] Xs(IReadOnlyList<double> x) => logX ? x.Select(Log).ToArray() : x.ToArray();

    private double[] Ys(IReadOnlyList<double> y) => logY ? y.Select(Log).ToArray() : y.ToArray();

    // Non-positive values have no place on a log axis; NaN leaves a gap rather than a wrong point.
    private static double Log(double v) => v > 0 ? Math.Log10(v) : double.NaN;

    private static void UseLogTicks(IAxis axis)
    {
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = v => FormatPower(Math.Pow(10, v)),
        };
    }

    // 1, 10, 100, 1000, 10000, then 1E5, 1E6 …; 0.1, 0.01, 0.001, then 1E-4 …
    private static string FormatPower(double v) =>
        v >= 1 && v < 1e5 ? v.ToString("0", System.Globalization.CultureInfo.InvariantCulture)
        : v >= 1e-3 && v < 1 ? v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)
        : v.ToString("0E0", System.Globalization.CultureInfo.InvariantCulture);
}
