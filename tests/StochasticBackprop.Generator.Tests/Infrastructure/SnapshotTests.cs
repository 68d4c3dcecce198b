using System;
using System.IO;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Sdk;

namespace StochasticBackprop.Generator.Tests.Infrastructure;

/// <summary>
/// The snapshot helper's own behaviour, run against a fresh temporary folder and a fake
/// environment so that neither the repo's snapshots nor the real CI variable matter.
/// </summary>
public sealed class SnapshotTests : IDisposable
{
    private const string Hint = "Fake.g.cs";
    private const string VerifiedName = "Fake.Method#Fake.g.verified.cs";
    private const string ReceivedName = "Fake.Method#Fake.g.received.cs";

    private static readonly Func<string, string?> NoVariables = _ => null;
    private static readonly Func<string, string?> Accepting = name => name == Snapshot.AcceptVariable ? "1" : null;
    private static readonly Func<string, string?> AcceptingOnCi = name => name switch
    {
        Snapshot.AcceptVariable => "1",
        "CI" => "true",
        _ => null,
    };

    private readonly string directory = Directory.CreateTempSubdirectory("sb-snapshot-tests-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private SnapshotLocation Location => new(directory, "Fake", "Method");

    private string VerifiedPath => Path.Combine(directory, VerifiedName);

    private string ReceivedPath => Path.Combine(directory, ReceivedName);

    [Fact]
    public void Verify_OutputEqualToVerifiedSnapshot_PassesAndLeavesNoReceivedFile()
    {
        File.WriteAllText(VerifiedPath, "//HintName: Fake.g.cs\n// hello\n");
        File.WriteAllText(ReceivedPath, "left over from an earlier failure");

        Snapshot.Verify(RunFake("// hello\n"), Location, NoVariables);

        Assert.False(File.Exists(ReceivedPath));
    }

    [Fact]
    public void Verify_OutputDiffers_FailsNamingFirstDifferingLineAndWritesReceived()
    {
        File.WriteAllText(VerifiedPath, "//HintName: Fake.g.cs\nline a\nline b\nline c\n");

        var failure = Assert.ThrowsAny<XunitException>(() =>
            Snapshot.Verify(RunFake("line a\nline B\nline c\n"), Location, NoVariables));

        Assert.Contains(VerifiedName, failure.Message, StringComparison.Ordinal);
        // Line 1 is the //HintName header, so the second source line is line 3 of the snapshot.
        Assert.Contains("line 3:\n    expected: line b\n    actual:   line B", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("line 2:", failure.Message, StringComparison.Ordinal);
        Assert.Equal("//HintName: Fake.g.cs\nline a\nline B\nline c\n", File.ReadAllText(ReceivedPath));
        Assert.Equal("//HintName: Fake.g.cs\nline a\nline b\nline c\n", File.ReadAllText(VerifiedPath));
    }

    [Fact]
    public void Verify_AcceptMode_WritesVerifiedRemovesReceivedAndPasses()
    {
        File.WriteAllText(VerifiedPath, "//HintName: Fake.g.cs\nold\n");
        File.WriteAllText(ReceivedPath, "old received");

        Snapshot.Verify(RunFake("new\n"), Location, Accepting);

        Assert.Equal("//HintName: Fake.g.cs\nnew\n", File.ReadAllText(VerifiedPath));
        Assert.False(File.Exists(ReceivedPath));
    }

    [Fact]
    public void Verify_AcceptModeWhenCiIsTrue_IsIgnoredAndFails()
    {
        File.WriteAllText(VerifiedPath, "//HintName: Fake.g.cs\nold\n");

        var failure = Assert.ThrowsAny<XunitException>(() => Snapshot.Verify(RunFake("new\n"), Location, AcceptingOnCi));

        Assert.Contains("ignored because CI=true", failure.Message, StringComparison.Ordinal);
        Assert.Equal("//HintName: Fake.g.cs\nold\n", File.ReadAllText(VerifiedPath));
        Assert.True(File.Exists(ReceivedPath));
    }

    [Fact]
    public void Verify_MissingVerifiedSnapshot_FailsAndWritesReceived()
    {
        var failure = Assert.ThrowsAny<XunitException>(() => Snapshot.Verify(RunFake("// new\n"), Location, NoVariables));

        Assert.Contains($"{VerifiedName}: no verified snapshot yet", failure.Message, StringComparison.Ordinal);
        Assert.Equal("//HintName: Fake.g.cs\n// new\n", File.ReadAllText(ReceivedPath));
        Assert.False(File.Exists(VerifiedPath));
    }

    [Fact]
    public void Verify_MissingVerifiedSnapshotInAcceptMode_WritesItAndCreatesTheFolder()
    {
        var location = Location with { Directory = Path.Combine(directory, "Snapshots") };

        Snapshot.Verify(RunFake("// new\n"), location, Accepting);

        Assert.Equal("//HintName: Fake.g.cs\n// new\n", File.ReadAllText(Path.Combine(location.Directory, VerifiedName)));
    }

    [Fact]
    public void Verify_SnapshotOfHintNoLongerGenerated_FailsAsStale()
    {
        File.WriteAllText(VerifiedPath, "//HintName: Fake.g.cs\n// same\n");
        var stalePath = Path.Combine(directory, "Fake.Method#Renamed.g.verified.cs");
        File.WriteAllText(stalePath, "//HintName: Renamed.g.cs\n");

        var failure = Assert.ThrowsAny<XunitException>(() => Snapshot.Verify(RunFake("// same\n"), Location, NoVariables));

        Assert.Contains("Fake.Method#Renamed.g.verified.cs: stale snapshot", failure.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(stalePath));
    }

    [Fact]
    public void Verify_StaleSnapshotInAcceptMode_IsDeleted()
    {
        var stalePath = Path.Combine(directory, "Fake.Method#Renamed.g.verified.cs");
        File.WriteAllText(stalePath, "//HintName: Renamed.g.cs\n");

        Snapshot.Verify(RunFake("// same\n"), Location, Accepting);

        Assert.False(File.Exists(stalePath));
    }

    [Fact]
    public void Verify_SnapshotsOfOtherMethodsWithTheSamePrefix_AreNotStale()
    {
        File.WriteAllText(VerifiedPath, "//HintName: Fake.g.cs\n// same\n");
        File.WriteAllText(Path.Combine(directory, "Fake.MethodTwo#Other.g.verified.cs"), "//HintName: Other.g.cs\n");
        File.WriteAllText(Path.Combine(directory, "Fake.MethodTwo.diagnostics.verified.txt"), "X Error (1,1)-(1,2): x\n");

        Snapshot.Verify(RunFake("// same\n"), Location, NoVariables);
    }

    [Fact]
    public void Verify_GeneratorVersion_IsStoredAsPlaceholderSoAVersionBumpStillMatches()
    {
        const string Template = """
            [global::System.CodeDom.Compiler.GeneratedCode("StochasticBackprop.Generator", "{0}")]
            [global::System.CodeDom.Compiler.GeneratedCodeAttribute( "StochasticBackprop.Generator" , "{0}" )]
            [global::System.CodeDom.Compiler.GeneratedCode("SomeOtherGenerator", "4.5.6")]

            """;

        Snapshot.Verify(RunFake(Template.Replace("{0}", "1.2.3", StringComparison.Ordinal)), Location, Accepting);
        Snapshot.Verify(RunFake(Template.Replace("{0}", "9.9.9-beta", StringComparison.Ordinal)), Location, NoVariables);

        var stored = File.ReadAllText(VerifiedPath);
        Assert.DoesNotContain("1.2.3", stored, StringComparison.Ordinal);
        Assert.Contains("""GeneratedCode("StochasticBackprop.Generator", "VERSION")""", stored, StringComparison.Ordinal);
        Assert.Contains("""GeneratedCodeAttribute( "StochasticBackprop.Generator" , "VERSION" )""", stored, StringComparison.Ordinal);
        // Only this generator's version is ours to hide.
        Assert.Contains("""GeneratedCode("SomeOtherGenerator", "4.5.6")""", stored, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_CrlfAndBomInOutput_MatchesLfSnapshot()
    {
        File.WriteAllText(VerifiedPath, "//HintName: Fake.g.cs\nline 1\nline 2\n");

        Snapshot.Verify(RunFake("\uFEFFline 1\r\nline 2\r\n"), Location, NoVariables);
    }

    [Fact]
    public void Verify_CrlfAndBomInVerifiedFile_MatchesLfOutput()
    {
        // As if checked out on Windows without the repo's .gitattributes.
        File.WriteAllText(VerifiedPath, "//HintName: Fake.g.cs\r\nline 1\r\nline 2\r\n", new System.Text.UTF8Encoding(true));

        Snapshot.Verify(RunFake("line 1\nline 2\n"), Location, NoVariables);
    }

    [Fact]
    public void Verify_NondeterministicGenerator_FailsEvenInAcceptMode()
    {
        var run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation("class C { }"), () => new NondeterministicGenerator());

        var failure = Assert.ThrowsAny<XunitException>(() => Snapshot.Verify(run, Location, Accepting));

        Assert.Contains("not deterministic: Stamp.g.cs differed", failure.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(directory));
    }

    [Fact]
    public void Verify_GeneratorThrows_FailsWithTheException()
    {
        var run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation("class C { }"), () => new ThrowingGenerator());

        var failure = Assert.ThrowsAny<XunitException>(() => Snapshot.Verify(run, Location, Accepting));

        Assert.Contains("fake generator failure", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_GeneratorDiagnostics_AreStoredSortedByLocationThenId()
    {
        // "class C { }": "class" is columns 1-5, "C" column 7.
        var run = RunFake(
            new[] { new GeneratedFile(Hint, "// x\n") },
            new FakeDiagnostic("TEST002", DiagnosticSeverity.Error, 6, 1, "on the name"),
            new FakeDiagnostic("TEST003", DiagnosticSeverity.Warning, 0, 5, "on the keyword, later ID"),
            new FakeDiagnostic("TEST001", DiagnosticSeverity.Warning, 0, 5, "on the keyword"));

        Snapshot.Verify(run, Location, Accepting);

        Assert.Equal(
            "TEST001 Warning (1,1)-(1,6): on the keyword\n"
            + "TEST003 Warning (1,1)-(1,6): on the keyword, later ID\n"
            + "TEST002 Error (1,7)-(1,8): on the name\n",
            File.ReadAllText(Path.Combine(directory, "Fake.Method.diagnostics.verified.txt")));
    }

    [Fact]
    public void Verify_DiagnosticsNoLongerReported_FailsAsStale()
    {
        File.WriteAllText(VerifiedPath, "//HintName: Fake.g.cs\n// x\n");
        File.WriteAllText(Path.Combine(directory, "Fake.Method.diagnostics.verified.txt"), "TEST001 Error (1,1)-(1,2): gone\n");

        var failure = Assert.ThrowsAny<XunitException>(() => Snapshot.Verify(RunFake("// x\n"), Location, NoVariables));

        Assert.Contains("Fake.Method.diagnostics.verified.txt: stale snapshot", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_NothingGenerated_FailsRatherThanSnapshottingNothing()
    {
        var run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation("class C { }"), () => new FixedOutputGenerator());

        var failure = Assert.ThrowsAny<XunitException>(() => Snapshot.Verify(run, Location, Accepting));

        Assert.Contains("nothing to snapshot", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyText_MatchPassesAndMismatchWritesReceivedTxt()
    {
        File.WriteAllText(Path.Combine(directory, "Fake.Method.table.verified.txt"), "a\nb\n");

        Snapshot.VerifyText("table", "a\r\nb\r\n", Location, NoVariables);
        var failure = Assert.ThrowsAny<XunitException>(() => Snapshot.VerifyText("table", "a\nc\n", Location, NoVariables));

        Assert.Contains("line 2:\n    expected: b\n    actual:   c", failure.Message, StringComparison.Ordinal);
        Assert.Equal("a\nc\n", File.ReadAllText(Path.Combine(directory, "Fake.Method.table.received.txt")));
    }

    [Fact]
    public void DescribeDifferences_ManyDifferences_ShowsTheFirstTen()
    {
        var expected = string.Join("\n", new string('a', 30).ToCharArray());
        var actual = string.Join("\n", new string('b', 30).ToCharArray());

        var description = Snapshot.DescribeDifferences(expected, actual);

        Assert.Contains("line 10:", description, StringComparison.Ordinal);
        Assert.DoesNotContain("line 11:", description, StringComparison.Ordinal);
        Assert.EndsWith("… and more", description, StringComparison.Ordinal);
    }

    [Fact]
    public void DescribeDifferences_ActualShorter_ShowsEndOfFile()
    {
        var description = Snapshot.DescribeDifferences("a\nb\nc", "a\nb");

        Assert.Equal("  line 3:\n    expected: c\n    actual:   <end of file>", description);
    }

    [Fact]
    public void Verify_PublicOverload_UsesSnapshotsFolderBesideTheTestFile()
    {
        // Checks the [CallerFilePath] wiring against the committed snapshot
        // Snapshots/SnapshotTests.Verify_PublicOverload_UsesSnapshotsFolderBesideTheTestFile#Fake.g.verified.cs.
        Snapshot.Verify(RunFake("""
            // <auto-generated/>
            [global::System.CodeDom.Compiler.GeneratedCode("StochasticBackprop.Generator", "0.1.0")]
            internal static class Fake { }

            """));
    }

    private static GeneratorRun RunFake(string text) => RunFake(new[] { new GeneratedFile(Hint, text) });

    private static GeneratorRun RunFake(GeneratedFile[] files, params FakeDiagnostic[] diagnostics) =>
        GeneratorHarness.Run(
            GeneratorHarness.CreateCompilation("class C { }"), () => new FixedOutputGenerator(files, diagnostics));
}
