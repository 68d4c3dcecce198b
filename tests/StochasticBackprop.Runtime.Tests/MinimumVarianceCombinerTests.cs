using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Runtime.Tests.Support;
using StochasticBackprop.Runtime.Tests.TestDistributions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests;

/// <summary>The K-estimator minimum-variance combination (docs/ESTIMATORS.md#minimum-variance-combiner): weights, unbiasedness, variance, checks.</summary>
public sealed class MinimumVarianceCombinerTests
{
    private const double Mu = 0.3, Sigma = 1.5;

    private static StochasticBackprop.Distributions.Normal Normal() => DistributionFactory.Normal(DistributionFactory.Scalar(Mu), DistributionFactory.Scalar(Sigma));

    private static Objective Square() => Objective.Separable(z => (z - Scalars.Of(ClosedForms.Shift)).pow(Scalars.Of(2)));

    private static GradientEstimate[] ThreeEstimates(Objective f, long sampleCount, ulong seed)
    {
        var normal = Normal();
        GradientEstimate pathwise = Estimators.Pathwise(normal, f, sampleCount, new Generator(seed, torch.CPU));
        return new[]
        {
            pathwise,
            Estimators.ScoreFunctionAt(normal, f, pathwise.Samples),
            Estimators.FourierAt(normal, f, pathwise.Samples, 2),
        };
    }

    [Fact]
    public void Combine_TwoEstimators_FirstWeightIsUnclippedLambdaStar_AndPerSampleGradientsAreTheWeightedSum()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        GradientEstimate[] estimates = ThreeEstimates(Square(), 20_000, 41).Take(2).ToArray();
        CombinedEstimate combined = MinimumVarianceCombiner.Combine(estimates, ridge: 0);
        for (int p = 0; p < 2; p++)
        {
            Tensor a = estimates[0].PerSampleGradients[p], b = estimates[1].PerSampleGradients[p];
            double varA = VarianceStatistics.TotalVariance(a), varB = VarianceStatistics.TotalVariance(b), cov = VarianceStatistics.TotalCovariance(a, b);
            double raw = (varB - cov) / (varA + varB - 2 * cov);
            Assert.Equal(raw, combined.Weights[p][0], 10);
            Assert.Equal(1 - raw, combined.Weights[p][1], 10);
            Tensor expected = raw * a + (1 - raw) * b;
            Assert.True((expected - combined.Estimate.PerSampleGradients[p]).abs().max().item<double>() < 1e-9);
        }
        Assert.Equal("min-variance(pathwise, score-function)", combined.Estimate.Estimator);
    }

    [Fact]
    public void Combine_ThreeEstimators_WeightsSumToOne_AndVarianceIsAtMostEachComponents()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Objective clipped = Objective.Separable(z => torch.clamp_max(z.pow(Scalars.Of(2)) / Scalars.Of(2), Scalars.Of(2.0)));
        GradientEstimate[] estimates = ThreeEstimates(clipped, 20_000, 42);
        CombinedEstimate combined = MinimumVarianceCombiner.Combine(estimates);
        for (int p = 0; p < 2; p++)
        {
            Assert.Equal(1.0, combined.Weights[p].Sum(), 12);
            double variance = VarianceStatistics.TotalVariance(combined.Estimate.PerSampleGradients[p]);
            Assert.All(estimates, e => Assert.True(variance <= VarianceStatistics.TotalVariance(e.PerSampleGradients[p]) * (1 + 1e-9)));
        }
    }

    [Fact]
    public void Scalar_GivesOneRowOfWeightsForEveryParameter()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        CombinedEstimate combined = MinimumVarianceCombiner.Combine(ThreeEstimates(Square(), 5_000, 43), LambdaGranularity.Scalar);
        Assert.Equal(combined.Weights[0], combined.Weights[1]);
    }

    [Fact]
    public void PreviousBatches_IsUnbiasedWithinFourStandardErrors_AndWeightsThatDoNotSumToOneFail()
    {
        // Normal(μ, σ), f = (z − 1)²: ∇μ = 2(μ − 1), ∇σ = 2σ. Pathwise, score and Fourier (exact at N = 2) are unbiased.
        using DisposeScope scope = torch.NewDisposeScope();
        var combiner = new MinimumVarianceCombiner(new HybridOptions { Mode = LambdaMode.PreviousBatches, Decay = 0.5 });
        const int batches = 200;
        var combined = new List<Tensor>();
        var scaled = new List<Tensor>();
        for (int b = 0; b < batches; b++)
        {
            GradientEstimate[] estimates = ThreeEstimates(Square(), 500, (ulong)(1000 + b));
            CombinedEstimate mixed = combiner.Mix(estimates);
            combined.Add(torch.stack(mixed.Estimate.Gradients));
            // The wrong formula: Σ⁻¹1 without the normalisation, here weights scaled to sum to 1.05.
            GradientEstimate wrong = MinimumVarianceCombiner.WithWeights(estimates, mixed.Weights.Select(w => w.Select(x => 1.05 * x).ToArray()).ToArray());
            scaled.Add(torch.stack(wrong.Gradients));
        }
        Assert.Equal(batches, combiner.BatchesSeen);
        var (muTruth, sigmaTruth) = ClosedForms.NormalGradient(TestFunction.Square, Mu, Sigma);
        double[] truth = { muTruth, sigmaTruth };
        StatisticalAssert.WithinStandardErrors(torch.stack(combined), truth, "min-variance(previous batches)");
        StatisticalAssert.FailsAgainst(torch.stack(scaled), truth, "weights summing to 1.05");
    }

    [Fact]
    public void PreviousBatches_FirstBatchHasEqualWeights()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var combiner = new MinimumVarianceCombiner(new HybridOptions { Mode = LambdaMode.PreviousBatches });
        CombinedEstimate first = combiner.Mix(ThreeEstimates(Square(), 1_000, 44));
        Assert.All(first.Weights, row => Assert.All(row, w => Assert.Equal(1.0 / 3, w, 15)));
        CombinedEstimate second = combiner.Mix(ThreeEstimates(Square(), 1_000, 45));
        Assert.NotEqual(1.0 / 3, second.Weights[0][0], 6);
    }

    [Fact]
    public void Mix_RejectsEstimatesOnDifferentSamples_AndPerCoordinateWeights()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        GradientEstimate a = ThreeEstimates(Square(), 1_000, 46)[0];
        GradientEstimate b = ThreeEstimates(Square(), 1_000, 47)[1];
        Assert.Throws<ArgumentException>(() => MinimumVarianceCombiner.Combine(new[] { a, b }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MinimumVarianceCombiner(new HybridOptions { Granularity = LambdaGranularity.PerCoordinate }));
    }

    [Fact]
    public void MinimumVarianceWeights_FromACovarianceMatrix_SolveTheNormalEquations()
    {
        double[,] covariance = { { 4, 1, 0 }, { 1, 2, 0.5 }, { 0, 0.5, 3 } };
        double[] w = VarianceStatistics.MinimumVarianceWeights(covariance, 0);
        Assert.Equal(1.0, w.Sum(), 12);
        // Σw is proportional to 1: every row of Σw equals the same Lagrange multiplier.
        double[] sw = Enumerable.Range(0, 3).Select(i => Enumerable.Range(0, 3).Sum(j => covariance[i, j] * w[j])).ToArray();
        Assert.Equal(sw[0], sw[1], 12);
        Assert.Equal(sw[0], sw[2], 12);
    }
}
