using System;

namespace StochasticBackprop;

/// <summary>
/// Marks a public static method of <see cref="Estimators"/> as an estimator: its first parameter is the
/// capability it needs (the distribution, as an extension method's receiver), then the objective, the
/// sample count, optional settings and the generator. <see cref="EstimatorCatalog"/> finds every marked
/// method, so an estimator written once in the runtime reaches every distribution with that capability,
/// and every table that lists estimators, without an edit elsewhere.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class EstimatorAttribute : Attribute
{
    /// <summary>Marks an estimator with its short name (<c>pathwise</c>, <c>local-expectation</c>).</summary>
    public EstimatorAttribute(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The short name.</summary>
    public string Name { get; }

    /// <summary>True for an estimator that is biased by design (a relaxation), kept to compare with.</summary>
    public bool Biased { get; init; }
}
