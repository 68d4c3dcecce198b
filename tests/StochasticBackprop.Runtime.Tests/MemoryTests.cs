using StochasticBackprop.Runtime.Tests.Support;
using StochasticBackprop.Runtime.Tests.TestDistributions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests;

public sealed class MemoryTests
{
    [Fact]
    public void RepeatedEstimation_InADisposeScope_KeepsTheLiveTensorCountFlat()
    {
        var gamma = EstimatorRunner.Gamma();
        Objective general = Objective.General(z => (z * Scalars.Of(-0.7)).exp().sum(new long[] { 1 }));
        var hybrid = new HybridEstimator(new HybridOptions { Mode = LambdaMode.PreviousBatches });
        Baseline baseline = Baseline.MovingAverage();
        var generator = new Generator(99, torch.CPU);

        void Iteration()
        {
            using DisposeScope scope = torch.NewDisposeScope();
            Estimators.Pathwise(gamma, general, 64, generator);
            Estimators.ScoreFunction(gamma, general, 64, baseline, generator);
            Estimators.Fourier(gamma, general, 64, 4, generator);
            hybrid.Estimate(gamma, general, 64, generator).Surrogate.item<double>();
        }

        for (int i = 0; i < 5; i++)
        {
            Iteration();
        }
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 50; i++)
        {
            Iteration();
        }
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.Equal(before, after);
    }
}
