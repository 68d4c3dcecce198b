using System.Linq;
using StochasticBackprop.Generator.Tests.Infrastructure;
using Xunit;

namespace StochasticBackprop.Generator.Tests.Fuzz;

/// <summary>The corpus itself: its README bases are real, compiling examples, and it is the same on every run.</summary>
public sealed class FuzzCorpusTests
{
    [Fact]
    public void ReadmeExamples_AreFound_AndEachCompilesWithItsGeneratedCode()
    {
        var examples = FuzzCorpus.ReadmeExamples();

        Assert.NotEmpty(examples);
        foreach ((string name, string source) in examples)
        {
            Assert.StartsWith("README-", name, System.StringComparison.Ordinal);
            Assert.DoesNotContain("Console.WriteLine", source, System.StringComparison.Ordinal);
            var run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source));
            Assert.NotEmpty(run.GeneratedSources);
            GeneratorHarness.AssertOutputCompiles(run);
        }
    }

    [Fact]
    public void Bases_IncludeTheReadmeExamples()
    {
        var names = FuzzCorpus.Bases().Select(b => b.Name).ToList();

        Assert.All(FuzzCorpus.ReadmeExamples(), example => Assert.Contains(example.Name, names));
    }

    [Fact]
    public void Cases_AreTheSameOnEveryCall()
    {
        var first = FuzzCorpus.Cases(mutationsPerBase: 3).ToList();
        var second = FuzzCorpus.Cases(mutationsPerBase: 3).ToList();

        Assert.Equal(first, second);
        Assert.Equal(first.Count, first.Select(c => c.Name).Distinct().Count());
    }
}
