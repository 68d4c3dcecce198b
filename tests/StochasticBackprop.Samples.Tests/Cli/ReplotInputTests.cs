using System;
using System.IO;
using StochasticBackprop.Samples.Experiments;
using Xunit;

namespace StochasticBackprop.Samples.Tests.Cli;

/// <summary>What <c>replot</c> rests on: a CSV written by <see cref="CsvTable"/> reads back field for field, and log-axis labels.</summary>
public sealed class ReplotInputTests : IDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), "sb-csv-" + Guid.NewGuid().ToString("N") + ".csv");

    public void Dispose() => File.Delete(path);

    [Fact]
    public void CsvTable_ReadsBackWhatItWrote_QuotesSeparatorsAndRoundTripDoubles()
    {
        var table = new CsvTable("name", "value", "empty");
        table.Add("min(z²/2, 2) \"clipped\"", 0.1 + 0.2, null);
        table.Add("plain", -1.5e-300, "");
        table.Save(path);

        var rows = CsvTable.Read(path);
        Assert.Equal(2, rows.Count);
        Assert.Equal("min(z²/2, 2) \"clipped\"", rows[0].Text("name"));
        Assert.Equal(0.1 + 0.2, rows[0].Number("value"));
        Assert.True(double.IsNaN(rows[0].Number("empty")));
        Assert.Equal(-1.5e-300, rows[1].Number("value"));
    }

    [Fact]
    public void CsvRow_UnknownColumnOrNonNumber_NamesTheFileAndColumn()
    {
        var table = new CsvTable("name");
        table.Add("abc");
        table.Save(path);
        CsvRow row = CsvTable.Read(path)[0];
        Assert.Contains("'missing'", Assert.Throws<System.Collections.Generic.KeyNotFoundException>(() => row.Text("missing")).Message, StringComparison.Ordinal);
        var notNumber = Assert.Throws<InvalidDataException>(() => row.Number("name"));
        Assert.Contains(path, notNumber.Message, StringComparison.Ordinal);
        Assert.Contains("'abc'", notNumber.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-3, "10⁻³")]
    [InlineData(0, "10⁰")]
    [InlineData(1, "10¹")]
    [InlineData(12, "10¹²")]
    [InlineData(-0.0000001, "10⁰")]
    public void LogAxisLabels_AreTenToTheK(double log10, string label) => Assert.Equal(label, Figure.FormatPower(log10));
}
