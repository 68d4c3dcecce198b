using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;
// The sample distributions' namespace, in one place: switch this line when they move into the package.
using SampleDistributions = StochasticBackprop.Samples.Distributions;
using StandardDistributions = StochasticBackprop.Distributions;

namespace StochasticBackprop.Runtime.Tests.SelfCheck;

/// <summary>
/// Every sample distribution of src/Samples/Distributions at two parameter points (and one batched case), for the self-check
/// tests. <c>NormalizedMalliavinNormal</c> is left out on purpose: its declared score is biased by design, and the
/// wrong-declaration tests show the self-check failing on it.
/// </summary>
public static class SampleDistributionCases
{
    /// <summary>Samples per check: 10,000 (4,000 for the Dirichlet and the batched Gamma, whose estimators cost about 1 s per call at 10,000).</summary>
    public const long SampleCount = 10_000;

    private static Tensor T(double value) => torch.tensor(value, ScalarType.Float64);

    private static Tensor V(params double[] values) => torch.tensor(values, ScalarType.Float64);

    private static readonly (string Name, Func<IDistribution> Create, long SampleCount)[] All =
    {
        ("Normal(0.3, 1.2)", () => new StandardDistributions.Normal(T(0.3), T(1.2)), SampleCount),
        ("Normal(-2, 0.05)", () => new StandardDistributions.Normal(T(-2), T(0.05)), SampleCount),
        ("Gamma(2.5, 0.8)", () => new StandardDistributions.Gamma(T(2.5), T(0.8)), SampleCount),
        ("Gamma(1.3, 2)", () => new StandardDistributions.Gamma(T(1.3), T(2)), SampleCount),
        ("Gamma([2.5, 1.3, 4, 0.9], 0.8) batch [4]", () => new StandardDistributions.Gamma(V(2.5, 1.3, 4, 0.9), T(0.8)), 4_000),
        ("Exponential(1.7)", () => new StandardDistributions.Exponential(T(1.7)), SampleCount),
        ("Exponential(0.2)", () => new StandardDistributions.Exponential(T(0.2)), SampleCount),
        ("Laplace(0.5, 1)", () => new StandardDistributions.Laplace(T(0.5), T(1)), SampleCount),
        ("Laplace(-3, 0.2)", () => new StandardDistributions.Laplace(T(-3), T(0.2)), SampleCount),
        ("CoupledNormal(0.5, 0.3)", () => new SampleDistributions.CoupledNormal(T(0.5), T(0.3)), SampleCount),
        ("CoupledNormal(-1, 0.8)", () => new SampleDistributions.CoupledNormal(T(-1), T(0.8)), SampleCount),
        ("CoupledNormalVarianceReading(0.5, 0.3)", () => new SampleDistributions.CoupledNormalVarianceReading(T(0.5), T(0.3)), SampleCount),
        ("CoupledNormalVarianceReading(-1, 0.8)", () => new SampleDistributions.CoupledNormalVarianceReading(T(-1), T(0.8)), SampleCount),
        ("Dirac(0.7)", () => new SampleDistributions.Dirac(T(0.7)), SampleCount),
        ("Dirac(-2)", () => new SampleDistributions.Dirac(T(-2)), SampleCount),
        ("GbmTerminalPrice(100, 0.05, 0.2, 1)", () => new SampleDistributions.GbmTerminalPrice(T(100), T(0.05), T(0.2), T(1)), SampleCount),
        ("GbmTerminalPrice(1, 0, 0.5, 2)", () => new SampleDistributions.GbmTerminalPrice(T(1), T(0), T(0.5), T(2)), SampleCount),
        ("Beta(2, 3)", () => new StandardDistributions.Beta(T(2), T(3)), SampleCount),
        ("Beta(1.5, 4)", () => new StandardDistributions.Beta(T(1.5), T(4)), SampleCount),
        ("Dirichlet([2, 3, 4])", () => new StandardDistributions.Dirichlet(V(2, 3, 4)), 4_000),
        ("Dirichlet([1.5, 1.5, 5])", () => new StandardDistributions.Dirichlet(V(1.5, 1.5, 5)), 4_000),
        ("Bernoulli(0.3)", () => new StandardDistributions.Bernoulli(T(0.3)), SampleCount),
        ("Bernoulli(0.8)", () => new StandardDistributions.Bernoulli(T(0.8)), SampleCount),
        ("Categorical([0.5, 0.3, 0.2])", () => new StandardDistributions.Categorical(V(0.5, 0.3, 0.2)), SampleCount),
        ("Categorical([0.1, 0.2, 0.3, 0.4])", () => new StandardDistributions.Categorical(V(0.1, 0.2, 0.3, 0.4)), SampleCount),
        ("CategoricalLogits([0, 1, -1])", () => new StandardDistributions.CategoricalLogits(V(0, 1, -1)), SampleCount),
        ("CategoricalLogits([2, 0.5, 0])", () => new StandardDistributions.CategoricalLogits(V(2, 0.5, 0)), SampleCount),
        ("Uniform(0.3, 1.5)", () => new StandardDistributions.Uniform(T(0.3), T(1.5)), SampleCount),
        ("Uniform(-2, 5)", () => new StandardDistributions.Uniform(T(-2), T(5)), SampleCount),
        ("LogNormal(0.2, 0.5)", () => new StandardDistributions.LogNormal(T(0.2), T(0.5)), SampleCount),
        ("LogNormal(-1, 0.3)", () => new StandardDistributions.LogNormal(T(-1), T(0.3)), SampleCount),
        ("StudentT(7, 0.5, 1.2)", () => new StandardDistributions.StudentT(T(7), T(0.5), T(1.2)), SampleCount),
        ("StudentT(12, -1, 0.4)", () => new StandardDistributions.StudentT(T(12), T(-1), T(0.4)), SampleCount),
        ("LogGamma(2.5)", () => new SampleDistributions.LogGamma(T(2.5)), SampleCount),
        ("LogGamma(0.8)", () => new SampleDistributions.LogGamma(T(0.8)), SampleCount),
        ("HyperbolicSecant(0.3, 1)", () => new SampleDistributions.HyperbolicSecant(T(0.3), T(1)), SampleCount),
        ("HyperbolicSecant(-1, 0.5)", () => new SampleDistributions.HyperbolicSecant(T(-1), T(0.5)), SampleCount),
        ("InverseGaussian(1.3, 2.1)", () => new SampleDistributions.InverseGaussian(T(1.3), T(2.1)), SampleCount),
        ("InverseGaussian(0.6, 5)", () => new SampleDistributions.InverseGaussian(T(0.6), T(5)), SampleCount),
        ("Poisson(3.5)", () => new StandardDistributions.Poisson(T(3.5)), SampleCount),
        ("Poisson(0.4)", () => new StandardDistributions.Poisson(T(0.4)), SampleCount),
    };

    /// <summary>The case names, for <c>[MemberData]</c>.</summary>
    public static IEnumerable<object[]> Names() => All.Select(c => new object[] { c.Name });

    /// <summary>The distribution types covered, to check that every sample distribution is.</summary>
    public static IEnumerable<Type> CoveredTypes() => All.Select(c => { using DisposeScope scope = torch.NewDisposeScope(); return c.Create().GetType(); }).Distinct();

    /// <summary>Where the declared types live: the samples' namespace and the package's standard distributions.</summary>
    public static IReadOnlyList<(System.Reflection.Assembly Assembly, string Namespace)> Declared => new[]
    {
        (typeof(SampleDistributions.Dirac).Assembly, typeof(SampleDistributions.Dirac).Namespace!),
        (typeof(StandardDistributions.Normal).Assembly, typeof(StandardDistributions.Normal).Namespace!),
    };

    /// <summary>The distribution and its sample count for a case name.</summary>
    public static (IDistribution Distribution, long SampleCount) Create(string name)
    {
        var entry = All.Single(c => c.Name == name);
        return (entry.Create(), entry.SampleCount);
    }
}
