using System;
using System.ComponentModel;
using System.Linq;
using System.Reflection;
using Xunit;

namespace StochasticBackprop.Runtime.Tests;

/// <summary>
/// The helpers that generated code calls are public (the generated code lives in the user's assembly) but
/// hidden from IntelliSense with <c>[EditorBrowsable(EditorBrowsableState.Never)]</c>; the types meant for
/// users stay visible. The list is exact: a new hidden type, or a helper that lost its attribute, fails here.
/// </summary>
public sealed class HiddenHelperTests
{
    private static readonly string[] HiddenTypes =
    {
        "StochasticBackprop.CharacteristicFunctionEvaluator",
        "StochasticBackprop.DiscreteSupport",
        "StochasticBackprop.Kernel",
        "StochasticBackprop.KernelValues",
        "StochasticBackprop.Noise",
        "StochasticBackprop.ParameterCheck",
        "StochasticBackprop.SamplerCheck",
        "StochasticBackprop.Shapes",
        "StochasticBackprop.TorchMembers",
        "StochasticBackprop.Wanted",
    };

    private static bool IsHidden(Type type) =>
        type.GetCustomAttribute<EditorBrowsableAttribute>() is { State: EditorBrowsableState.Never };

    [Fact]
    public void ExactlyTheGeneratedCodeHelpers_AreHiddenFromIntelliSense()
    {
        Assembly runtime = typeof(Scalars).Assembly;
        string[] hidden = runtime.GetExportedTypes().Where(IsHidden).Select(t => t.FullName!).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        Assert.Equal(HiddenTypes, hidden);
    }

    [Theory]
    [InlineData(typeof(Scalars))]
    [InlineData(typeof(TorchBackend))]
    [InlineData(typeof(AllocatorTuningState))]
    [InlineData(typeof(Estimators))]
    [InlineData(typeof(GradientEstimate))]
    public void TypesMeantForUsers_StayVisible(Type type)
    {
        Assert.True(type.IsPublic, $"{type.Name} is not public");
        Assert.False(IsHidden(type), $"{type.Name} is hidden from IntelliSense");
    }
}
