using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using StochasticBackprop.Samples.Experiments;
using Xunit;

namespace StochasticBackprop.Samples.Tests.Cli;

/// <summary>
/// The sample program's command line, parsed in-process through <see cref="Program.Run"/>: usage errors exit 2
/// with a one-line reason on stderr, runtime failures exit 1, help and version exit 0; nothing looks like a stack trace.
/// </summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "sb-cli-" + Guid.NewGuid().ToString("N"));

    public CommandLineTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static void AssertNoStackTrace(string text)
    {
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("--- End of", text, StringComparison.Ordinal);
    }

    private static void AssertUsageError((int Code, string Out, string Err) result, params string[] mentions)
    {
        Assert.Equal(Program.UsageError, result.Code);
        Assert.Equal("", result.Out);
        Assert.StartsWith("error: ", result.Err, StringComparison.Ordinal);
        foreach (string mention in mentions) Assert.Contains(mention, result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Err, StringComparison.Ordinal);
        AssertNoStackTrace(result.Err);
    }

    [Theory]
    [InlineData("--seed", "abc")]
    [InlineData("table", "--seed", "1.5")]
    [InlineData("run", "hybrid-greeks", "--seed", "x")]
    public void NonIntegerSeed_IsAUsageError(params string[] args) => AssertUsageError(Run(args), "--seed", args[^1]);

    [Fact]
    public void SeedWithoutValue_SaysTheValueIsMissing() => AssertUsageError(Run("--seed"), "--seed", "missing");

    [Theory]
    [InlineData("--threads", "0")]
    [InlineData("--threads", "-3")]
    public void ThreadsBelowOne_IsAUsageError(string option, string value) =>
        AssertUsageError(Run("run", "hybrid-greeks", option, value), "--threads", "at least 1", value);

    [Fact]
    public void NonIntegerThreads_IsAUsageError() => AssertUsageError(Run("run", "all", "--threads", "two"), "--threads", "two");

    [Theory]
    [InlineData("bench", "--samples", "0")]
    [InlineData("bench", "--iterations", "0")]
    [InlineData("bench", "--memory-iterations", "0")]
    [InlineData("bench", "--dimension", "-1")]
    [InlineData("table", "--samples", "0")]
    public void CountsBelowOne_AreUsageErrors(string command, string option, string value) =>
        AssertUsageError(Run(command, option, value), option, "at least 1");

    [Fact]
    public void UnknownExperiment_ListsTheKnownNames()
    {
        var result = Run("run", "hybrid-table1", "no-such-experiment");
        AssertUsageError(result, "'no-such-experiment'");
        foreach (IExperiment e in ExperimentCatalog.All) Assert.Contains(e.Name, result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownCommand_ListsCommandsAndExperiments()
    {
        var result = Run("no-such-command");
        AssertUsageError(result, "'no-such-command'", "table", "bench", "run", "index");
        foreach (IExperiment e in ExperimentCatalog.All) Assert.Contains(e.Name, result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void RunWithoutExperiment_IsAUsageError() => AssertUsageError(Run("run"), "experiment");

    [Theory]
    [InlineData("list", "--quick")]
    [InlineData("table", "--threads", "2")]
    [InlineData("bench", "--out", "x")]
    [InlineData("index", "--seed", "3")]
    [InlineData("--quick")]
    [InlineData("run", "hybrid-greeks", "--samples", "10")]
    [InlineData("hybrid-greeks", "--dimension", "10")]
    [InlineData("run", "hybrid-greeks", "--no-such-option")]
    public void OptionsACommandDoesNotTake_AreRefused(params string[] args) =>
        AssertUsageError(Run(args), args.First(a => a.StartsWith("--", StringComparison.Ordinal)));

    [Fact]
    public void Version_IsTheAssemblysInformationalVersion()
    {
        var result = Run("--version");
        string expected = typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(Program.Success, result.Code);
        Assert.Equal(expected, result.Out.Trim());
        Assert.StartsWith(typeof(Program).Assembly.GetName().Version!.ToString(3), expected, StringComparison.Ordinal);
        Assert.Equal("", result.Err);
    }

    [Fact]
    public void Help_ListsEveryCommandAndExperiment()
    {
        foreach (string[] args in new[] { new[] { "--help" }, new[] { "-h" } })
        {
            var result = Run(args);
            Assert.Equal(Program.Success, result.Code);
            Assert.Equal("", result.Err);
            foreach (string command in new[] { "table", "bench", "list", "run", "replot", "index", "--version", "Exit codes" })
                Assert.Contains(command, result.Out, StringComparison.Ordinal);
            foreach (IExperiment e in ExperimentCatalog.All) Assert.Contains(e.Name, result.Out, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("run", new[] { "--quick", "--seed", "--out", "--threads", "--no-progress" }, new[] { "--samples", "--dimension" })]
    [InlineData("table", new[] { "--samples", "--seed" }, new[] { "--quick", "--threads", "--dimension" })]
    [InlineData("bench", new[] { "--samples", "--dimension", "--iterations", "--memory-iterations" }, new[] { "--seed", "--quick" })]
    [InlineData("index", new[] { "--out", "--quick" }, new[] { "--seed", "--threads" })]
    [InlineData("replot", new[] { "--out" }, new[] { "--seed", "--quick", "--threads" })]
    [InlineData("list", new string[0], new[] { "--seed", "--quick", "--out" })]
    [InlineData("hybrid-greeks", new[] { "--quick", "--seed", "--out", "--threads" }, new[] { "--samples" })]
    public void CommandHelp_ShowsExactlyItsOwnOptions(string command, string[] shown, string[] notShown)
    {
        var result = Run(command, "--help");
        Assert.Equal(Program.Success, result.Code);
        Assert.Contains($"Usage:", result.Out, StringComparison.Ordinal);
        Assert.Contains(command, result.Out, StringComparison.Ordinal);
        foreach (string option in shown) Assert.Contains(option + " ", result.Out, StringComparison.Ordinal);
        foreach (string option in notShown) Assert.DoesNotContain(option + " ", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void List_PrintsEveryExperimentOnItsOwnLine()
    {
        var result = Run("list");
        Assert.Equal(Program.Success, result.Code);
        string[] lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(ExperimentCatalog.All.Select(e => e.Name), lines.Select(l => l.Split(' ')[0]));
    }

    [Fact]
    public void ExperimentThatCannotWriteItsReport_FailsWithExitCode1AndNamesTheExperiment()
    {
        string file = Path.Combine(directory, "a-file");
        File.WriteAllText(file, "not a directory");
        var result = Run("run", "hybrid-greeks", "--quick", "--no-progress", "--out", Path.Combine(file, "reports"));
        Assert.Equal(Program.RuntimeFailure, result.Code);
        Assert.Contains("experiment 'hybrid-greeks' failed", result.Err, StringComparison.Ordinal);
        Assert.Contains(file, result.Err, StringComparison.Ordinal);
        AssertNoStackTrace(result.Err);
        AssertNoStackTrace(result.Out);
    }

    [Fact]
    public void QuickRun_WritesTheReportAndTheIndex()
    {
        // The shorthand '<experiment>' and 'run <experiment>' are the same command.
        foreach (string[] args in new[] { new[] { "run", "hybrid-lambda-alpha" }, new[] { "hybrid-lambda-alpha" } })
        {
            string output = Path.Combine(directory, args.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var result = Run(args.Concat(new[] { "--quick", "--no-progress", "--seed", "7", "--out", output }).ToArray());
            Assert.Equal(Program.Success, result.Code);
            Assert.Equal("", result.Err);
            Assert.Contains("== hybrid-lambda-alpha", result.Out, StringComparison.Ordinal);
            string report = File.ReadAllText(Path.Combine(output, "hybrid-lambda-alpha", "README.md"));
            Assert.Contains("--quick --seed 7", report, StringComparison.Ordinal);
            Assert.Contains(ExperimentRunner.VerdictMarker, report, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(output, "hybrid-lambda-alpha", "lambda_vs_alpha.png")));
            Assert.Contains("[hybrid-lambda-alpha](hybrid-lambda-alpha/README.md)", File.ReadAllText(Path.Combine(output, "README.md")), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Replot_RedrawsTheSamePlotsFromTheCsvAlone()
    {
        string output = Path.Combine(directory, "replot");
        Assert.Equal(Program.Success, Run("run", "hybrid-greeks", "--quick", "--no-progress", "--out", output).Code);
        string report = Path.Combine(output, "hybrid-greeks");
        string[] plots = Directory.GetFiles(report, "*.png").Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(plots);
        byte[][] drawnByRun = plots.Select(File.ReadAllBytes).ToArray();
        foreach (string plot in plots) File.Delete(plot);

        var result = Run("replot", "hybrid-greeks", "--out", output);
        Assert.Equal(Program.Success, result.Code);
        Assert.Equal("", result.Err);
        for (int i = 0; i < plots.Length; i++) Assert.Equal(drawnByRun[i], File.ReadAllBytes(plots[i]));
    }

    [Fact]
    public void Replot_OfAnExperimentThatNeedsARerun_IsAUsageError()
    {
        string notReplottable = ExperimentCatalog.All.First(e => e is not IReplottable).Name;
        var result = Run("replot", notReplottable);
        AssertUsageError(result, $"cannot replot '{notReplottable}'");
        foreach (IExperiment e in ExperimentCatalog.All.OfType<IReplottable>()) Assert.Contains(e.Name, result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Replot_WithoutAReport_FailsWithExitCode1()
    {
        var result = Run("replot", "hybrid-greeks", "--out", Path.Combine(directory, "empty"));
        Assert.Equal(Program.RuntimeFailure, result.Code);
        Assert.Contains("no report of 'hybrid-greeks'", result.Err, StringComparison.Ordinal);
        AssertNoStackTrace(result.Err);
    }

    [Fact]
    public void BuiltExecutable_ReportsABadSeedWithExitCode2AndNoStackTrace()
    {
        // Before System.CommandLine this aborted with an unhandled FormatException (exit 134).
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        start.ArgumentList.Add("--seed");
        start.ArgumentList.Add("abc");
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "the program did not exit");
        Assert.Equal(Program.UsageError, process.ExitCode);
        Assert.Equal("", output);
        Assert.Contains("'abc'", error, StringComparison.Ordinal);
        Assert.Contains("--seed", error, StringComparison.Ordinal);
        AssertNoStackTrace(error);
    }
}
