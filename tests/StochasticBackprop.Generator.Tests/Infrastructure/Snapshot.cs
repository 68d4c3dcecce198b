using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Xunit;

namespace StochasticBackprop.Generator.Tests.Infrastructure;

/// <summary>
/// Snapshot testing of generator output, standing in for the Verify package (which cannot be
/// restored here). Snapshots live in a <c>Snapshots/</c> folder beside the calling test file:
/// <list type="bullet">
/// <item><c>{Class}.{Method}#{HintName minus ".cs"}.verified.cs</c>, one per generated file, starting
/// with a line <c>//HintName: {HintName}</c> (the same naming as Verify.SourceGenerators, so
/// <c>Ns.Type.g.cs</c> becomes <c>…#Ns.Type.g.verified.cs</c>);</item>
/// <item><c>{Class}.{Method}.diagnostics.verified.txt</c> when the generator reported diagnostics;</item>
/// <item><c>{Class}.{Method}.{name}.verified.txt</c> for <see cref="VerifyText"/>.</item>
/// </list>
/// <c>{Class}</c> is the test file's name, so keep one test class per file, named as the file.
/// On a mismatch a <c>.received.*</c> file is written beside the verified one and the test fails
/// with the first differing lines. Setting <c>STOCHASTICBACKPROP_ACCEPT_SNAPSHOTS=1</c> accepts
/// the new output instead, except when <c>CI=true</c>.
/// </summary>
public static partial class Snapshot
{
    /// <summary>Set to <c>1</c> to overwrite verified snapshots with the current output (ignored when <c>CI=true</c>).</summary>
    public const string AcceptVariable = "STOCHASTICBACKPROP_ACCEPT_SNAPSHOTS";

    /// <summary>The folder, beside the test source file, that holds its snapshots.</summary>
    public const string FolderName = "Snapshots";

    /// <summary>Written in place of the generator's version in <c>[GeneratedCode]</c>, so a version bump changes no snapshot.</summary>
    public const string VersionPlaceholder = "VERSION";

    private const int MaxDifferencesShown = 10;

    /// <summary>
    /// Checks every generated file and the generator's diagnostics of <paramref name="run"/> against
    /// the verified snapshots of the calling test. Also fails if the generator threw, if a rerun
    /// with a fresh driver gives different text, or if a snapshot of this test names a file the
    /// generator no longer produces.
    /// </summary>
    /// <param name="run">The generator run.</param>
    /// <param name="includeHint">Which generated files to snapshot (by hint name); null for all. A test whose
    /// compilation needs another declaration's output (a composite's building block) leaves that file to
    /// its own snapshot.</param>
    /// <param name="sourceFile">The calling test's file (filled in by the compiler).</param>
    /// <param name="method">The snapshot's name (by default the calling test method).</param>
    public static void Verify(GeneratorRun run, Func<string, bool>? includeHint = null, [CallerFilePath] string sourceFile = "", [CallerMemberName] string method = "") =>
        Verify(run, SnapshotLocation.Beside(sourceFile, method), Environment.GetEnvironmentVariable, includeHint);

    /// <summary>
    /// Checks <paramref name="text"/> against <c>{Class}.{Method}.{name}.verified.txt</c>, for tests
    /// whose result is plain text (for example <see cref="FormatDiagnostics"/> of a run).
    /// </summary>
    public static void VerifyText(string name, string text, [CallerFilePath] string sourceFile = "", [CallerMemberName] string method = "") =>
        VerifyText(name, text, SnapshotLocation.Beside(sourceFile, method), Environment.GetEnvironmentVariable);

    /// <summary>
    /// One line per diagnostic, <c>ID Severity (line,col)-(line,col): message</c> with 1-based
    /// positions, sorted by location then ID. When the diagnostics span several files each
    /// position is prefixed with its file name: <c>ID Severity Source1.cs(line,col)-(line,col): …</c>.
    /// </summary>
    public static string FormatDiagnostics(IEnumerable<Diagnostic> diagnostics)
    {
        var located = diagnostics
            .Select(diagnostic => (Diagnostic: diagnostic, Span: diagnostic.Location.GetLineSpan()))
            .OrderBy(item => item.Span.Path ?? "", StringComparer.Ordinal)
            .ThenBy(item => item.Span.StartLinePosition)
            .ThenBy(item => item.Span.EndLinePosition)
            .ThenBy(item => item.Diagnostic.Id, StringComparer.Ordinal)
            .ThenBy(item => item.Diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparer.Ordinal)
            .ToList();
        var showFile = located.Select(item => item.Span.Path ?? "").Distinct(StringComparer.Ordinal).Count() > 1;

        var text = new StringBuilder();
        foreach (var (diagnostic, span) in located)
        {
            var position = span.IsValid
                ? string.Create(CultureInfo.InvariantCulture,
                    $"{(showFile ? Path.GetFileName(span.Path) : "")}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})-({span.EndLinePosition.Line + 1},{span.EndLinePosition.Character + 1})")
                : "(no location)";
            text.Append(CultureInfo.InvariantCulture,
                $"{diagnostic.Id} {diagnostic.Severity} {position}: {diagnostic.GetMessage(CultureInfo.InvariantCulture)}\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// What a snapshot stores: no byte-order mark, <c>\n</c> line endings, and the generator's
    /// version in <c>[GeneratedCode("StochasticBackprop.Generator", "…")]</c> replaced by <see cref="VersionPlaceholder"/>.
    /// </summary>
    public static string Normalize(string text)
    {
        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }

        text = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        return GeneratedCodeVersion().Replace(text, "${prefix}\"" + VersionPlaceholder + "\"");
    }

    /// <summary>The testable core of <see cref="Verify(GeneratorRun, string, string)"/>: explicit folder and environment.</summary>
    internal static void Verify(GeneratorRun run, SnapshotLocation location, Func<string, string?> environment, Func<string, bool>? includeHint = null)
    {
        GeneratorHarness.AssertNoGeneratorExceptions(run);
        AssertDeterministic(run);

        var expected = run.GeneratedSources
            .Where(file => includeHint?.Invoke(file.HintName) ?? true)
            .Select(file => new SnapshotFile(
                $"{location.Prefix}#{HintStem(file.HintName)}", "cs", $"//HintName: {file.HintName}\n{Normalize(file.Text)}"))
            .ToList();
        if (run.GeneratorDiagnostics.Length > 0)
        {
            expected.Add(new SnapshotFile(DiagnosticsStem(location), "txt", FormatDiagnostics(run.GeneratorDiagnostics)));
        }

        if (expected.Count == 0)
        {
            Assert.Fail("The generator produced no files and no diagnostics, so there is nothing to snapshot; "
                + "assert that directly (Assert.Empty(run.GeneratedSources)) instead.");
        }

        var mode = SnapshotMode.From(environment);
        var problems = new List<string>();
        foreach (var file in expected)
        {
            Compare(location.Directory, file, mode, problems);
        }

        RemoveOrReportStale(location, expected, mode, problems);
        FailIfAny(problems, mode);
    }

    /// <summary>The testable core of <see cref="VerifyText(string, string, string, string)"/>.</summary>
    internal static void VerifyText(string name, string text, SnapshotLocation location, Func<string, string?> environment)
    {
        var mode = SnapshotMode.From(environment);
        var problems = new List<string>();
        Compare(location.Directory, new SnapshotFile($"{location.Prefix}.{name}", "txt", Normalize(text)), mode, problems);
        FailIfAny(problems, mode);
    }

    /// <summary>
    /// Describes, by 1-based line number, up to ten lines where <paramref name="actual"/> differs
    /// from <paramref name="expected"/>. Lines are compared position by position: the first
    /// difference is exact, later ones may just be the shift an insertion causes.
    /// </summary>
    internal static string DescribeDifferences(string expected, string actual)
    {
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        var text = new StringBuilder();
        var shown = 0;
        for (var index = 0; index < Math.Max(expectedLines.Length, actualLines.Length); index++)
        {
            var expectedLine = index < expectedLines.Length ? expectedLines[index] : null;
            var actualLine = index < actualLines.Length ? actualLines[index] : null;
            if (expectedLine == actualLine)
            {
                continue;
            }

            if (shown++ == MaxDifferencesShown)
            {
                text.Append("  … and more");
                break;
            }

            text.Append(CultureInfo.InvariantCulture, $"  line {index + 1}:\n")
                .Append(CultureInfo.InvariantCulture, $"    expected: {expectedLine ?? "<end of file>"}\n")
                .Append(CultureInfo.InvariantCulture, $"    actual:   {actualLine ?? "<end of file>"}\n");
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>A generator must give identical text for an identical compilation, or snapshots flicker.</summary>
    private static void AssertDeterministic(GeneratorRun run)
    {
        var rerun = GeneratorHarness.Run(run.InputCompilation, run.CreateGenerator);

        var firstHints = run.GeneratedSources.Select(file => file.HintName).ToList();
        var secondHints = rerun.GeneratedSources.Select(file => file.HintName).ToList();
        if (!firstHints.SequenceEqual(secondHints, StringComparer.Ordinal))
        {
            Assert.Fail("The generator is not deterministic: two runs on the same compilation produced different files: "
                + $"[{string.Join(", ", firstHints)}] then [{string.Join(", ", secondHints)}].");
        }

        foreach (var (first, second) in run.GeneratedSources.Zip(rerun.GeneratedSources))
        {
            if (!string.Equals(first.Text, second.Text, StringComparison.Ordinal))
            {
                Assert.Fail($"The generator is not deterministic: {first.HintName} differed between two runs on the same compilation:\n"
                    + DescribeDifferences(first.Text, second.Text));
            }
        }

        var firstDiagnostics = FormatDiagnostics(run.GeneratorDiagnostics);
        var secondDiagnostics = FormatDiagnostics(rerun.GeneratorDiagnostics);
        if (!string.Equals(firstDiagnostics, secondDiagnostics, StringComparison.Ordinal))
        {
            Assert.Fail("The generator is not deterministic: its diagnostics differed between two runs on the same compilation:\n"
                + DescribeDifferences(firstDiagnostics, secondDiagnostics));
        }
    }

    private static void Compare(string directory, SnapshotFile file, SnapshotMode mode, List<string> problems)
    {
        var verifiedPath = Path.Combine(directory, file.VerifiedName);
        var receivedPath = Path.Combine(directory, file.ReceivedName);
        var verified = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;

        if (string.Equals(verified, file.Content, StringComparison.Ordinal))
        {
            File.Delete(receivedPath);
            return;
        }

        if (mode.Accept)
        {
            Write(verifiedPath, file.Content);
            File.Delete(receivedPath);
            return;
        }

        Write(receivedPath, file.Content);
        problems.Add(verified is null
            ? $"{file.VerifiedName}: no verified snapshot yet; wrote {file.ReceivedName}."
            : $"{file.VerifiedName}: the output differs; wrote {file.ReceivedName}.\n{DescribeDifferences(verified, file.Content)}");
    }

    /// <summary>
    /// A verified snapshot of this test that the run no longer produces (a renamed hint, diagnostics
    /// that went away) would otherwise linger and mislead.
    /// </summary>
    private static void RemoveOrReportStale(SnapshotLocation location, List<SnapshotFile> expected, SnapshotMode mode, List<string> problems)
    {
        if (!Directory.Exists(location.Directory))
        {
            return;
        }

        var expectedNames = expected.Select(file => file.VerifiedName).ToHashSet(StringComparer.Ordinal);
        var generatedPrefix = location.Prefix + "#";
        var diagnosticsName = new SnapshotFile(DiagnosticsStem(location), "txt", "").VerifiedName;

        var stale = Directory.EnumerateFiles(location.Directory)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => (name.StartsWith(generatedPrefix, StringComparison.Ordinal) && name.EndsWith(".verified.cs", StringComparison.Ordinal))
                || name == diagnosticsName)
            .Where(name => !expectedNames.Contains(name))
            .Order(StringComparer.Ordinal);

        foreach (var name in stale)
        {
            if (mode.Accept)
            {
                File.Delete(Path.Combine(location.Directory, name));
            }
            else
            {
                problems.Add($"{name}: stale snapshot; this test no longer produces it. Delete it, or accept to have it deleted.");
            }
        }
    }

    private static void FailIfAny(List<string> problems, SnapshotMode mode)
    {
        if (problems.Count == 0)
        {
            return;
        }

        var advice = mode.AcceptIgnoredOnCi
            ? $"{AcceptVariable} is set but ignored because CI=true: accept snapshots locally and commit them."
            : $"Review the .received files; to accept the new output rerun with {AcceptVariable}=1.";
        Assert.Fail("Snapshot mismatch:\n" + string.Join("\n", problems) + "\n" + advice);
    }

    private static void Write(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // No BOM and \n only, so the file on disk is byte for byte what .gitattributes keeps.
        File.WriteAllText(path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    private static string DiagnosticsStem(SnapshotLocation location) => $"{location.Prefix}.diagnostics";

    /// <summary>The hint name without its <c>.cs</c> suffix, with anything a file name cannot hold on some OS made <c>_</c>.</summary>
    private static string HintStem(string hintName)
    {
        var stem = hintName.EndsWith(".cs", StringComparison.OrdinalIgnoreCase) ? hintName[..^3] : hintName;
        return string.Concat(stem.Select(c => c < ' ' || "<>:\"/\\|?*".Contains(c) ? '_' : c));
    }

    // Verbatim, not raw: the pattern ends in a quote, which a raw literal cannot.
    [GeneratedRegex(@"(?<prefix>GeneratedCode(?:Attribute)?\(\s*""StochasticBackprop\.Generator""\s*,\s*)""[^""]*""")]
    private static partial Regex GeneratedCodeVersion();

    private sealed record SnapshotFile(string Stem, string Extension, string Content)
    {
        public string VerifiedName => $"{Stem}.verified.{Extension}";

        public string ReceivedName => $"{Stem}.received.{Extension}";
    }

    private sealed record SnapshotMode(bool Accept, bool AcceptIgnoredOnCi)
    {
        public static SnapshotMode From(Func<string, string?> environment)
        {
            var requested = environment(AcceptVariable) == "1";
            // Accepting on a build server would turn every regression into a silent pass.
            var onCi = string.Equals(environment("CI"), "true", StringComparison.OrdinalIgnoreCase);
            return new SnapshotMode(requested && !onCi, requested && onCi);
        }
    }
}

/// <summary>Where one test's snapshots live and how their names start (<c>{ClassName}.{Method}</c>).</summary>
internal sealed record SnapshotLocation(string Directory, string ClassName, string Method)
{
    public string Prefix => $"{ClassName}.{Method}";

    /// <summary>The <c>Snapshots/</c> folder beside <paramref name="sourceFile"/>, the class named as the file.</summary>
    public static SnapshotLocation Beside(string sourceFile, string method)
    {
        var sourceDirectory = Path.GetDirectoryName(sourceFile);
        if (string.IsNullOrEmpty(sourceDirectory) || !System.IO.Directory.Exists(sourceDirectory))
        {
            // A PathMap (ContinuousIntegrationBuild=true) rewrites [CallerFilePath] to /_/…, which is nowhere on disk.
            Assert.Fail($"Cannot locate the test source folder from [CallerFilePath] '{sourceFile}'; "
                + "is the test project built with a PathMap (ContinuousIntegrationBuild)?");
        }

        return new SnapshotLocation(
            Path.Combine(sourceDirectory, Snapshot.FolderName), Path.GetFileNameWithoutExtension(sourceFile), method);
    }
}
