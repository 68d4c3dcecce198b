using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Distributions;
using StochasticBackprop.Samples.Distributions;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Device;

/// <summary>
/// Every estimator runs on its parameters' dtype and device: for each estimator the catalog lists for a sample
/// distribution, in float32 and in float64 on the CPU (the only device here), the value, the per-sample gradients,
/// the surrogate and the gradient that backward() leaves on the parameters have the parameters' dtype and device;
/// and the float32 mean gradient agrees with the float64 one within 4 standard errors of their difference plus
/// float32 rounding (1e-4 relative).
/// </summary>
public sealed class DtypeAndDeviceTests
{
    private const long SampleCount = 20_000;
    private const double StandardErrors = 4;
    private const double Float32Relative = 1e-4;

    private readonly ITestOutputHelper output;

    public DtypeAndDeviceTests(ITestOutputHelper output) => this.output = output;

    /// <summary>f(z) = Σ (z − 1)², written with kept-alive Scalars.</summary>
    private static readonly Objective Quadratic = Objective.Separable(z =>
    {
        Tensor d = z - Scalars.Of(1.0);
        return d * d;
    });

    private static Tensor Leaf(ScalarType dtype, params double[] values) => torch.tensor(values, dtype: dtype).requires_grad_(true);

    /// <summary>The distributions, built from leaves of the given dtype (values exactly representable in float32).</summary>
    public static IEnumerable<object[]> Distributions() => new[] { "Normal", "Gamma", "Laplace", "Exponential", "Bernoulli", "Poisson", "Beta" }.Select(n => new object[] { n });

    private static IDistribution Make(string name, ScalarType dtype, double shift = 1) => name switch
    {
        "Normal" => new Normal(Leaf(dtype, 0.5 * shift, -0.25), Leaf(dtype, 1.25, 0.75)),
        "Gamma" => new Gamma(Leaf(dtype, 2.5 * shift, 0.75), Leaf(dtype, 0.875, 1.25)),
        "Laplace" => new Laplace(Leaf(dtype, 0.25 * shift), Leaf(dtype, 0.75)),
        "Exponential" => new Exponential(Leaf(dtype, 1.5 * shift)),
        "Bernoulli" => new Bernoulli(Leaf(dtype, 0.25 * shift, 0.625)),
        "Poisson" => new Poisson(Leaf(dtype, 2.0 * shift)),
        "Beta" => new Beta(Leaf(dtype, 3.0 * shift), Leaf(dtype, 4.0)),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown distribution"),
    };

    /// <summary>Runs <paramref name="estimator"/> on <paramref name="distribution"/>, checks dtype and device everywhere, returns each parameter's mean gradient and its standard error.</summary>
    private static (double[] Mean, double[] StandardError) Run(IDistribution distribution, string estimator, Func<IDistribution, GradientEstimate> estimate, ScalarType dtype)
    {
        torch.Device device = distribution.Parameters[0].device;
        Assert.Equal(DeviceType.CPU, device.type);
        var means = new List<double>();
        var errors = new List<double>();
        using GradientEstimate result = estimate(distribution);
        AssertOn(result.Value, dtype, device, $"{estimator}: the value");
        AssertOn(result.Surrogate, dtype, device, $"{estimator}: the surrogate");
        result.Surrogate.backward();
        for (int p = 0; p < distribution.Parameters.Count; p++)
        {
            Tensor parameter = distribution.Parameters[p];
            string name = distribution.ParameterNames[p];
            Tensor perSample = result.PerSampleGradient(name);
            AssertOn(perSample, dtype, device, $"{estimator}: the per-sample gradient of {name}");
            AssertOn(result.Gradient(name), dtype, device, $"{estimator}: the mean gradient of {name}");
            using Tensor? grad = parameter.grad;
            Assert.True(grad is not null, $"{estimator}: no gradient reached {name}");
            AssertOn(grad!, dtype, device, $"{estimator}: the gradient backward() left on {name}");
            using Tensor flat = perSample.detach().to_type(ScalarType.Float64).reshape(perSample.shape[0], -1);
            double[] mean = flat.mean(new long[] { 0 }).data<double>().ToArray();
            double[] se = (flat.std(new long[] { 0 }) / Scalars.Of(Math.Sqrt(flat.shape[0]))).data<double>().ToArray();
            means.AddRange(mean);
            errors.AddRange(se);
        }
        return (means.ToArray(), errors.ToArray());
    }

    private static void AssertOn(Tensor tensor, ScalarType dtype, torch.Device device, string what)
    {
        Assert.True(tensor.dtype == dtype, $"{what} is {tensor.dtype}, the parameters are {dtype}");
        Assert.True(tensor.device_type == device.type && tensor.device_index == device.index, $"{what} is on {tensor.device}, the parameters on {device}");
    }

    /// <summary>The estimators to run: the catalog's for the distribution, and the exponential Fourier estimator where K(s) exists.</summary>
    private static IEnumerable<(string Name, Func<IDistribution, GradientEstimate> Estimate)> EstimatorsFor(IDistribution distribution, Generator generator)
    {
        foreach (EstimatorEntry entry in EstimatorCatalog.For(distribution))
        {
            yield return (entry.Name, d => entry.Estimate(d, Quadratic, SampleCount, generator));
        }
        if (distribution is ICumulantGeneratingFunction)
        {
            Objective exponential = Objective.Separable(z => (z * Scalars.Of(-0.5)).exp());
            yield return ("exponential-fourier", d => ExponentialFourier.Estimate((ICumulantGeneratingFunction)d, -0.5, exponential, SampleCount, generator));
        }
    }

    [Theory]
    [MemberData(nameof(Distributions))]
    public void EveryEstimator_RunsOnTheParametersDtype_AndFloat32AgreesWithFloat64(string name)
    {
        TorchBackend.EnsureAvailable();
        int checkedEstimators = 0;
        var names = EstimatorsFor(Make(name, ScalarType.Float64), new Generator(1)).Select(e => e.Name).ToArray();
        foreach (string estimator in names)
        {
            using DisposeScope scope = torch.NewDisposeScope();
            var single = Run(Make(name, ScalarType.Float32), estimator, EstimatorsFor(Make(name, ScalarType.Float32), new Generator(7)).Single(e => e.Name == estimator).Estimate, ScalarType.Float32);
            var doubles = Run(Make(name, ScalarType.Float64), estimator, EstimatorsFor(Make(name, ScalarType.Float64), new Generator(7)).Single(e => e.Name == estimator).Estimate, ScalarType.Float64);
            for (int j = 0; j < single.Mean.Length; j++)
            {
                double gap = Math.Abs(single.Mean[j] - doubles.Mean[j]);
                double tolerance = Tolerance(single.StandardError[j], doubles.StandardError[j], doubles.Mean[j]);
                output.WriteLine($"{name} {estimator} [{j}]: float32 {single.Mean[j]:G6}, float64 {doubles.Mean[j]:G6}, gap {gap:E2} (tolerance {tolerance:E2})");
                Assert.True(gap <= tolerance, $"{name} {estimator} [{j}]: float32 {single.Mean[j]} vs float64 {doubles.Mean[j]}, tolerance {tolerance}");
            }
            checkedEstimators++;
        }
        Assert.True(checkedEstimators >= 2, $"{name}: only {checkedEstimators} estimators");
    }

    /// <summary>
    /// The negative: the same comparison between float32 at a parameter 30% off and float64 fails, for a pathwise, a
    /// score-function and a difference-rule gradient, so the agreement above is not a tolerance wide enough to pass
    /// anything. (Not a Bernoulli: the gradient of E f(z) in p is f(1) − f(0) whatever p is.)
    /// </summary>
    [Theory]
    [InlineData("Normal", "pathwise")]
    [InlineData("Gamma", "score-function")]
    [InlineData("Poisson", "fourier-difference")]
    public void Comparison_WithAShiftedParameter_Fails(string name, string estimator)
    {
        TorchBackend.EnsureAvailable();
        using DisposeScope scope = torch.NewDisposeScope();
        IDistribution shifted = Make(name, ScalarType.Float32, shift: 1.3);
        var single = Run(shifted, estimator, EstimatorsFor(shifted, new Generator(7)).Single(e => e.Name == estimator).Estimate, ScalarType.Float32);
        IDistribution exact = Make(name, ScalarType.Float64);
        var doubles = Run(exact, estimator, EstimatorsFor(exact, new Generator(7)).Single(e => e.Name == estimator).Estimate, ScalarType.Float64);
        bool anyFails = Enumerable.Range(0, single.Mean.Length)
            .Any(j => Math.Abs(single.Mean[j] - doubles.Mean[j]) > Tolerance(single.StandardError[j], doubles.StandardError[j], doubles.Mean[j]));
        Assert.True(anyFails, $"{name} {estimator}: a 30% shift went unnoticed");
    }

    private static double Tolerance(double seSingle, double seDouble, double reference) =>
        StandardErrors * Math.Sqrt(seSingle * seSingle + seDouble * seDouble) + Float32Relative * (Math.Abs(reference) + 1);
}
