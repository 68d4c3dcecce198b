using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace StochasticBackprop.Checking;

/// <summary>How one item of a self-check came out.</summary>
public enum SelfCheckOutcome
{
    /// <summary>Within the tolerance.</summary>
    Passed,

    /// <summary>Outside the tolerance: the declaration (or the generator) is wrong somewhere; <see cref="SelfCheckItem.Meaning"/> says where to look.</summary>
    Failed,

    /// <summary>The declaration lacks what the check needs; <see cref="SelfCheckItem.Meaning"/> says why.</summary>
    NotApplicable,
}

/// <summary>
/// One comparison of a self-check: a statistic, its value (Monte Carlo or numerical), what the declaration says it must be,
/// the standard error of the difference, and the z-score (value − expected)/error. For the numerical comparisons
/// (quadrature, autograd) the "standard error" is the numerical accuracy claimed (the quadrature's error estimate, floored
/// at a relative 1e-9), so the same tolerance in units of it applies.
/// </summary>
/// <param name="Check">The check's name (<c>normalisation</c>, <c>E[score] = 0</c>, …).</param>
/// <param name="Statistic">What was computed, with the coordinate or parameter entry.</param>
/// <param name="Value">The measured value.</param>
/// <param name="Expected">What the declaration implies.</param>
/// <param name="StandardError">The standard error of <c>Value − Expected</c> (Monte Carlo) or the numerical accuracy.</param>
/// <param name="ZScore">(Value − Expected)/StandardError.</param>
/// <param name="Outcome">Passed when |z| ≤ the tolerance.</param>
/// <param name="Meaning">A sentence saying what the comparison shows, and for a failure what is probably wrong; for a check that does not apply, why.</param>
public sealed record SelfCheckItem(string Check, string Statistic, double Value, double Expected, double StandardError, double ZScore, SelfCheckOutcome Outcome, string Meaning)
{
    /// <summary>True unless the item failed (a check that does not apply does not fail).</summary>
    public bool Passed => Outcome != SelfCheckOutcome.Failed;
}

/// <summary>The result of <see cref="SelfCheck.Run"/>: one item per comparison, a readable table, and an assertion.</summary>
public sealed class SelfCheckReport
{
    internal SelfCheckReport(string distribution, SelfCheckOptions options, IReadOnlyList<SelfCheckItem> items, string coverage)
    {
        Distribution = distribution;
        Options = options;
        Items = items;
        Coverage = coverage;
    }

    /// <summary>The distribution and its parameter values (first coordinate), as the report's title shows them.</summary>
    public string Distribution { get; }

    /// <summary>The options the check ran with.</summary>
    public SelfCheckOptions Options { get; }

    /// <summary>Every comparison, in the order run; not-applicable checks included with the reason.</summary>
    public IReadOnlyList<SelfCheckItem> Items { get; }

    /// <summary>Which coordinates of the batch were checked (all, or the first few).</summary>
    public string Coverage { get; }

    /// <summary>True when no item failed.</summary>
    public bool Passed => Items.All(item => item.Passed);

    /// <summary>The items that failed.</summary>
    public IReadOnlyList<SelfCheckItem> Failures => Items.Where(item => item.Outcome == SelfCheckOutcome.Failed).ToArray();

    /// <summary>Throws <see cref="SelfCheckFailedException"/>, listing the failed items, unless every item passed.</summary>
    /// <exception cref="SelfCheckFailedException">An item failed.</exception>
    public void AssertPassed()
    {
        if (!Passed)
        {
            throw new SelfCheckFailedException(this);
        }
    }

    /// <summary>The table: one line per item, then the meaning of each failure and the reason of each check that did not apply.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Self-check of {Distribution}: {Options.SampleCount:N0} samples, seed {Options.Seed}, tolerance {Format(Options.Tolerance)} SE; {Coverage}.\n");
        SelfCheckItem[] measured = Items.Where(item => item.Outcome != SelfCheckOutcome.NotApplicable).ToArray();
        string[] header = { "check", "statistic", "value", "expected", "SE", "z", "result" };
        string[][] rows = measured.Select(item => new[]
        {
            item.Check, item.Statistic, Format(item.Value), Format(item.Expected), Format(item.StandardError), FormatZ(item.ZScore),
            item.Outcome == SelfCheckOutcome.Passed ? "ok" : "FAILED",
        }).ToArray();
        int[] widths = header.Select((h, c) => rows.Select(r => r[c].Length).Append(h.Length).Max()).ToArray();
        void Row(string[] cells)
        {
            for (int c = 0; c < cells.Length; c++)
            {
                bool numeric = c >= 2 && c <= 5;
                string cell = numeric ? cells[c].PadLeft(widths[c]) : cells[c].PadRight(widths[c]);
                text.Append(c == 0 ? "" : "  ").Append(c == cells.Length - 1 ? cell.TrimEnd() : cell);
            }
            text.Append('\n');
        }
        Row(header);
        foreach (string[] row in rows)
        {
            Row(row);
        }
        SelfCheckItem[] failures = Failures.ToArray();
        text.Append(failures.Length == 0 ? "All checks passed.\n" : $"{failures.Length} of {measured.Length} checks FAILED:\n");
        foreach (SelfCheckItem failure in failures)
        {
            text.Append(CultureInfo.InvariantCulture, $"- {failure.Check}, {failure.Statistic} (z = {FormatZ(failure.ZScore)}): {failure.Meaning}\n");
        }
        SelfCheckItem[] skipped = Items.Where(item => item.Outcome == SelfCheckOutcome.NotApplicable).ToArray();
        if (skipped.Length > 0)
        {
            text.Append("Not applicable:\n");
            foreach (SelfCheckItem item in skipped)
            {
                text.Append(CultureInfo.InvariantCulture, $"- {item.Check}: {item.Meaning}\n");
            }
        }
        return text.ToString();
    }

    internal static string Format(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsInfinity(value)) return value > 0 ? "∞" : "-∞";
        double magnitude = Math.Abs(value);
        return magnitude != 0 && (magnitude < 1e-3 || magnitude >= 1e6)
            ? value.ToString("0.00e+0", CultureInfo.InvariantCulture)
            : value.ToString("0.#####", CultureInfo.InvariantCulture);
    }

    private static string FormatZ(double z) =>
        double.IsNaN(z) ? "NaN" : double.IsInfinity(z) ? (z > 0 ? "∞" : "-∞")
        : Math.Abs(z) >= 1e4 ? z.ToString("0.0e+0", CultureInfo.InvariantCulture) : z.ToString("0.0", CultureInfo.InvariantCulture);
}

/// <summary>Thrown by <see cref="SelfCheckReport.AssertPassed"/>: the message is the report, failures listed first.</summary>
public sealed class SelfCheckFailedException : Exception
{
    /// <summary>Creates the exception for a report with failures.</summary>
    public SelfCheckFailedException(SelfCheckReport report)
        : base(Describe(report))
    {
        Report = report;
    }

    /// <summary>The whole report.</summary>
    public SelfCheckReport Report { get; }

    private static string Describe(SelfCheckReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"The self-check of {report.Distribution} failed {report.Failures.Count} item(s):\n");
        foreach (SelfCheckItem failure in report.Failures)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"- {failure.Check}, {failure.Statistic}: {SelfCheckReport.Format(failure.Value)} against {SelfCheckReport.Format(failure.Expected)} (SE {SelfCheckReport.Format(failure.StandardError)}, z = {SelfCheckReport.Format(failure.ZScore)}). {failure.Meaning}\n");
        }
        text.Append('\n').Append(report);
        return text.ToString();
    }
}
