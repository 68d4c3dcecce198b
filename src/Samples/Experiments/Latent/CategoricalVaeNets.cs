using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Distributions;
using StochasticBackprop.Models;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace StochasticBackprop.Samples.Experiments.Latent;

/// <summary>The two categorical models of Echraibi et al. (2020), Table 2.</summary>
internal enum CategoricalArchitecture
{
    /// <summary>One linear layer each way: q(z | x) = Cat(softmax(W x + b)), p(x | z) = Bernoulli(σ(V onehot(z) + c)).</summary>
    OneLayer,

    /// <summary>The categorical VAE: encoder 784-512-256 ReLU → d·K logits, decoder d·K-256-512 ReLU → 784 logits.</summary>
    Vae,
}

/// <summary>
/// A categorical latent-variable model for binarised 28×28 images as a <see cref="LatentModel"/>, float32 on CPU:
/// d categorical variables of K categories with a uniform prior, Bernoulli pixels. The networks' weights are plain
/// leaf tensors (Glorot-uniform, zero biases; the decoder's output bias starts at the training set's pixel log-odds),
/// created outside any dispose scope.
/// </summary>
internal sealed class CategoricalLatentNet : IDisposable
{
    internal static readonly int[] EncoderHidden = { 512, 256 };
    private readonly List<Parameter> parameters = new();
    private readonly List<(Tensor W, Tensor B)> encoder = new(), decoder = new();

    public CategoricalLatentNet(CategoricalArchitecture architecture, int variables, int categories, int pixels, Tensor trainMean, Generator generator)
    {
        Architecture = architecture;
        Variables = variables;
        Categories = categories;
        int latent = variables * categories;
        int[] hidden = architecture == CategoricalArchitecture.Vae ? EncoderHidden : Array.Empty<int>();
        using (torch.no_grad())
        {
            Tensor clamped = trainMean.to_type(ScalarType.Float32).clamp(Scalars.Of(1e-3), Scalars.Of(1 - 1e-3));
            Tensor outputBias = clamped.log().sub(clamped.neg().add(Scalars.One, Scalars.One).log());
            int[] encoderSizes = new[] { pixels }.Concat(hidden).Append(latent).ToArray();
            int[] decoderSizes = new[] { latent }.Concat(hidden.Reverse()).Append(pixels).ToArray();
            for (int i = 0; i + 1 < encoderSizes.Length; i++) encoder.Add(Layer(encoderSizes[i], encoderSizes[i + 1], null, generator));
            for (int i = 0; i + 1 < decoderSizes.Length; i++) decoder.Add(Layer(decoderSizes[i], decoderSizes[i + 1], i + 2 == decoderSizes.Length ? outputBias : null, generator));
            clamped.Dispose();
            outputBias.Dispose();
        }
    }

    public CategoricalArchitecture Architecture { get; }
    public int Variables { get; }
    public int Categories { get; }

    /// <summary>Every weight and bias, for the optimiser.</summary>
    public IReadOnlyList<Parameter> Parameters => parameters;

    /// <summary>A description for the report, e.g. <c>784-512-256-200 / 200-256-512-784 (ReLU)</c>.</summary>
    public string Describe() =>
        string.Join("-", encoder.Select(l => l.W.shape[1]).Append(encoder[^1].W.shape[0])) + " encoder, "
        + string.Join("-", decoder.Select(l => l.W.shape[1]).Append(decoder[^1].W.shape[0])) + " decoder"
        + (encoder.Count > 1 ? " (ReLU)" : " (linear)");

    /// <summary>The model with the categorical site's gradient estimated by <paramref name="estimator"/>.</summary>
    public LatentModel Build(SiteEstimator estimator) => new(
        (q, x) => q.Sample("z", () => new Categorical(Logits(x).softmax(-1)), estimator),
        (p, x) =>
        {
            Tensor z = p.Sample("z", () => new Categorical(UniformPrior(p.Rows)));
            p.Cost("x", LogLikelihood(x, Decode(z.reshape(p.Rows, Variables * Categories))));
        });

    /// <summary>The encoder's logits, <c>[Rows, d, K]</c>, clamped to ±15 so every probability stays representable in float32.</summary>
    private Tensor Logits(Tensor x)
    {
        Tensor h = x;
        for (int i = 0; i < encoder.Count; i++)
        {
            h = torch.nn.functional.linear(h, encoder[i].W, encoder[i].B);
            if (i + 1 < encoder.Count) h = torch.nn.functional.relu(h);
        }
        return h.view(x.shape[0], Variables, Categories).clamp(Scalars.Of(-15.0), Scalars.Of(15.0));
    }

    private Tensor Decode(Tensor z)
    {
        Tensor h = z;
        for (int i = 0; i < decoder.Count; i++)
        {
            h = torch.nn.functional.linear(h, decoder[i].W, decoder[i].B);
            if (i + 1 < decoder.Count) h = torch.nn.functional.relu(h);
        }
        return h;
    }

    private Tensor UniformPrior(long rows)
    {
        using Scalar uniform = (1.0 / Categories).ToScalar(); // held for the call: see Scalars
        return torch.full(new long[] { rows, Variables, Categories }, uniform, dtype: ScalarType.Float32);
    }

    /// <summary>Σ_pixels log Bernoulli(x; σ(logits)) = Σ x·l − softplus(l), per row, stable in float32.</summary>
    internal static Tensor LogLikelihood(Tensor x, Tensor logits)
        => x.mul(logits).add(torch.nn.functional.logsigmoid(-logits), Scalars.One).sum(new long[] { 1 }); // −softplus(l) = log σ(−l): softplus makes temporary Scalars

    private (Tensor, Tensor) Layer(int input, int output, Tensor? bias, Generator generator)
    {
        double limit = Math.Sqrt(6.0 / (input + output));
        var w = new Parameter(torch.rand(new long[] { output, input }, dtype: ScalarType.Float32, generator: generator)
            .mul(Scalars.Of(2 * limit)).sub(Scalars.Of(limit)), requires_grad: true);
        var b = new Parameter(bias?.clone() ?? torch.zeros(output, dtype: ScalarType.Float32), requires_grad: true);
        w.DetachFromDisposeScope();
        b.DetachFromDisposeScope();
        parameters.Add(w);
        parameters.Add(b);
        return (w, b);
    }

    public void Dispose()
    {
        foreach (Tensor p in parameters) p.Dispose();
    }
}
