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

    /// <summary>Reads a CSV file written by <see cref="Save"/>: one <see cref="CsvRow"/> per line after the header.</summary>
    public static IReadOnlyList<CsvRow> Read(string path)
    {
        // The BCL's RFC 4180 reader (quoted fields with separators, doubled quotes).
        using var parser = new Microsoft.VisualBasic.FileIO.TextFieldParser(path) { TextFieldType = Microsoft.VisualBasic.FileIO.FieldType.Delimited, HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = false };
        parser.SetDelimiters(",");
        string[] header = parser.ReadFields() ?? throw new InvalidDataException($"{path}: empty CSV file, no header.");
        var index = header.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        var rows = new List<CsvRow>();
        while (parser.ReadFields() is { } fields)
        {
            if (fields.Length != header.Length)
                throw new InvalidDataException($"{path}, line {parser.LineNumber - 1}: {fields.Length} fields but the header has {header.Length}.");
            rows.Add(new CsvRow(path, index, fields));
        }
        return rows;
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

/// <summary>One row of a CSV file read by <see cref="CsvTable.Read"/>, its fields by column name.</summary>
public sealed class CsvRow
{
    private readonly string path;
    private readonly IReadOnlyDictionary<string, int> index;
    private readonly string[] fields;

    internal CsvRow(string path, IReadOnlyDictionary<string, int> index, string[] fields)
    {
        this.path = path;
        this.index = index;
        this.fields = fields;
    }

    /// <summary>The field of <paramref name="column"/> as written.</summary>
    public string Text(string column) =>
        index.TryGetValue(column, out int i) ? fields[i] : throw new KeyNotFoundException($"{path}: no column '{column}' (columns: {string.Join(", ", index.Keys)}).");

    /// <summary>The field of <paramref name="column"/> as a number (invariant culture); an empty field is NaN.</summary>
    public double Number(string column)
    {
        string text = Text(column);
        if (text.Length == 0) return double.NaN;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value : throw new InvalidDataException($"{path}: column '{column}' holds '{text}', not a number.");
    }
}
