using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Runtime.Tests.TestDistributions;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Support;

public enum EstimatorKind
{
    Pathwise,
    Score,
    ScoreConstantBaseline,
    ScoreMovingAverageBaseline,
    ScoreLeaveOneOutBaseline,
    FourierOrder2,
    FourierOrder4,
    HybridSameBatch,
    HybridPreviousBatches,
}

public enum DistributionKind
{
    Normal,
    Gamma,
}

/// <summary>Runs one estimator on one distribution and returns its per-sample gradients (stateful estimators over several batches, concatenated).</summary>
public static class EstimatorRunner
{
    public const int Batches = 4;

    public static readonly double[] NormalMu = { 0.5, -0.3 };
    public static readonly double[] NormalSigma = { 1.2, 0.7 };
    public static readonly double[] GammaK = { 2.5, 0.8 };
    public static readonly double[] GammaTheta = { 0.9, 1.3 };

    public static StochasticBackprop.Distributions.Normal Normal() => DistributionFactory.Normal(DistributionFactory.Vector(NormalMu), DistributionFactory.Vector(NormalSigma));

    public static StochasticBackprop.Distributions.Gamma Gamma() => DistributionFactory.Gamma(DistributionFactory.Vector(GammaK), DistributionFactory.Vector(GammaTheta));

    public static Tensor[] PerSample(DistributionKind distribution, EstimatorKind estimator, Objective objective, long sampleCount, ulong seed) => distribution switch
    {
        DistributionKind.Normal => PerSample(Normal(), estimator, objective, sampleCount, seed),
        _ => PerSample(Gamma(), estimator, objective, sampleCount, seed),
    };

    /// <summary>The closed-form mean of the estimator, per parameter and coordinate (the truncated series for Fourier).</summary>
    public static double[][] ExpectedMean(DistributionKind distribution, EstimatorKind estimator, TestFunction function)
    {
        int? order = estimator switch { EstimatorKind.FourierOrder2 => 2, EstimatorKind.FourierOrder4 => 4, _ => null };
        return distribution switch
        {
            DistributionKind.Normal => Pairs(NormalMu, NormalSigma, (a, b) => order is int n ? ClosedForms.NormalFourierMean(function, n, a, b) : ClosedForms.NormalGradient(function, a, b)),
            _ => Pairs(GammaK, GammaTheta, (a, b) => order is int n ? ClosedForms.GammaFourierMean(function, n, a, b) : ClosedForms.GammaGradient(function, a, b)),
        };
    }

    /// <summary>∇ E f in closed form, per parameter and coordinate.</summary>
    public static double[][] Truth(DistributionKind distribution, TestFunction function) => distribution switch
    {
        DistributionKind.Normal => Pairs(NormalMu, NormalSigma, (a, b) => ClosedForms.NormalGradient(function, a, b)),
        _ => Pairs(GammaK, GammaTheta, (a, b) => ClosedForms.GammaGradient(function, a, b)),
    };

    public static Tensor[] PerSample<TDistribution>(TDistribution distribution, EstimatorKind estimator, Objective objective, long sampleCount, ulong seed)
        where TDistribution : IReparameterizedDistribution, IScoredDistribution, ICumulantDistribution
    {
        var generator = new Generator(seed, torch.CPU);
        switch (estimator)
        {
            case EstimatorKind.Pathwise:
                return Estimators.Pathwise(distribution, objective, sampleCount, generator).PerSampleGradients.ToArray();
            case EstimatorKind.Score:
                return Estimators.ScoreFunction(distribution, objective, sampleCount, null, generator).PerSampleGradients.ToArray();
            case EstimatorKind.ScoreConstantBaseline:
                return Estimators.ScoreFunction(distribution, objective, sampleCount, Baseline.Constant(1.0), generator).PerSampleGradients.ToArray();
            case EstimatorKind.ScoreLeaveOneOutBaseline:
                return Estimators.ScoreFunction(distribution, objective, sampleCount, Baseline.LeaveOneOut, generator).PerSampleGradients.ToArray();
            case EstimatorKind.ScoreMovingAverageBaseline:
            {
                Baseline baseline = Baseline.MovingAverage(0.9);
                return Concatenate(Enumerable.Range(0, Batches)
                    .Select(_ => Estimators.ScoreFunction(distribution, objective, sampleCount / Batches, baseline, generator)));
            }
            case EstimatorKind.FourierOrder2:
                return Estimators.Fourier(distribution, objective, sampleCount, 2, generator).PerSampleGradients.ToArray();
            case EstimatorKind.FourierOrder4:
                return Estimators.Fourier(distribution, objective, sampleCount, 4, generator).PerSampleGradients.ToArray();
            case EstimatorKind.HybridSameBatch:
                return new HybridEstimator().Estimate(distribution, objective, sampleCount, generator).PerSampleGradients.ToArray();
            case EstimatorKind.HybridPreviousBatches:
            {
                var hybrid = new HybridEstimator(new HybridOptions { Mode = LambdaMode.PreviousBatches });
                return Concatenate(Enumerable.Range(0, Batches)
                    .Select(_ => hybrid.Estimate(distribution, objective, sampleCount / Batches, generator)));
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(estimator));
        }
    }

    private static Tensor[] Concatenate(IEnumerable<GradientEstimate> estimates)
    {
        GradientEstimate[] all = estimates.ToArray();
        return Enumerable.Range(0, all[0].PerSampleGradients.Count)
            .Select(p => torch.cat(all.Select(e => e.PerSampleGradients[p]).ToArray(), 0))
            .ToArray();
    }

    private static double[][] Pairs(double[] first, double[] second, Func<double, double, (double, double)> gradient)
    {
        var result = new[] { new double[first.Length], new double[first.Length] };
        for (int j = 0; j < first.Length; j++)
        {
            (result[0][j], result[1][j]) = gradient(first[j], second[j]);
        }
        return result;
    }
}
