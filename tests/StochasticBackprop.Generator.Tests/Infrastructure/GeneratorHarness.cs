using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace StochasticBackprop.Generator.Tests.Infrastructure;

/// <summary>One file a generator added: its hint name (always ending in <c>.cs</c>) and its text.</summary>
public sealed record GeneratedFile(string HintName, string Text);

/// <summary>
/// Everything one generator run produced. Built by <see cref="GeneratorHarness.Run(CSharpCompilation)"/>.
/// </summary>
/// <param name="InputCompilation">The compilation the generator ran on.</param>
/// <param name="Driver">The driver after the run; run it again to test incrementality.</param>
/// <param name="RunResult">The driver's result, with tracked steps.</param>
/// <param name="GeneratedSources">The generated files, sorted by hint name (ordinal).</param>
/// <param name="GeneratorDiagnostics">Diagnostics the generator reported (not the compiler's).</param>
/// <param name="OutputCompilation">The input compilation plus the generated files.</param>
/// <param name="CreateGenerator">
/// Makes a fresh instance of the generator that ran, so <see cref="Snapshot"/> can rerun it with a
/// fresh driver and check that the output is deterministic.
/// </param>
public sealed record GeneratorRun(
    CSharpCompilation InputCompilation,
    GeneratorDriver Driver,
    GeneratorDriverRunResult RunResult,
    ImmutableArray<GeneratedFile> GeneratedSources,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    Compilation OutputCompilation,
    Func<IIncrementalGenerator> CreateGenerator)
{
    // Binding the whole output compilation costs far more than the run itself, and snapshot and
    // incrementality tests never look at it, so it is computed on first use.
    private readonly Lazy<ImmutableArray<Diagnostic>> outputDiagnostics =
        new(() => OutputCompilation.GetDiagnostics());

    /// <summary>The compiler's diagnostics for <see cref="OutputCompilation"/>, computed on first use.</summary>
    public ImmutableArray<Diagnostic> OutputDiagnostics => outputDiagnostics.Value;
}

/// <summary>
/// The second of two runs of the same driver (see <see cref="GeneratorHarness.RunTwice(CSharpCompilation, Func{CSharpCompilation, CSharpCompilation})"/>).
/// </summary>
/// <param name="FirstRun">The result of the run on the original compilation.</param>
/// <param name="SecondRun">The result of the run, on the same driver, on the edited compilation.</param>
/// <param name="EditedCompilation">The compilation the second run saw.</param>
public sealed record IncrementalCheck(
    GeneratorDriverRunResult FirstRun,
    GeneratorDriverRunResult SecondRun,
    CSharpCompilation EditedCompilation)
{
    /// <summary>The second run's steps, keyed by tracking name (<c>WithTrackingName</c>).</summary>
    public IReadOnlyDictionary<string, ImmutableArray<IncrementalGeneratorRunStep>> TrackedSteps =>
        SecondRun.Results[0].TrackedSteps;

    /// <summary>The second run's output steps (<c>RegisterSourceOutput</c> and the like), keyed by output kind.</summary>
    public IReadOnlyDictionary<string, ImmutableArray<IncrementalGeneratorRunStep>> TrackedOutputSteps =>
        SecondRun.Results[0].TrackedOutputSteps;
}

/// <summary>
/// Runs <see cref="DistributionGenerator"/> on in-memory source and checks the things every
/// generator test needs: that it did not throw, that its output compiles cleanly, that its
/// steps are cached across edits, and that its models hold no Roslyn objects.
/// </summary>
public static class GeneratorHarness
{
    /// <summary>Parse options for test sources: the latest language version, as the repo builds with.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    /// <summary>
    /// A library compilation of <paramref name="sources"/> (files <c>Source0.cs</c>, <c>Source1.cs</c>, …)
    /// referencing the running .NET platform, StochasticBackprop.Runtime and TorchSharp, with
    /// nullable reference types enabled.
    /// </summary>
    public static CSharpCompilation CreateCompilation(params string[] sources)
    {
        var trees = sources.Select((source, index) =>
            CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Source{index}.cs", encoding: Encoding.UTF8));

        var options = new CSharpCompilationOptions(
            OutputKind.DynamicallyLinkedLibrary,
            nullableContextOptions: NullableContextOptions.Enable,
            // Every warning wave: a user who opts into them must not get warnings from generated code.
            warningLevel: 9999,
            // The SDK suppresses these assembly-unification notices by default; the test host's
            // platform list mixes package versions, so they would otherwise fail every test.
            specificDiagnosticOptions: new Dictionary<string, ReportDiagnostic>
            {
                ["CS1701"] = ReportDiagnostic.Suppress,
                ["CS1702"] = ReportDiagnostic.Suppress,
            });

        return CSharpCompilation.Create("TestAssembly", trees, References.Value, options);
    }

    /// <summary>
    /// Adds one more source file to <paramref name="compilation"/>, parsed with the same options;
    /// the usual "unrelated edit" for <see cref="RunTwice(CSharpCompilation, Func{CSharpCompilation, CSharpCompilation})"/>.
    /// </summary>
    public static CSharpCompilation AddSource(CSharpCompilation compilation, string source) =>
        compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            source, ParseOptions, path: $"Source{compilation.SyntaxTrees.Count()}.cs", encoding: Encoding.UTF8));

    /// <summary>Runs <see cref="DistributionGenerator"/> once on <paramref name="compilation"/> with step tracking on.</summary>
    public static GeneratorRun Run(CSharpCompilation compilation) =>
        Run(compilation, static () => new DistributionGenerator());

    /// <summary>Runs the generator <paramref name="createGenerator"/> makes; lets the infrastructure tests use small fakes.</summary>
    internal static GeneratorRun Run(CSharpCompilation compilation, Func<IIncrementalGenerator> createGenerator)
    {
        var driver = CreateDriver(compilation, createGenerator())
            .RunGeneratorsAndUpdateCompilation(compilation, out var outputCompilation, out var generatorDiagnostics);
        var runResult = driver.GetRunResult();

        var generated = runResult.Results
            .SelectMany(result => result.GeneratedSources)
            .Select(source => new GeneratedFile(source.HintName, source.SourceText.ToString()))
            .OrderBy(file => file.HintName, StringComparer.Ordinal)
            .ToImmutableArray();

        return new GeneratorRun(
            compilation, driver, runResult, generated, generatorDiagnostics, outputCompilation, createGenerator);
    }

    /// <summary>
    /// Runs <see cref="DistributionGenerator"/> on <paramref name="compilation"/>, applies
    /// <paramref name="edit"/> (for example <c>c =&gt; c.Clone()</c> or <see cref="AddSource"/>), and runs
    /// the same driver again, so the second run's steps show what the driver could reuse.
    /// </summary>
    public static IncrementalCheck RunTwice(CSharpCompilation compilation, Func<CSharpCompilation, CSharpCompilation> edit) =>
        RunTwice(compilation, edit, static () => new DistributionGenerator());

    /// <inheritdoc cref="RunTwice(CSharpCompilation, Func{CSharpCompilation, CSharpCompilation})"/>
    internal static IncrementalCheck RunTwice(
        CSharpCompilation compilation,
        Func<CSharpCompilation, CSharpCompilation> edit,
        Func<IIncrementalGenerator> createGenerator)
    {
        var driver = CreateDriver(compilation, createGenerator()).RunGenerators(compilation);
        var firstRun = driver.GetRunResult();

        var edited = edit(compilation);
        // The driver is immutable: the run's state lives in the returned driver, which must be the one rerun.
        var secondRun = driver.RunGenerators(edited).GetRunResult();
        return new IncrementalCheck(firstRun, secondRun, edited);
    }

    /// <summary>Fails if the generator threw, listing each exception.</summary>
    public static void AssertNoGeneratorExceptions(GeneratorRun run)
    {
        // The driver turns a throw into a CS8784/CS8785 warning and records the exception on the result.
        var failures = run.RunResult.Results
            .Where(result => result.Exception is not null)
            .Select(result => $"{result.Generator.GetGeneratorType().Name} threw {result.Exception}")
            .ToList();

        if (failures.Count > 0)
        {
            Assert.Fail("The generator threw:" + Environment.NewLine + string.Join(Environment.NewLine, failures));
        }
    }

    /// <summary>
    /// Fails unless the input plus the generated code compiles with no errors and no warnings,
    /// listing every such diagnostic with its file, position and source line.
    /// </summary>
    public static void AssertOutputCompiles(GeneratorRun run)
    {
        AssertNoGeneratorExceptions(run);

        var problems = run.OutputDiagnostics
            .Where(diagnostic => diagnostic.Severity >= DiagnosticSeverity.Warning)
            .OrderBy(diagnostic => diagnostic.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(diagnostic => diagnostic.Location.SourceSpan.Start)
            .ThenBy(diagnostic => diagnostic.Id, StringComparer.Ordinal)
            .ToList();

        if (problems.Count == 0)
        {
            return;
        }

        var message = new StringBuilder();
        message.Append(CultureInfo.InvariantCulture,
            $"The output compilation has {problems.Count} error(s)/warning(s); generated code must compile with none:");
        foreach (var diagnostic in problems)
        {
            message.AppendLine().Append(DescribeWithSourceLine(diagnostic));
        }

        Assert.Fail(message.ToString());
    }

    /// <summary>
    /// Fails unless every output of every step named in <paramref name="trackingNames"/> was
    /// <see cref="IncrementalStepRunReason.Cached"/> or <see cref="IncrementalStepRunReason.Unchanged"/>
    /// in the second run, listing each step's reasons. A name that did not run fails too, so a typo
    /// cannot pass unnoticed.
    /// </summary>
    public static void AssertStepsCachedOrUnchanged(IncrementalCheck check, params string[] trackingNames)
    {
        if (trackingNames.Length == 0)
        {
            Assert.Fail("Name at least one tracked step to check.");
        }

        var report = new StringBuilder();
        var failed = false;
        foreach (var name in trackingNames)
        {
            if (!TryGetSteps(check.TrackedSteps, check.TrackedOutputSteps, name, out var steps))
            {
                failed = true;
                report.AppendLine(CultureInfo.InvariantCulture,
                    $"  {name}: no such step ran; known steps: {string.Join(", ", check.TrackedSteps.Keys.Concat(check.TrackedOutputSteps.Keys).OrderBy(key => key, StringComparer.Ordinal))}");
                continue;
            }

            for (var index = 0; index < steps.Length; index++)
            {
                var reasons = steps[index].Outputs.Select(output => output.Reason).ToList();
                var ok = reasons.All(reason => reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
                failed |= !ok;
                report.AppendLine(CultureInfo.InvariantCulture,
                    $"  {(ok ? "  " : "✗ ")}{name}[{index}]: {(reasons.Count == 0 ? "(no outputs)" : string.Join(", ", reasons))}");
            }
        }

        if (failed)
        {
            Assert.Fail("Expected every output of these steps to be Cached or Unchanged on the second run:"
                + Environment.NewLine + report.ToString().TrimEnd());
        }
    }

    /// <summary>
    /// Fails if an output value of a step named in <paramref name="trackingNames"/> holds, anywhere
    /// in its object graph, a symbol, syntax node/token/trivia, syntax tree, compilation, semantic
    /// model, operation, attribute data or location: a cached model must be plain equatable data,
    /// or the driver keeps whole compilations alive and never finds it unchanged.
    /// </summary>
    public static void AssertNoRoslynObjectsInStepOutputs(GeneratorDriverRunResult result, params string[] trackingNames)
    {
        if (trackingNames.Length == 0)
        {
            Assert.Fail("Name at least one tracked step to check.");
        }

        var problems = new List<string>();
        foreach (var name in trackingNames)
        {
            var found = false;
            foreach (var generatorResult in result.Results)
            {
                if (!TryGetSteps(generatorResult.TrackedSteps, generatorResult.TrackedOutputSteps, name, out var steps))
                {
                    continue;
                }

                found = true;
                for (var stepIndex = 0; stepIndex < steps.Length; stepIndex++)
                {
                    var outputs = steps[stepIndex].Outputs;
                    for (var outputIndex = 0; outputIndex < outputs.Length; outputIndex++)
                    {
                        ModelGraphWalker.FindRoslynObjects(
                            outputs[outputIndex].Value, $"{name}[{stepIndex}].Outputs[{outputIndex}]", problems);
                    }
                }
            }

            if (!found)
            {
                problems.Add($"{name}: no such step ran");
            }
        }

        if (problems.Count > 0)
        {
            Assert.Fail("Step outputs must be plain data, but these hold Roslyn objects:"
                + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(problem => "  " + problem)));
        }
    }

    private static GeneratorDriver CreateDriver(CSharpCompilation compilation, IIncrementalGenerator generator) =>
        CSharpGeneratorDriver.Create(
            new[] { generator.AsSourceGenerator() },
            // Generated trees must parse with the same language version as the input.
            parseOptions: compilation.SyntaxTrees.FirstOrDefault()?.Options as CSharpParseOptions ?? ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    private static bool TryGetSteps(
        IReadOnlyDictionary<string, ImmutableArray<IncrementalGeneratorRunStep>> trackedSteps,
        IReadOnlyDictionary<string, ImmutableArray<IncrementalGeneratorRunStep>> trackedOutputSteps,
        string name,
        out ImmutableArray<IncrementalGeneratorRunStep> steps) =>
        trackedSteps.TryGetValue(name, out steps) || trackedOutputSteps.TryGetValue(name, out steps);

    private static string DescribeWithSourceLine(Diagnostic diagnostic)
    {
        var description = diagnostic.ToString();
        var tree = diagnostic.Location.SourceTree;
        if (tree is null)
        {
            return "  " + description;
        }

        var line = diagnostic.Location.GetLineSpan().StartLinePosition.Line;
        return $"  {description}{Environment.NewLine}      > {tree.GetText().Lines[line].ToString().Trim()}";
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        // The named assemblies come first so they win over any same-named copy in the platform list
        // (the test host lists the test's own dependencies there too); two references with one
        // identity would be an error.
        var named = new[] { typeof(DistributionAttribute).Assembly.Location, typeof(TorchSharp.torch).Assembly.Location };
        var platform = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return named.Concat(platform)
            // A user's project does not reference the generator (nor these tests): its namespace
            // StochasticBackprop.Generator would hide TorchSharp's Generator from code in StochasticBackprop.*.
            .Where(path => !Path.GetFileName(path).StartsWith("StochasticBackprop.Generator", StringComparison.OrdinalIgnoreCase)
                && !Path.GetFileName(path).StartsWith("StochasticBackprop.CodeFixes", StringComparison.OrdinalIgnoreCase))
            .Where(path => seen.Add(Path.GetFileNameWithoutExtension(path)))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    }
}
