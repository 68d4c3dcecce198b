using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>
/// Every estimator in <see cref="Estimators"/> (the methods marked <see cref="EstimatorAttribute"/>) that a
/// distribution's capabilities allow, found by reflection: tables, experiments and tests list estimators from
/// here instead of repeating which capability gives which estimator.
/// </summary>
public static class EstimatorCatalog
{
    private static readonly Lazy<IReadOnlyList<EstimatorEntry>> All = new(() => typeof(Estimators)
        .GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Select(m => (Method: m, Attribute: m.GetCustomAttribute<EstimatorAttribute>()))
        .Where(x => x.Attribute is not null)
        .Select(x => new EstimatorEntry(x.Attribute!.Name, x.Attribute.Biased, x.Method))
        .OrderBy(e => e.Name, StringComparer.Ordinal)
        .ToArray());

    /// <summary>Every registered estimator, ordered by name.</summary>
    public static IReadOnlyList<EstimatorEntry> Entries => All.Value;

    /// <summary>The estimators that apply to <paramref name="distribution"/>, ordered by name.</summary>
    public static IReadOnlyList<EstimatorEntry> For(IDistribution distribution)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return All.Value.Where(e => e.Capability.IsInstanceOfType(distribution)).ToArray();
    }
}

/// <summary>One registered estimator: its name, the capability it needs, and a way to call it.</summary>
public sealed class EstimatorEntry
{
    private readonly MethodInfo method;

    internal EstimatorEntry(string name, bool biased, MethodInfo method)
    {
        ParameterInfo[] parameters = method.GetParameters();
        if (parameters.Length < 3 || parameters[1].ParameterType != typeof(Objective) || parameters[2].ParameterType != typeof(long)
            || parameters.Skip(3).Any(p => !p.HasDefaultValue) || method.ReturnType != typeof(GradientEstimate))
        {
            throw new InvalidOperationException($"{method.Name} is marked [Estimator] but is not (distribution, Objective, long sampleCount, optional settings…) → GradientEstimate.");
        }
        Name = name;
        Biased = biased;
        this.method = method;
        Capability = parameters[0].ParameterType;
    }

    /// <summary>The estimator's short name.</summary>
    public string Name { get; }

    /// <summary>True for an estimator that is biased by design.</summary>
    public bool Biased { get; }

    /// <summary>The capability interface the estimator needs.</summary>
    public Type Capability { get; }

    /// <summary>The names of the optional settings, in order (a baseline, a temperature, the generator…).</summary>
    public IReadOnlyList<string> Settings => method.GetParameters().Skip(3).Select(p => p.Name!).ToArray();

    /// <summary>
    /// Runs the estimator with every setting at its default except those named in <paramref name="settings"/>
    /// (a setting the estimator does not have is ignored, so one dictionary serves a whole table).
    /// </summary>
    public GradientEstimate Estimate(IDistribution distribution, Objective objective, long sampleCount, Generator? generator = null, IReadOnlyDictionary<string, object?>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        if (!Capability.IsInstanceOfType(distribution))
        {
            throw new ArgumentException($"The {Name} estimator needs a {Capability.Name}; {distribution.Name} is not one.", nameof(distribution));
        }
        ParameterInfo[] parameters = method.GetParameters();
        var arguments = new object?[parameters.Length];
        arguments[0] = distribution;
        arguments[1] = objective;
        arguments[2] = sampleCount;
        for (int i = 3; i < parameters.Length; i++)
        {
            ParameterInfo parameter = parameters[i];
            arguments[i] = parameter.ParameterType == typeof(Generator) ? generator
                : settings is not null && settings.TryGetValue(parameter.Name!, out object? value) ? value
                : parameter.DefaultValue;
        }
        try
        {
            return (GradientEstimate)method.Invoke(null, arguments)!;
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exception.InnerException).Throw();
            throw;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Capability.Name})";
}
