using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace StochasticBackprop.Samples.Experiments;

/// <summary>Every experiment of the suite, found by reflection, in index order.</summary>
public static class ExperimentCatalog
{
    private static readonly Lazy<IReadOnlyList<IExperiment>> all = new(() =>
        typeof(ExperimentCatalog).Assembly.GetTypes()
            .Where(t => typeof(IExperiment).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false } && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (IExperiment)Activator.CreateInstance(t)!)
            .OrderBy(e => e.Order).ThenBy(e => e.Name, StringComparer.Ordinal)
            .ToArray());

    public static IReadOnlyList<IExperiment> All => all.Value;

    /// <summary>The experiment called <paramref name="name"/>, or null.</summary>
    public static IExperiment? Find(string name) => All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));
}
