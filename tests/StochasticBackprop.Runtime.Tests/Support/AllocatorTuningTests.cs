using System;
using System.Collections.Generic;
using Xunit;

namespace StochasticBackprop.Runtime.Tests;

/// <summary>The glibc malloc tuning done once at backend initialisation (TorchBackend.TuneAllocator).</summary>
public sealed class AllocatorTuningTests
{
    private static Func<string, string?> Environment(params (string Name, string Value)[] variables)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in variables)
        {
            map[name] = value;
        }
        return name => map.TryGetValue(name, out string? value) ? value : null;
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("1", true)]
    [InlineData("on", true)]
    [InlineData("0", false)]
    [InlineData(" 0 ", false)]
    [InlineData("false", false)]
    [InlineData("FALSE", false)]
    [InlineData("off", false)]
    [InlineData("No", false)]
    public void OptOutVariable_ZeroFalseOffNo_TurnItOff(string? value, bool enabled) =>
        Assert.Equal(enabled, NativeAllocator.TuningEnabledBy(value));

    [Fact]
    public void UserSettings_InMallocVariablesOrTunables_AreRecognised()
    {
        Assert.True(NativeAllocator.UserChose("MALLOC_MMAP_THRESHOLD_", "mmap_threshold", Environment(("MALLOC_MMAP_THRESHOLD_", "131072"))));
        Assert.True(NativeAllocator.UserChose("MALLOC_TOP_PAD_", "top_pad", Environment(("GLIBC_TUNABLES", "glibc.malloc.arena_max=2:glibc.malloc.top_pad=0"))));
        Assert.False(NativeAllocator.UserChose("MALLOC_TRIM_THRESHOLD_", "trim_threshold", Environment(("GLIBC_TUNABLES", "glibc.malloc.top_pad=0"))));
        Assert.False(NativeAllocator.UserChose("MALLOC_TRIM_THRESHOLD_", "trim_threshold", Environment()));
    }

    [Fact]
    public void Apply_TurnedOff_ChangesNothing()
    {
        Assert.Equal(AllocatorTuningState.Disabled, NativeAllocator.Apply(false, Environment()));
        Assert.Equal(AllocatorTuningState.Disabled, NativeAllocator.Apply(true, Environment((NativeAllocator.OptOutVariable, "0"))));
    }

    [Fact]
    public void Apply_EverySettingTheUsers_LeavesThemAlone()
    {
        var environment = Environment(("MALLOC_MMAP_THRESHOLD_", "131072"), ("MALLOC_TRIM_THRESHOLD_", "131072"), ("MALLOC_TOP_PAD_", "0"));
        AllocatorTuningState expected = OperatingSystem.IsLinux() ? AllocatorTuningState.LeftToEnvironment : AllocatorTuningState.NotGlibc;
        Assert.Equal(expected, NativeAllocator.Apply(true, environment));
    }

    [Fact]
    public void AfterInitialisation_TheStateSaysWhatHappened_AndCannotBeChanged()
    {
        TorchBackend.EnsureAvailable();
        AllocatorTuningState state = TorchBackend.AllocatorTuning;
        Assert.NotEqual(AllocatorTuningState.NotInitialized, state);
        Assert.NotEqual(AllocatorTuningState.Failed, state);
        bool userChoseAll = Array.TrueForAll(
            new[] { ("MALLOC_MMAP_THRESHOLD_", "mmap_threshold"), ("MALLOC_TRIM_THRESHOLD_", "trim_threshold"), ("MALLOC_TOP_PAD_", "top_pad") },
            s => NativeAllocator.UserChose(s.Item1, s.Item2, System.Environment.GetEnvironmentVariable));
        if (!TorchBackend.TuneAllocator || !NativeAllocator.TuningEnabledBy(System.Environment.GetEnvironmentVariable(NativeAllocator.OptOutVariable)))
        {
            Assert.Equal(AllocatorTuningState.Disabled, state);
        }
        else if (OperatingSystem.IsLinux() && !userChoseAll)
        {
            // glibc on the Linux machines this runs on (Debian 12 in CI); musl would say NotGlibc.
            Assert.True(state is AllocatorTuningState.Applied or AllocatorTuningState.NotGlibc, state.ToString());
        }

        TorchBackend.TuneAllocator = TorchBackend.TuneAllocator; // the same value: allowed
        bool current = TorchBackend.TuneAllocator;
        Assert.Throws<InvalidOperationException>(() => TorchBackend.TuneAllocator = !current);
        Assert.Equal(current, TorchBackend.TuneAllocator);
        Assert.Equal(state, TorchBackend.AllocatorTuning);
    }
}
