using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Xunit;

namespace StochasticBackprop.Runtime.Tests;

/// <summary>
/// The repository refers to nothing outside itself: no design notes kept elsewhere, no sibling folders, and
/// papers cited by author and year (docs/BIBLIOGRAPHY.md), never by a bare number such as "001".
/// </summary>
public sealed partial class RepositoryReferenceTests
{
    private static readonly string[] Extensions = { ".cs", ".md", ".csproj", ".props", ".targets", ".editorconfig" };

    [GeneratedRegex(@"(?<![\w.+\-−])00[1-4](?!\w|\.\d)")]
    private static partial Regex PaperNumber();

    [GeneratedRegex(@"\bDESIGN\b|\.\./shared\b|/work/shared\b")]
    private static partial Regex OutsideFile();

    private static IEnumerable<string> Offences(string text) =>
        OutsideFile().Matches(text).Concat(PaperNumber().Matches(text)).Select(m => m.Value);

    [Theory]
    [InlineData("as in 001 §7.2, Table 1", true)]
    [InlineData("(002 Theorem 2)", true)]
    [InlineData("002/003 §6.1", true)]
    [InlineData("see DESIGN §2.3", true)]
    [InlineData("the copy in ../" + "shared" + "/seeds", true)] // split, so this file does not itself name the folder
    [InlineData("Oden (2025), §7.2, Table 1", false)]
    [InlineData("p < 0.001, 4.2E-004, 1e-003, 10_001 rows, seed 20011123", false)]
    public void Detector_FindsPlantedReferences_AndPassesNumbers(string text, bool offends) =>
        Assert.Equal(offends, Offences(text).Any());

    [Fact]
    public void TextFiles_ReferToNothingOutsideTheRepository()
    {
        string root = RepositoryRoot();
        var found = new List<string>();
        foreach (string file in TextFiles(root))
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                foreach (string offence in Offences(lines[i]))
                {
                    found.Add($"{Path.GetRelativePath(root, file)}:{i + 1}: '{offence}'");
                }
            }
        }
        Assert.True(found.Count == 0, "References outside the repository or papers cited by number (cite by author and year):\n" + string.Join("\n", found.Take(50)));
    }

    private static IEnumerable<string> TextFiles(string root)
    {
        string self = Path.GetFullPath(ThisFile());
        IEnumerable<string> files = new[] { "src", "tests", "docs" }
            .Select(folder => Path.Combine(root, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            .Concat(Directory.EnumerateFiles(root, "*", SearchOption.TopDirectoryOnly));
        foreach (string file in files)
        {
            string relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            bool built = relative.Split('/').Any(part => part is "bin" or "obj");
            if (!built && Extensions.Any(e => file.EndsWith(e, StringComparison.Ordinal)) && Path.GetFullPath(file) != self)
            {
                yield return file;
            }
        }
    }

    private static string ThisFile([CallerFilePath] string thisFile = "") => thisFile;

    private static string RepositoryRoot([CallerFilePath] string thisFile = "")
        => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));
}
