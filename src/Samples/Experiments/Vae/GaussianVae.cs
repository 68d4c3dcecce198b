using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Distributions;
using StochasticBackprop.Models;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace StochasticBackprop.Samples.Experiments.Vae;

/// <summary>The two Gaussian VAEs of the <c>hybrid-vae</c> experiment.</summary>
internal enum VaeArchitecture
{
    /// <summary>
    /// Oden (2025), §7.3.1's convolutional VAE for one channel: the 28×28 image zero-padded to 32×32; four convolutions of
    /// 32, 64, 128, 256 channels (kernel 4, stride 2, padding 1, ReLU) → FC 256 (ReLU) → mean and log-variance heads;
    /// the decoder FC 128 → 256·2·2 (ReLU) and four transposed convolutions of 128, 64, 32, 1 channels, the centre 28×28
    /// of its 32×32 output as the pixels' logits.
    /// </summary>
    Convolutional,

    /// <summary>A smaller fully connected VAE that fits more epochs on a CPU: 784-512-256 (ReLU) → heads, decoder 128-256-512-784.</summary>
    Mlp,
}

/// <summary>
/// A VAE with a 128-dimensional Gaussian latent, prior N(0, I), q(z | x) = N(μ(x), diag σ²(x)) with σ = exp(½ log σ²),
/// log σ² clamped to [−12, 8] (float32), and Bernoulli pixels (Oden 2025, §7.3.1), as a <see cref="LatentModel"/> whose site
/// <c>z</c> takes the estimator under test. float32 on CPU; the weights are plain leaf tensors created outside any
/// dispose scope: Kaiming-uniform for the (transposed) convolutions, Xavier-uniform for the linear layers (Oden 2025), zero biases
/// (the decoder's output bias too: see the constructor).
/// </summary>
internal sealed class GaussianVae : IDisposable
{
    internal const int Latent = 128;
    private const int Side = 28, Padded = 32;
    private readonly List<Parameter> parameters = new(), encoderParameters = new();
    private readonly List<(Tensor W, Tensor B)> convolutions = new(), transposed = new(), encoderLinear = new(), decoderLinear = new();
    private (Tensor W, Tensor B) meanHead, logVarianceHead;

    public GaussianVae(VaeArchitecture architecture, Tensor trainMean, Generator generator)
    {
        Architecture = architecture;
        using (torch.no_grad())
        {
            // The output bias starts at 0, not at the pixels' log-odds: at the log-odds the model starts on the collapsed
            // solution (the decoder ignores z, q = prior, ELBO ≈ −384 on Fashion-MNIST) and 1 in 3 seeds of the MLP and all
            // of the convolutional ones never left it in a full run; from 0 every estimator leaves it within a few hundred steps.
            Tensor outputBias = torch.zeros_like(trainMean, dtype: ScalarType.Float32);
            if (architecture == VaeArchitecture.Convolutional)
            {
                int[] channels = { 1, 32, 64, 128, 256 };
                for (int i = 0; i + 1 < channels.Length; i++)
                {
                    convolutions.Add(Convolution(channels[i + 1], channels[i], channels[i] * 16, encoder: true, generator));
                }
                encoderLinear.Add(Linear(256 * 2 * 2, 256, null, encoder: true, generator));
                meanHead = Linear(256, Latent, null, encoder: true, generator);
                logVarianceHead = Linear(256, Latent, null, encoder: true, generator);
                decoderLinear.Add(Linear(Latent, 256 * 2 * 2, null, encoder: false, generator));
                int[] back = { 256, 128, 64, 32, 1 };
                for (int i = 0; i + 1 < back.Length; i++)
                {
                    // conv_transpose2d's weight is [in, out, k, k]; its fan-in (as PyTorch counts it) is out·k².
                    Tensor? bias = i + 2 == back.Length ? PaddedBias(outputBias) : null;
                    transposed.Add(Convolution(back[i], back[i + 1], back[i + 1] * 16, encoder: false, generator, bias));
                }
            }
            else
            {
                int[] sizes = { Side * Side, 512, 256 };
                for (int i = 0; i + 1 < sizes.Length; i++) encoderLinear.Add(Linear(sizes[i], sizes[i + 1], null, encoder: true, generator));
                meanHead = Linear(256, Latent, null, encoder: true, generator);
                logVarianceHead = Linear(256, Latent, null, encoder: true, generator);
                int[] back = { Latent, 256, 512, Side * Side };
                for (int i = 0; i + 1 < back.Length; i++) decoderLinear.Add(Linear(back[i], back[i + 1], i + 2 == back.Length ? outputBias : null, encoder: false, generator));
            }
            outputBias.Dispose();
        }
    }

    public VaeArchitecture Architecture { get; }

    /// <summary>Every weight and bias, for the optimiser.</summary>
    public IReadOnlyList<Parameter> Parameters => parameters;

    /// <summary>The encoder's weights and biases (φ): the parameters whose gradient the site estimator decides.</summary>
    public IReadOnlyList<Parameter> EncoderParameters => encoderParameters;

    /// <summary>The number of weights and biases.</summary>
    public long Count => parameters.Sum(p => p.numel());

    /// <summary>The model with site z's gradient estimated by <paramref name="estimator"/>.</summary>
    public LatentModel Build(SiteEstimator estimator) => new(
        (q, x) =>
        {
            (Tensor mean, Tensor scale) = Encode(x);
            q.Sample("z", new Normal(mean, scale), estimator);
        },
        (p, x) =>
        {
            Tensor z = p.Sample("z", new Normal(torch.zeros(p.Rows, Latent, dtype: ScalarType.Float32), torch.ones(p.Rows, Latent, dtype: ScalarType.Float32)));
            p.Cost("x", LogLikelihood(x, Decode(z)));
        });

    /// <summary>μ(x) and σ(x), <c>[B, 128]</c> each, for images <c>[B, 784]</c>.</summary>
    public (Tensor Mean, Tensor Scale) Encode(Tensor x)
    {
        Tensor h;
        if (Architecture == VaeArchitecture.Convolutional)
        {
            h = torch.nn.functional.pad(x.view(x.shape[0], 1, Side, Side), new long[] { 2, 2, 2, 2 }, PaddingModes.Constant, 0.0);
            foreach ((Tensor w, Tensor b) in convolutions)
            {
                h = torch.nn.functional.relu(torch.nn.functional.conv2d(h, w, b, new long[] { 2, 2 }, new long[] { 1, 1 }, new long[] { 1, 1 }, 1));
            }
            h = h.flatten(1);
        }
        else
        {
            h = x;
        }
        foreach ((Tensor w, Tensor b) in encoderLinear)
        {
            h = torch.nn.functional.relu(torch.nn.functional.linear(h, w, b));
        }
        Tensor mean = torch.nn.functional.linear(h, meanHead.W, meanHead.B);
        Tensor logVariance = torch.nn.functional.linear(h, logVarianceHead.W, logVarianceHead.B).clamp(Scalars.Of(-12.0), Scalars.Of(8.0));
        return (mean, logVariance.mul(Scalars.Of(0.5)).exp());
    }

    /// <summary>The pixels' logits, <c>[R, 784]</c>, for latents <c>[R, 128]</c>.</summary>
    public Tensor Decode(Tensor z)
    {
        Tensor h = z;
        for (int i = 0; i < decoderLinear.Count; i++)
        {
            h = torch.nn.functional.linear(h, decoderLinear[i].W, decoderLinear[i].B);
            if (Architecture == VaeArchitecture.Convolutional || i + 1 < decoderLinear.Count) h = torch.nn.functional.relu(h);
        }
        if (Architecture == VaeArchitecture.Mlp)
        {
            return h;
        }
        h = h.view(z.shape[0], 256, 2, 2);
        for (int i = 0; i < transposed.Count; i++)
        {
            h = torch.nn.functional.conv_transpose2d(h, transposed[i].W, transposed[i].B, new long[] { 2, 2 }, new long[] { 1, 1 }, new long[] { 0, 0 }, new long[] { 1, 1 }, 1);
            if (i + 1 < transposed.Count) h = torch.nn.functional.relu(h);
        }
        // The centre 28×28 of the 32×32 output; its bias is a scalar per channel, so the output bias is added here per pixel.
        return h.narrow(2, 2, Side).narrow(3, 2, Side).reshape(z.shape[0], Side * Side).add(pixelBias!, Scalars.One);
    }

    private Tensor? pixelBias;

    /// <summary>Σ_pixels log Bernoulli(x; σ(logits)) = Σ x·l + log σ(−l), per row, stable in float32 (softplus would make temporary Scalars).</summary>
    internal static Tensor LogLikelihood(Tensor x, Tensor logits)
        => x.mul(logits).add(torch.nn.functional.logsigmoid(-logits), Scalars.One).sum(new long[] { 1 });

    /// <summary>The last transposed convolution has one channel, so one bias; the per-pixel log-odds become a learned pixel bias instead.</summary>
    private Tensor PaddedBias(Tensor outputBias)
    {
        var bias = new Parameter(outputBias.clone(), requires_grad: true);
        bias.DetachFromDisposeScope();
        parameters.Add(bias);
        pixelBias = bias;
        return torch.zeros(1, dtype: ScalarType.Float32);
    }

    /// <summary>A (transposed) convolution's weight <c>[a, b, 4, 4]</c>, Kaiming-uniform (bound √(6 / fan-in)), and a zero bias of <c>bias</c> or <paramref name="a"/> (convolution) / <paramref name="b"/> (transposed) entries.</summary>
    private (Tensor, Tensor) Convolution(int a, int b, int fanIn, bool encoder, Generator generator, Tensor? bias = null)
    {
        double limit = Math.Sqrt(6.0 / fanIn);
        var w = new Parameter(torch.rand(new long[] { a, b, 4, 4 }, dtype: ScalarType.Float32, generator: generator)
            .mul(Scalars.Of(2 * limit)).sub(Scalars.Of(limit)), requires_grad: true);
        var c = new Parameter(bias?.clone() ?? torch.zeros(encoder ? a : b, dtype: ScalarType.Float32), requires_grad: true);
        bias?.Dispose();
        return Register(w, c, encoder);
    }

    /// <summary>A linear layer, Xavier-uniform weight <c>[output, input]</c>, bias zero or <paramref name="bias"/>.</summary>
    private (Tensor, Tensor) Linear(int input, int output, Tensor? bias, bool encoder, Generator generator)
    {
        double limit = Math.Sqrt(6.0 / (input + output));
        var w = new Parameter(torch.rand(new long[] { output, input }, dtype: ScalarType.Float32, generator: generator)
            .mul(Scalars.Of(2 * limit)).sub(Scalars.Of(limit)), requires_grad: true);
        var b = new Parameter(bias?.clone() ?? torch.zeros(output, dtype: ScalarType.Float32), requires_grad: true);
        return Register(w, b, encoder);
    }

    private (Tensor, Tensor) Register(Parameter w, Parameter b, bool encoder)
    {
        w.DetachFromDisposeScope();
        b.DetachFromDisposeScope();
        parameters.Add(w);
        parameters.Add(b);
        if (encoder)
        {
            encoderParameters.Add(w);
            encoderParameters.Add(b);
        }
        return (w, b);
    }

    public void Dispose()
    {
        foreach (Tensor p in parameters) p.Dispose();
    }
}
