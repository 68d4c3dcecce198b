using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using StochasticBackprop.Generator.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace StochasticBackprop.Generator.Tests.Fuzz;

/// <summary>
/// Runs the generator on every declaration of <see cref="FuzzCorpus"/>, each on a thread with a
/// 1 MB stack (a compiler or IDE thread's size), and requires: no exception, no SBG999, every
/// diagnostic located in the source, no generated code that fails to compile unless an error
/// diagnostic says why, and every case under a second. <c>SBG_FUZZ_MUTATIONS</c> sets the
/// mutations per sample (default 140: 2,344 cases in all).
/// </summary>
public sealed class GeneratorFuzzTests(ITestOutputHelper output)
{
    private const int StackSize = 1 << 20;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);
    private static readonly ConcurrentDictionary<string, TimeSpan> Timings = new();
    private static long generatorTicks;
    private static int distinctCompiled;
    private static readonly Lazy<Microsoft.CodeAnalysis.CSharp.CSharpCompilation> EmptyCompilation = new(() =>
    {
        // Bind the references and warm the generator up once, so no case pays for it.
        var empty = GeneratorHarness.CreateCompilation();
        _ = GeneratorHarness.Run(GeneratorHarness.AddSource(empty, Generation.SampleSources.ChiSquared)).OutputDiagnostics;
        return empty;
    });

    [Fact]
    public void Corpus_NeverCrashes_AlwaysLocates_NeverEmitsBrokenCodeSilently()
    {
        int mutations = int.TryParse(Environment.GetEnvironmentVariable("SBG_FUZZ_MUTATIONS"), out int m) ? m : 140;
        int stack = int.TryParse(Environment.GetEnvironmentVariable("SBG_FUZZ_STACK"), out int s) ? s : StackSize;
        // SBG_FUZZ_SKIP: comma-separated name prefixes to leave out (for measuring an old generator
        // that would exhaust the machine's memory on some cases).
        var skip = (Environment.GetEnvironmentVariable("SBG_FUZZ_SKIP") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var cases = FuzzCorpus.Cases(mutations)
            .Where(c => !skip.Any(prefix => c.Name.StartsWith(prefix, StringComparison.Ordinal)))
            .ToList();
        Assert.True(cases.Count >= 2000 || mutations < 140, $"the corpus has only {cases.Count} cases");

        var failures = new ConcurrentBag<(string Kind, string Case, string Detail)>();
        var total = Stopwatch.StartNew();
        Parallel.ForEach(cases, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount) }, fuzzCase =>
        {
            foreach (var failure in RunOnSmallStack(fuzzCase, stack))
            {
                failures.Add(failure);
            }
        });
        var compileClock = Stopwatch.StartNew();
        var compileFailures = new List<(string, string, string)>();
        CheckOutputsCompile(compileFailures);
        foreach (var failure in compileFailures)
        {
            failures.Add(failure);
        }
        compileClock.Stop();
        total.Stop();

        var byKind = failures.GroupBy(f => f.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var report = new StringBuilder();
        report.Append(CultureInfo.InvariantCulture, $"{cases.Count} cases in {total.Elapsed.TotalSeconds:F1} s; ");
        foreach (string kind in new[] { "exception", "SBG999", "unlocated", "non-compiling-without-error", "slow" })
        {
            report.Append(CultureInfo.InvariantCulture, $"{kind}: {failures.Where(f => f.Kind == kind).Select(f => f.Case).Distinct().Count()}; ");
        }
        foreach (var group in byKind)
        {
            foreach (var failure in group.OrderBy(f => f.Case, StringComparer.Ordinal).Take(40))
            {
                report.AppendLine().Append(CultureInfo.InvariantCulture, $"  {failure.Kind} {Shorten(failure.Case)}: {Shorten(failure.Detail)}");
            }
        }
        report.AppendLine().Append(CultureInfo.InvariantCulture,
            $"generator {TimeSpan.FromTicks(generatorTicks).TotalSeconds:F1} s over all cases; output of {ToCompile.Count} cases ({distinctCompiled} distinct) compiled in {compileClock.Elapsed.TotalSeconds:F1} s");
        report.AppendLine().Append("slowest:");
        foreach (var timing in Timings.OrderByDescending(t => t.Value).Take(8))
        {
            report.Append(CultureInfo.InvariantCulture, $" {Shorten(timing.Key)} {timing.Value.TotalSeconds:F2} s;");
        }
        output.WriteLine(report.ToString());
        if (Environment.GetEnvironmentVariable("SBG_FUZZ_REPORT") is { Length: > 0 } path)
        {
            File.WriteAllText(path, report.ToString());
        }
        Assert.True(failures.IsEmpty, report.ToString());
    }

    private static string Shorten(string text) => text.Length > 300 ? text.Substring(0, 300) + "…" : text;

    private static List<(string, string, string)> RunOnSmallStack(FuzzCase fuzzCase, int stack)
    {
        var found = new List<(string, string, string)>();
        var thread = new Thread(() =>
        {
            try
            {
                Check(fuzzCase, found);
            }
            catch (Exception exception)
            {
                found.Add(("exception", fuzzCase.Name, "harness: " + exception.GetType().Name + ": " + exception.Message));
            }
        }, stack);
        thread.Start();
        thread.Join();
        return found;
    }

    private static void Check(FuzzCase fuzzCase, List<(string, string, string)> found)
    {
        // Derived from one empty compilation, every case shares its bound references.
        var compilation = GeneratorHarness.AddSource(EmptyCompilation.Value, fuzzCase.Source);
        var clock = Stopwatch.StartNew();
        var run = GeneratorHarness.Run(compilation);
        clock.Stop();
        if (clock.Elapsed > Budget)
        {
            found.Add(("slow", fuzzCase.Name, $"{clock.Elapsed.TotalSeconds:F2} s"));
        }
        Timings[fuzzCase.Name] = clock.Elapsed;
        Interlocked.Add(ref generatorTicks, clock.Elapsed.Ticks);
        foreach (var result in run.RunResult.Results.Where(r => r.Exception is not null))
        {
            found.Add(("exception", fuzzCase.Name, result.Exception!.GetType().Name + ": " + result.Exception.Message));
        }
        var diagnostics = run.RunResult.Diagnostics;
        foreach (var diagnostic in diagnostics)
        {
            if (diagnostic.Id == "SBG999")
            {
                found.Add(("SBG999", fuzzCase.Name, diagnostic.GetMessage(CultureInfo.InvariantCulture)));
            }
            if (diagnostic.Id.StartsWith("SBG", StringComparison.Ordinal) && !diagnostic.Location.IsInSource)
            {
                found.Add(("unlocated", fuzzCase.Name, diagnostic.ToString()));
            }
        }
        if (diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error) || run.GeneratedSources.IsEmpty)
        {
            return;
        }
        // The output is compiled after every generator run, so the timings above are the generator's alone.
        ToCompile.Add((fuzzCase.Name, compilation.SyntaxTrees.Single(), run.OutputCompilation.SyntaxTrees.Except(compilation.SyntaxTrees).ToArray()));
    }

    private static readonly ConcurrentBag<(string Case, SyntaxTree Input, SyntaxTree[] Generated)> ToCompile = new();

    /// <summary>Every case whose generated code does not compile (errors in a generated file, or new errors in the user's file).</summary>
    private static void CheckOutputsCompile(List<(string, string, string)> found)
    {
        var broken = new ConcurrentBag<(string, string, string)>();
        // Cases that differ only where the generator does not look (a mutation that changed nothing
        // it reads) compile alike: one of each is enough.
        var distinct = ToCompile
            .GroupBy(item => item.Input.ToString() + "\0" + string.Join("\0", item.Generated.Select(tree => tree.ToString())), StringComparer.Ordinal)
            .Select(group => group.OrderBy(item => item.Case, StringComparer.Ordinal).First())
            .ToList();
        Interlocked.Exchange(ref distinctCompiled, distinct.Count);
        Parallel.ForEach(distinct, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount) }, item =>
        {
            var input = EmptyCompilation.Value.AddSyntaxTrees(item.Input);
            var errors = input.AddSyntaxTrees(item.Generated).GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            bool inGenerated = errors.Any(d => d.Location.SourceTree is { } tree && tree != item.Input);
            if (inGenerated || (errors.Count > 0 && errors.Count > input.GetDiagnostics().Count(d => d.Severity == DiagnosticSeverity.Error)))
            {
                broken.Add(("non-compiling-without-error", item.Case, string.Join(" | ", errors.Take(3).Select(d => d.Id + " " + d.GetMessage(CultureInfo.InvariantCulture)))));
            }
        });
        found.AddRange(broken);
    }
}
