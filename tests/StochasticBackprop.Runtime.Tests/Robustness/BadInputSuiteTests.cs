using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace StochasticBackprop.Runtime.Tests.Robustness;

/// <summary>
/// Every case of <see cref="BadInputCases"/> must come out as documented: never a NaN, never a wrong number, never an
/// exception that does not say what went wrong. The census prints the outcome counts (README "What the estimators
/// check"); <c>BADINPUT_CENSUS_ONLY=1</c> makes it report without failing, to measure a runtime without the checks.
/// </summary>
public sealed class BadInputSuiteTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> CaseNames => BadInputCases.All.Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void BadInput_GivesTheDocumentedNumberOrError(string name)
    {
        BadInputCase badInput = BadInputCases.Named(name);
        BadInputOutcome outcome = badInput.Classify(out string detail);
        output.WriteLine(detail);
        Assert.True(outcome == BadInputOutcome.AsDocumented, $"{name}: {outcome}: {detail}");
    }

    [Fact]
    public void Census_CountsOutcomes_AllAsDocumented()
    {
        string[] skipped = (Environment.GetEnvironmentVariable("BADINPUT_SKIP") ?? "").Split('|', StringSplitOptions.RemoveEmptyEntries);
        var counts = new Dictionary<BadInputOutcome, int>();
        var failures = new List<string>();
        foreach (BadInputCase badInput in BadInputCases.All.Where(c => !skipped.Contains(c.Name)))
        {
            BadInputOutcome outcome = badInput.Classify(out string detail);
            counts[outcome] = counts.GetValueOrDefault(outcome) + 1;
            if (outcome != BadInputOutcome.AsDocumented)
            {
                failures.Add($"{outcome}\t{badInput.Name}\t{detail.Split('\n')[0]}");
            }
        }
        string summary = $"{BadInputCases.All.Count} cases ({skipped.Length} skipped): "
            + string.Join(", ", Enum.GetValues<BadInputOutcome>().Select(o => $"{o} {counts.GetValueOrDefault(o)}"));
        output.WriteLine(summary);
        Console.WriteLine("CENSUS " + summary);
        foreach (string failure in failures)
        {
            output.WriteLine(failure);
            Console.WriteLine("CENSUS " + failure);
        }
        if (Environment.GetEnvironmentVariable("BADINPUT_CENSUS_ONLY") != "1")
        {
            Assert.True(failures.Count == 0, summary + "\n" + string.Join("\n", failures));
        }
    }
}
