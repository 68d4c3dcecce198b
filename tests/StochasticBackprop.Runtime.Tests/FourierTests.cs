using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Runtime.Tests.Support;
using StochasticBackprop.Runtime.Tests.TestDistributions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests;

public sealed class FourierTests
{
    /// <summary>Records the highest derivative order the estimator asks for.</summary>
    private sealed class CountingObjective(Objective inner) : Objective
    {
        public List<int> RequestedOrders { get; } = new();

        public override Tensor Evaluate(Tensor z) => inner.Evaluate(z);

        public override IReadOnlyList<Tensor> CoordinateDerivatives(Tensor z, int maxOrder)
        {
            RequestedOrders.Add(maxOrder);
            return inner.CoordinateDerivatives(z, maxOrder);
        }
    }

    [Fact]
    public void Normal_OrderFour_RequestsOnlyTwoDerivativeOrders()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var objective = new CountingObjective(Objective.Separable(z => z.pow(Scalars.Of(4))));
        Estimators.Fourier(EstimatorRunner.Normal(), objective, 10, 4, new Generator(1, torch.CPU));
        Assert.Equal(new[] { 2 }, objective.RequestedOrders);
    }

    [Fact]
    public void Gamma_OrderFour_RequestsFourDerivativeOrders()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var objective = new CountingObjective(Objective.Separable(z => z.pow(Scalars.Of(4))));
        Estimators.Fourier(EstimatorRunner.Gamma(), objective, 10, null, new Generator(1, torch.CPU));
        Assert.Equal(new[] { 4 }, objective.RequestedOrders);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    public void OrderOutsideOneToCumulantOrder_Throws_NamingTheValue(int order)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Estimators.Fourier(EstimatorRunner.Gamma(), Objective.Separable(z => z), 10, order));
        Assert.Contains($"got {order}", error.Message);
        Assert.Contains("Gamma", error.Message);
        Assert.Equal("order", error.ParamName);
    }

    [Fact]
    public void Normal_HingeObjective_MissesTheKink_AndIsBiasedForSigma()
    {
        // max(0, 1 − z): autograd returns f″ = 0 almost everywhere (the true f″ is a point mass at 1), so the
        // Fourier σ gradient ½·∂σ²/∂σ·E f″ comes out 0 instead of φ((1 − μ)/σ).
        using DisposeScope scope = torch.NewDisposeScope();
        const double mu = 0.2, sigma = 0.8;
        var normal = DistributionFactory.Normal(DistributionFactory.Scalar(mu), DistributionFactory.Scalar(sigma));
        Objective hinge = Objective.Separable(z => torch.nn.functional.relu(1 - z));
        GradientEstimate fourier = Estimators.Fourier(normal, hinge, 20_000, 2, new Generator(3, torch.CPU));
        GradientEstimate pathwise = Estimators.Pathwise(normal, hinge, 20_000, new Generator(3, torch.CPU));

        // E max(0, 1 − z) = (1 − μ)Φ(a) + σφ(a), a = (1 − μ)/σ, so ∂σ E = φ(a).
        double a = (1 - mu) / sigma;
        double truth = Math.Exp(-a * a / 2) / Math.Sqrt(2 * Math.PI);
        StatisticalAssert.WithinStandardErrors(pathwise.PerSampleGradient("sigma").unsqueeze(1), new[] { truth }, "pathwise on the hinge");
        Assert.Equal(0.0, fourier.PerSampleGradient("sigma").abs().max().item<double>());
        StatisticalAssert.FailsAgainst(fourier.PerSampleGradient("sigma").unsqueeze(1), new[] { truth }, "Fourier on the hinge");
    }
}
