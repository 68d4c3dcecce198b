using System;
using System.IO;
using System.Text;
using StochasticBackprop.Build;
using Xunit;

namespace StochasticBackprop.Runtime.Tests;

/// <summary>
/// The native-backend fix (docs/ARCHITECTURE.md#environment), on the real libLibTorchSharp.so from the NuGet cache read
/// into memory (the cache itself is never written).
/// </summary>
public sealed class BackendTests
{
    private static byte[] OriginalLibrary()
    {
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", ElfVersionPatcher.TorchSharpLibraryName);
        Assert.True(File.Exists(path), $"TorchSharp's native library is not in the NuGet cache at {path}");
        return File.ReadAllBytes(path);
    }

    [Fact]
    public void Patcher_MarksGlibcxx3432Weak_InAnInMemoryCopy_ChangingOnlyThatFlag()
    {
        byte[] original = OriginalLibrary();
        byte[] copy = (byte[])original.Clone();
        Assert.Equal(0, VernauxFlags(original, ElfVersionPatcher.MissingVersion).Flags & 0x2);

        var outcome = ElfVersionPatcher.WeakenVersionRequirement(copy, ElfVersionPatcher.MissingVersion, out string message);

        Assert.Equal(ElfVersionPatcher.Outcome.Patched, outcome);
        Assert.Contains("_ZSt21ios_base_library_initv", message);
        (int offset, int flags) = VernauxFlags(copy, ElfVersionPatcher.MissingVersion);
        Assert.Equal(0x2, flags & 0x2);
        for (int i = 0; i < original.Length; i++)
        {
            if (i != offset && i != offset + 1)
            {
                Assert.True(original[i] == copy[i], $"byte {i} changed outside the Vernaux flags");
            }
        }
    }

    [Fact]
    public void Patcher_SecondPass_SaysAlreadyWeak()
    {
        byte[] copy = OriginalLibrary();
        ElfVersionPatcher.WeakenVersionRequirement(copy, ElfVersionPatcher.MissingVersion, out _);
        byte[] afterFirst = (byte[])copy.Clone();
        Assert.Equal(ElfVersionPatcher.Outcome.AlreadyWeak, ElfVersionPatcher.WeakenVersionRequirement(copy, ElfVersionPatcher.MissingVersion, out _));
        Assert.Equal(afterFirst, copy);
    }

    [Fact]
    public void Patcher_RefusesAVersionThatBindsCallableSymbols()
    {
        byte[] copy = OriginalLibrary();
        byte[] before = (byte[])copy.Clone();
        var outcome = ElfVersionPatcher.WeakenVersionRequirement(copy, "GLIBCXX_3.4.30", out string message);
        Assert.Equal(ElfVersionPatcher.Outcome.Refused, outcome);
        Assert.Contains("callable symbols", message);
        Assert.Equal(before, copy);
        Assert.Equal(ElfVersionPatcher.Outcome.NotRequired, ElfVersionPatcher.WeakenVersionRequirement(copy, "GLIBCXX_9.9.9", out _));
        Assert.Equal(ElfVersionPatcher.Outcome.Refused, ElfVersionPatcher.WeakenVersionRequirement(Encoding.ASCII.GetBytes("not an elf file at all, just text padding to 64 bytes......"), "X", out _));
    }

    [Fact]
    public void TorchBackend_LoadsHere_AndExplainsAMissingGlibcxxVersion()
    {
        TorchBackend.EnsureAvailable();
        TorchBackend.EnsureAvailable();
        string explanation = TorchBackend.DescribeLoadFailure("cannot load", systemProvidesVersion: false, "/app/libLibTorchSharp.so", ElfVersionPatcher.Outcome.Patched);
        Assert.Contains("GLIBCXX_3.4.32", explanation);
        Assert.Contains("still requires", explanation);
        Assert.Contains("StochasticBackpropUsesRuntime", explanation);
        Assert.Contains("libstdc++", explanation);
        string other = TorchBackend.DescribeLoadFailure("cannot load", systemProvidesVersion: true, null, null);
        Assert.DoesNotContain("lacks", other);
    }

    /// <summary>An independent reader of .gnu.version_r: the offset and value of the named Vernaux entry's flags.</summary>
    private static (int Offset, int Flags) VernauxFlags(byte[] elf, string version)
    {
        long sectionTable = BitConverter.ToInt64(elf, 0x28);
        int entrySize = BitConverter.ToUInt16(elf, 0x3A), count = BitConverter.ToUInt16(elf, 0x3C);
        for (int i = 0; i < count; i++)
        {
            int header = (int)(sectionTable + i * entrySize);
            if (BitConverter.ToUInt32(elf, header + 4) != 0x6ffffffe)
            {
                continue;
            }
            int offset = (int)BitConverter.ToInt64(elf, header + 24);
            int link = (int)BitConverter.ToUInt32(elf, header + 40);
            int entries = (int)BitConverter.ToUInt32(elf, header + 44);
            int strings = (int)BitConverter.ToInt64(elf, (int)(sectionTable + link * entrySize) + 24);
            int need = offset;
            for (int n = 0; n < entries; n++)
            {
                int aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
                for (int a = 0; a < BitConverter.ToUInt16(elf, need + 2); a++)
                {
                    int name = strings + (int)BitConverter.ToUInt32(elf, aux + 8);
                    int end = Array.IndexOf(elf, (byte)0, name);
                    if (Encoding.ASCII.GetString(elf, name, end - name) == version)
                    {
                        return (aux + 4, BitConverter.ToUInt16(elf, aux + 4));
                    }
                    aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                }
                need += (int)BitConverter.ToUInt32(elf, need + 12);
            }
        }
        throw new InvalidOperationException(version + " not found");
    }
}
