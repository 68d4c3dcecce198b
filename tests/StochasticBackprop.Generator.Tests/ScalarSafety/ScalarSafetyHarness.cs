using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using StochasticBackprop.CodeFixes;
using StochasticBackprop.Generator.ScalarSafety;
using StochasticBackprop.Generator.Tests.Infrastructure;
using Xunit;

namespace StochasticBackprop.Generator.Tests.ScalarSafety;

/// <summary>One expected diagnostic: its ID and the exact span it must cover.</summary>
public sealed record ExpectedDiagnostic(string Id, TextSpan Span);

/// <summary>
/// Runs <see cref="ScalarSafetyAnalyzer"/> on in-memory code (compiled against TorchSharp and the
/// runtime, as <see cref="GeneratorHarness"/> does), and applies <see cref="ScalarSafetyCodeFixProvider"/>
/// in an <see cref="AdhocWorkspace"/>: the code-fix testing package needs reference packs from a
/// package feed at run time, which this offline build cannot give it.
/// </summary>
public static class ScalarSafetyHarness
{
    /// <summary>
    /// Removes the markup <c>{|SBS001:text|}</c> (nestable) from <paramref name="markup"/>, giving the
    /// source and the diagnostics expected on each marked text.
    /// </summary>
    public static (string Source, List<ExpectedDiagnostic> Expected) ParseMarkup(string markup)
    {
        var source = new StringBuilder();
        var expected = new List<ExpectedDiagnostic>();
        var open = new Stack<(string Id, int Start)>();
        for (int i = 0; i < markup.Length;)
        {
            if (markup.AsSpan(i).StartsWith("{|", StringComparison.Ordinal))
            {
                int colon = markup.IndexOf(':', i);
                open.Push((markup.Substring(i + 2, colon - i - 2), source.Length));
                i = colon + 1;
            }
            else if (markup.AsSpan(i).StartsWith("|}", StringComparison.Ordinal))
            {
                var (id, start) = open.Pop();
                expected.Add(new ExpectedDiagnostic(id, TextSpan.FromBounds(start, source.Length)));
                i += 2;
            }
            else
            {
                source.Append(markup[i]);
                i++;
            }
        }

        Assert.Empty(open);
        return (source.ToString(), expected.OrderBy(e => e.Span.Start).ThenBy(e => e.Span.End).ToList());
    }

    /// <summary>The SBS diagnostics of <paramref name="compilation"/>, in source order.</summary>
    public static ImmutableArray<Diagnostic> Analyze(Compilation compilation, ScalarSafetyAnalyzer? analyzer = null)
    {
        var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(analyzer ?? new ScalarSafetyAnalyzer()));
        ImmutableArray<Diagnostic> diagnostics = withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();
        return diagnostics
            .Where(d => d.Id.StartsWith("SBS", StringComparison.Ordinal))
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Location.SourceSpan.End)
            .ToImmutableArray();
    }

    /// <summary>The SBS diagnostics of one in-memory source file.</summary>
    public static ImmutableArray<Diagnostic> Analyze(string source) => Analyze(GeneratorHarness.CreateCompilation(source));

    /// <summary>Fails unless <paramref name="markup"/>'s code compiles and gets exactly the marked diagnostics.</summary>
    public static void AssertDiagnostics(string markup)
    {
        var (source, expected) = ParseMarkup(markup);
        var compilation = GeneratorHarness.CreateCompilation(source);
        AssertCompiles(compilation);
        var actual = Analyze(compilation)
            .Select(d => new ExpectedDiagnostic(d.Id, d.Location.SourceSpan))
            .ToList();

        string Describe(IEnumerable<ExpectedDiagnostic> list) =>
            string.Join(Environment.NewLine, list.Select(d => $"  {d.Id} at {d.Span}: {source.Substring(d.Span.Start, d.Span.Length)}"));

        var missing = expected.Except(actual).ToList();
        var unexpected = actual.Except(expected).ToList();
        Assert.True(missing.Count == 0 && unexpected.Count == 0,
            $"Missing:{Environment.NewLine}{Describe(missing)}{Environment.NewLine}Unexpected:{Environment.NewLine}{Describe(unexpected)}");
    }

    /// <summary>Fails if <paramref name="compilation"/> has a compiler error.</summary>
    public static void AssertCompiles(Compilation compilation)
    {
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "Compiler errors:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
    }

    /// <summary>
    /// Applies the code fix of the single SBS diagnostic in <paramref name="source"/> and returns the
    /// new text; fails if there is not exactly one diagnostic or it has no fix.
    /// </summary>
    public static string ApplySingleFix(string source)
    {
        Document document = CreateDocument(source);
        var diagnostics = Analyze(document.Project.GetCompilationAsync().GetAwaiter().GetResult()!);
        Assert.True(diagnostics.Length == 1, $"expected one diagnostic, got:{Environment.NewLine}{string.Join(Environment.NewLine, diagnostics)}");
        var actions = new List<CodeAction>();
        var provider = new ScalarSafetyCodeFixProvider();
        var context = new CodeFixContext(document, diagnostics[0], (action, _) => actions.Add(action), CancellationToken.None);
        provider.RegisterCodeFixesAsync(context).GetAwaiter().GetResult();
        Assert.True(actions.Count == 1, $"expected one code fix for {diagnostics[0]}, got {actions.Count}");
        return Apply(document, actions[0]);
    }

    /// <summary>The number of code fixes offered for the diagnostics of <paramref name="source"/>.</summary>
    public static int CountFixes(string source)
    {
        Document document = CreateDocument(source);
        var diagnostics = Analyze(document.Project.GetCompilationAsync().GetAwaiter().GetResult()!);
        var provider = new ScalarSafetyCodeFixProvider();
        int count = 0;
        foreach (var diagnostic in diagnostics)
        {
            provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (_, _) => count++, CancellationToken.None)).GetAwaiter().GetResult();
        }

        return count;
    }

    /// <summary>
    /// Fix-all in the document through the provider's <see cref="FixAllProvider"/>, one equivalence key
    /// (one kind of rewrite) at a time, repeated until no diagnostic with a fix remains (at most
    /// <paramref name="rounds"/> rounds); returns the final text.
    /// </summary>
    public static string FixAll(string source, int rounds = 6)
    {
        Document document = CreateDocument(source);
        var provider = new ScalarSafetyCodeFixProvider();
        for (int round = 0; round < rounds; round++)
        {
            var diagnostics = Analyze(document.Project.GetCompilationAsync().GetAwaiter().GetResult()!);
            var keys = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var diagnostic in diagnostics)
            {
                provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => keys.Add(action.EquivalenceKey!), CancellationToken.None)).GetAwaiter().GetResult();
            }

            if (keys.Count == 0)
            {
                break;
            }

            foreach (string key in keys)
            {
                var fixAll = new FixAllContext(document, provider, FixAllScope.Document, key, provider.FixableDiagnosticIds, new DiagnosticProvider(), CancellationToken.None);
                CodeAction? action = provider.GetFixAllProvider()!.GetFixAsync(fixAll).GetAwaiter().GetResult();
                if (action is not null)
                {
                    document = document.WithText(SourceText.From(Apply(document, action)));
                }
            }
        }

        return document.GetTextAsync().GetAwaiter().GetResult().ToString();
    }

    /// <summary>Compiles <paramref name="source"/> as the harness does: TorchSharp, the runtime, nullable on.</summary>
    public static Compilation Compile(string source) => GeneratorHarness.CreateCompilation(source);

    private static string Apply(Document document, CodeAction action)
    {
        var operations = action.GetOperationsAsync(CancellationToken.None).GetAwaiter().GetResult();
        Solution changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        return changed.GetDocument(document.Id)!.GetTextAsync().GetAwaiter().GetResult().ToString();
    }

    private static Document CreateDocument(string source)
    {
        var template = GeneratorHarness.CreateCompilation();
        var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(), VersionStamp.Default, "Fixes", "Fixes", LanguageNames.CSharp,
            compilationOptions: template.Options,
            parseOptions: GeneratorHarness.ParseOptions,
            metadataReferences: template.References));
        return workspace.AddDocument(project.Id, "Source0.cs", SourceText.From(source, Encoding.UTF8));
    }

    private sealed class DiagnosticProvider : FixAllContext.DiagnosticProvider
    {
        public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
        {
            var compilation = await document.Project.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
            var tree = await document.GetSyntaxTreeAsync(cancellationToken).ConfigureAwait(false);
            return Analyze(compilation!).Where(d => d.Location.SourceTree == tree);
        }

        public override async Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Analyze((await project.GetCompilationAsync(cancellationToken).ConfigureAwait(false))!).Where(d => d.Location == Location.None);

        public override async Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Analyze((await project.GetCompilationAsync(cancellationToken).ConfigureAwait(false))!);
    }
}
