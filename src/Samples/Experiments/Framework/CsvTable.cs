using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace StochasticBackprop.Samples.Experiments;

/// <summary>
/// Raw results as a CSV file (RFC 4180 quoting, invariant culture, round-trip doubles), one row per
/// measurement: what a reader needs to redo any plot or table of a report.
/// </summary>
public sealed class CsvTable
{
    private readonly string[] columns;
    private readonly List<string[]> rows = new();

    public CsvTable(params string[] columns)
    {
        if (columns.Length == 0) throw new ArgumentException("A CSV table needs at least one column.", nameof(columns));
        this.columns = columns;
    }

    public int RowCount => rows.Count;

    /// <summary>Adds a row; numbers are written round-trip in the invariant culture.</summary>
    public void Add(params object?[] values)
    {
        if (values.Length != columns.Length)
            throw new ArgumentException($"Row has {values.Length} values but the table has {columns.Length} columns ({string.Join(", ", columns)}).", nameof(values));
        rows.Add(values.Select(Format).ToArray());
    }

    /// <summary>Writes the table to <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        var text = new StringBuilder();
        text.AppendLine(string.Join(",", columns.Select(Quote)));
        foreach (string[] row in rows) text.AppendLine(string.Join(",", row.Select(Quote)));
        File.WriteAllText(path, text.ToString());
    }

    private static string Format(object? value) => value switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Quote(string field) =>
        field.IndexOfAny(new[] { ',', '"', '\n', '\r' }) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
}
