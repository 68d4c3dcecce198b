using System;
using System.Collections.Generic;
using StochasticBackprop.Models;
using StochasticBackprop.Samples.Distributions;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Latent;

/// <summary>
/// A categorical VAE (002 Table 2, after Jang et al. 2017) as a <see cref="LatentModel"/>, float32 on CPU: d categorical
/// variables of K categories; encoder x → tanh(200) → d·K logits, uniform prior, decoder one-hot(z) → tanh(200) → 784
/// Bernoulli logits. The site's logits are clamped to ±15 so every category's probability stays representable in float32.
/// </summary>
internal sealed class CategoricalVae : ILatentNet
{
    public const int Hidden = 200;
    private readonly List<Tensor> parameters = new();
    private readonly Tensor pixelMean;
    private readonly (Tensor W, Tensor B) encoder1, encoder2, decoder1, decoder2;

    public CategoricalVae(int variables, int categories, int pixels, Tensor trainMean, Generator generator)
    {
        Variables = variables;
        Categories = categories;
        using (torch.no_grad())
        {
            pixelMean = trainMean.to_type(ScalarType.Float32).clone().DetachFromDisposeScope();
            (Tensor, Tensor) Layer(int input, int output, Tensor? bias = null)
            {
                double limit = Math.Sqrt(6.0 / (input + output));
                Tensor w = (torch.rand(new long[] { output, input }, dtype: ScalarType.Float32, generator: generator) * Scalars.Of(2 * limit)).sub(Scalars.Of(limit)).requires_grad_(true).DetachFromDisposeScope();
                Tensor b = (bias?.clone() ?? torch.zeros(output, dtype: ScalarType.Float32)).requires_grad_(true).DetachFromDisposeScope();
                parameters.Add(w);
                parameters.Add(b);
                return (w, b);
            }
            Tensor clampedMean = pixelMean.clamp(Scalars.Of(1e-3), Scalars.Of(1 - 1e-3));
            Tensor outputBias = clampedMean.log() - (-(clampedMean - Scalars.Of(1.0))).log();
            encoder1 = Layer(pixels, Hidden);
            encoder2 = Layer(Hidden, variables * categories);
            GuideParameters = parameters.ToArray();
            decoder1 = Layer(variables * categories, Hidden);
            decoder2 = Layer(Hidden, pixels, outputBias);
        }
    }

    public int Variables { get; }
    public int Categories { get; }
    public IReadOnlyList<Tensor> Parameters => parameters;
    public IReadOnlyList<Tensor> GuideParameters { get; }

    public LatentModel Build(Func<long, SiteEstimator> create, List<SiteEstimator> estimators)
    {
        SiteEstimator estimator = create(Variables);
        estimators.Add(estimator);
        return new LatentModel(
            (q, x) =>
            {
                Tensor h = torch.nn.functional.linear(x - pixelMean, encoder1.W, encoder1.B).tanh();
                Tensor logits = torch.nn.functional.linear(h, encoder2.W, encoder2.B).view(q.Rows, Variables, Categories);
                q.Sample("z", new Categorical(logits.clamp(Scalars.Of(-15.0), Scalars.Of(15.0)).softmax(-1)), estimator);
            },
            (p, x) =>
            {
                using Scalar uniform = (1.0 / Categories).ToScalar(); // held for the call: see Scalars
                Tensor z = p.Sample("z", new Categorical(torch.full(new long[] { p.Rows, Variables, Categories }, uniform, dtype: ScalarType.Float32)));
                Tensor h = torch.nn.functional.linear(z.reshape(p.Rows, Variables * Categories), decoder1.W, decoder1.B).tanh();
                p.Cost("x", SigmoidBeliefNet.LogLikelihood(x, torch.nn.functional.linear(h, decoder2.W, decoder2.B)));
            });
    }

    public void Dispose()
    {
        foreach (Tensor p in parameters)
        {
            p.Dispose();
        }
        pixelMean.Dispose();
    }
}
