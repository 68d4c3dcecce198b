using System;
using System.Linq;
using StochasticBackprop.Distributions;
using TorchSharp;
using Xunit;
using static StochasticBackprop.Runtime.Tests.Standard.StandardTensors;
using static TorchSharp.torch;
using M = MathNet.Numerics.Distributions;

namespace StochasticBackprop.Runtime.Tests.Standard;

/// <summary>
/// Each standard distribution's generated log density, entropy and CDF against MathNet.Numerics at points of the
/// support, two parameter settings at once (batch shape [2]); a wrong MathNet parameterisation fails the same check.
/// </summary>
public sealed class StandardDensityTests
{
    private static readonly double[] RealPoints = { -2.5, -0.4, 0.0, 0.9, 3.1 };
    private static readonly double[] PositivePoints = { 0.05, 0.4, 1.0, 2.2, 6.0 };
    private static readonly double[] UnitPoints = { 0.02, 0.3, 0.5, 0.77, 0.98 };

    /// <summary>z of shape [points, 2]: every point for both parameter settings.</summary>
    private static Tensor Grid(double[] points) => T(points.SelectMany(v => new[] { v, v }).ToArray()).reshape(points.Length, 2);

    /// <summary>The MathNet values at the grid, in the grid's order.</summary>
    private static double[] Expected(double[] points, Func<int, double, double> truth) =>
        points.SelectMany(v => new[] { truth(0, v), truth(1, v) }).ToArray();

    [Fact]
    public void Normal_LogDensityEntropyCdf_MatchMathNet()
    {
        using var scope = torch.NewDisposeScope();
        double[] mu = { 0.3, -1.2 }, sigma = { 0.7, 2.0 };
        var d = new Normal(T(mu), T(sigma));
        AssertClose(Values(d.LogDensity(Grid(RealPoints))!), Expected(RealPoints, (j, z) => new M.Normal(mu[j], sigma[j]).DensityLn(z)), "Normal log p");
        AssertClose(Values(d.Entropy()), mu.Select((_, j) => new M.Normal(mu[j], sigma[j]).Entropy).ToArray(), "Normal H");
        AssertClose(Values(d.Cdf(Grid(RealPoints))), Expected(RealPoints, (j, z) => new M.Normal(mu[j], sigma[j]).CumulativeDistribution(z)), "Normal F");
    }

    [Fact]
    public void Uniform_LogProbEntropyCdf_MatchMathNet()
    {
        using var scope = torch.NewDisposeScope();
        double[] low = { 0.3, -1.2 }, high = { 1.5, 2.0 };
        double[] points = { -2.0, 0.4, 1.0, 1.9, 6.0 };
        var d = new Uniform(T(low), T(high));
        AssertClose(Values(d.LogProb(Grid(points))), Expected(points, (j, z) => new M.ContinuousUniform(low[j], high[j]).DensityLn(z)), "Uniform log p");
        AssertClose(Values(d.Cdf(Grid(points))), Expected(points, (j, z) => new M.ContinuousUniform(low[j], high[j]).CumulativeDistribution(z)), "Uniform F");
        AssertClose(Values(d.Entropy()), low.Select((_, j) => new M.ContinuousUniform(low[j], high[j]).Entropy).ToArray(), "Uniform H");
        AssertClose(Values(d.Mean), low.Select((_, j) => new M.ContinuousUniform(low[j], high[j]).Mean).ToArray(), "Uniform mean");
        AssertClose(Values(d.Variance), low.Select((_, j) => new M.ContinuousUniform(low[j], high[j]).Variance).ToArray(), "Uniform variance");
        // high ≤ low is refused by the constructor ([Constraint("high - low", ParameterDomain.Positive)]), naming the
        // condition, the offending width and its index in the broadcast shape.
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Uniform(T(new[] { 0.0, 1.0 }), T(new[] { 2.0, 0.5 })));
        Assert.Equal("low", error.ParamName);
        Assert.Contains("Uniform: high - low must be positive (declared by [Constraint]), got -0.5 at index [1]", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Uniform(T(1.0), T(1.0)));
        _ = new Uniform(T(1.0), T(1.5));
    }

    [Fact]
    public void LogNormal_LogDensityEntropy_MatchMathNet()
    {
        using var scope = torch.NewDisposeScope();
        double[] mu = { 0.3, -1.2 }, sigma = { 0.7, 2.0 };
        var d = new LogNormal(T(mu), T(sigma));
        AssertClose(Values(d.LogDensity(Grid(PositivePoints))!), Expected(PositivePoints, (j, z) => new M.LogNormal(mu[j], sigma[j]).DensityLn(z)), "LogNormal log p");
        AssertClose(Values(d.Entropy()), mu.Select((_, j) => new M.LogNormal(mu[j], sigma[j]).Entropy).ToArray(), "LogNormal H");
    }

    [Fact]
    public void Laplace_LogDensityEntropyCdf_MatchMathNet()
    {
        using var scope = torch.NewDisposeScope();
        double[] mu = { 0.3, -1.2 }, b = { 0.7, 2.0 };
        var d = new Laplace(T(mu), T(b));
        AssertClose(Values(d.LogDensity(Grid(RealPoints))!), Expected(RealPoints, (j, z) => new M.Laplace(mu[j], b[j]).DensityLn(z)), "Laplace log p");
        AssertClose(Values(d.Entropy()), mu.Select((_, j) => new M.Laplace(mu[j], b[j]).Entropy).ToArray(), "Laplace H");
        AssertClose(Values(d.Cdf(Grid(RealPoints))), Expected(RealPoints, (j, z) => new M.Laplace(mu[j], b[j]).CumulativeDistribution(z)), "Laplace F");
    }

    [Fact]
    public void Gamma_LogDensityEntropy_MatchMathNet()
    {
        using var scope = torch.NewDisposeScope();
        double[] k = { 2.5, 0.4 }, theta = { 1.5, 0.8 };
        var d = new Gamma(T(k), T(theta));
        AssertClose(Values(d.LogDensity(Grid(PositivePoints))!), Expected(PositivePoints, (j, z) => M.Gamma.WithShapeScale(k[j], theta[j]).DensityLn(z)), "Gamma log p");
        AssertClose(Values(d.Entropy()), k.Select((_, j) => M.Gamma.WithShapeScale(k[j], theta[j]).Entropy).ToArray(), "Gamma H");
    }

    [Fact]
    public void Exponential_LogDensityEntropyCdf_MatchMathNet()
    {
        using var scope = torch.NewDisposeScope();
        double[] rate = { 0.5, 3.0 };
        var d = new Exponential(T(rate));
        AssertClose(Values(d.LogDensity(Grid(PositivePoints))!), Expected(PositivePoints, (j, z) => new M.Exponential(rate[j]).DensityLn(z)), "Exponential log p");
        AssertClose(Values(d.Entropy()), rate.Select(r => new M.Exponential(r).Entropy).ToArray(), "Exponential H");
        // The CDF is written for every real z (0 below the support), as MathNet's.
        AssertClose(Values(d.Cdf(Grid(RealPoints))), Expected(RealPoints, (j, z) => new M.Exponential(rate[j]).CumulativeDistribution(z)), "Exponential F");
    }

    [Fact]
    public void Beta_LogDensityEntropy_MatchMathNet()
    {
        using var scope = torch.NewDisposeScope();
        double[] a = { 2.5, 0.6 }, b = { 1.5, 3.0 };
        var d = new Beta(T(a), T(b));
        AssertClose(Values(d.LogDensity(Grid(UnitPoints))!), Expected(UnitPoints, (j, z) => new M.Beta(a[j], b[j]).DensityLn(z)), "Beta log p");
        AssertClose(Values(d.Entropy()), a.Select((_, j) => new M.Beta(a[j], b[j]).Entropy).ToArray(), "Beta H");
    }

    [Fact]
    public void Dirichlet_LogProbEntropy_MatchMathNet()
    {
        using var scope = torch.NewDisposeScope();
        double[][] alpha = { new[] { 2.5, 0.6, 1.0 }, new[] { 1.5, 3.0, 0.8 } };
        double[][] points = { new[] { 0.2, 0.5, 0.3 }, new[] { 0.7, 0.1, 0.2 } };
        var d = new Dirichlet(T(alpha.SelectMany(x => x).ToArray()).reshape(2, 3));
        Tensor z = T(points.SelectMany(x => x).ToArray()).reshape(2, 3);
        double[] expected = { new M.Dirichlet(alpha[0]).DensityLn(points[0]), new M.Dirichlet(alpha[1]).DensityLn(points[1]) };
        AssertClose(Values(d.LogProb(z)), expected, "Dirichlet log p");
        // MathNet's Dirichlet.Entropy disagrees with −E log p (1.66 and 5.19 here), so the truth is a Monte Carlo
        // average of −log p over MathNet's own sampler and density, within 4 SE.
        double[] generated = Values(d.Entropy());
        for (int j = 0; j < alpha.Length; j++)
        {
            var dirichlet = new M.Dirichlet(alpha[j], new Random(31 + j));
            double[] minusLogP = Enumerable.Range(0, 200_000).Select(_ => -dirichlet.DensityLn(dirichlet.Sample())).ToArray();
            double mean = minusLogP.Average();
            double standardError = Math.Sqrt(minusLogP.Select(v => (v - mean) * (v - mean)).Sum() / (minusLogP.Length - 1) / minusLogP.Length);
            Assert.True(Math.Abs(generated[j] - mean) <= 4 * standardError, $"Dirichlet H[{j}]: {generated[j]:R} vs −E log p = {mean:R} ± {standardError:G3}");
            Assert.True(Math.Abs(mean - new M.Dirichlet(alpha[j]).Entropy) > 4 * standardError, "MathNet's Dirichlet entropy now agrees: compare with it directly");
        }
    }

    [Fact]
    public void StudentT_LogDensity_MatchesMathNet_AndEntropy_MatchesQuadrature()
    {
        using var scope = torch.NewDisposeScope();
        double[] nu = { 3.5, 12.0 }, mu = { 0.3, -1.2 }, sigma = { 0.7, 2.0 };
        var d = new StudentT(T(nu), T(mu), T(sigma));
        AssertClose(Values(d.LogDensity(Grid(RealPoints))!), Expected(RealPoints, (j, z) => new M.StudentT(mu[j], sigma[j], nu[j]).DensityLn(z)), "StudentT log p");
        // H = −∫ p log p, with z = mu + sigma·tan(u) mapping (−π/2, π/2) onto the line.
        double[] entropy = nu.Select((_, j) =>
        {
            var t = new M.StudentT(mu[j], sigma[j], nu[j]);
            return -MathNet.Numerics.Integrate.OnClosedInterval(u =>
            {
                double z = mu[j] + sigma[j] * Math.Tan(u);
                double logP = t.DensityLn(z);
                return Math.Exp(logP) * logP * sigma[j] / (Math.Cos(u) * Math.Cos(u));
            }, -Math.PI / 2, Math.PI / 2, 1e-13);
        }).ToArray();
        Assert.True(Values(d.Entropy()).Zip(entropy).All(x => Math.Abs(x.First - x.Second) < 1e-8), $"StudentT H: {string.Join(", ", Values(d.Entropy()))} vs quadrature {string.Join(", ", entropy)}");
    }

    [Fact]
    public void Bernoulli_LogDensityEntropyCdf_MatchMathNet_AndEntropyIsFiniteAtTheEdges()
    {
        using var scope = torch.NewDisposeScope();
        double[] p = { 0.2, 0.65 };
        double[] points = { 0, 1 };
        var d = new Bernoulli(T(p));
        AssertClose(Values(d.LogDensity(Grid(points))!), Expected(points, (j, z) => new M.Bernoulli(p[j]).ProbabilityLn((int)z)), "Bernoulli log p");
        AssertClose(Values(d.Entropy()), p.Select(x => new M.Bernoulli(x).Entropy).ToArray(), "Bernoulli H");
        AssertClose(Values(d.Cdf(Grid(points))), Expected(points, (j, z) => new M.Bernoulli(p[j]).CumulativeDistribution(z)), "Bernoulli F");
        // p log p is written log(p^p): 0 at p = 0, not 0·(−∞) = NaN.
        AssertClose(Values(new Bernoulli(T(0.0, 1.0)).Entropy()), new[] { 0.0, 0.0 }, "Bernoulli H at p = 0, 1");
    }

    [Fact]
    public void Categorical_LogProbEntropy_MatchMathNet_AndEntropyIsFiniteWithAZeroCategory()
    {
        using var scope = torch.NewDisposeScope();
        double[] probs = { 0.1, 0.6, 0.0, 0.3 };
        var d = new Categorical(T(probs));
        double[] points = { 0, 1, 3 };
        AssertClose(Values(d.LogProb(T(points))), points.Select(k => new M.Categorical(probs).ProbabilityLn((int)k)).ToArray(), "Categorical log p");
        AssertClose(Values(d.Entropy()), new[] { Entropy(probs) }, "Categorical H");
    }

    [Fact]
    public void CategoricalLogits_LogProbEntropy_MatchMathNetOfSoftmax()
    {
        using var scope = torch.NewDisposeScope();
        double[] logits = { 0.4, -1.0, 2.2, 0.0 };
        double max = logits.Max();
        double normaliser = logits.Sum(l => Math.Exp(l - max));
        double[] probs = logits.Select(l => Math.Exp(l - max) / normaliser).ToArray();
        var d = new CategoricalLogits(T(logits));
        double[] points = { 0, 1, 2, 3 };
        AssertClose(Values(d.LogProb(T(points))), points.Select(k => new M.Categorical(probs).ProbabilityLn((int)k)).ToArray(), "CategoricalLogits log p");
        AssertClose(Values(d.Entropy()), new[] { Entropy(probs) }, "CategoricalLogits H");
    }

    [Fact]
    public void Poisson_LogProb_MatchesMathNet()
    {
        using var scope = torch.NewDisposeScope();
        double[] rate = { 0.7, 4.5 };
        double[] points = { 0, 1, 3, 8 };
        var d = new Poisson(T(rate));
        AssertClose(Values(d.LogProb(Grid(points))), Expected(points, (j, z) => new M.Poisson(rate[j]).ProbabilityLn((int)z)), "Poisson log p");
    }

    /// <summary>−Σ p log p over the categories of positive probability (0·log 0 = 0).</summary>
    private static double Entropy(double[] probs) => -probs.Where(p => p > 0).Sum(p => p * Math.Log(p));

    [Fact]
    public void WrongParameterisation_FailsTheSameComparison()
    {
        // MathNet's Gamma(shape, rate) read as (shape, scale), and the Normal's σ read as a variance.
        using var scope = torch.NewDisposeScope();
        var gamma = new Gamma(T(2.5, 0.4), T(1.5, 0.8));
        double[] k = { 2.5, 0.4 }, theta = { 1.5, 0.8 };
        Assert.False(Close(Values(gamma.LogDensity(Grid(PositivePoints))!), Expected(PositivePoints, (j, z) => new M.Gamma(k[j], theta[j]).DensityLn(z))));
        var normal = new Normal(T(0.3, -1.2), T(0.7, 2.0));
        double[] mu = { 0.3, -1.2 }, sigma = { 0.7, 2.0 };
        Assert.False(Close(Values(normal.Entropy()), mu.Select((_, j) => new M.Normal(mu[j], Math.Sqrt(sigma[j])).Entropy).ToArray()));
    }
}
