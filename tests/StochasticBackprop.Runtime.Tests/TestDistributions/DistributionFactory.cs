using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.TestDistributions;

/// <summary>
/// The distributions under test. Tests only use the estimator interfaces, so pointing these
/// factories at generated classes (same constructor arguments) re-runs every test against them.
/// </summary>
public static class DistributionFactory
{
    public static TestNormal Normal(Tensor mu, Tensor sigma) => new(mu, sigma);

    public static TestGamma Gamma(Tensor k, Tensor theta) => new(k, theta);

    public static Tensor Vector(params double[] values) => torch.tensor(values, dtype: ScalarType.Float64);

    public static Tensor Scalar(double value) => torch.tensor(value, dtype: ScalarType.Float64);
}
