using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Distributions;
using TorchSharp;
using Xunit;
using static StochasticBackprop.Runtime.Tests.Standard.StandardTensors;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Standard;

/// <summary>
/// The cumulants κ1..κ4 the generator derived from each standard distribution's characteristic function (the factorial
/// cumulants ζ1..ζ4 for the Bernoulli and the Poisson, whose Fourier rule is a difference rule on the integers),
/// against their closed forms (exact up to round-off), and the gradients of κ1, κ2 against autograd of the closed
/// forms. Beta, Dirichlet and StudentT are composites (their blocks' cumulants are the Normal's and the Gamma's);
/// LogNormal and Categorical declare no characteristic function.
/// </summary>
public sealed class StandardCumulantTests
{
    /// <summary>A distribution, its parameters and κ1..κ4 in closed form as functions of those parameter tensors.</summary>
    private sealed record Case(string Name, Func<Tensor[], IDistribution> Create, double[][] Parameters, Func<Tensor[], int, Tensor> Closed);

    private static readonly Case[] Cases =
    {
        new("Normal", p => new Normal(p[0], p[1]), new[] { new[] { 0.3, -1.2 }, new[] { 0.7, 2.0 } },
            (p, n) => n switch { 1 => p[0].clone(), 2 => p[1] * p[1], _ => torch.zeros_like(p[0]) }),
        new("Laplace", p => new Laplace(p[0], p[1]), new[] { new[] { 0.3, -1.2 }, new[] { 0.7, 2.0 } },
            (p, n) => n switch { 1 => p[0].clone(), 2 => p[1] * p[1] * S(2), 3 => torch.zeros_like(p[0]), _ => p[1].pow(S(4)) * S(12) }),
        new("Gamma", p => new Gamma(p[0], p[1]), new[] { new[] { 2.5, 0.4 }, new[] { 1.5, 0.8 } },
            (p, n) => p[0] * p[1].pow(S(n)) * S(Factorial(n - 1))),
        new("Exponential", p => new Exponential(p[0]), new[] { new[] { 0.5, 3.0 } },
            (p, n) => p[0].pow(S(-n)) * S(Factorial(n - 1))),
        // φ = (e^{i·high·w} − e^{i·low·w})/(i·w·(high − low)), a removable 0/0 at w = 0 cancelled by series division.
        new("Uniform", p => new Uniform(p[0], p[1]), new[] { new[] { 0.3, -1.2 }, new[] { 1.5, 2.0 } },
            (p, n) => n switch
            {
                1 => p[0].add(p[1], Scalars.One) * S(0.5),
                2 => (p[1] - p[0]).pow(S(2)) * S(1.0 / 12),
                3 => torch.zeros_like(p[0]),
                _ => (p[1] - p[0]).pow(S(4)) * S(-1.0 / 120),
            }),
        new("Bernoulli", p => new Bernoulli(p[0]), new[] { new[] { 0.2, 0.65 } },
            // Factorial cumulants on the integers: log φ = log(1 + p·t), t = e^{iw} − 1, so ζn = (−1)^{n+1} (n − 1)! pⁿ.
            (p, n) => p[0].pow(S(n)) * S((n % 2 == 1 ? 1 : -1) * Factorial(n - 1))),
        // log φ = rate·t: ζ1 = rate, ζn = 0 beyond.
        new("Poisson", p => new Poisson(p[0]), new[] { new[] { 0.7, 4.5 } }, (p, n) => n == 1 ? p[0].clone() : torch.zeros_like(p[0])),
    };

    public static IEnumerable<object[]> Names() => Cases.Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(Names))]
    public void Cumulants1To4_MatchClosedForm(string name)
    {
        using var scope = torch.NewDisposeScope();
        Case c = Cases.Single(x => x.Name == name);
        Tensor[] parameters = c.Parameters.Select(T).ToArray();
        IDistribution distribution = c.Create(parameters);
        for (int n = 1; n <= 4; n++)
        {
            AssertClose(Values(Cumulant(distribution, n)), Values(c.Closed(parameters, n)), $"{name} κ{n}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void CumulantGradients1To4_MatchAutogradOfClosedForm(string name)
    {
        using var scope = torch.NewDisposeScope();
        Case c = Cases.Single(x => x.Name == name);
        IDistribution distribution = c.Create(c.Parameters.Select(T).ToArray());
        for (int n = 1; n <= 4; n++)
        {
            IReadOnlyList<Tensor> generated = CumulantGradient(distribution, n);
            for (int p = 0; p < c.Parameters.Length; p++)
            {
                Tensor[] leaves = c.Parameters.Select(Grad).ToArray();
                Tensor closed = c.Closed(leaves, n);
                Tensor[] expected = closed.requires_grad
                    ? torch.autograd.grad(new[] { closed.sum() }, new[] { leaves[p] }, allow_unused: true).ToArray()
                    : new[] { torch.zeros_like(leaves[p]) };
                // autograd returns an empty tensor for a parameter the closed form does not use.
                AssertClose(Values(generated[p]), Values(expected[0] is null || expected[0].IsInvalid ? torch.zeros_like(leaves[p]) : expected[0]), $"{name} ∂κ{n}/∂{p}");
            }
        }
    }

    [Fact]
    public void WrongClosedForm_IsRejected()
    {
        // Laplace κ2 is 2b², not b²; Gamma κ3 is 2kθ³, not kθ³: the comparison above must see both.
        using var scope = torch.NewDisposeScope();
        Tensor mu = T(0.3), b = T(0.7), k = T(2.5), theta = T(0.4);
        Assert.False(Close(Values(new Laplace(mu, b).Cumulant(2)), Values(b * b)));
        Assert.False(Close(Values(new Gamma(k, theta).Cumulant(3)), Values(k * theta.pow(S(3)))));
    }

    /// <summary>κn, or on the integers (Bernoulli, Poisson) the factorial cumulant ζn the difference rule uses.</summary>
    private static Tensor Cumulant(IDistribution distribution, int n) => distribution switch
    {
        ICumulantDistribution c => c.Cumulant(n),
        IFactorialCumulantDistribution f => f.FactorialCumulant(n),
        _ => throw new ArgumentException(distribution.Name + " has no cumulants", nameof(distribution)),
    };

    private static IReadOnlyList<Tensor> CumulantGradient(IDistribution distribution, int n) => distribution switch
    {
        ICumulantDistribution c => c.CumulantGradient(n),
        IFactorialCumulantDistribution f => f.FactorialCumulantGradient(n),
        _ => throw new ArgumentException(distribution.Name + " has no cumulants", nameof(distribution)),
    };

    private static Scalar S(double value) => Scalars.Of(value);

    private static double Factorial(int n) => Enumerable.Range(1, Math.Max(n, 0)).Aggregate(1.0, (a, i) => a * i);
}
