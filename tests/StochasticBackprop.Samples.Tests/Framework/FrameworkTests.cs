using System;
using System.IO;
using StochasticBackprop.Samples.Experiments;
using Xunit;

namespace StochasticBackprop.Samples.Tests.Framework;

public sealed class FrameworkTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "sb-framework-" + Guid.NewGuid().ToString("N"));

    public FrameworkTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void CsvTable_QuotesSeparatorsAndWritesRoundTripInvariantNumbers()
    {
        var table = new CsvTable("name", "value");
        table.Add("a,\"b\"", 0.1 + 0.2);
        string path = Path.Combine(directory, "t.csv");
        table.Save(path);

        string[] lines = File.ReadAllLines(path);
        Assert.Equal("name,value", lines[0]);
        Assert.Equal("\"a,\"\"b\"\"\",0.30000000000000004", lines[1]);
    }

    [Fact]
    public void CsvTable_RowOfWrongWidth_IsRejected()
    {
        var table = new CsvTable("a", "b");
        Assert.Throws<ArgumentException>(() => table.Add(1.0));
    }

    [Theory]
    [InlineData(0.8431, 3, "0.843")]
    [InlineData(3.43261, 4, "3.433")]
    [InlineData(1234.6, 4, "1235")]
    [InlineData(1.5e-7, 3, "1.50E-007")]
    [InlineData(-2.0, 2, "-2.0")]
    public void Num_GivesSignificantDigits(double value, int digits, string expected) =>
        Assert.Equal(expected, MarkdownReport.Num(value, digits));

    [Fact]
    public void Summary_MatchesHandComputedMeanAndStandardError()
    {
        Summary s = Summary.Of(new[] { 1.0, 2.0, 3.0, 4.0 });
        Assert.Equal(2.5, s.Mean, 12);
        Assert.Equal(Math.Sqrt(5.0 / 3.0), s.StandardDeviation, 12);
        Assert.Equal(Math.Sqrt(5.0 / 3.0) / 2, s.StandardError, 12);
    }

    [Fact]
    public void Figure_WithLogAxesAndBands_SavesPng()
    {
        string path = Path.Combine(directory, "f.png");
        new Figure("t", "x", "y", logX: true, logY: true)
            .Line("a", new[] { 8.0, 64, 512 }, new[] { 1.0, 0.1, 0.01 }, new[] { 0.1, 0.01, 0.001 })
            .Line("b", new[] { 8.0, 64, 512 }, new[] { 2.0, 0.2, 0.02 }, dashed: true)
            .HorizontalLine(0.5, "reference")
            .Save(path);
        Assert.True(new FileInfo(path).Length > 1000);
    }
}
