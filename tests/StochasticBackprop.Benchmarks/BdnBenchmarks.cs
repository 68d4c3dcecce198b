using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace StochasticBackprop.Benchmarks;

/// <summary>
/// A short BenchmarkDotNet job for a shared 2-core machine: in process (no generated project to build,
/// and the native TorchSharp library already set up by this build), one launch, 3 warm-up and 8 measured
/// iterations of about 250 ms each.
/// </summary>
public sealed class ShortSharedMachineConfig : ManualConfig
{
    public ShortSharedMachineConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(8)
            .WithIterationTime(TimeInterval.FromMilliseconds(250))
            .WithId("short-shared"));
        WithOptions(ConfigOptions.DisableOptimizationsValidator);
    }
}

/// <summary>W1–W6 as BenchmarkDotNet benchmarks: one estimate in a dispose scope, ended by Surrogate.backward().</summary>
[Config(typeof(ShortSharedMachineConfig))]
public class EstimatorBenchmarks
{
    private Workloads workloads = null!;

    [GlobalSetup]
    public void Setup() => workloads = new Workloads();

    [Benchmark(Description = "W1 hybrid CoupledNormal N=100k")]
    public void W1_Hybrid() => workloads.Run("W1");

    [Benchmark(Description = "W2 pathwise CoupledNormal N=100k")]
    public void W2_Pathwise() => workloads.Run("W2");

    [Benchmark(Description = "W3 score CoupledNormal N=100k")]
    public void W3_Score() => workloads.Run("W3");

    [Benchmark(Description = "W4 Fourier N=4 Gamma N=100k")]
    public void W4_Fourier() => workloads.Run("W4");

    [Benchmark(Description = "W5 local expectation Bernoulli d=100 S=1k")]
    public void W5_LocalExpectation() => workloads.Run("W5");

    [Benchmark(Description = "W6 score Bernoulli d=100 S=1k")]
    public void W6_BernoulliScore() => workloads.Run("W6");
}

/// <summary>The fused single-pass loops of W1–W3 under BenchmarkDotNet, for scale.</summary>
[Config(typeof(ShortSharedMachineConfig))]
public class FusedLoopBenchmarks
{
    private readonly FusedLoop loop = new(7);

    [Benchmark(Description = "W1 fused hybrid loop")]
    public double W1_Fused() => loop.Run("W1").Mean;

    [Benchmark(Description = "W2 fused pathwise loop")]
    public double W2_Fused() => loop.Run("W2").Mean;

    [Benchmark(Description = "W3 fused score loop")]
    public double W3_Fused() => loop.Run("W3").Mean;
}
