using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Runtime.Tests.Support;
using StochasticBackprop.Runtime.Tests.TestDistributions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests;

public sealed class SurrogateAndShapeTests
{
    public static IEnumerable<object[]> Estimators3() => new[] { new object[] { "pathwise" }, new object[] { "score" }, new object[] { "fourier" }, new object[] { "hybrid" } };

    private static GradientEstimate Run(string estimator, StochasticBackprop.Distributions.Normal normal, Objective f, long sampleCount, ulong seed) => estimator switch
    {
        "pathwise" => Estimators.Pathwise(normal, f, sampleCount, new Generator(seed, torch.CPU)),
        "score" => Estimators.ScoreFunction(normal, f, sampleCount, Baseline.LeaveOneOut, new Generator(seed, torch.CPU)),
        "fourier" => Estimators.Fourier(normal, f, sampleCount, 2, new Generator(seed, torch.CPU)),
        _ => new HybridEstimator().Estimate(normal, f, sampleCount, new Generator(seed, torch.CPU)),
    };

    [Theory]
    [MemberData(nameof(Estimators3))]
    public void Surrogate_Backward_GivesTheChainRuleOfTheMeanGradient_AndTheDecoderGradient(string estimator)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        // A tiny linear "network": mu = W₁x + b₁, log sigma = W₂x + b₂, and a decoder parameter c in f.
        Tensor x = torch.tensor(new[] { 0.5, -1.0 }, dtype: ScalarType.Float64);
        Tensor w1 = torch.tensor(new[] { 0.2, -0.1, 0.4, 0.3, -0.2, 0.1 }, dtype: ScalarType.Float64).reshape(3, 2).requires_grad_();
        Tensor w2 = torch.tensor(new[] { -0.3, 0.2, 0.1, 0.1, 0.2, -0.4 }, dtype: ScalarType.Float64).reshape(3, 2).requires_grad_();
        Tensor c = torch.tensor(new[] { 0.5, 1.0, -0.5 }, dtype: ScalarType.Float64).requires_grad_();
        Tensor mu = w1.matmul(x);
        Tensor sigma = w2.matmul(x).exp();
        var normal = DistributionFactory.Normal(mu, sigma);
        Objective f = Objective.Separable(z => (z - c).pow(Scalars.Of(2)));

        GradientEstimate estimate = Run(estimator, normal, f, 2_000, 41);
        Assert.Equal(estimate.Value.item<double>(), estimate.Surrogate.item<double>(), 12);
        estimate.Surrogate.backward();

        Tensor gMu = estimate.Gradient("mu"), gSigma = estimate.Gradient("sigma");
        using (torch.no_grad())
        {
            Tensor expectedW1 = gMu.unsqueeze(1) * x.unsqueeze(0);
            Tensor expectedW2 = (gSigma * sigma).unsqueeze(1) * x.unsqueeze(0);
            // ∂ mean f/∂c with z held fixed: mean over samples of −2(z − c).
            Tensor expectedC = (-2 * (estimate.Samples - c)).mean(new long[] { 0 });
            Assert.True((w1.grad! - expectedW1).abs().max().item<double>() < 1e-10);
            Assert.True((w2.grad! - expectedW2).abs().max().item<double>() < 1e-10);
            Assert.True((c.grad! - expectedC).abs().max().item<double>() < 1e-10);
        }
    }

    [Theory]
    [MemberData(nameof(Estimators3))]
    public void BroadcastScalarSigma_PerSampleGradientHasItsOwnShape_SummedOverCoordinates(string estimator)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var normal = DistributionFactory.Normal(DistributionFactory.Vector(0.1, -0.4, 0.9), DistributionFactory.Scalar(0.7));
        Objective f = Objective.Separable(z => (z - Scalars.Of(ClosedForms.Shift)).pow(Scalars.Of(2)));
        GradientEstimate estimate = Run(estimator, normal, f, 50, 42);

        Assert.Equal(new[] { 3L }, normal.BatchShape);
        Assert.Equal(new[] { 50L, 3L }, estimate.PerSampleGradient("mu").shape);
        Assert.Equal(new[] { 50L }, estimate.PerSampleGradient("sigma").shape);
        Assert.Equal(new[] { 3L }, estimate.Gradient("mu").shape);
        Assert.Empty(estimate.Gradient("sigma").shape);
        Assert.Equal(new[] { 50L, 3L }, estimate.Samples.shape);
        Assert.Equal(new[] { 50L }, estimate.Values.shape);

        if (estimator == "pathwise")
        {
            // ĝσ_i = Σ_j 2(z_ij − c)·ε_ij, ε = (z − μ)/σ.
            Tensor z = estimate.Samples;
            Tensor expected = (2 * (z - Scalars.Of(ClosedForms.Shift)) * (z - normal.Mu) / 0.7).sum(new long[] { 1 });
            Assert.True((expected - estimate.PerSampleGradient("sigma")).abs().max().item<double>() < 1e-10);
        }
    }

    [Fact]
    public void PerSampleGradient_UnknownName_Throws_ListingTheParameters()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        GradientEstimate estimate = Estimators.Pathwise(EstimatorRunner.Normal(), Objective.Separable(z => z), 4, new Generator(1, torch.CPU));
        var error = Assert.Throws<ArgumentException>(() => estimate.PerSampleGradient("tau"));
        Assert.Contains("mu, sigma", error.Message);
    }

    [Fact]
    public void Shapes_BroadcastSampledAndReduce()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Assert.Equal(new[] { 4L, 3L }, Shapes.Broadcast(torch.zeros(4, 1), torch.zeros(3), torch.zeros(Array.Empty<long>())));
        Assert.Throws<ArgumentException>(() => Shapes.Broadcast(torch.zeros(2), torch.zeros(3)));
        Assert.Equal(new[] { 10L, 4L, 3L }, Shapes.Sampled(10, new[] { 4L, 3L }));
        Tensor perSample = torch.ones(10, 4, 3);
        Assert.Equal(new[] { 10L, 4L, 1L }, Shapes.ReduceToParameter(perSample, new[] { 4L, 1L }).shape);
        Assert.Equal(3.0, Shapes.ReduceToParameter(perSample, new[] { 4L, 1L })[0, 0, 0].item<float>());
        Assert.Equal(new[] { 10L, 3L }, Shapes.ReduceToParameter(perSample, new[] { 3L }).shape);
        Assert.Equal(12.0, Shapes.ReduceToParameter(perSample, Array.Empty<long>())[0].item<float>());
        Tensor like = torch.zeros(1, dtype: ScalarType.Float64);
        Assert.Equal(ScalarType.Float64, Shapes.Full(new[] { 2L }, 1.5, like).dtype);
        Assert.Equal(new[] { 4L, 3L }, Shapes.ToBatch(torch.zeros(3), new[] { 4L, 3L }).shape);
        Assert.Throws<ArgumentException>(() => Shapes.ToBatch(torch.zeros(2), new[] { 4L, 3L }));
    }

    [Fact]
    public void Noise_HasTheReferenceDtype_AndTheRightMoments()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor like = torch.zeros(1, dtype: ScalarType.Float64);
        var generator = new Generator(5, torch.CPU);
        long[] shape = { 100_000 };
        (Tensor Sample, double Mean, double Variance)[] cases =
        {
            (Noise.StandardNormal(shape, like, generator), 0, 1),
            (Noise.StandardUniform(shape, like, generator), 0.5, 1.0 / 12),
            (Noise.StandardExponential(shape, like, generator), 1, 1),
            (Noise.StandardLaplace(shape, like, generator), 0, 2),
            (Noise.StandardGamma(torch.full(shape, 2.5, dtype: ScalarType.Float64), generator), 2.5, 2.5),
        };
        foreach ((Tensor sample, double mean, double variance) in cases)
        {
            Assert.Equal(ScalarType.Float64, sample.dtype);
            Assert.True(sample.isfinite().all().item<bool>());
            double standardError = Math.Sqrt(variance / shape[0]);
            Assert.True(Math.Abs(sample.mean().item<double>() - mean) < 4 * standardError, $"mean {sample.mean().item<double>()} vs {mean}");
            Assert.True(Math.Abs(sample.var().item<double>() - variance) < 0.05 * variance, $"variance {sample.var().item<double>()} vs {variance}");
        }
    }

    [Fact]
    public void StandardGamma_OnAnExpandedShape_DrawsIndependentRows()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor k = torch.tensor(new[] { 2.0, 5.0 }, dtype: ScalarType.Float64).expand(50_000, 2);
        Tensor draws = Noise.StandardGamma(k, new Generator(6, torch.CPU));
        Tensor variance = draws.var(new long[] { 0 });
        Assert.Equal(2.0, variance[0].item<double>(), 0.15);
        Assert.Equal(5.0, variance[1].item<double>(), 0.3);
    }
}
