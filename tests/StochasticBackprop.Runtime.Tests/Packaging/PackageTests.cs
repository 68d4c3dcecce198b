using System;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace StochasticBackprop.Runtime.Tests.Packaging;

/// <summary>
/// The product as a user gets it: `dotnet pack` of the runtime gives one package that depends on the managed
/// TorchSharp only; a new project with that package and the backend of its choice (TorchSharp-cpu here) declares a
/// distribution with attributes only, builds (the generator runs from the package's analyzers folder, the
/// TorchSharp fix from its buildTransitive folder) and gets unbiased estimators; without a backend it builds with
/// no libtorch in its output and is told what to add. Slow (a pack, restores, builds of 1 GiB outputs).
/// </summary>
[Collection(PackedPackageCollection.Name)]
public sealed class PackageTests
{
    private readonly PackedPackage package;
    private readonly ITestOutputHelper output;

    public PackageTests(PackedPackage package, ITestOutputHelper output)
    {
        this.package = package;
        this.output = output;
    }

    private const string UserProgram = """
        using System;
        using System.Globalization;
        using StochasticBackprop;
        using static TorchSharp.torch;

        // d/dk E z² for z ~ ChiSquared(k): E z² = 2k + k², so the gradient is 2 + 2k.
        var chi = new ChiSquared(tensor(3.0, float64));
        var f = Objective.Separable(z => z.pow(Scalars.Of(2)));
        var generator = new Generator(42);
        foreach (var estimate in new[] { chi.Pathwise(f, 100_000, generator), chi.ScoreFunction(f, 100_000, null, generator), chi.Fourier(f, 100_000, null, generator), chi.Hybrid(f, 100_000, null, generator) })
        {
            Report(estimate.Estimator.ToString(), estimate.PerSampleGradient("k"), 2 + 2 * 3.0);
        }

        // The package's own standard distributions: d/dk E z² for z ~ Gamma(k, theta) is (2k + 1)·theta² (= 16 at k = 1.5,
        // theta = 2), and its torch.distributions-style Mean is k·theta.
        var gamma = new StochasticBackprop.Distributions.Gamma(tensor(1.5, float64), tensor(2.0, float64));
        foreach (var estimate in new[] { gamma.Pathwise(f, 100_000, generator), gamma.ScoreFunction(f, 100_000, null, generator), gamma.Hybrid(f, 100_000, null, generator) })
        {
            Report("standard Gamma " + estimate.Estimator, estimate.PerSampleGradient("k"), 16.0);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"standard Gamma Mean|{gamma.Mean.item<double>():R}|0|3"));

        static void Report(string name, Tensor perSample, double truth)
        {
            double mean = perSample.mean().item<double>();
            double standardError = perSample.std().item<double>() / Math.Sqrt(perSample.shape[0]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}|{mean:R}|{standardError:R}|{truth:R}"));
        }

        [Distribution]
        [Parameter("k", ParameterDomain.Positive)]
        [CharacteristicFunction("(1 - 2*i*w)^(-k/2)")]
        [LogDensity("(k/2 - 1)*log(z) - z/2 - lgamma(k/2) - k/2*log(2)")]
        [Reparameterization("2*eps", Noise = NoiseKind.StandardGamma, NoiseShape = "k/2")]
        partial class ChiSquared { }
        """;

    [Fact]
    public void Package_HoldsTheGeneratorTheBuildLogicAndTheMetadata_AndDependsOnTheManagedTorchSharpAndMathNetOnly()
    {
        using ZipArchive archive = ZipFile.OpenRead(package.Package);
        var entries = archive.Entries.Select(e => e.FullName).ToArray();
        Assert.Contains("analyzers/dotnet/cs/StochasticBackprop.Generator.dll", entries);
        Assert.Contains("buildTransitive/StochasticBackprop.targets", entries);
        Assert.Contains("buildTransitive/ElfVersionPatcher.cs", entries);
        Assert.Contains("lib/net10.0/StochasticBackprop.Runtime.dll", entries);
        Assert.Contains("lib/net10.0/StochasticBackprop.Runtime.xml", entries);
        Assert.Contains("README.md", entries);
        Assert.Contains("LICENSE", entries);

        string ReadEntry(string name)
        {
            using var reader = new StreamReader(archive.GetEntry(name)!.Open());
            return reader.ReadToEnd();
        }
        Assert.Equal(File.ReadAllText(Path.Combine(PackedPackage.RepositoryRoot, "src", "Runtime", "PACKAGE.md")), ReadEntry("README.md"));
        Assert.Contains("Copyright (c) 2026 StochasticBackprop contributors", ReadEntry("LICENSE"));

        XElement metadata = XDocument.Parse(ReadEntry("StochasticBackprop.nuspec")).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Field(string name) => metadata.Elements().Single(e => e.Name.LocalName == name).Value;
        Assert.Equal("StochasticBackprop", Field("id"));
        Assert.Equal(package.Version, Field("version"));
        Assert.Equal("StochasticBackprop contributors", Field("authors"));
        Assert.Equal("MIT", Field("license"));
        Assert.Equal("README.md", Field("readme"));
        Assert.Contains("gradient", Field("description"));
        Assert.Contains("torchsharp", Field("tags"));
        Assert.Equal("git", metadata.Elements().Single(e => e.Name.LocalName == "repository").Attribute("type")!.Value);
        var dependencies = metadata.Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => (Id: e.Attribute("id")!.Value, Version: e.Attribute("version")!.Value)).ToArray();
        // The managed TorchSharp (no native backend) and MathNet.Numerics (the self-check's quadrature), nothing else.
        Assert.Equal(new[] { ("MathNet.Numerics", "5.0.0"), ("TorchSharp", "0.107.0") }, dependencies.OrderBy(d => d.Id, StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void UserProjectWithThePackageAndTorchSharpCpu_GetsUnbiasedEstimatorsFromAttributes_AndTheStandardDistributions()
    {
        string user = package.UserProject("User", cpuBackend: true, ("Program.cs", UserProgram));
        string stdout = PackedPackage.Dotnet(user, "run -c Release");

        var rows = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.Count(c => c == '|') == 3)
            .Select(line => line.Split('|'))
            .ToArray();
        // Four estimators of the user's own declaration, three of the package's standard Gamma, and its Mean.
        Assert.Equal(8, rows.Length);
        foreach (string[] row in rows)
        {
            double mean = double.Parse(row[1], CultureInfo.InvariantCulture);
            double standardError = double.Parse(row[2], CultureInfo.InvariantCulture);
            double truth = double.Parse(row[3], CultureInfo.InvariantCulture);
            Assert.True(Math.Abs(mean - truth) <= Math.Max(4 * standardError, 1e-12 * Math.Abs(truth)), $"{row[0]}: {mean} vs {truth}, SE {standardError}");
        }
    }

    /// <summary>
    /// The dependency is GPU-neutral: a project with only the package restores and builds, its output holds no
    /// libtorch (the managed TorchSharp's small libLibTorchSharp.so only), and at run time it is told to add a
    /// backend. The same project with TorchSharp-cpu, for comparison, carries the CPU libtorch (what every consumer
    /// got when the package depended on TorchSharp-cpu).
    /// </summary>
    [Fact]
    public void UserProjectWithOnlyThePackage_BuildsWithoutLibTorch_AndIsToldToAddABackend()
    {
        string bare = package.UserProject("Bare", cpuBackend: false, ("Program.cs", NoBackendProgram));
        PackedPackage.Dotnet(bare, "build -c Release");
        string bareOutput = Path.Combine(bare, "bin", "Release", "net10.0");
        string[] natives = Directory.GetFiles(bareOutput, "*", SearchOption.AllDirectories)
            .Select(file => Path.GetFileName(file))
            .Where(name => name.StartsWith("libtorch", StringComparison.Ordinal) || name.StartsWith("libc10", StringComparison.Ordinal) || name.StartsWith("torch", StringComparison.Ordinal))
            .ToArray();
        Assert.True(natives.Length == 0, "libtorch binaries in a backend-less output: " + string.Join(", ", natives));
        long bareSize = PackedPackage.DirectorySize(bareOutput);

        string withCpu = package.UserProject("WithCpu", cpuBackend: true, ("Program.cs", NoBackendProgram));
        PackedPackage.Dotnet(withCpu, "build -c Release");
        long cpuSize = PackedPackage.DirectorySize(Path.Combine(withCpu, "bin", "Release", "net10.0"));
        output.WriteLine($"build output: package only {bareSize / 1048576.0:F1} MiB; package + TorchSharp-cpu {cpuSize / 1048576.0:F1} MiB");
        Assert.True(bareSize < 64L << 20, $"package-only output {bareSize / 1048576.0:F1} MiB");
        Assert.True(cpuSize > 512L << 20, $"the CPU backend's output {cpuSize / 1048576.0:F1} MiB: the comparison does not see libtorch");

        string stdout = PackedPackage.Dotnet(bare, "run -c Release --no-build");
        string message = Assert.Single(stdout.Split('\n'), line => line.StartsWith("backend|", StringComparison.Ordinal));
        output.WriteLine(message);
        Assert.Contains("TorchSharp-cpu", message);
        Assert.Contains("no libtorch was found", message);
        Assert.Contains("loaded", PackedPackage.Dotnet(withCpu, "run -c Release --no-build"));
    }

    private const string NoBackendProgram = """
        using System;
        using StochasticBackprop;

        try
        {
            TorchBackend.EnsureAvailable();
            Console.WriteLine("loaded");
        }
        catch (InvalidOperationException exception)
        {
            Console.WriteLine("backend|" + exception.Message.ReplaceLineEndings(" "));
        }

        [Distribution]
        [Parameter("k", ParameterDomain.Positive)]
        [LogDensity("(k/2 - 1)*log(z) - z/2 - lgamma(k/2) - k/2*log(2)")]
        [Reparameterization("2*eps", Noise = NoiseKind.StandardGamma, NoiseShape = "k/2")]
        partial class ChiSquared { }
        """;
}
