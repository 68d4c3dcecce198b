using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Reflection;
using StochasticBackprop.Samples.Experiments;

namespace StochasticBackprop.Samples;

/// <summary>
/// The sample program, on System.CommandLine. Commands:
/// <c>table</c> (the default), <c>bench</c>, <c>list</c>, <c>run &lt;name&gt;... | run all</c>, <c>index</c>,
/// and <c>&lt;name&gt;</c> as shorthand for <c>run &lt;name&gt;</c>.
/// </summary>
/// <remarks>
/// Exit codes: 0 success (and help, version); 2 a usage error (unknown command, option or experiment, an option
/// a command does not take, a value that does not parse or is out of range), reported on stderr without a
/// stack trace; 1 a failure while running (an experiment threw, a file could not be written), also one line per
/// cause on stderr.
/// </remarks>
public static class Program
{
    public const int Success = 0;
    public const int RuntimeFailure = 1;
    public const int UsageError = 2;

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Parses <paramref name="args"/> and runs the command, writing to <paramref name="output"/> and <paramref name="error"/>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            ParseResult parse = BuildCommands(output, error).Parse(args);
            if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction)
            {
                ReportUsageErrors(parse, error);
                return UsageError;
            }
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            // A failure while running is the program's, not the user's typing: name it, no stack trace.
            error.WriteLine($"error: {Describe(e)}");
            return RuntimeFailure;
        }
    }

    /// <summary>The version <c>--version</c> prints: the assembly's informational version.</summary>
    public static string Version =>
        typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(Program).Assembly.GetName().Version?.ToString() ?? "unknown";

    private static RootCommand BuildCommands(TextWriter output, TextWriter error)
    {
        var tableSamples = PositiveOption<long>("--samples", "Monte Carlo samples per estimate", 100_000);
        var benchSamples = PositiveOption<long>("--samples", "Samples per gradient estimate", 10_000);
        var seed = new Option<long>("--seed") { Description = "Base seed of every random stream", DefaultValueFactory = _ => 20261123, HelpName = "S" };
        var dimension = PositiveOption<long>("--dimension", "Batch size of the benchmarked distributions", 100);
        var iterations = PositiveOption<int>("--iterations", "Timed repeats per estimator", 20);
        var memoryIterations = PositiveOption<int>("--memory-iterations", "Repeated estimates of the resident-memory run", 1000);
        var quick = new Option<bool>("--quick") { Description = "Smoke-test sizes (seconds; the numbers are not meaningful)" };
        var outputDirectory = new Option<string>("--out")
        {
            Description = "Report directory: src/Samples/reports when run from the repository root, else ./reports",
            DefaultValueFactory = _ => DefaultOutputDirectory(),
            HelpName = "DIR",
        };
        outputDirectory.AcceptLegalFilePathsOnly();
        var threads = PositiveOption<int>("--threads", "libtorch intra-op threads per experiment (the tensors are small)", 1);
        var noProgress = new Option<bool>("--no-progress") { Description = "No progress bars on stderr (they are drawn only on a terminal)" };

        var root = new RootCommand("""
            StochasticBackprop samples: estimator tables, a benchmark, and the experiment suite reproducing the papers'
            tables and figures. With no command, runs 'table'. '<experiment>' is shorthand for 'run <experiment>'.
            Exit codes: 0 success, 1 a failure while running, 2 a usage error.
            """);
        foreach (Option option in root.Options)
            if (option is VersionOption) option.Action = new PrintVersion();

        void Table(ParseResult p)
        {
            long n = p.GetValue(tableSamples);
            long s = p.GetValue(seed);
            output.WriteLine(EstimatorTable.Format(EstimatorTable.Measure(n, s), n));
            output.WriteLine();
            output.WriteLine(ModelEstimatorTable.Format(ModelEstimatorTable.Measure(ModelEstimatorTable.DefaultEstimates, s)));
        }

        // The default command is 'table', so the root takes table's options (and no others).
        root.Add(tableSamples);
        root.Add(seed);
        root.SetAction(Table);

        var table = new Command("table", """
            Each sample distribution's estimators on f(z) = (z - 1)^2: mean gradient, closed-form truth, per-sample
            variance; then every site estimator on a tiny sigmoid belief net against its enumerated gradient
            (a fixed 2000 estimates of 2 particles; --seed applies).
            """) { tableSamples, seed };
        table.SetAction(Table);
        root.Add(table);

        var bench = new Command("bench", """
            Wall-clock time per gradient estimate of each estimator (a batch of --dimension) and resident memory
            over --memory-iterations repeated estimates.
            """) { benchSamples, dimension, iterations, memoryIterations };
        bench.SetAction(p =>
        {
            long n = p.GetValue(benchSamples);
            var (timings, memory) = Benchmark.Run(n, p.GetValue(dimension), p.GetValue(iterations), p.GetValue(memoryIterations));
            output.WriteLine(Benchmark.Format(timings, memory, n, p.GetValue(dimension), p.GetValue(iterations)));
        });
        root.Add(bench);

        var list = new Command("list", "The experiments of the suite: name, what it reproduces, title.");
        list.SetAction(_ =>
        {
            foreach (IExperiment e in ExperimentCatalog.All) output.WriteLine($"{e.Name,-28} {e.Source,-24} {e.Title}");
        });
        root.Add(list);

        var names = new Argument<string[]>("experiment")
        {
            Description = "Experiment names (see 'list'), or 'all'",
            HelpName = "experiment",
            Arity = ArgumentArity.OneOrMore,
        };
        names.CompletionSources.Add(ExperimentCatalog.All.Select(e => e.Name).Append("all").ToArray());
        names.Validators.Add(result =>
        {
            foreach (string name in result.Tokens.Select(t => t.Value))
                if (name.StartsWith('-'))
                    result.AddError($"unknown option '{name}' for this command");
                else if (name != "all" && ExperimentCatalog.Find(name) is null)
                    result.AddError($"unknown experiment '{name}'; known: {string.Join(", ", ExperimentCatalog.All.Select(e => e.Name))} (or 'all')");
        });

        int RunSelected(ParseResult p, IReadOnlyList<string> selection)
        {
            var experiments = new List<IExperiment>();
            if (selection.Contains("all")) experiments.AddRange(ExperimentCatalog.All);
            foreach (IExperiment e in selection.Where(n => n != "all").Select(n => ExperimentCatalog.Find(n)!))
                if (!experiments.Contains(e)) experiments.Add(e);
            bool progress = !p.GetValue(noProgress) && ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
            string directory = p.GetValue(outputDirectory)!;
            new ExperimentRunner(directory, p.GetValue(seed), p.GetValue(quick), output, progress, p.GetValue(threads)).Run(experiments);
            output.WriteLine($"index: {Path.GetFullPath(Path.Combine(directory, "README.md"))}");
            return Success;
        }

        var run = new Command("run", """
            Runs experiments; each writes raw results (CSV), plots (PNG) and a report (README.md) into DIR/<experiment>/,
            and DIR/README.md indexes them. 'run all' runs the whole suite in index order.
            """) { names, quick, seed, outputDirectory, threads, noProgress };
        run.SetAction(p => RunSelected(p, p.GetValue(names)!));
        root.Add(run);

        // '<experiment>' alone: one command per experiment, with run's options (and its own help).
        foreach (IExperiment experiment in ExperimentCatalog.All)
        {
            var shorthand = new Command(experiment.Name, $"= run {experiment.Name}: {experiment.Source}")
            {
                quick, seed, outputDirectory, threads, noProgress,
            };
            shorthand.SetAction(p => RunSelected(p, new[] { experiment.Name }));
            root.Add(shorthand);
        }

        var replotNames = new Argument<string[]>("experiment")
        {
            Description = "Experiments whose plots are drawn from their CSV files alone, or 'all' of those",
            HelpName = "experiment",
            Arity = ArgumentArity.OneOrMore,
        };
        IReplottable[] replottable = ExperimentCatalog.All.OfType<IReplottable>().ToArray();
        replotNames.CompletionSources.Add(replottable.Select(e => e.Name).Append("all").ToArray());
        replotNames.Validators.Add(result =>
        {
            foreach (string name in result.Tokens.Select(t => t.Value))
                if (name.StartsWith('-'))
                    result.AddError($"unknown option '{name}' for this command");
                else if (name != "all" && !replottable.Any(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase)))
                    result.AddError($"cannot replot '{name}' (not an experiment, or its plots need a rerun); replottable: {string.Join(", ", replottable.Select(e => e.Name))} (or 'all')");
        });
        var replot = new Command("replot", """
            Redraws the PNG plots of experiments from the CSV files already in DIR/<experiment>/, without rerunning them
            (the numbers, CSVs and reports are unchanged).
            """) { replotNames, outputDirectory };
        replot.SetAction(p =>
        {
            string directory = Path.GetFullPath(p.GetValue(outputDirectory)!);
            string[] selection = p.GetValue(replotNames)!;
            foreach (IReplottable e in replottable.Where(e => selection.Contains("all") || selection.Contains(e.Name, StringComparer.OrdinalIgnoreCase)))
            {
                string experimentDirectory = Path.Combine(directory, e.Name);
                if (!Directory.Exists(experimentDirectory)) throw new DirectoryNotFoundException($"no report of '{e.Name}' in {directory}: run it first");
                e.Plot(experimentDirectory);
                output.WriteLine($"{e.Name}: plots redrawn in {experimentDirectory}");
            }
        });
        root.Add(replot);

        var index = new Command("index", "Rebuilds DIR/README.md from the reports already in DIR.") { outputDirectory, quick };
        index.SetAction(p =>
        {
            string directory = p.GetValue(outputDirectory)!;
            new ExperimentRunner(directory, 0, p.GetValue(quick), output, showProgress: false).WriteIndex(Array.Empty<ExperimentRunner.Result>());
            output.WriteLine($"index: {Path.GetFullPath(Path.Combine(directory, "README.md"))}");
        });
        root.Add(index);
        return root;
    }

    private static Option<T> PositiveOption<T>(string name, string description, T fallback)
        where T : struct, INumber<T>
    {
        var option = new Option<T>(name) { Description = description, DefaultValueFactory = _ => fallback, HelpName = "N" };
        option.Validators.Add(result =>
        {
            // A token that does not parse is already reported by the conversion; only range-check the ones that do.
            if (result.Tokens.Count > 0 && T.TryParse(result.Tokens[^1].Value, CultureInfo.InvariantCulture, out T value) && value < T.One)
                result.AddError($"{name} must be at least 1, got {result.Tokens[^1].Value}");
        });
        return option;
    }

    private static void ReportUsageErrors(ParseResult parse, TextWriter error)
    {
        // An unknown first word is most likely a misspelt command or experiment: say what exists.
        string? unknownCommand = parse.CommandResult.Command is RootCommand
            ? parse.UnmatchedTokens.FirstOrDefault(t => !t.StartsWith('-')) : null;
        if (unknownCommand is not null)
        {
            error.WriteLine($"error: unknown command or experiment '{unknownCommand}'");
            error.WriteLine("commands: table, bench, list, run, replot, index; experiments: " + string.Join(", ", ExperimentCatalog.All.Select(e => e.Name)));
        }
        foreach (ParseError e in parse.Errors)
            if (unknownCommand is null || !e.Message.Contains($"'{unknownCommand}'", StringComparison.Ordinal))
                error.WriteLine($"error: {e.Message}");
        string command = parse.CommandResult.Command is RootCommand ? "" : parse.CommandResult.Command.Name + " ";
        error.WriteLine($"(see '{command}--help')");
    }

    private static string Describe(Exception e)
    {
        // The outermost message, then any inner cause it does not already quote.
        string text = e is ExperimentFailedException ? e.Message : $"{e.GetType().Name}: {e.Message}";
        for (Exception? x = e.InnerException; x is not null; x = x.InnerException)
            if (!text.Contains(x.Message, StringComparison.Ordinal)) text += $" (caused by {x.GetType().Name}: {x.Message})";
        return text;
    }

    // The committed reports live in src/Samples/reports; run from the repository root (or from
    // src/Samples) the default writes there, anywhere else into ./reports.
    private static string DefaultOutputDirectory() =>
        Directory.Exists(Path.Combine("src", "Samples")) ? Path.Combine("src", "Samples", "reports") : "reports";

    /// <summary>Prints this assembly's version: the default would print the entry assembly's (a test host's, in-process).</summary>
    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(Version);
            return Success;
        }
    }
}
