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
    // The finite plotted log10 values of each log axis, so a narrow one can get ticks inside its decade (see UseNarrowLogTicks).
    private readonly List<double> plottedX = new(), plottedY = new();
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

    /// <summary>A series; <paramref name="error"/>, when given, draws y ± error as a shaded band, or as error bars with caps when <paramref name="errorBars"/>.</summary>
    /// <param name="marker">The marker shape (default a filled circle); with <paramref name="markerSize"/>, series that coincide can be told apart (an open ring around a dot).</param>
    /// <param name="pattern">The line pattern (default solid, or dashed when <paramref name="dashed"/>).</param>
    /// <param name="color">A palette index, so related series on several figures share a colour (default: the next colour).</param>
    public Figure Line(string label, IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<double>? error = null, bool markers = true, bool dashed = false,
        bool errorBars = false, MarkerShape? marker = null, float? markerSize = null, LinePattern? pattern = null, int? color = null)
    {
        if (x.Count != y.Count) throw new ArgumentException($"Series '{label}': {x.Count} x values but {y.Count} y values.");
        if (error is not null && error.Count != y.Count) throw new ArgumentException($"Series '{label}': {y.Count} y values but {error.Count} errors.");
        Color colour = Palette[(color ?? seriesCount) % Palette.Length];
        seriesCount++;
        if (error is not null && errorBars) AddErrorBars(x, y, error, colour);
        else if (error is not null)
        {
            double[] bandX = Xs(x);
            double[] upper = Ys(y.Select((v, i) => v + error[i]).ToArray());
            double[] lower = Ys(y.Select((v, i) => v - error[i]).ToArray());
            // A fill polygon breaks on a NaN vertex (x = 0 on a log axis, say): the band keeps the points it can draw.
            int[] drawable = Enumerable.Range(0, bandX.Length).Where(i => double.IsFinite(bandX[i]) && double.IsFinite(upper[i]) && double.IsFinite(lower[i])).ToArray();
            var band = plot.Add.FillY(drawable.Select(i => bandX[i]).ToArray(), drawable.Select(i => upper[i]).ToArray(), drawable.Select(i => lower[i]).ToArray());
            band.FillColor = colour.WithAlpha(0.2);
            band.LineWidth = 0;
        }
        var scatter = plot.Add.Scatter(Xs(x), Ys(y));
        scatter.LegendText = label;
        scatter.Color = colour;
        scatter.LineWidth = 2;
        scatter.MarkerSize = markers ? markerSize ?? 5 : 0;
        if (marker is MarkerShape shape) scatter.MarkerShape = shape;
        if (pattern is LinePattern p) scatter.LinePattern = p;
        else if (dashed) scatter.LinePattern = LinePattern.Dashed;
        return this;
    }

    // Error bars with caps; on a log axis the bar from y − e to y + e is asymmetric in log space (and stops at the axis when y − e ≤ 0).
    private void AddErrorBars(IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<double> error, Color colour)
    {
        double[] xs = Xs(x), ys = Ys(y);
        double[] up = new double[ys.Length], down = new double[ys.Length];
        for (int i = 0; i < ys.Length; i++)
        {
            double e = double.IsFinite(error[i]) ? Math.Abs(error[i]) : 0;
            if (!logY) (up[i], down[i]) = (e, e);
            else
            {
                up[i] = double.IsFinite(ys[i]) ? Log(y[i] + e) - ys[i] : 0;
                down[i] = double.IsFinite(ys[i]) && y[i] - e > 0 ? ys[i] - Log(y[i] - e) : 0;
            }
        }
        var bars = plot.Add.ErrorBar(xs, ys, up);
        bars.YErrorPositive = up;
        bars.YErrorNegative = down;
        bars.Color = colour;
        bars.LineWidth = 1.5f;
        bars.CapSize = 6;
    }

    /// <summary>A horizontal reference line (e.g. a paper's value or the truth).</summary>
    public Figure HorizontalLine(double y, string label)
    {
        var line = plot.Add.HorizontalLine(Ys(new[] { y })[0]);
        line.LegendText = label;
        // Several reference values on one plot must be told apart by more than legend order.
        line.Color = ReferenceColors[referenceCount++ % ReferenceColors.Length];
        line.LinePattern = LinePattern.Dashed;
        return this;
    }

    /// <summary>Saves the figure as PNG.</summary>
    public void Save(string path, int width = 800, int height = 500)
    {
        PrepareToRender();
        plot.SavePng(path, width, height);
    }

    /// <summary>Saves <paramref name="panels"/> side by side as one PNG, each <paramref name="panelWidth"/> × <paramref name="height"/> pixels.</summary>
    /// <remarks>For series that coincide on one plot: one panel per quantity keeps each legend short. Composed with SkiaSharp, which ScottPlot renders with.</remarks>
    public static void SavePanels(string path, IReadOnlyList<Figure> panels, int panelWidth = 600, int height = 500)
    {
        if (panels.Count == 0) throw new ArgumentException("No panels to save.", nameof(panels));
        using var canvasBitmap = new SkiaSharp.SKBitmap(panelWidth * panels.Count, height);
        using (var canvas = new SkiaSharp.SKCanvas(canvasBitmap))
        {
            canvas.Clear(SkiaSharp.SKColors.White);
            for (int i = 0; i < panels.Count; i++)
            {
                panels[i].PrepareToRender();
                byte[] png = panels[i].plot.GetImage(panelWidth, height).GetImageBytes(ImageFormat.Png);
                using var panel = SkiaSharp.SKBitmap.Decode(png);
                canvas.DrawBitmap(panel, i * panelWidth, 0);
            }
        }
        using var image = SkiaSharp.SKImage.FromBitmap(canvasBitmap);
        using var data = image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        using var file = System.IO.File.Create(path);
        data.SaveTo(file);
    }

    private void PrepareToRender()
    {
        if (logX) UseNarrowLogTicks(plot.Axes.Bottom, plottedX);
        if (logY) UseNarrowLogTicks(plot.Axes.Left, plottedY);
        if (seriesCount > 1 || plot.GetPlottables().Any(p => p is ScottPlot.Plottables.HorizontalLine))
        {
            if (legendEdge is Edge edge) plot.ShowLegend(edge);
            else plot.ShowLegend(legendAlignment);
        }
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

    private double[] Xs(IReadOnlyList<double> x) => Track(plottedX, logX ? x.Select(Log).ToArray() : x.ToArray());

    private double[] Ys(IReadOnlyList<double> y) => Track(plottedY, logY ? y.Select(Log).ToArray() : y.ToArray());

    private static double[] Track(List<double> plotted, double[] values)
    {
        plotted.AddRange(values.Where(double.IsFinite));
        return values;
    }

    // Non-positive values have no place on a log axis; NaN leaves a gap rather than a wrong point.
    private static double Log(double v) => v > 0 ? Math.Log10(v) : double.NaN;

    private static void UseLogTicks(IAxis axis)
    {
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = FormatPower,
        };
    }

    // Data within less than about a decade would show one decade tick or none: label 1, 2 and 5 × 10^k instead
    // (minor ticks at the other mantissas), in the same 10^k notation.
    private static void UseNarrowLogTicks(IAxis axis, List<double> plotted)
    {
        if (plotted.Count == 0) return;
        double min = plotted.Min(), max = plotted.Max();
        if (Math.Floor(max) - Math.Ceiling(min) >= 1) return;
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int k = (int)Math.Floor(min) - 1; k <= (int)Math.Ceiling(max) + 1; k++)
        {
            for (int m = 1; m <= 9; m++)
            {
                double position = k + Math.Log10(m);
                if (m is 1 or 2 or 5) ticks.AddMajor(position, m == 1 ? FormatPower(k) : $"{m}×{FormatPower(k)}");
                else ticks.AddMinor(position);
            }
        }
        axis.TickGenerator = ticks;
    }

    // Every log axis labels its decades alike, 10^k with a superscript exponent: 10⁻³, 10⁻², …, 10⁰, 10¹, …
    internal static string FormatPower(double log10)
    {
        int k = (int)Math.Round(log10);
        string exponent = k.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return "10" + string.Concat(exponent.Select(c => c == '-' ? '⁻' : "⁰¹²³⁴⁵⁶⁷⁸⁹"[c - '0']));
    }
}
