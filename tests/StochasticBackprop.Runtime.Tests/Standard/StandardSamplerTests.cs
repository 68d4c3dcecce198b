using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Distributions;
using StochasticBackprop.Runtime.Tests.Support;
using TorchSharp;
using Xunit;
using static StochasticBackprop.Runtime.Tests.Standard.StandardTensors;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Standard;

/// <summary>
/// Each standard distribution's sampler: the sample mean within 4 SE of the closed-form mean, and the mean of
/// (z − E z)² (an unbiased estimate of the variance, with its own SE) within 4 SE of the closed-form variance.
/// 200,000 float64 draws per case, fixed seeds; a wrong variance (StudentT's without nu/(nu − 2)) fails.
/// </summary>
public sealed class StandardSamplerTests
{
    private const long SampleCount = 200_000;

    /// <summary>A sampler and the closed-form mean and variance of each batch coordinate (flattened).</summary>
    private sealed record Case(string Name, Func<long, Generator, Tensor> Sample, double[] Mean, double[] Variance);

    private static Case Make(string name, Func<long, Generator, Tensor> sample, double[] mean, double[] variance) => new(name, sample, mean, variance);

    private static IEnumerable<Case> Cases()
    {
        yield return Make("Normal", (n, g) => new Normal(T(0.3, -1.2), T(0.7, 2.0)).Sample(n, g), new[] { 0.3, -1.2 }, new[] { 0.49, 4.0 });
        yield return Make("LogNormal", (n, g) => new LogNormal(T(0.3, -1.2), T(0.5, 0.9)).Sample(n, g),
            new[] { Math.Exp(0.3 + 0.125), Math.Exp(-1.2 + 0.405) },
            new[] { (Math.Exp(0.25) - 1) * Math.Exp(0.6 + 0.25), (Math.Exp(0.81) - 1) * Math.Exp(-2.4 + 0.81) });
        yield return Make("Laplace", (n, g) => new Laplace(T(0.3, -1.2), T(0.7, 2.0)).Sample(n, g), new[] { 0.3, -1.2 }, new[] { 2 * 0.49, 2 * 4.0 });
        yield return Make("Gamma", (n, g) => new Gamma(T(2.5, 0.4), T(1.5, 0.8)).Sample(n, g), new[] { 3.75, 0.32 }, new[] { 2.5 * 2.25, 0.4 * 0.64 });
        yield return Make("Exponential", (n, g) => new Exponential(T(0.5, 3.0)).Sample(n, g), new[] { 2.0, 1 / 3.0 }, new[] { 4.0, 1 / 9.0 });
        yield return Make("Beta", (n, g) => new Beta(T(2.5, 0.6), T(1.5, 3.0)).Sample(n, g),
            new[] { 2.5 / 4.0, 0.6 / 3.6 }, new[] { 2.5 * 1.5 / (16.0 * 5.0), 0.6 * 3.0 / (3.6 * 3.6 * 4.6) });
        yield return Make("Dirichlet", (n, g) => new Dirichlet(T(2.5, 0.6, 1.0)).Sample(n, g),
            new[] { 2.5 / 4.1, 0.6 / 4.1, 1.0 / 4.1 },
            new[] { 2.5, 0.6, 1.0 }.Select(a => a / 4.1 * (1 - a / 4.1) / 5.1).ToArray());
        yield return Make("Bernoulli", (n, g) => new Bernoulli(T(0.2, 0.65)).Sample(n, g), new[] { 0.2, 0.65 }, new[] { 0.16, 0.65 * 0.35 });
        double[] probs = { 0.1, 0.6, 0.0, 0.3 };
        double categoricalMean = probs.Select((p, k) => p * k).Sum();
        double categoricalVariance = probs.Select((p, k) => p * (k - categoricalMean) * (k - categoricalMean)).Sum();
        yield return Make("Categorical", (n, g) => new Categorical(T(probs)).Sample(n, g), new[] { categoricalMean }, new[] { categoricalVariance });
        double[] logits = { 0.4, -1.0, 2.2, 0.0 };
        double[] softmax = logits.Select(l => Math.Exp(l) / logits.Sum(Math.Exp)).ToArray();
        double logitsMean = softmax.Select((p, k) => p * k).Sum();
        double logitsVariance = softmax.Select((p, k) => p * (k - logitsMean) * (k - logitsMean)).Sum();
        yield return Make("CategoricalLogits", (n, g) => new CategoricalLogits(T(logits)).Sample(n, g), new[] { logitsMean }, new[] { logitsVariance });
        yield return Make("Poisson", (n, g) => new Poisson(T(0.7, 4.5)).Sample(n, g), new[] { 0.7, 4.5 }, new[] { 0.7, 4.5 });
        yield return Make("StudentT", (n, g) => new StudentT(T(12.0, 9.0), T(0.3, -1.2), T(0.7, 2.0)).Sample(n, g),
            new[] { 0.3, -1.2 }, new[] { 0.49 * 12 / 10.0, 4.0 * 9 / 7.0 });
    }

    public static IEnumerable<object[]> Names() => Cases().Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(Names))]
    public void Sampler_MeanAndVariance_Within4StandardErrors(string name)
    {
        using var scope = torch.NewDisposeScope();
        Case c = Cases().Single(x => x.Name == name);
        var generator = new Generator(4200UL + (ulong)name.Sum(ch => ch), torch.CPU);
        Tensor z = c.Sample(SampleCount, generator).reshape(SampleCount, -1);
        StatisticalAssert.WithinStandardErrors(z, c.Mean, $"{name} mean");
        Tensor deviation = z - T(c.Mean);
        StatisticalAssert.WithinStandardErrors(deviation * deviation, c.Variance, $"{name} variance");
    }

    [Fact]
    public void WrongVariance_IsDetected()
    {
        // StudentT's variance without the factor nu/(nu − 2): 0.49 and 4.0 instead of 0.588 and 5.14.
        using var scope = torch.NewDisposeScope();
        Tensor z = new StudentT(T(12.0, 9.0), T(0.3, -1.2), T(0.7, 2.0)).Sample(SampleCount, new Generator(77UL, torch.CPU));
        Tensor deviation = z - T(0.3, -1.2);
        StatisticalAssert.FailsAgainst(deviation * deviation, new[] { 0.49, 4.0 }, "StudentT variance without nu/(nu − 2)");
    }
}
