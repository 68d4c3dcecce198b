using System;
using System.Linq;
using StochasticBackprop.Samples.Experiments.Vae;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Tests;

/// <summary>Sanity checks on the quick run of <c>hybrid-vae</c> (sane numbers, not the paper's), and on its pieces.</summary>
[Collection(QuickSuiteCollection.Name)]
public sealed class HybridVaeExperimentTests(QuickSuite suite)
{
    [Fact]
    public void QuickRun_BoundsAreSane_LambdaIsAWeight_AndTheScoreIsNoisier()
    {
        var metrics = suite.Get("hybrid-vae").Outcome.Metrics;
        foreach (string model in new[] { "mlp", "conv" })
        {
            // 784 Bernoulli pixels: a bound below 0, and above the all-½ decoder's 784·log ½ ≈ −543 after the first steps.
            Assert.InRange(metrics[$"{model}_test_elbo_pathwise"], -543, 0);
            Assert.InRange(metrics[$"{model}_test_elbo_hybrid"], -543, 0);
            Assert.True(metrics[$"{model}_test_elbo_score"] < 0, model);
            Assert.InRange(metrics[$"{model}_final_lambda_mean"], 0, 1);
            Assert.True(metrics[$"{model}_score_variance_ratio"] > 1, $"{model}: the score's encoder-gradient variance is {metrics[$"{model}_score_variance_ratio"]}× STL's");
            Assert.True(double.IsFinite(metrics[$"{model}_hybrid_overhead"]), model);
        }
    }

    [Fact]
    public void ClipGradients_ScalesTheJointNormToTheBound_AndReturnsTheNormBefore()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor a = torch.zeros(2, dtype: ScalarType.Float32).requires_grad_(true);
        Tensor b = torch.zeros(1, dtype: ScalarType.Float32).requires_grad_(true);
        Tensor loss = (a * torch.tensor(new float[] { 3, 0 })).sum().add((b * torch.tensor(new float[] { 4 })).sum(), Scalars.One);
        loss.backward();
        double norm = VaeTraining.ClipGradients(new[] { a, b }, 1.0);
        Assert.Equal(5.0, norm, 5);
        Assert.Equal(0.6, a.grad!.data<float>()[0], 5);
        Assert.Equal(0.8, b.grad!.data<float>()[0], 5);
        // Below the bound nothing changes.
        Assert.Equal(1.0, VaeTraining.ClipGradients(new[] { a, b }, 2.0), 5);
        Assert.Equal(0.6, a.grad!.data<float>()[0], 5);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Networks_MapImagesToA128DimensionalGaussian_AndBackTo784Logits(bool convolutional)
    {
        VaeArchitecture architecture = convolutional ? VaeArchitecture.Convolutional : VaeArchitecture.Mlp;
        using DisposeScope scope = torch.NewDisposeScope();
        using var net = new GaussianVae(architecture, torch.ones(784, dtype: ScalarType.Float32) * Scalars.Of(0.25), new Generator(5));
        Tensor x = torch.rand(new long[] { 3, 784 }, generator: new Generator(6)).gt(Scalars.Of(0.5)).to_type(ScalarType.Float32);
        (Tensor mean, Tensor scale) = net.Encode(x);
        Assert.Equal(new long[] { 3, GaussianVae.Latent }, mean.shape);
        Assert.True(scale.gt(Scalars.Of(0.0)).all().item<bool>());
        Tensor logits = net.Decode(mean);
        Assert.Equal(new long[] { 3, 784 }, logits.shape);
        // The encoder's weights are a strict subset of all weights, and every weight gets a gradient from the bound.
        Assert.True(net.EncoderParameters.Count < net.Parameters.Count);
        GaussianVae.LogLikelihood(x, logits).sum().add(scale.log().sum(), Scalars.One).backward();
        Assert.All(net.Parameters, p => Assert.NotNull(p.grad));
    }
}
