// Compiled twice: inline by StochasticBackprop.Runtime.targets as an MSBuild task (C# 7.3,
// the task class included), and into the runtime for its native-backend check
// (STOCHASTICBACKPROP_RUNTIME defined, no MSBuild reference). Keep it dependency-free.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace StochasticBackprop.Build
{
    /// <summary>
    /// Marks a symbol-version requirement of an ELF64 shared library as weak (VER_FLG_WEAK),
    /// so the dynamic loader accepts a system library that lacks that version.
    /// </summary>
    /// <remarks>
    /// TorchSharp-cpu 0.107.0's libLibTorchSharp.so asks libstdc++ for GLIBCXX_3.4.32 (GCC 13),
    /// which Debian 12 lacks. The only symbol bound to that version is
    /// <c>_ZSt21ios_base_library_initv</c>, a marker with no relocation against it, so the
    /// requirement can be weakened safely. The patcher refuses any version that binds other
    /// symbols: weakening those would turn a load failure into a crash at first call.
    /// </remarks>
    internal static class ElfVersionPatcher
    {
        public const string TorchSharpLibraryName = "libLibTorchSharp.so";
        public const string MissingVersion = "GLIBCXX_3.4.32";

        /// <summary>Symbols that may be bound to a weakened version: markers only, never called.</summary>
        private static readonly HashSet<string> MarkerSymbols = new HashSet<string>(StringComparer.Ordinal)
        {
            "_ZSt21ios_base_library_initv",
        };

        private const uint ShtDynsym = 11;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const uint ShtGnuVersym = 0x6fffffff;
        private const ushort VerFlgWeak = 0x2;

        public enum Outcome { Patched, AlreadyWeak, NotRequired, Refused }

        /// <summary>Weakens <paramref name="version"/> in the file's version-needs table, in place.</summary>
        public static Outcome WeakenVersionRequirement(string path, string version, out string message)
        {
            byte[] elf = File.ReadAllBytes(path);
            Outcome outcome = WeakenVersionRequirement(elf, version, out message);
            if (outcome == Outcome.Patched)
            {
                File.WriteAllBytes(path, elf);
            }
            return outcome;
        }

        /// <summary>Weakens <paramref name="version"/> in an ELF64 little-endian image held in memory.</summary>
        public static Outcome WeakenVersionRequirement(byte[] elf, string version, out string message)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            {
                message = "not an ELF file";
                return Outcome.Refused;
            }
            if (elf[4] != 2 || elf[5] != 1)
            {
                message = "not a 64-bit little-endian ELF file";
                return Outcome.Refused;
            }

            ulong sectionTable = ReadU64(elf, 0x28);
            int sectionSize = ReadU16(elf, 0x3A);
            int sectionCount = ReadU16(elf, 0x3C);
            var sections = new Section[sectionCount];
            for (int i = 0; i < sectionCount; i++)
            {
                int at = checked((int)sectionTable + i * sectionSize);
                sections[i] = new Section(ReadU32(elf, at + 4), ReadU64(elf, at + 24), ReadU64(elf, at + 32), ReadU32(elf, at + 40), ReadU32(elf, at + 44));
            }

            int verneedIndex = Array.FindIndex(sections, s => s.Type == ShtGnuVerneed);
            if (verneedIndex < 0)
            {
                message = "no version-needs section";
                return Outcome.NotRequired;
            }

            Section verneed = sections[verneedIndex];
            Section names = sections[verneed.Link];
            int entry = checked((int)verneed.Offset);
            for (uint n = 0; n < verneed.Info; n++)
            {
                int auxCount = ReadU16(elf, entry + 2);
                int aux = entry + (int)ReadU32(elf, entry + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    string name = ReadString(elf, names, ReadU32(elf, aux + 8));
                    if (name == version)
                    {
                        ushort flags = ReadU16(elf, aux + 4);
                        ushort versionIndex = ReadU16(elf, aux + 6);
                        if ((flags & VerFlgWeak) != 0)
                        {
                            message = version + " is already weak";
                            return Outcome.AlreadyWeak;
                        }

                        List<string> bound = SymbolsBoundTo(elf, sections, versionIndex);
                        List<string> unsafeSymbols = bound.FindAll(s => !MarkerSymbols.Contains(s));
                        if (unsafeSymbols.Count > 0)
                        {
                            message = version + " binds callable symbols (" + string.Join(", ", unsafeSymbols) + "); refusing to weaken it";
                            return Outcome.Refused;
                        }

                        WriteU16(elf, aux + 4, (ushort)(flags | VerFlgWeak));
                        message = "marked " + version + " weak (binds only " + string.Join(", ", bound) + ")";
                        return Outcome.Patched;
                    }
                    aux += (int)ReadU32(elf, aux + 12);
                }
                entry += (int)ReadU32(elf, entry + 12);
            }

            message = "the library does not require " + version;
            return Outcome.NotRequired;
        }

        /// <summary>True when the loaded system libstdc++ defines <paramref name="version"/>.</summary>
        public static bool SystemLibStdCxxProvides(string version)
        {
            foreach (string candidate in new[]
            {
                "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
                "/usr/lib64/libstdc++.so.6",
                "/usr/lib/libstdc++.so.6",
                "/lib/x86_64-linux-gnu/libstdc++.so.6",
            })
            {
                if (File.Exists(candidate))
                {
                    byte[] bytes = File.ReadAllBytes(candidate);
                    return IndexOf(bytes, Encoding.ASCII.GetBytes(version + "\0")) >= 0;
                }
            }
            // No libstdc++ where we look: say it provides the version, so nothing is patched blindly.
            return true;
        }

        private static List<string> SymbolsBoundTo(byte[] elf, Section[] sections, ushort versionIndex)
        {
            var bound = new List<string>();
            int versymIndex = Array.FindIndex(sections, s => s.Type == ShtGnuVersym);
            int dynsymIndex = Array.FindIndex(sections, s => s.Type == ShtDynsym);
            if (versymIndex < 0 || dynsymIndex < 0)
            {
                return bound;
            }
            Section versym = sections[versymIndex];
            Section dynsym = sections[dynsymIndex];
            Section names = sections[dynsym.Link];
            int symbolCount = (int)(dynsym.Size / 24);
            for (int i = 0; i < symbolCount; i++)
            {
                int index = ReadU16(elf, (int)versym.Offset + 2 * i) & 0x7fff;
                if (index == versionIndex)
                {
                    bound.Add(ReadString(elf, names, ReadU32(elf, (int)dynsym.Offset + 24 * i)));
                }
            }
            return bound;
        }

        private struct Section
        {
            public Section(uint type, ulong offset, ulong size, uint link, uint info)
            {
                Type = type; Offset = offset; Size = size; Link = link; Info = info;
            }
            public uint Type;
            public ulong Offset;
            public ulong Size;
            public uint Link;
            public uint Info;
        }

        private static string ReadString(byte[] elf, Section table, uint offset)
        {
            int start = checked((int)(table.Offset + offset));
            int end = start;
            while (elf[end] != 0) end++;
            return Encoding.ASCII.GetString(elf, start, end - start);
        }

        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i + needle.Length <= haystack.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && haystack[i + j] == needle[j]) j++;
                if (j == needle.Length) return i;
            }
            return -1;
        }

        private static ushort ReadU16(byte[] b, int at) => (ushort)(b[at] | b[at + 1] << 8);
        private static uint ReadU32(byte[] b, int at) => (uint)(b[at] | b[at + 1] << 8 | b[at + 2] << 16 | b[at + 3] << 24);
        private static ulong ReadU64(byte[] b, int at) => ReadU32(b, at) | (ulong)ReadU32(b, at + 4) << 32;
        private static void WriteU16(byte[] b, int at, ushort v) { b[at] = (byte)v; b[at + 1] = (byte)(v >> 8); }
    }
}

#if !STOCHASTICBACKPROP_RUNTIME
/// <summary>The MSBuild task that weakens the requirement in a build's output.</summary>

public sealed class StochasticBackpropWeakenGlibcxx : Microsoft.Build.Utilities.Task
{
    public Microsoft.Build.Framework.ITaskItem[] Libraries { get; set; }

    public override bool Execute()
    {
        if (StochasticBackprop.Build.ElfVersionPatcher.SystemLibStdCxxProvides(StochasticBackprop.Build.ElfVersionPatcher.MissingVersion))
        {
            return true;
        }
        foreach (Microsoft.Build.Framework.ITaskItem item in Libraries)
        {
            string message;
            var outcome = StochasticBackprop.Build.ElfVersionPatcher.WeakenVersionRequirement(item.ItemSpec, StochasticBackprop.Build.ElfVersionPatcher.MissingVersion, out message);
            if (outcome == StochasticBackprop.Build.ElfVersionPatcher.Outcome.Refused)
            {
                Log.LogWarning("StochasticBackprop: not patching {0}: {1}", item.ItemSpec, message);
            }
            else
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "StochasticBackprop: {0}: {1}", item.ItemSpec, message);
            }
        }
        return !Log.HasLoggedErrors;
    }
}
#endif
