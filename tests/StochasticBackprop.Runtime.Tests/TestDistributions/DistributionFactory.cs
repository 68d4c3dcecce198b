using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.TestDistributions;

/// <summary>
/// The distributions under test: the generated sample distributions (src/Samples), declared by
/// attributes only. Deliberately wrong variants wrap them (<see cref="DefectiveDistribution"/>).
/// </summary>
public static class DistributionFactory
{
    public static StochasticBackprop.Distributions.Normal Normal(Tensor mu, Tensor sigma) => new(mu, sigma);

    public static StochasticBackprop.Distributions.Gamma Gamma(Tensor k, Tensor theta) => new(k, theta);

    public static Tensor Vector(params double[] values) => torch.tensor(values, dtype: ScalarType.Float64);

    public static Tensor Scalar(double value) => torch.tensor(value, dtype: ScalarType.Float64);
}
