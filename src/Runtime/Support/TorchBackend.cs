using System;
using System.IO;
using System.Linq;
using StochasticBackprop.Build;
using TorchSharp;

namespace StochasticBackprop;

/// <summary>
/// Loads TorchSharp's native backend once and, when that fails, says why and what to do.
/// </summary>
/// <remarks>
/// TorchSharp-cpu 0.107.0's <c>libLibTorchSharp.so</c> requires GLIBCXX_3.4.32 (GCC 13); older
/// system libstdc++ builds (Debian 12 ships 3.4.30) lack it, and the loader then refuses the
/// library with a message that does not mention the version. StochasticBackprop's build targets
/// weaken that requirement in the copy in a project's output; this class recognises the case
/// where that did not happen.
/// </remarks>
public static class TorchBackend
{
    private static readonly object Gate = new();
    private static volatile bool available;
    private static bool tuneAllocator = true;
    private static volatile AllocatorTuningState allocatorTuning = AllocatorTuningState.NotInitialized;

    /// <summary>
    /// Whether initialisation raises glibc's malloc thresholds (mmap 32 MiB, trim 256 MiB, top pad
    /// 64 MiB) so freed tensor buffers are reused instead of being returned to the kernel and faulted in
    /// again by the next estimate. Default true. Set it before the first estimator call (or
    /// <see cref="EnsureAvailable"/>): the decision is made once, at initialisation, and setting a
    /// different value afterwards throws. <c>STOCHASTICBACKPROP_ALLOCATOR_TUNING=0</c> in the environment
    /// turns it off as well, and a setting made with glibc's own <c>MALLOC_MMAP_THRESHOLD_</c>,
    /// <c>MALLOC_TRIM_THRESHOLD_</c>, <c>MALLOC_TOP_PAD_</c> (or <c>GLIBC_TUNABLES</c>) is left alone.
    /// The price is resident memory that stays at the process's peak. <see cref="AllocatorTuning"/> says what happened.
    /// </summary>
    /// <exception cref="InvalidOperationException">Changed after the backend was initialised.</exception>
    public static bool TuneAllocator
    {
        get => tuneAllocator;
        set
        {
            lock (Gate)
            {
                if (value != tuneAllocator && allocatorTuning != AllocatorTuningState.NotInitialized)
                {
                    throw new InvalidOperationException($"TorchBackend.TuneAllocator must be set before the first estimator call; the allocator was already initialised ({allocatorTuning}).");
                }
                tuneAllocator = value;
            }
        }
    }

    /// <summary>
    /// What initialisation did to the native allocator: <see cref="AllocatorTuningState.NotInitialized"/>
    /// before it, then <see cref="AllocatorTuningState.Applied"/>, <see cref="AllocatorTuningState.Disabled"/>,
    /// <see cref="AllocatorTuningState.LeftToEnvironment"/>, <see cref="AllocatorTuningState.NotGlibc"/> (nothing
    /// to tune on Windows, macOS or musl) or <see cref="AllocatorTuningState.Failed"/>. Never an exception.
    /// </summary>
    public static AllocatorTuningState AllocatorTuning => allocatorTuning;

    /// <summary>
    /// Initialises TorchSharp's CPU backend (and, first, the allocator: see <see cref="TuneAllocator"/>). Cheap after the first successful call; estimators call it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The native library could not be loaded; the message names the cause and the fix.</exception>
    public static void EnsureAvailable()
    {
        if (available)
        {
            return;
        }
        lock (Gate)
        {
            if (available)
            {
                return;
            }
            if (allocatorTuning == AllocatorTuningState.NotInitialized)
            {
                // Before libtorch's first allocations, once (also when loading fails and is retried).
                allocatorTuning = NativeAllocator.Apply(tuneAllocator, Environment.GetEnvironmentVariable);
            }
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
                using torch.Tensor probe = torch.zeros(1);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                if (!HasLibTorchBeside(AppContext.BaseDirectory))
                {
                    throw new InvalidOperationException(DescribeMissingBackend(exception.Message), exception);
                }
                bool systemProvides = ElfVersionPatcher.SystemLibStdCxxProvides(ElfVersionPatcher.MissingVersion);
                string? library = FindLoadedLibraryCopy();
                throw new InvalidOperationException(DescribeLoadFailure(exception.Message, systemProvides, library, RequirementState(library)), exception);
            }
            available = true;
        }
    }

    /// <summary>Builds the explanation thrown when the native backend fails to load (separate so it can be tested).</summary>
    internal static string DescribeLoadFailure(string cause, bool systemProvidesVersion, string? libraryPath, ElfVersionPatcher.Outcome? requirementState)
    {
        string version = ElfVersionPatcher.MissingVersion;
        string head = "StochasticBackprop: TorchSharp's native library could not be loaded (" + cause + ").";
        if (systemProvidesVersion)
        {
            return head + " The system libstdc++ provides " + version + ", so the usual cause on Linux does not apply: "
                + "check that the libtorch-cpu native package for this platform was restored and copied to the output.";
        }

        string where = libraryPath is null
            ? "No " + ElfVersionPatcher.TorchSharpLibraryName + " was found beside the application."
            : requirementState == ElfVersionPatcher.Outcome.Patched
                ? "The copy at " + libraryPath + " still requires " + version + " strictly (it was not patched)."
                : "The copy at " + libraryPath + " is " + Describe(requirementState) + ".";
        return head + " The system libstdc++ lacks " + version + " (GCC 13), which " + ElfVersionPatcher.TorchSharpLibraryName
            + " from TorchSharp-cpu 0.107.0 requires. " + where
            + " Fix: build through a project that imports StochasticBackprop's build targets (the NuGet package does this; in this"
            + " repository set <StochasticBackpropUsesRuntime>true</StochasticBackpropUsesRuntime>), which marks that requirement weak in"
            + " the copy in the build output, or install GCC 13's libstdc++ (libstdc++6 >= 13) on the machine.";
    }

    /// <summary>
    /// The explanation when no libtorch is beside the application: the StochasticBackprop package depends on the
    /// managed TorchSharp only, and the backend is the application's choice.
    /// </summary>
    internal static string DescribeMissingBackend(string cause) =>
        "StochasticBackprop: TorchSharp's native backend could not be loaded (" + cause + "), and no libtorch was found beside the application."
        + " The StochasticBackprop package leaves the backend to the application: add a PackageReference to TorchSharp-cpu"
        + " (libtorch for the CPU) or to a CUDA libtorch package (the TorchSharp-cuda-* or libtorch-cuda-* packages for your platform), version-matched to TorchSharp 0.107.0.";

    /// <summary>Whether a libtorch native library (any backend) is in <paramref name="directory"/> or its runtimes/*/native folders.</summary>
    internal static bool HasLibTorchBeside(string directory)
    {
        string[] names = { "libtorch.so", "libtorch.dylib", "torch.dll" };
        if (names.Any(name => File.Exists(Path.Combine(directory, name))))
        {
            return true;
        }
        string runtimes = Path.Combine(directory, "runtimes");
        return Directory.Exists(runtimes)
            && Directory.EnumerateDirectories(runtimes).Any(rid => names.Any(name => File.Exists(Path.Combine(rid, "native", name))));
    }

    private static string Describe(ElfVersionPatcher.Outcome? state) => state switch
    {
        ElfVersionPatcher.Outcome.AlreadyWeak => "already patched (the requirement is weak), so the failure has another cause",
        ElfVersionPatcher.Outcome.NotRequired => "not asking for that version, so the failure has another cause",
        ElfVersionPatcher.Outcome.Refused => "not a library the patcher understands",
        _ => "in an unknown state",
    };

    private static string? FindLoadedLibraryCopy()
    {
        string baseDirectory = AppContext.BaseDirectory;
        foreach (string candidate in new[]
        {
            Path.Combine(baseDirectory, ElfVersionPatcher.TorchSharpLibraryName),
            Path.Combine(baseDirectory, "runtimes", "linux-x64", "native", ElfVersionPatcher.TorchSharpLibraryName),
            Path.Combine(baseDirectory, "runtimes", "linux-arm64", "native", ElfVersionPatcher.TorchSharpLibraryName),
        })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static ElfVersionPatcher.Outcome? RequirementState(string? library)
    {
        if (library is null)
        {
            return null;
        }
        try
        {
            // Patches an in-memory copy only, to learn whether the file on disk still needs the patch.
            return ElfVersionPatcher.WeakenVersionRequirement(File.ReadAllBytes(library), ElfVersionPatcher.MissingVersion, out _);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or IndexOutOfRangeException or OverflowException)
        {
            return null;
        }
    }
}
