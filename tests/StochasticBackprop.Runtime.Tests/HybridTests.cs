using System;
using System.Linq;
using StochasticBackprop.Runtime.Tests.Support;
using StochasticBackprop.Runtime.Tests.TestDistributions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests;

public sealed class HybridTests
{
    private const long SampleCount = 20_000;

    private static StochasticBackprop.Distributions.Normal Normal() => DistributionFactory.Normal(DistributionFactory.Vector(0.3, -0.5), DistributionFactory.Vector(1.5, 0.8));

    private static Objective Square() => Objective.Separable(z => (z - Scalars.Of(ClosedForms.Shift)).pow(Scalars.Of(2)));

    private static double MaxDifference(Tensor a, Tensor b) => (a - b).abs().max().item<double>();

    [Fact]
    public void SameBatch_LambdaPerTensor_EqualsOptimalLambdaOfPerSampleMoments()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var normal = Normal();
        GradientEstimate hybrid = new HybridEstimator().Estimate(normal, Square(), SampleCount, new Generator(21, torch.CPU));
        GradientEstimate pathwise = Estimators.Pathwise(normal, Square(), SampleCount, new Generator(21, torch.CPU));
        GradientEstimate score = Estimators.ScoreFunctionAt(normal, Square(), pathwise.Samples);

        Assert.Equal(0.0, MaxDifference(hybrid.Samples, pathwise.Samples));
        Assert.NotNull(hybrid.Lambdas);
        for (int p = 0; p < 2; p++)
        {
            double lambda = VarianceStatistics.OptimalLambda(pathwise.PerSampleGradients[p], score.PerSampleGradients[p], 1e-12);
            Assert.Equal(lambda, hybrid.Lambdas![p], 12);
            Tensor expected = lambda * pathwise.PerSampleGradients[p] + (1 - lambda) * score.PerSampleGradients[p];
            Assert.True(MaxDifference(expected, hybrid.PerSampleGradients[p]) < 1e-10);
        }
        Assert.Equal("hybrid(pathwise, score-function)", hybrid.Estimator);
    }

    [Fact]
    public void OptimalLambda_IsTheoremFourFromTotalMoments()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        GradientEstimate pathwise = Estimators.Pathwise(Normal(), Square(), SampleCount, new Generator(22, torch.CPU));
        GradientEstimate score = Estimators.ScoreFunctionAt(Normal(), Square(), pathwise.Samples);
        Tensor a = pathwise.PerSampleGradient("mu"), b = score.PerSampleGradient("mu");
        // Hand computation: per coordinate sample moments with divisor S − 1, summed.
        double[,] x = ToMatrix(a), y = ToMatrix(b);
        double varA = 0, varB = 0, cov = 0;
        for (int j = 0; j < x.GetLength(1); j++)
        {
            double ma = Enumerable.Range(0, x.GetLength(0)).Average(i => x[i, j]);
            double mb = Enumerable.Range(0, y.GetLength(0)).Average(i => y[i, j]);
            for (int i = 0; i < x.GetLength(0); i++)
            {
                varA += (x[i, j] - ma) * (x[i, j] - ma) / (SampleCount - 1);
                varB += (y[i, j] - mb) * (y[i, j] - mb) / (SampleCount - 1);
                cov += (x[i, j] - ma) * (y[i, j] - mb) / (SampleCount - 1);
            }
        }
        Assert.Equal(varA, VarianceStatistics.TotalVariance(a), 1e-9 * varA);
        Assert.Equal(cov, VarianceStatistics.TotalCovariance(a, b), 1e-9 * Math.Abs(varB));
        double lambda = Math.Clamp((varB - cov) / (varA + varB - 2 * cov), 0, 1);
        Assert.Equal(lambda, VarianceStatistics.OptimalLambda(a, b, 0.0), 10);
    }

    [Fact]
    public void MinimumVarianceWeights_ForTwoEstimators_EqualLambdaStar()
    {
        // Oden's (2025) §7.2 setting: N(θ, e^{αθ}), θ = 0.8, α = 2, clipped quadratic min(z²/2, 2).
        using DisposeScope scope = torch.NewDisposeScope();
        var normal = DistributionFactory.Normal(DistributionFactory.Scalar(0.8), DistributionFactory.Scalar(Math.Exp(1.6)));
        Objective clipped = Objective.Separable(z => torch.clamp_max(z.pow(Scalars.Of(2)) / Scalars.Of(2), Scalars.Of(2.0)));
        GradientEstimate pathwise = Estimators.Pathwise(normal, clipped, SampleCount, new Generator(23, torch.CPU));
        GradientEstimate score = Estimators.ScoreFunctionAt(normal, clipped, pathwise.Samples);
        int unclipped = 0;
        for (int p = 0; p < 2; p++)
        {
            Tensor a = pathwise.PerSampleGradients[p], b = score.PerSampleGradients[p];
            double varA = VarianceStatistics.TotalVariance(a), varB = VarianceStatistics.TotalVariance(b), cov = VarianceStatistics.TotalCovariance(a, b);
            double raw = (varB - cov) / (varA + varB - 2 * cov);
            double[] weights = VarianceStatistics.MinimumVarianceWeights(new[] { a, b }, 0.0);
            Assert.Equal(raw, weights[0], 10);
            Assert.Equal(1 - raw, weights[1], 10);
            double lambda = VarianceStatistics.OptimalLambda(a, b, 0.0);
            if (raw > 0 && raw < 1)
            {
                unclipped++;
                Assert.Equal(lambda, weights[0], 10);
            }
            else
            {
                Assert.Equal(Math.Clamp(raw, 0, 1), lambda);
            }
        }
        Assert.True(unclipped > 0, "the comparison needs a parameter whose λ* is not clipped");
    }

    [Fact]
    public void MinimumVarianceWeights_ForThreeEstimators_SumToOne_AndBeatEachEstimator()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var gamma = EstimatorRunner.Gamma();
        Objective cube = Objective.Separable(z => z.pow(Scalars.Of(3)));
        GradientEstimate pathwise = Estimators.Pathwise(gamma, cube, SampleCount, new Generator(24, torch.CPU));
        GradientEstimate score = Estimators.ScoreFunctionAt(gamma, cube, pathwise.Samples, Baseline.LeaveOneOut);
        GradientEstimate fourier = Estimators.FourierAt(gamma, cube, pathwise.Samples, 4);
        Tensor[] estimates = { pathwise.PerSampleGradient("theta"), score.PerSampleGradient("theta"), fourier.PerSampleGradient("theta") };
        double[] w = VarianceStatistics.MinimumVarianceWeights(estimates, 1e-12);
        Assert.Equal(1.0, w.Sum(), 12);
        Tensor combined = w[0] * estimates[0] + w[1] * estimates[1] + w[2] * estimates[2];
        double combinedVariance = VarianceStatistics.TotalVariance(combined);
        Assert.All(estimates, e => Assert.True(combinedVariance <= VarianceStatistics.TotalVariance(e) * (1 + 1e-9)));
    }

    [Fact]
    public void PreviousBatches_FirstBatchUsesInitialLambda_ThenTheMovingAverageOfEarlierMoments()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var normal = Normal();
        var hybrid = new HybridEstimator(new HybridOptions { Mode = LambdaMode.PreviousBatches, Decay = 0.8, Ridge = 0 });
        var batches = Enumerable.Range(0, 3).Select(i =>
        {
            GradientEstimate pathwise = Estimators.Pathwise(normal, Square(), 5_000, new Generator((ulong)(30 + i), torch.CPU));
            return (Pathwise: pathwise, Score: Estimators.ScoreFunctionAt(normal, Square(), pathwise.Samples));
        }).ToArray();

        double[] Moments(int b, int p) => new[]
        {
            VarianceStatistics.TotalVariance(batches[b].Pathwise.PerSampleGradients[p]),
            VarianceStatistics.TotalVariance(batches[b].Score.PerSampleGradients[p]),
            VarianceStatistics.TotalCovariance(batches[b].Pathwise.PerSampleGradients[p], batches[b].Score.PerSampleGradients[p]),
        };

        GradientEstimate first = hybrid.Mix(batches[0].Pathwise, batches[0].Score);
        GradientEstimate second = hybrid.Mix(batches[1].Pathwise, batches[1].Score);
        GradientEstimate third = hybrid.Mix(batches[2].Pathwise, batches[2].Score);
        for (int p = 0; p < 2; p++)
        {
            Assert.Equal(0.5, first.Lambdas![p]);
            double[] m0 = Moments(0, p), m1 = Moments(1, p);
            Assert.Equal(VarianceStatistics.OptimalLambda(m0[0], m0[1], m0[2], 0), second.Lambdas![p], 12);
            double[] average = m0.Zip(m1, (a, b) => 0.8 * a + 0.2 * b).ToArray();
            Assert.Equal(VarianceStatistics.OptimalLambda(average[0], average[1], average[2], 0), third.Lambdas![p], 12);
        }
        Assert.Equal(3, hybrid.BatchesSeen);
    }

    [Fact]
    public void Granularity_ScalarAndPerCoordinate_PoolMomentsAccordingly()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        GradientEstimate pathwise = Estimators.Pathwise(Normal(), Square(), SampleCount, new Generator(25, torch.CPU));
        GradientEstimate score = Estimators.ScoreFunctionAt(Normal(), Square(), pathwise.Samples);

        GradientEstimate scalar = HybridEstimator.Combine(pathwise, score, LambdaGranularity.Scalar, 0);
        Tensor allP = torch.cat(pathwise.PerSampleGradients.ToArray(), 1), allM = torch.cat(score.PerSampleGradients.ToArray(), 1);
        double expectedScalar = VarianceStatistics.OptimalLambda(allP, allM, 0);
        Assert.All(scalar.Lambdas!, l => Assert.Equal(expectedScalar, l, 12));

        GradientEstimate perCoordinate = HybridEstimator.Combine(pathwise, score, LambdaGranularity.PerCoordinate, 0);
        for (int p = 0; p < 2; p++)
        {
            for (int j = 0; j < 2; j++)
            {
                double expected = VarianceStatistics.OptimalLambda(pathwise.PerSampleGradients[p][.., j], score.PerSampleGradients[p][.., j], 0);
                Assert.Equal(expected, perCoordinate.LambdaTensors![p][j].item<double>(), 12);
            }
        }
    }

    [Fact]
    public void Combine_PathwiseAndFourierOnTheSameSamples_IsUnbiased()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var gamma = EstimatorRunner.Gamma();
        Objective cube = Objective.Separable(z => z.pow(Scalars.Of(3)));
        GradientEstimate pathwise = Estimators.Pathwise(gamma, cube, 40_000, new Generator(26, torch.CPU));
        GradientEstimate fourier = Estimators.FourierAt(gamma, cube, pathwise.Samples, 4);
        GradientEstimate combined = HybridEstimator.Combine(pathwise, fourier);
        double[][] truth = EstimatorRunner.Truth(DistributionKind.Gamma, TestFunction.Cube);
        for (int p = 0; p < 2; p++)
        {
            StatisticalAssert.WithinStandardErrors(combined.PerSampleGradients[p], truth[p], $"pathwise+Fourier parameter {p}");
            Assert.True(VarianceStatistics.TotalVariance(combined.PerSampleGradients[p]) <= VarianceStatistics.TotalVariance(pathwise.PerSampleGradients[p]) * (1 + 1e-9));
        }
        Assert.Equal("hybrid(pathwise, fourier(N=4))", combined.Estimator);
    }

    [Fact]
    public void Combine_EstimatesOnDifferentSamples_Throws()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        GradientEstimate a = Estimators.Pathwise(Normal(), Square(), 100, new Generator(27, torch.CPU));
        GradientEstimate b = Estimators.ScoreFunction(Normal(), Square(), 100, null, new Generator(28, torch.CPU));
        var error = Assert.Throws<ArgumentException>(() => HybridEstimator.Combine(a, b));
        Assert.Contains("different samples", error.Message);
    }

    private static double[,] ToMatrix(Tensor t)
    {
        double[] flat = t.contiguous().data<double>().ToArray();
        int rows = (int)t.shape[0], columns = (int)t.shape[1];
        var result = new double[rows, columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                result[i, j] = flat[i * columns + j];
            }
        }
        return result;
    }
}
