using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using Xunit;

namespace StochasticBackprop.Runtime.Tests.Packaging;

/// <summary>
/// `dotnet pack` of the runtime, once for every packaging test, into a local feed with a version of its own (so a
/// package cached by an earlier run is never reused), and user projects that restore from that feed plus the
/// machine's own configured package sources.
/// </summary>
public sealed class PackedPackage : IDisposable
{
    public PackedPackage()
    {
        Work = Path.Combine(Path.GetTempPath(), "stochasticbackprop-package-" + Guid.NewGuid().ToString("N"));
        Version = "0.0.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
        Feed = Path.Combine(Work, "feed");
        Dotnet(RepositoryRoot, $"pack src/Runtime -c Release --artifacts-path \"{Path.Combine(Work, "artifacts")}\" -o \"{Feed}\" -p:Version={Version}");
        Package = Directory.GetFiles(Feed, "*.nupkg").Single();
    }

    public string Work { get; }

    public string Version { get; }

    public string Feed { get; }

    /// <summary>The .nupkg file.</summary>
    public string Package { get; }

    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>
    /// A new console project referencing the packed package (and TorchSharp-cpu when <paramref name="cpuBackend"/>),
    /// with the given source files; returns its directory.
    /// </summary>
    public string UserProject(string name, bool cpuBackend, params (string File, string Text)[] sources)
    {
        string user = Path.Combine(Work, name);
        Directory.CreateDirectory(user);
        File.WriteAllText(Path.Combine(user, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <!-- Only the local feed is added: the machine's own configured sources stay in effect for the rest. -->
                <add key="local" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        string backend = cpuBackend ? """<PackageReference Include="TorchSharp-cpu" Version="0.107.0" />""" : "";
        File.WriteAllText(Path.Combine(user, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <NoWarn>NU1603</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="StochasticBackprop" Version="{Version}" />
                {backend}
              </ItemGroup>
            </Project>
            """);
        foreach (var (file, text) in sources)
        {
            File.WriteAllText(Path.Combine(user, file), text);
        }
        return user;
    }

    /// <summary>The total size of the files under <paramref name="directory"/>, in bytes.</summary>
    public static long DirectorySize(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    /// <summary>Runs dotnet; asserts exit code 0 (an abort, a failed build or a failed run fails the test); returns stdout.</summary>
    public static string Dotnet(string directory, string arguments)
    {
        var (exitCode, stdout, stderr) = DotnetWithExitCode(directory, arguments);
        Assert.True(exitCode == 0, $"dotnet {arguments} failed ({exitCode}):\n{stdout}\n{stderr}");
        return stdout;
    }

    public static (int ExitCode, string Stdout, string Stderr) DotnetWithExitCode(string directory, string arguments)
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
        return (process.ExitCode, stdout, stderr.Result);
    }

    public void Dispose()
    {
        // The test's package version is unique: remove it from the global package folder too.
        string globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (string directory in new[] { Work, Path.Combine(globalPackages, "stochasticbackprop", Version) })
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static string FindRoot([CallerFilePath] string thisFile = "")
        => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));
}

/// <summary>The packaging tests share one pack and run one after another (each builds a user project).</summary>
[CollectionDefinition(Name)]
public sealed class PackedPackageCollection : ICollectionFixture<PackedPackage>
{
    public const string Name = "Packed package";
}
