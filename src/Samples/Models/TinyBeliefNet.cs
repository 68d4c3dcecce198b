using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Distributions;
using StochasticBackprop.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Models;

/// <summary>
/// A sigmoid belief net small enough to enumerate: x ∈ {0,1}⁴ observed, z₁ ∈ {0,1}³, z₂ ∈ {0,1}² (5 latent bits, 32
/// configurations per data point). Guide q(z₁|x) q(z₂|z₁), model p(z₂) p(z₁|z₂) p(x|z₁), all linear-logistic, float64.
/// The exact bound and its gradient come from enumerating every configuration. Shared by the model tests and
/// <see cref="StochasticBackprop.Samples.ModelEstimatorTable"/>.
/// </summary>
public sealed class TinyBeliefNet
{
    public const int X = 4, Z1 = 3, Z2 = 2;

    public TinyBeliefNet(int seed = 7)
    {
        var generator = new Generator((ulong)seed);
        Tensor Draw(params long[] shape) => (torch.randn(shape, dtype: ScalarType.Float64, generator: generator) * Scalars.Of(0.8)).requires_grad_(true);
        EncoderW1 = Draw(Z1, X);
        EncoderB1 = Draw(Z1);
        EncoderW2 = Draw(Z2, Z1);
        EncoderB2 = Draw(Z2);
        PriorLogits = Draw(Z2);
        DecoderW2 = Draw(Z1, Z2);
        DecoderB2 = Draw(Z1);
        DecoderW1 = Draw(X, Z1);
        DecoderB1 = Draw(X);
        Data = torch.tensor(new double[] { 1, 0, 1, 1, 0, 0, 1, 0 }, new long[] { 2, X }, dtype: ScalarType.Float64);
    }

    public Tensor EncoderW1 { get; }
    public Tensor EncoderB1 { get; }
    public Tensor EncoderW2 { get; }
    public Tensor EncoderB2 { get; }
    public Tensor PriorLogits { get; }
    public Tensor DecoderW2 { get; }
    public Tensor DecoderB2 { get; }
    public Tensor DecoderW1 { get; }
    public Tensor DecoderB1 { get; }
    public Tensor Data { get; }

    /// <summary>Every parameter, the guide's (encoder) first: the order of the flattened gradients below.</summary>
    public Tensor[] Parameters => new[] { EncoderW1, EncoderB1, EncoderW2, EncoderB2, PriorLogits, DecoderW2, DecoderB2, DecoderW1, DecoderB1 };

    /// <summary>The number of flattened coordinates that belong to the guide q (they lead <see cref="Parameters"/>).</summary>
    public int GuideCoordinates => (int)new[] { EncoderW1, EncoderB1, EncoderW2, EncoderB2 }.Sum(t => t.numel());

    public LatentModel Build(SiteEstimator first, SiteEstimator second) => new(
        (q, x) =>
        {
            Tensor z1 = q.Sample("z1", new Bernoulli(torch.nn.functional.linear(x, EncoderW1, EncoderB1).sigmoid()), first);
            q.Sample("z2", new Bernoulli(torch.nn.functional.linear(z1, EncoderW2, EncoderB2).sigmoid()), second);
        },
        (p, x) =>
        {
            Tensor z2 = p.Sample("z2", new Bernoulli(PriorLogits.sigmoid().expand(p.Rows, Z2)));
            Tensor z1 = p.Sample("z1", new Bernoulli(torch.nn.functional.linear(z2, DecoderW2, DecoderB2).sigmoid()));
            p.Observe("x", new Bernoulli(torch.nn.functional.linear(z1, DecoderW1, DecoderB1).sigmoid()), x);
        });

    /// <summary>The same model with every distribution given as a factory, so that replays build only what they need.</summary>
    public LatentModel BuildLazy(SiteEstimator first, SiteEstimator second) => new(
        (q, x) =>
        {
            Tensor z1 = q.Sample("z1", () => new Bernoulli(torch.nn.functional.linear(x, EncoderW1, EncoderB1).sigmoid()), first);
            q.Sample("z2", () => new Bernoulli(torch.nn.functional.linear(z1, EncoderW2, EncoderB2).sigmoid()), second);
        },
        (p, x) =>
        {
            Tensor z2 = p.Sample("z2", () => new Bernoulli(PriorLogits.sigmoid().expand(p.Rows, Z2)));
            Tensor z1 = p.Sample("z1", () => new Bernoulli(torch.nn.functional.linear(z2, DecoderW2, DecoderB2).sigmoid()));
            p.Observe("x", () => new Bernoulli(torch.nn.functional.linear(z1, DecoderW1, DecoderB1).sigmoid()), x);
        });

    /// <summary>All 2^n binary vectors of length n, <c>[2^n, n]</c>.</summary>
    public static Tensor AllBinary(int n)
    {
        double[] values = new double[(1 << n) * n];
        for (int c = 0; c < 1 << n; c++)
        {
            for (int j = 0; j < n; j++)
            {
                values[c * n + j] = (c >> j) & 1;
            }
        }
        return torch.tensor(values, new long[] { 1 << n, n }, dtype: ScalarType.Float64);
    }

    private static Tensor LogBernoulli(Tensor value, Tensor logits)
        => (value * torch.nn.functional.logsigmoid(logits)).add((-(value - Scalars.Of(1.0))) * torch.nn.functional.logsigmoid(logits.neg()), Scalars.One);

    /// <summary>
    /// The exact evidence lower bound and log p(x) per data point, <c>[B]</c> each, with their graph to the parameters.
    /// (The importance-weighted bound's gradient for K = 2 is <see cref="ExactIwae2Gradient"/>.)
    /// </summary>
    public (Tensor Elbo, Tensor LogMarginal) Exact()
    {
        var parts = ExactParts();
        return (torch.stack(parts.Select(p => (p.LogQ.exp() * (p.LogJoint - p.LogQ)).sum()).ToArray()), torch.stack(parts.Select(p => p.LogJoint.flatten().logsumexp(0)).ToArray()));
    }

    /// <summary>Per data point, log q(z₁, z₂ | x) and log p(x, z₁, z₂) over all configurations, <c>[8, 4]</c> each.</summary>
    private List<(Tensor LogQ, Tensor LogJoint)> ExactParts()
    {
        var parts = new List<(Tensor LogQ, Tensor LogJoint)>();
        Tensor z1 = AllBinary(Z1);                       // [8, 3]
        Tensor z2 = AllBinary(Z2);                       // [4, 2]
        for (int b = 0; b < Data.shape[0]; b++)
        {
            Tensor x = Data[b];
            Tensor logQ1 = LogBernoulli(z1, torch.nn.functional.linear(x, EncoderW1, EncoderB1).unsqueeze(0)).sum(new long[] { -1 });   // [8]
            Tensor logits2 = torch.nn.functional.linear(z1, EncoderW2, EncoderB2);                                                     // [8, 2]
            Tensor logQ2 = LogBernoulli(z2.unsqueeze(0), logits2.unsqueeze(1)).sum(new long[] { -1 });                                // [8, 4]
            Tensor logP2 = LogBernoulli(z2, PriorLogits.unsqueeze(0)).sum(new long[] { -1 });                                          // [4]
            Tensor decoderLogits1 = torch.nn.functional.linear(z2, DecoderW2, DecoderB2);                                              // [4, 3]
            Tensor logP1 = LogBernoulli(z1.unsqueeze(1), decoderLogits1.unsqueeze(0)).sum(new long[] { -1 });                         // [8, 4]
            Tensor logPx = LogBernoulli(x.unsqueeze(0), torch.nn.functional.linear(z1, DecoderW1, DecoderB1)).sum(new long[] { -1 }); // [8]
            Tensor logQ = logQ1.unsqueeze(1).add(logQ2, Scalars.One);                                                                          // [8, 4]
            Tensor logJoint = logP2.unsqueeze(0).add(logP1, Scalars.One).add(logPx.unsqueeze(1), Scalars.One);                                                       // [8, 4]
            parts.Add((logQ, logJoint));
        }
        return parts;
    }

    /// <summary>
    /// ∇ of the exact importance-weighted bound with K = 2, E[log ½(w₁ + w₂)] over independent pairs from q (32² pairs per
    /// data point), averaged over the data points, flattened.
    /// </summary>
    public double[] ExactIwae2Gradient()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var bounds = new List<Tensor>();
        foreach ((Tensor logQ, Tensor logJoint) in ExactParts())
        {
            Tensor q = logQ.flatten();
            Tensor logW = logJoint.flatten() - q;
            Tensor pairs = torch.logaddexp(logW.unsqueeze(1), logW.unsqueeze(0)) - Scalars.Of(Math.Log(2));
            bounds.Add((q.unsqueeze(1).add(q.unsqueeze(0), Scalars.One).exp() * pairs).sum());
        }
        return Flatten(torch.autograd.grad(new[] { torch.stack(bounds).mean() }, Parameters));
    }

    /// <summary>Var_q(w)/p(x)² = Σ_z p(x, z)²/q(z | x) / p(x)² − 1 per data point, w the importance weight.</summary>
    public double[] ExactWeightRelativeVariance()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable noGradient = torch.no_grad();
        return ExactParts().Select(part => Math.Exp((part.LogJoint * Scalars.Of(2.0) - part.LogQ).flatten().logsumexp(0).item<double>() - 2 * part.LogJoint.flatten().logsumexp(0).item<double>()) - 1).ToArray();
    }

    /// <summary>∇ of the mean exact ELBO over the data points w.r.t. every parameter, flattened.</summary>
    public double[] ExactElboGradient()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor elbo = Exact().Elbo.mean();
        return Flatten(torch.autograd.grad(new[] { elbo }, Parameters));
    }

    /// <summary>The flattened gradient of <paramref name="objective"/> w.r.t. every parameter (zeros where unused).</summary>
    public double[] GradientOf(Tensor objective)
    {
        IList<Tensor> gradients = torch.autograd.grad(new[] { objective }, Parameters, allow_unused: true);
        for (int i = 0; i < gradients.Count; i++)
        {
            if (gradients[i] is null || gradients[i].IsInvalid)
            {
                gradients[i] = torch.zeros_like(Parameters[i]);
            }
        }
        return Flatten(gradients);
    }

    private static double[] Flatten(IList<Tensor> tensors)
        => tensors.SelectMany(t => t.detach().flatten().data<double>().ToArray()).ToArray();
}
