using System.Linq;
using StochasticBackprop.Runtime.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Discrete;

/// <summary>
/// Straight-through Gumbel-softmax: the value is f at an exact sample (unbiased), the gradient is the relaxation's
/// (biased). Checked against exact enumeration, and its algebra against the Gumbel-softmax estimator on the same noise.
/// </summary>
public sealed class StraightThroughTests
{
    private const long Samples = 20_000;

    [Theory]
    [InlineData("Bernoulli")]
    [InlineData("Categorical")]
    [InlineData("CategoricalLogits")]
    public void StraightThrough_ValueIsUnbiased_GradientIsBiased(string distribution)
    {
        using var scope = NewDisposeScope();
        IFiniteDistribution d = DiscreteEstimatorTests.Create(distribution);
        Objective f = DiscreteEstimatorTests.Function("quadratic", (int)d.BatchShape[0]);
        ExactExpectation exact = Enumeration.Expectation(d, f);

        GradientEstimate estimate = d.StraightThroughGumbelSoftmax(f, Samples, 1.0, new Generator(13));

        // The forward pass is f at a Gumbel-max draw: on the support, and E f within 4 SE.
        Tensor support = torch.tensor(d.SupportValues.ToArray(), dtype: ScalarType.Float64);
        Assert.True(estimate.Samples.unsqueeze(-1).eq(support).any(-1).all().item<bool>());
        StatisticalAssert.WithinStandardErrors(estimate.Values.unsqueeze(1), new[] { exact.Value }, $"{distribution} straight-through value");
        // The gradient is the relaxation's: many SE from the truth.
        double[] truth = exact.Gradients[0].detach().flatten().data<double>().ToArray();
        StatisticalAssert.FailsAgainst(estimate.PerSampleGradients[0], truth, $"{distribution} straight-through gradient");
    }

    [Fact]
    public void StraightThrough_OnALinearObjective_EqualsGumbelSoftmaxSampleBySample()
    {
        // f linear: ∇f is the same at the hard and the relaxed point, so with the same Gumbel noise the two
        // estimators' per-sample gradients agree exactly, while their values differ (hard vs relaxed argument).
        using var scope = NewDisposeScope();
        IFiniteDistribution d = DiscreteEstimatorTests.Create("CategoricalLogits");
        Tensor weights = torch.tensor(new[] { 0.7, -1.2 }, dtype: ScalarType.Float64);
        Objective linear = Objective.General(z => z.matmul(weights));

        GradientEstimate straight = d.StraightThroughGumbelSoftmax(linear, 64, 0.5, new Generator(3));
        GradientEstimate relaxed = d.GumbelSoftmax(linear, 64, 0.5, new Generator(3));

        double difference = (straight.PerSampleGradients[0] - relaxed.PerSampleGradients[0]).abs().max().item<double>();
        Assert.True(difference <= 1e-12, $"per-sample gradients differ by {difference:G3}");
        Assert.True((straight.Values - relaxed.Values).abs().max().item<double>() > 1e-3);
    }
}
