using System;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using StochasticBackprop.Generator.Tests.Infrastructure;
using Xunit;

namespace StochasticBackprop.Generator.Tests.Fuzz;

/// <summary>
/// The fuzz test's checks, on small fake generators with known faults: each fault must be reported under its
/// kind, and a correct output must pass, so a green fuzz run means the checks ran.
/// </summary>
public sealed class FuzzHarnessTests
{
    private static readonly FuzzCase Case = new("fake", "namespace Fake;\npublic partial class D { }\n");

    private static string[] KindsFound(Func<IIncrementalGenerator> createGenerator) =>
        GeneratorFuzzTests.Check(new[] { Case }, createGenerator).Single().Failures.Select(f => f.Kind).Distinct().ToArray();

    [Fact]
    public void CompilingOutput_Passes()
    {
        Assert.Empty(KindsFound(() => new FixedOutputGenerator(new GeneratedFile("Fine.g.cs", "namespace Fake; public partial class D { public int X => 1; }"))));
    }

    [Fact]
    public void NonCompilingOutput_WithoutAnErrorDiagnostic_IsReported()
    {
        Assert.Equal(new[] { "non-compiling-without-error" }, KindsFound(() => new FixedOutputGenerator(new GeneratedFile("Broken.g.cs", "namespace Fake; public partial class D { int x = \"text\"; }"))));
    }

    [Fact]
    public void NonCompilingOutput_WithAnErrorDiagnostic_IsABrokenFallback()
    {
        // Beside an error the generator writes the fallback part, which must compile all the same.
        var error = new FakeDiagnostic("SBG001", DiagnosticSeverity.Error, 0, 9, "declared wrong");
        Assert.Equal(new[] { "broken-fallback" }, KindsFound(() => new FixedOutputGenerator(new[] { new GeneratedFile("Broken.g.cs", "namespace Fake; public partial class D { int x = \"text\"; }") }, new[] { error })));
    }

    [Fact]
    public void CompilingOutput_WithAnErrorDiagnostic_IsNotReported()
    {
        var error = new FakeDiagnostic("SBG001", DiagnosticSeverity.Error, 0, 9, "declared wrong");
        Assert.Empty(KindsFound(() => new FixedOutputGenerator(new[] { new GeneratedFile("Fallback.g.cs", "namespace Fake; public partial class D { int x = 1; }") }, new[] { error })));
    }

    [Fact]
    public void Throwing_IsReported()
    {
        Assert.Equal(new[] { "exception" }, KindsFound(() => new ThrowingGenerator()));
    }

    [Fact]
    public void Sbg999_IsReported()
    {
        var internalError = new FakeDiagnostic("SBG999", DiagnosticSeverity.Warning, 0, 9, "internal error");
        Assert.Equal(new[] { "SBG999" }, KindsFound(() => new FixedOutputGenerator(Array.Empty<GeneratedFile>(), new[] { internalError })));
    }

    [Fact]
    public void DiagnosticWithoutSourceLocation_IsReported()
    {
        Assert.Equal(new[] { "unlocated" }, KindsFound(() => new UnlocatedDiagnosticGenerator()));
    }

    [Fact]
    public void BusyOverOneSecondOfCpu_IsSlow_ButWaitingOverOneSecond_IsNot()
    {
        Assert.Equal(new[] { "slow" }, KindsFound(() => new StallingGenerator(busy: true)));
        Assert.Empty(KindsFound(() => new StallingGenerator(busy: false)));
    }

    /// <summary>Reports an SBG warning at <see cref="Location.None"/>.</summary>
    private sealed class UnlocatedDiagnosticGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context) =>
            context.RegisterSourceOutput(context.CompilationProvider, (output, _) => output.ReportDiagnostic(Diagnostic.Create(
                new DiagnosticDescriptor("SBG001", "Test", "nowhere", "Test", DiagnosticSeverity.Warning, isEnabledByDefault: true), Location.None)));
    }

    /// <summary>Spends 1.2 s: computing (thread CPU), or asleep (wall time only).</summary>
    private sealed class StallingGenerator(bool busy) : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context) =>
            context.RegisterSourceOutput(context.CompilationProvider, (_, _) =>
            {
                if (!busy)
                {
                    Thread.Sleep(TimeSpan.FromSeconds(1.2));
                    return;
                }
                TimeSpan start = ThreadCpuClock.Now();
                double sink = 0;
                while (ThreadCpuClock.Now() - start < TimeSpan.FromSeconds(1.2))
                {
                    for (int i = 0; i < 10_000; i++) sink += Math.Sqrt(i);
                }
                GC.KeepAlive(sink);
            });
    }
}
