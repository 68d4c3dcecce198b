using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Distributions;
using StochasticBackprop.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Latent;

/// <summary>The three sigmoid-belief-net architectures of the REBAR and RELAX papers (and Echraibi et al. (2020), Appendix B).</summary>
internal enum SbnArchitecture
{
    /// <summary>One stochastic layer of 200 Bernoulli units, linear-logistic encoder and decoder (784-200).</summary>
    Linear,

    /// <summary>Two stochastic layers of 200 units, every conditional linear-logistic (784-200-200).</summary>
    TwoLayer,

    /// <summary>One stochastic layer of 200 units; encoder and decoder each with two deterministic tanh layers of 200.</summary>
    Nonlinear,
}

/// <summary>
/// A sigmoid belief net as a <see cref="LatentModel"/>, float32 on CPU: guide q(z₁|x) [q(z₂|z₁)] and model
/// p(z_top) p(z₁|z₂) p(x|z₁). The likelihood of the 784 pixels is a <see cref="ModelTrace.Cost"/> written with
/// log-sigmoid (exact for any logit); the latent conditionals' logits are clamped to ±<see cref="LogitLimit"/> so that
/// both probabilities of every unit stay representable in float32 (local expectation evaluates the unit's other value).
/// </summary>
internal sealed class SigmoidBeliefNet : ILatentNet
{
    public const int Units = 200;
    public const double LogitLimit = 15;

    private readonly List<Tensor> parameters = new();
    private readonly Tensor pixelMean;
    private readonly (Tensor W, Tensor B)[] encoder;
    private readonly (Tensor W, Tensor B)[] decoder;
    private readonly (Tensor W, Tensor B)? encoder2;
    private readonly (Tensor W, Tensor B)? decoder2;
    private readonly Tensor topPrior;

    /// <param name="architecture">Which net.</param>
    /// <param name="pixels">Pixels per image (784).</param>
    /// <param name="trainMean">The training set's mean image, [pixels]: centres the encoder's input and initialises the output bias at its logit.</param>
    /// <param name="generator">Initial weights.</param>
    public SigmoidBeliefNet(SbnArchitecture architecture, int pixels, Tensor trainMean, Generator generator)
    {
        Architecture = architecture;
        using (torch.no_grad())
        {
            pixelMean = trainMean.to_type(ScalarType.Float32).clone().DetachFromDisposeScope();
            (Tensor, Tensor) Layer(int input, int output, Tensor? bias = null)
            {
                // Glorot-uniform weights, zero (or given) bias, as the REBAR code's initialisation.
                double limit = Math.Sqrt(6.0 / (input + output));
                Tensor w = (torch.rand(new long[] { output, input }, dtype: ScalarType.Float32, generator: generator) * Scalars.Of(2 * limit)).sub(Scalars.Of(limit));
                Tensor b = bias?.clone() ?? torch.zeros(output, dtype: ScalarType.Float32);
                w = w.requires_grad_(true).DetachFromDisposeScope();
                b = b.requires_grad_(true).DetachFromDisposeScope();
                parameters.Add(w);
                parameters.Add(b);
                return (w, b);
            }
            Tensor clampedMean = pixelMean.clamp(Scalars.Of(1e-3), Scalars.Of(1 - 1e-3));
            Tensor outputBias = clampedMean.log() - (-(clampedMean - Scalars.Of(1.0))).log();
            int hidden = architecture == SbnArchitecture.Nonlinear ? 2 : 0;
            var enc = new List<(Tensor, Tensor)>();
            int width = pixels;
            for (int h = 0; h < hidden; h++)
            {
                enc.Add(Layer(width, Units));
                width = Units;
            }
            enc.Add(Layer(width, Units));
            encoder = enc.ToArray();
            if (architecture == SbnArchitecture.TwoLayer)
            {
                encoder2 = Layer(Units, Units);
            }
            GuideParameters = parameters.ToArray();
            topPrior = torch.zeros(Units, dtype: ScalarType.Float32).requires_grad_(true).DetachFromDisposeScope();
            parameters.Add(topPrior);
            if (architecture == SbnArchitecture.TwoLayer)
            {
                decoder2 = Layer(Units, Units);
            }
            var dec = new List<(Tensor, Tensor)>();
            width = Units;
            for (int h = 0; h < hidden; h++)
            {
                dec.Add(Layer(width, Units));
                width = Units;
            }
            dec.Add(Layer(width, pixels, outputBias));
            decoder = dec.ToArray();
        }
    }

    public SbnArchitecture Architecture { get; }

    /// <summary>Every weight, guide and model.</summary>
    public IReadOnlyList<Tensor> Parameters => parameters;

    /// <summary>The guide's (encoder's) weights: where the estimators differ.</summary>
    public IReadOnlyList<Tensor> GuideParameters { get; }

    /// <summary>The stochastic layers' names, guide order.</summary>
    public string[] Sites => Architecture == SbnArchitecture.TwoLayer ? new[] { "z1", "z2" } : new[] { "z1" };

    /// <summary>The net with one fresh estimator per site from <paramref name="create"/>; <paramref name="estimators"/> receives them.</summary>
    public LatentModel Build(Func<long, SiteEstimator> create, List<SiteEstimator> estimators)
    {
        SiteEstimator first = create(Units);
        estimators.Add(first);
        SiteEstimator? second = null;
        if (Architecture == SbnArchitecture.TwoLayer)
        {
            second = create(Units);
            estimators.Add(second);
        }
        return new LatentModel(
            (q, x) =>
            {
                Tensor z1 = q.Sample("z1", () =>
                {
                    // Built only when needed: a replay for z2 replays z1 and skips the encoder.
                    Tensor h = x - pixelMean;
                    for (int l = 0; l < encoder.Length - 1; l++)
                    {
                        h = torch.nn.functional.linear(h, encoder[l].W, encoder[l].B).tanh();
                    }
                    return new Bernoulli(Probability(torch.nn.functional.linear(h, encoder[^1].W, encoder[^1].B)));
                }, first);
                if (encoder2 is { } e2)
                {
                    q.Sample("z2", () => new Bernoulli(Probability(torch.nn.functional.linear(z1, e2.W, e2.B))), second);
                }
            },
            (p, x) =>
            {
                Tensor z1;
                if (decoder2 is { } d2)
                {
                    Tensor z2 = p.Sample("z2", () => new Bernoulli(Probability(topPrior.expand(p.Rows, Units))));
                    z1 = p.Sample("z1", () => new Bernoulli(Probability(torch.nn.functional.linear(z2, d2.W, d2.B))));
                }
                else
                {
                    z1 = p.Sample("z1", () => new Bernoulli(Probability(topPrior.expand(p.Rows, Units))));
                }
                // The decoder runs only when the term is needed (not in a replay for z2, which it does not depend on).
                p.Cost("x", () =>
                {
                    Tensor h = z1;
                    for (int l = 0; l < decoder.Length - 1; l++)
                    {
                        h = torch.nn.functional.linear(h, decoder[l].W, decoder[l].B).tanh();
                    }
                    return LogLikelihood(x, torch.nn.functional.linear(h, decoder[^1].W, decoder[^1].B));
                });
            });
    }

    /// <summary>log Bernoulli(x; σ(logits)) summed over the pixels, [Rows]: x log σ(l) + (1 − x) log σ(−l).</summary>
    public static Tensor LogLikelihood(Tensor x, Tensor logits)
        => (x * torch.nn.functional.logsigmoid(logits)).add(-(x - Scalars.Of(1.0)) * torch.nn.functional.logsigmoid(logits.neg()), Scalars.One).sum(new long[] { -1 });

    private static Tensor Probability(Tensor logits) => logits.clamp(Scalars.Of(-LogitLimit), Scalars.Of(LogitLimit)).sigmoid();

    public void Dispose()
    {
        foreach (Tensor p in parameters)
        {
            p.Dispose();
        }
        pixelMean.Dispose();
    }
}
