using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Distributions;
using TorchSharp;
using Xunit;
using static StochasticBackprop.Runtime.Tests.Standard.StandardTensors;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Standard;

/// <summary>Each standard distribution refuses a bad parameter at construction with a message naming the distribution, the parameter and the value.</summary>
public sealed class StandardValidationTests
{
    private static readonly (string Name, Action Create, string Message)[] Cases =
    {
        ("Normal", () => _ = new Normal(T(0.0), T(-1.0)), "Normal: parameter 'sigma' must be positive, got -1"),
        ("LogNormal", () => _ = new LogNormal(T(double.NaN), T(1.0)), "LogNormal: parameter 'mu' must be finite, got NaN"),
        ("Laplace", () => _ = new Laplace(T(0.0), T(0.0)), "Laplace: parameter 'b' must be positive, got 0"),
        ("Gamma", () => _ = new Gamma(T(-2.0), T(1.0)), "Gamma: parameter 'k' must be positive, got -2"),
        ("Exponential", () => _ = new Exponential(T(double.PositiveInfinity)), "Exponential: parameter 'rate' must be positive, got Infinity"),
        ("Beta", () => _ = new Beta(T(1.0), T(-0.5)), "Beta: parameter 'b' must be positive, got -0.5"),
        ("Dirichlet", () => _ = new Dirichlet(T(1.0, 0.0, 2.0)), "Dirichlet: parameter 'alpha' must be positive, got 0 at index [1]"),
        ("Bernoulli", () => _ = new Bernoulli(T(0.5, 1.5)), "Bernoulli: parameter 'p' must lie in [0, 1], got 1.5 at index [1]"),
        ("Categorical", () => _ = new Categorical(T(0.5, 0.6)), "Categorical: parameter 'probs' must sum to 1 over its last axis, got 1.1"),
        ("CategoricalLogits", () => _ = new CategoricalLogits(T(0.0, double.NaN)), "CategoricalLogits: parameter 'logits' must be finite, got NaN at index [1]"),
        ("Poisson", () => _ = new Poisson(T(-0.1)), "Poisson: parameter 'rate' must be positive, got -0.1"),
        ("StudentT", () => _ = new StudentT(T(0.0), T(0.0), T(1.0)), "StudentT: parameter 'nu' must be positive, got 0"),
    };

    public static IEnumerable<object[]> Names() => Cases.Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(Names))]
    public void BadParameter_ThrowsNamingDistributionParameterAndValue(string name)
    {
        using var scope = torch.NewDisposeScope();
        var c = Cases.Single(x => x.Name == name);
        var error = Assert.Throws<ArgumentOutOfRangeException>(c.Create);
        Assert.StartsWith(c.Message, error.Message, StringComparison.Ordinal);
    }
}
