using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using Xunit;

namespace StochasticBackprop.Runtime.Tests.Packaging;

/// <summary>
/// The product as a user gets it: `dotnet pack` of the runtime gives one package; a new project
/// with that single package reference declares a distribution with attributes only, builds
/// (the generator runs from the package's analyzers folder, the TorchSharp fix from its
/// buildTransitive folder) and gets unbiased estimators. Slow (~40 s: a pack and a restore).
/// </summary>
public sealed class PackageTests
{
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
            var perSample = estimate.PerSampleGradient("k");
            double mean = perSample.mean().item<double>();
            double standardError = perSample.std().item<double>() / Math.Sqrt(perSample.shape[0]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{estimate.Estimator}|{mean:R}|{standardError:R}"));
        }

        [Distribution]
        [Parameter("k", ParameterDomain.Positive)]
        [CharacteristicFunction("(1 - 2*i*w)^(-k/2)")]
        [LogDensity("(k/2 - 1)*log(z) - z/2 - lgamma(k/2) - k/2*log(2)")]
        [Reparameterization("2*eps", Noise = NoiseKind.StandardGamma, NoiseShape = "k/2")]
        partial class ChiSquared { }
        """;

    [Fact]
    public void PackedRuntime_UserProjectWithOnlyThePackage_GetsUnbiasedEstimatorsFromAttributes()
    {
        string root = RepositoryRoot();
        string work = Path.Combine(Path.GetTempPath(), "stochasticbackprop-package-" + Guid.NewGuid().ToString("N"));
        // A version of its own, so a package cached by an earlier run is never reused.
        string version = "0.0.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
        try
        {
            string feed = Path.Combine(work, "feed");
            Dotnet(root, $"pack src/Runtime -c Release --artifacts-path \"{Path.Combine(work, "artifacts")}\" -o \"{feed}\" -p:Version={version}");
            string package = Assert.Single(Directory.GetFiles(feed, "*.nupkg"));
            using (var archive = System.IO.Compression.ZipFile.OpenRead(package))
            {
                var entries = archive.Entries.Select(e => e.FullName).ToArray();
                Assert.Contains("analyzers/dotnet/cs/StochasticBackprop.Generator.dll", entries);
                Assert.Contains("buildTransitive/StochasticBackprop.targets", entries);
                Assert.Contains("lib/net10.0/StochasticBackprop.Runtime.dll", entries);
            }

            string user = Path.Combine(work, "user");
            Directory.CreateDirectory(user);
            File.WriteAllText(Path.Combine(user, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <!-- Only the local feed is added: the machine's own configured sources stay in effect for the rest. -->
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(user, "User.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <NoWarn>NU1603</NoWarn>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="StochasticBackprop" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(user, "Program.cs"), UserProgram);

            string output = Dotnet(user, "run -c Release");

            var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(line => line.Count(c => c == '|') == 2)
                .Select(line => line.Split('|'))
                .ToArray();
            Assert.Equal(4, rows.Length);
            const double truth = 2 + 2 * 3.0;
            foreach (string[] row in rows)
            {
                double mean = double.Parse(row[1], CultureInfo.InvariantCulture);
                double standardError = double.Parse(row[2], CultureInfo.InvariantCulture);
                Assert.True(Math.Abs(mean - truth) <= 4 * standardError, $"{row[0]}: {mean} vs {truth}, SE {standardError}");
            }
        }
        finally
        {
            // The test's package version is unique: remove it from the global package folder too.
            string globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            foreach (string directory in new[] { work, Path.Combine(globalPackages, "stochasticbackprop", version) })
            {
                try { Directory.Delete(directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }

    private static string Dotnet(string directory, string arguments)
    {
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The test host's MSBuild variables must not leak into the child builds.
        foreach (string variable in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "DOTNET_HOST_PATH" })
        {
            start.Environment.Remove(variable);
        }
        using Process process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"dotnet {arguments} failed ({process.ExitCode}):\n{stdout}\n{stderr.Result}");
        return stdout;
    }

    private static string RepositoryRoot([CallerFilePath] string thisFile = "")
        => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));
}
