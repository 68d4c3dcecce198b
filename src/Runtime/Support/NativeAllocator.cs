using System;
using System.Runtime.InteropServices;

namespace StochasticBackprop;

/// <summary>What <see cref="TorchBackend"/> did to the native allocator at initialisation.</summary>
public enum AllocatorTuningState
{
    /// <summary>The backend has not been initialised yet: nothing was decided.</summary>
    NotInitialized,

    /// <summary>glibc's malloc thresholds were raised (each setting the user had not already made in the environment).</summary>
    Applied,

    /// <summary>Turned off, by <see cref="TorchBackend.TuneAllocator"/> or <c>STOCHASTICBACKPROP_ALLOCATOR_TUNING=0</c>.</summary>
    Disabled,

    /// <summary>Every setting was already chosen by the user (<c>MALLOC_MMAP_THRESHOLD_</c>, <c>MALLOC_TRIM_THRESHOLD_</c>, <c>MALLOC_TOP_PAD_</c> or their <c>GLIBC_TUNABLES</c>), so nothing was changed.</summary>
    LeftToEnvironment,

    /// <summary>Not Linux with glibc (Windows, macOS, musl): nothing to tune, nothing changed.</summary>
    NotGlibc,

    /// <summary>glibc was found but refused a setting (mallopt returned 0); whatever it accepted stays.</summary>
    Failed,
}

/// <summary>
/// Raises glibc's malloc thresholds so freed tensor buffers stay in the heap and are reused.
/// </summary>
/// <remarks>
/// An estimate at S = 10⁵ allocates a few dozen buffers of about 800 KB. glibc serves blocks above
/// its mmap threshold (128 KiB at start, then raised dynamically only up to the largest block freed so
/// far) with fresh mmap calls and trims the top of the heap once more than the trim threshold is free,
/// so every estimate hands its buffers back to the kernel and faults them in again, page by page:
/// profiling put about 45% of estimator time in page faults. With the thresholds raised, a freed buffer
/// is reused by the next estimate without a fault. The cost is resident memory that stays at the
/// process's peak instead of shrinking (already the case once glibc's dynamic threshold has grown; see
/// the README's "Benchmark and memory").
/// </remarks>
internal static class NativeAllocator
{
    /// <summary>glibc's mallopt parameter numbers (malloc.h).</summary>
    internal const int TrimThresholdParameter = -1, TopPadParameter = -2, MmapThresholdParameter = -3;

    /// <summary>
    /// Blocks below this come from the heap (reused after free) rather than from mmap (returned to the
    /// kernel at free). 32 MiB is the largest value glibc accepts on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX,
    /// 4 MiB · sizeof(long)); larger tensors are rare here and mmap suits them (one fault per page either way).
    /// </summary>
    internal const int MmapThreshold = 32 << 20;

    /// <summary>
    /// Free memory at the top of the heap is returned to the kernel only beyond this. 256 MiB keeps a
    /// working set of several hundred estimator buffers (or a few 32 MiB ones) without returning it, while
    /// a one-off spike far beyond that is still given back.
    /// </summary>
    internal const int TrimThreshold = 256 << 20;

    /// <summary>
    /// Extra memory asked of the kernel each time the heap grows: 64 MiB means one brk call per many
    /// buffers instead of one per buffer. Address space only; pages are faulted when first touched.
    /// </summary>
    internal const int TopPad = 64 << 20;

    /// <summary>The environment variable that turns the tuning off (<c>0</c>, <c>false</c>, <c>off</c>, <c>no</c>).</summary>
    internal const string OptOutVariable = "STOCHASTICBACKPROP_ALLOCATOR_TUNING";

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MalloptFunction(int parameter, int value);

    /// <summary>Whether <paramref name="value"/> (the opt-out variable's content, null when unset) leaves the tuning on.</summary>
    internal static bool TuningEnabledBy(string? value)
    {
        if (value is null)
        {
            return true;
        }
        string trimmed = value.Trim();
        return !(trimmed == "0"
            || trimmed.Equals("false", StringComparison.OrdinalIgnoreCase)
            || trimmed.Equals("off", StringComparison.OrdinalIgnoreCase)
            || trimmed.Equals("no", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Whether the user chose the setting in the environment: glibc reads <c>MALLOC_…_</c> and
    /// <c>GLIBC_TUNABLES=glibc.malloc.…</c> at start-up, and a choice made there is theirs to keep.
    /// </summary>
    internal static bool UserChose(string variable, string tunable, Func<string, string?> environment)
    {
        if (!string.IsNullOrEmpty(environment(variable)))
        {
            return true;
        }
        string? tunables = environment("GLIBC_TUNABLES");
        return tunables is not null && tunables.Contains("glibc.malloc." + tunable + "=", StringComparison.Ordinal);
    }

    /// <summary>Applies the thresholds once; never throws (a missing libc or mallopt is <see cref="AllocatorTuningState.NotGlibc"/>).</summary>
    internal static AllocatorTuningState Apply(bool enabled, Func<string, string?> environment)
    {
        if (!enabled || !TuningEnabledBy(environment(OptOutVariable)))
        {
            return AllocatorTuningState.Disabled;
        }
        if (!OperatingSystem.IsLinux())
        {
            return AllocatorTuningState.NotGlibc;
        }
        try
        {
            // gnu_get_libc_version exists only in glibc (musl has mallopt as a no-op stub).
            if (!NativeLibrary.TryLoad("libc.so.6", out IntPtr libc)
                || !NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out _)
                || !NativeLibrary.TryGetExport(libc, "mallopt", out IntPtr address))
            {
                return AllocatorTuningState.NotGlibc;
            }
            var mallopt = Marshal.GetDelegateForFunctionPointer<MalloptFunction>(address);
            var settings = new (string Variable, string Tunable, int Parameter, int Value)[]
            {
                ("MALLOC_MMAP_THRESHOLD_", "mmap_threshold", MmapThresholdParameter, MmapThreshold),
                ("MALLOC_TRIM_THRESHOLD_", "trim_threshold", TrimThresholdParameter, TrimThreshold),
                ("MALLOC_TOP_PAD_", "top_pad", TopPadParameter, TopPad),
            };
            bool changed = false, refused = false;
            foreach (var setting in settings)
            {
                if (UserChose(setting.Variable, setting.Tunable, environment))
                {
                    continue;
                }
                // mallopt returns 1 on success, 0 when it rejects the value.
                if (mallopt(setting.Parameter, setting.Value) == 1)
                {
                    changed = true;
                }
                else
                {
                    refused = true;
                }
            }
            return refused ? AllocatorTuningState.Failed
                : changed ? AllocatorTuningState.Applied
                : AllocatorTuningState.LeftToEnvironment;
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or MarshalDirectiveException)
        {
            return AllocatorTuningState.NotGlibc;
        }
    }
}
