using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using StochasticBackprop.Generator.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace StochasticBackprop.Generator.Tests.Fuzz;

/// <summary>
/// Runs the generator on every declaration of <see cref="FuzzCorpus"/> on a fixed set of worker threads (one
/// per core) with 1 MB stacks (a compiler or IDE thread's size), and requires: no exception, no SBG999, every
/// diagnostic located in the source, no generated code that fails to compile unless an error diagnostic says
/// why, no fallback part (what a declaration with an error gets: constructor, parameters, throwing members) with
/// an error in itself, and every case under a second.
/// </summary>
/// <remarks>
/// <para>
/// <b>The per-case budget</b> is the CPU time of the worker thread during the case's generator run
/// (<see cref="ThreadCpuClock"/>: <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c> on Linux), so a loaded machine
/// does not fail it; the wall time is reported beside it. Parsing the case and compiling its output are not
/// counted. Compilations here are built with <c>concurrentBuild: false</c>, so a compile's work stays on the
/// worker thread that measures it and two workers do not each fan out over the thread pool.
/// </para>
/// <para>
/// <b>Compiling the outputs</b> is most of the cost. A case's output is compiled right after its generator run
/// (so no syntax tree outlives its case), once per distinct input-and-output (see <see cref="Key"/>), with the
/// compiler's nullable analysis off (the parse option feature <c>run-nullable-analysis=never</c>): it reports
/// warnings only, and this test asserts on errors; the snapshot tests compile the sample outputs with it on.
/// </para>
/// <para>
/// <b>Options</b> (environment variables): <c>SBG_FUZZ_MUTATIONS</c> sets the mutations per base (default
/// <see cref="DefaultMutations"/>: with the hostile cases, over 2,000 cases); a larger corpus is e.g.
/// <c>SBG_FUZZ_MUTATIONS=1000</c>. <c>SBG_FUZZ_KNOWN_FAILURES=1</c> adds <see cref="FuzzCorpus.KnownFailures"/>.
/// <c>SBG_FUZZ_STACK</c> sets the workers' stack size in bytes, <c>SBG_FUZZ_SKIP</c> leaves out cases by name
/// prefix (comma-separated; for measuring an old generator that would exhaust the machine's memory on some
/// cases), and <c>SBG_FUZZ_REPORT</c> names a file to write the report to.
/// </para>
/// </remarks>
public sealed class GeneratorFuzzTests(ITestOutputHelper output)
{
    /// <summary>The mutations per base of the default run.</summary>
    public const int DefaultMutations = 85;

    private const int MinimumCases = 2000;
    private const int StackSize = 1 << 20;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    private static readonly CSharpParseOptions FuzzParseOptions =
        GeneratorHarness.ParseOptions.WithFeatures(new[] { new KeyValuePair<string, string>("run-nullable-analysis", "never") });

    private static readonly Lazy<CSharpCompilation> EmptyCompilation = new(() =>
    {
        // Bind the references and warm the generator and the compiler up once, so no case pays for it.
        var empty = GeneratorHarness.CreateCompilation();
        empty = empty.WithOptions(empty.Options.WithConcurrentBuild(false));
        var warm = empty.AddSyntaxTrees(Parse(Generation.SampleSources.ChiSquared));
        CreateDriver(static () => new DistributionGenerator()).RunGeneratorsAndUpdateCompilation(warm, out var compiled, out _);
        _ = compiled.GetDiagnostics();
        return empty;
    });

    [Fact]
    public void Corpus_NeverCrashes_AlwaysLocates_NeverEmitsBrokenCodeSilently()
    {
        TimeSpan processCpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        string loadAtStart = LoadAverage();
        var total = Stopwatch.StartNew();
        int mutations = int.TryParse(Environment.GetEnvironmentVariable("SBG_FUZZ_MUTATIONS"), out int m) ? m : DefaultMutations;
        int stack = int.TryParse(Environment.GetEnvironmentVariable("SBG_FUZZ_STACK"), out int s) ? s : StackSize;
        bool known = Environment.GetEnvironmentVariable("SBG_FUZZ_KNOWN_FAILURES") is "1";
        var skip = (Environment.GetEnvironmentVariable("SBG_FUZZ_SKIP") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var corpusClock = Stopwatch.StartNew();
        var cases = FuzzCorpus.Cases(mutations)
            .Concat(known ? FuzzCorpus.KnownFailures() : Enumerable.Empty<FuzzCase>())
            .Where(c => !skip.Any(prefix => c.Name.StartsWith(prefix, StringComparison.Ordinal)))
            .ToList();
        corpusClock.Stop();
        Assert.True(cases.Count >= MinimumCases || mutations < DefaultMutations || skip.Length > 0, $"the corpus has only {cases.Count} cases");

        var warmClock = Stopwatch.StartNew();
        _ = EmptyCompilation.Value;
        warmClock.Stop();

        var phaseClock = Stopwatch.StartNew();
        TimeSpan jitAtStart = System.Runtime.JitInfo.GetCompilationTime();
        TimeSpan gcPauseAtStart = GC.GetTotalPauseDuration();
        var results = Check(cases, static () => new DistributionGenerator(), stack);
        phaseClock.Stop();
        total.Stop();
        TimeSpan processCpu = Process.GetCurrentProcess().TotalProcessorTime - processCpuAtStart;
        TimeSpan jit = System.Runtime.JitInfo.GetCompilationTime() - jitAtStart;
        TimeSpan gcPause = GC.GetTotalPauseDuration() - gcPauseAtStart;

        var failures = results.SelectMany(r => r.Failures).ToList();
        var report = new StringBuilder();
        report.Append(CultureInfo.InvariantCulture, $"{cases.Count} cases in {total.Elapsed.TotalSeconds:F1} s wall, {processCpu.TotalSeconds:F1} s process CPU (load average {loadAtStart} before, {LoadAverage()} after); ");
        foreach (string kind in new[] { "exception", "SBG999", "unlocated", "non-compiling-without-error", "broken-fallback", "slow" })
        {
            report.Append(CultureInfo.InvariantCulture, $"{kind}: {failures.Where(f => f.Kind == kind).Select(f => f.Case).Distinct().Count()}; ");
        }
        foreach (var group in failures.GroupBy(f => f.Kind).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            foreach (var failure in group.OrderBy(f => f.Case, StringComparer.Ordinal).Take(40))
            {
                report.AppendLine().Append(CultureInfo.InvariantCulture, $"  {failure.Kind} {Shorten(failure.Case)}: {Shorten(failure.Detail)}");
            }
        }
        var toCompile = results.Where(r => r.Compiled).ToList();
        report.AppendLine().Append(CultureInfo.InvariantCulture,
            $"corpus built in {corpusClock.Elapsed.TotalSeconds:F2} s; warm-up {warmClock.Elapsed.TotalSeconds:F1} s; cases {phaseClock.Elapsed.TotalSeconds:F1} s wall on {Environment.ProcessorCount} workers; "
            + $"generator {Sum(results.Select(r => r.Cpu)):F1} s thread CPU over all cases; "
            + $"output of {results.Count(r => r.HadOutput)} cases ({toCompile.Count} distinct) compiled in {Sum(toCompile.Select(r => r.CompileCpu)):F1} s thread CPU; "
            + $"JIT {jit.TotalSeconds:F1} s, GC pauses {gcPause.TotalSeconds:F1} s");
        report.AppendLine().Append("slowest generator runs (thread CPU / wall):");
        foreach (var result in results.OrderByDescending(r => r.Cpu).Take(8))
        {
            report.Append(CultureInfo.InvariantCulture, $" {Shorten(result.Case.Name)} {result.Cpu.TotalSeconds:F2}/{result.Wall.TotalSeconds:F2} s;");
        }
        report.AppendLine().Append("slowest to compile (thread CPU):");
        foreach (var result in toCompile.OrderByDescending(r => r.CompileCpu).Take(8))
        {
            report.Append(CultureInfo.InvariantCulture, $" {Shorten(result.Case.Name)} {result.CompileCpu.TotalSeconds:F2} s;");
        }
        output.WriteLine(report.ToString());
        if (Environment.GetEnvironmentVariable("SBG_FUZZ_REPORT") is { Length: > 0 } path)
        {
            File.WriteAllText(path, report.ToString());
        }
        Assert.True(failures.Count == 0, report.ToString());
    }

    /// <summary>The 1/5/15-minute load averages where the system has them (Linux), else "n/a".</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static double Sum(IEnumerable<TimeSpan> times) => TimeSpan.FromTicks(times.Sum(t => t.Ticks)).TotalSeconds;

    private static string Shorten(string text) => text.Length > 300 ? text.Substring(0, 300) + "…" : text;

    private static SyntaxTree Parse(string source) =>
        CSharpSyntaxTree.ParseText(source, FuzzParseOptions, path: "Source0.cs", encoding: Encoding.UTF8);

    /// <summary>Runs every case through a fresh instance of the generator <paramref name="createGenerator"/> makes, on the workers.</summary>
    internal static CaseResult[] Check(IReadOnlyList<FuzzCase> cases, Func<IIncrementalGenerator> createGenerator, int stack = StackSize)
    {
        var results = new CaseResult[cases.Count];
        var compiled = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        Workers.Run(cases.Count, stack, index => results[index] = RunCase(cases[index], compiled, createGenerator));
        return results;
    }

    private static GeneratorDriver CreateDriver(Func<IIncrementalGenerator> createGenerator) =>
        CSharpGeneratorDriver.Create(
            new[] { createGenerator().AsSourceGenerator() },
            parseOptions: FuzzParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false));

    /// <summary>One broken promise: its kind (exception, SBG999, unlocated, non-compiling-without-error, slow), the case, what happened.</summary>
    internal sealed record Failure(string Kind, string Case, string Detail);

    /// <summary>What one case did: its failures, the generator run's thread CPU and wall time, and its output's compile.</summary>
    internal sealed class CaseResult(FuzzCase fuzzCase)
    {
        public FuzzCase Case { get; } = fuzzCase;
        public List<Failure> Failures { get; } = new();
        public TimeSpan Cpu { get; set; }
        public TimeSpan Wall { get; set; }
        public bool HadOutput { get; set; }
        public bool Compiled { get; set; }
        public TimeSpan CompileCpu { get; set; }
    }

    private static CaseResult RunCase(FuzzCase fuzzCase, ConcurrentDictionary<string, string> compiled, Func<IIncrementalGenerator> createGenerator)
    {
        var result = new CaseResult(fuzzCase);
        try
        {
            // Derived from one empty compilation, every case shares its bound references.
            var input = Parse(fuzzCase.Source);
            var compilation = EmptyCompilation.Value.AddSyntaxTrees(input);
            // A fresh driver per case: a case's run must not depend on the cases before it.
            GeneratorDriver driver = CreateDriver(createGenerator);
            (result.Cpu, result.Wall) = ThreadCpuClock.Measure(() => driver = driver.RunGenerators(compilation));
            if (result.Cpu > Budget)
            {
                result.Failures.Add(new("slow", fuzzCase.Name, $"{result.Cpu.TotalSeconds:F2} s thread CPU ({result.Wall.TotalSeconds:F2} s wall)"));
            }
            var run = driver.GetRunResult();
            foreach (var generatorResult in run.Results.Where(r => r.Exception is not null))
            {
                result.Failures.Add(new("exception", fuzzCase.Name, generatorResult.Exception!.GetType().Name + ": " + generatorResult.Exception.Message));
            }
            foreach (var diagnostic in run.Diagnostics)
            {
                if (diagnostic.Id == "SBG999")
                {
                    result.Failures.Add(new("SBG999", fuzzCase.Name, diagnostic.GetMessage(CultureInfo.InvariantCulture)));
                }
                if (diagnostic.Id.StartsWith("SBG", StringComparison.Ordinal) && !diagnostic.Location.IsInSource)
                {
                    result.Failures.Add(new("unlocated", fuzzCase.Name, diagnostic.ToString()));
                }
            }
            if (run.GeneratedTrees.IsEmpty)
            {
                return result;
            }
            if (run.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
            {
                // A declaration with an error gets the fallback part (constructor, parameters, throwing members):
                // it must compile whatever the user's file does; errors in the user's own file are the mutation's.
                if (compiled.TryAdd("fallback\0" + Key(input, run.GeneratedTrees), fuzzCase.Name))
                {
                    result.CompileCpu = ThreadCpuClock.Measure(() => CheckFallbackCompiles(result, compilation, input, run.GeneratedTrees)).Cpu;
                }
                return result;
            }
            result.HadOutput = true;
            // Cases that differ only where the generator does not look (a mutation that changed nothing
            // it reads) compile alike: the first of each is compiled, the others are counted with it.
            string key = Key(input, run.GeneratedTrees);
            if (compiled.TryAdd(key, fuzzCase.Name))
            {
                result.Compiled = true;
                result.CompileCpu = ThreadCpuClock.Measure(() => CheckOutputCompiles(result, compilation, input, run.GeneratedTrees)).Cpu;
            }
        }
        catch (Exception exception)
        {
            result.Failures.Add(new("exception", fuzzCase.Name, "harness: " + exception.GetType().Name + ": " + exception.Message));
        }
        return result;
    }

    /// <summary>
    /// What decides whether a case's output compiles: the generated files, and the input without its comments
    /// and whitespace (which cannot cause an error; preprocessor directives are kept), as a SHA-256.
    /// </summary>
    private static string Key(SyntaxTree input, ImmutableArray<SyntaxTree> generated)
    {
        var text = new StringBuilder();
        foreach (SyntaxToken token in input.GetRoot().DescendantTokens())
        {
            foreach (SyntaxTrivia trivia in token.LeadingTrivia.Concat(token.TrailingTrivia).Where(t => t.IsDirective || t.IsKind(SyntaxKind.DisabledTextTrivia)))
            {
                text.Append('\n').Append(trivia.ToFullString()).Append('\n');
            }
            text.Append(token.Text).Append(' ');
        }
        foreach (SyntaxTree tree in generated)
        {
            text.Append('\0').Append(tree.ToString());
        }
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Fails the case if a fallback part (generated beside an error diagnostic) has errors in itself.</summary>
    private static void CheckFallbackCompiles(CaseResult result, CSharpCompilation compilation, SyntaxTree input, ImmutableArray<SyntaxTree> generated)
    {
        var errors = compilation.AddSyntaxTrees(generated).GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree is { } tree && tree != input)
            .ToList();
        if (errors.Count > 0)
        {
            result.Failures.Add(new("broken-fallback", result.Case.Name, string.Join(" | ", errors.Take(3).Select(d => d.Id + " " + d.GetMessage(CultureInfo.InvariantCulture)))));
        }
    }

    /// <summary>Fails the case if its generated code does not compile (errors in a generated file, or new errors in the user's file).</summary>
    private static void CheckOutputCompiles(CaseResult result, CSharpCompilation compilation, SyntaxTree input, ImmutableArray<SyntaxTree> generated)
    {
        var errors = compilation.AddSyntaxTrees(generated).GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        bool inGenerated = errors.Any(d => d.Location.SourceTree is { } tree && tree != input);
        if (inGenerated || (errors.Count > 0 && errors.Count > compilation.GetDiagnostics().Count(d => d.Severity == DiagnosticSeverity.Error)))
        {
            result.Failures.Add(new("non-compiling-without-error", result.Case.Name, string.Join(" | ", errors.Take(3).Select(d => d.Id + " " + d.GetMessage(CultureInfo.InvariantCulture)))));
        }
    }

    /// <summary>
    /// A fixed set of worker threads, one per core, each with the stack size asked for, taking the next
    /// index until none is left (a thread per case would pay for starting a thousand threads).
    /// </summary>
    private static class Workers
    {
        public static void Run(int count, int stack, Action<int> work)
        {
            int next = -1;
            var errors = new ConcurrentQueue<Exception>();
            var threads = Enumerable.Range(0, Math.Max(1, Environment.ProcessorCount)).Select(_ => new Thread(() =>
            {
                try
                {
                    for (int index = Interlocked.Increment(ref next); index < count; index = Interlocked.Increment(ref next))
                    {
                        work(index);
                    }
                }
                catch (Exception exception)
                {
                    errors.Enqueue(exception);
                }
            }, stack)).ToList();
            threads.ForEach(thread => thread.Start());
            threads.ForEach(thread => thread.Join());
            if (!errors.IsEmpty)
            {
                throw new AggregateException(errors);
            }
        }
    }
}
