using System;
using System.Linq;
using StochasticBackprop.Distributions;
using StochasticBackprop.Models;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Models;

/// <summary>The README's latent-model example, as written there, on random binary images: every network gets a gradient and the numbers stay finite.</summary>
[Collection(GlobalGeneratorCollection.Name)]
public sealed class ReadmeModelExampleTests
{
    [Fact]
    public void ReadmeExample_TrainsEveryNetwork()
    {
        using DisposeScope outer = torch.NewDisposeScope();
        torch.manual_seed(3);
        const int batches = 2;
        Tensor[] images = Enumerable.Range(0, batches).Select(_ => torch.rand(8, 784).gt(Scalars.Of(0.5)).to_type(ScalarType.Float32)).ToArray();
        Tensor testImages = images[0];

        // --- the README's code, from here ---
        var encoder1 = nn.Linear(784, 200); var encoder2 = nn.Linear(200, 200);
        var decoder2 = nn.Linear(200, 200); var decoder1 = nn.Linear(200, 784);
        var prior = nn.Parameter(torch.zeros(200));
        var model = new LatentModel(
            guide: (q, x) =>
            {
                Tensor z1 = q.Sample("z1", () => new Bernoulli(encoder1.call(x).sigmoid()), SiteEstimator.LocalExpectation);
                q.Sample("z2", () => new Bernoulli(encoder2.call(z1).sigmoid()), SiteEstimator.DisArm);
            },
            model: (p, x) =>
            {
                Tensor z2 = p.Sample("z2", () => new Bernoulli(prior.sigmoid().expand(p.Rows, 200)));
                Tensor z1 = p.Sample("z1", () => new Bernoulli(decoder2.call(z2).sigmoid()));
                p.Observe("x", () => new Bernoulli(decoder1.call(z1).sigmoid()), x);
            });

        Parameter[] parameters = new[] { encoder1, encoder2, decoder2, decoder1 }
            .SelectMany(m => m.parameters()).Append(prior).ToArray();
        using Scalar learningRate = 1e-3.ToScalar();            // kept alive for the native calls (see below)
        double[] elbos = new double[3];
        for (int step = 0; step < 3; step++)
        {
            using var scope = torch.NewDisposeScope();
            Tensor batch = images[step % batches];                // [B, 784] in {0, 1}
            using ElboEstimate elbo = model.Elbo(batch, particles: 1);
            elbo.Loss.backward();                                 // every site's estimate, every network
            if (step == 0)
            {
                // (not in the README) every parameter tensor received a non-zero gradient
                Assert.All(parameters, w => Assert.True(w.grad!.abs().sum().item<float>() > 0));
            }
            using (torch.no_grad())
            {
                foreach (Parameter w in parameters) { w.sub_(w.grad! * learningRate); w.grad!.zero_(); }
            }
            elbos[step] = elbo.Value.item<float>();
        }
        Tensor logLikelihood = model.LogMarginal(testImages, samples: 200);   // importance-sampled log p(x), [B]
        // --- to here ---

        Assert.All(elbos, e => Assert.True(double.IsFinite(e) && e < 0));
        Assert.Equal(new long[] { 8 }, logLikelihood.shape);
        // log p(x) ≥ the ELBO in expectation; with 200 samples the importance-sampled estimate is well above one ELBO draw here.
        Assert.True(logLikelihood.mean().item<float>() > elbos[0]);
    }
}
