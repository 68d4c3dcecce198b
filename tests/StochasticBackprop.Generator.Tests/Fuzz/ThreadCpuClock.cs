using System;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace StochasticBackprop.Generator.Tests.Fuzz;

/// <summary>
/// The CPU time the calling thread has used: what a fuzz case costs by itself, whatever else the machine
/// runs (a wall clock on a loaded machine also counts the time other processes held the core).
/// Linux and macOS read <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>, Windows <c>GetThreadTimes</c>;
/// .NET has no managed call for the current thread's CPU time.
/// </summary>
internal static class ThreadCpuClock
{
    private const int LinuxThreadCpuTimeId = 3;
    private const int MacThreadCpuTimeId = 16;

    /// <summary>Whether <see cref="Now"/> reads a thread CPU clock on this platform (else it throws).</summary>
    public static bool IsSupported =>
        OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsWindows();

    /// <summary>The calling thread's CPU time (user + kernel) since it started.</summary>
    public static TimeSpan Now()
    {
        if (OperatingSystem.IsWindows())
        {
            if (!GetThreadTimes(GetCurrentThread(), out _, out _, out long kernel, out long user))
            {
                throw new InvalidOperationException($"GetThreadTimes failed with error {Marshal.GetLastPInvokeError()}.");
            }
            // FILETIME counts 100 ns ticks, as TimeSpan does.
            return TimeSpan.FromTicks(kernel + user);
        }
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            int clock = OperatingSystem.IsLinux() ? LinuxThreadCpuTimeId : MacThreadCpuTimeId;
            if (ClockGetTime(clock, out TimeSpec time) != 0)
            {
                throw new InvalidOperationException($"clock_gettime({clock}) failed with errno {Marshal.GetLastPInvokeError()}.");
            }
            return TimeSpan.FromTicks(time.Seconds * TimeSpan.TicksPerSecond + time.Nanoseconds / 100);
        }
        throw new PlatformNotSupportedException("No thread CPU clock on " + RuntimeInformation.OSDescription + ".");
    }

    /// <summary>The CPU and wall time of <paramref name="action"/> on the calling thread.</summary>
    public static (TimeSpan Cpu, TimeSpan Wall) Measure(Action action)
    {
        TimeSpan cpu = Now();
        long wall = Stopwatch.GetTimestamp();
        action();
        return (Now() - cpu, Stopwatch.GetElapsedTime(wall));
    }

    // DllImport, not LibraryImport: the generated marshalling needs AllowUnsafeBlocks, which this project does not set.
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        // time_t and long: 64 bits on the 64-bit platforms .NET runs this test on.
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static extern int ClockGetTime(int clockId, out TimeSpec time);

    [DllImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static extern bool GetThreadTimes(IntPtr thread, out long creation, out long exit, out long kernel, out long user);

    [DllImport("kernel32.dll")]
    private static extern IntPtr GetCurrentThread();
}
