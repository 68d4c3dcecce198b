using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using StochasticBackprop.Optim;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Policy;

/// <summary>
/// π(a | s) = N(μ(s), diag σ²) with μ a tanh network (no hidden layer: the linear policy μ = Kᵀs) and a
/// state-independent learned log σ. Evaluated on <em>per-episode copies</em> of the parameters
/// (<see cref="Replicate"/>: leaves <c>[E, ...]</c>, used through batched matmuls), so that one backward pass of
/// the sum of the episodes' objectives leaves episode e's own gradient in row e of every copy's <c>grad</c>.
/// </summary>
internal sealed class GaussianPolicy : IDisposable
{
    private readonly Tensor[] parameters;
    private readonly int layers;
    private readonly bool bias;

    /// <param name="sizes">Observation size, hidden sizes, action size (e.g. 4, 64, 64, 1; or 2, 1 for the linear policy).</param>
    /// <param name="bias">Whether the layers have biases (the linear LQR policy has none).</param>
    /// <param name="initialLogStd">log σ at the start.</param>
    /// <param name="outputScale">The output layer's initial weights are scaled by this (small: the initial mean is near 0).</param>
    public GaussianPolicy(int[] sizes, bool bias, double initialLogStd, double outputScale, Generator generator)
    {
        this.bias = bias;
        layers = sizes.Length - 1;
        var list = new List<Tensor>();
        using (torch.no_grad())
        {
            for (int l = 0; l < layers; l++)
            {
                // PyTorch's Linear default, U(−1/√fan_in, 1/√fan_in).
                double bound = 1 / Math.Sqrt(sizes[l]) * (l == layers - 1 ? outputScale : 1.0);
                list.Add(Uniform(new long[] { sizes[l], sizes[l + 1] }, bound, generator));
                if (bias) list.Add(Uniform(new long[] { 1, sizes[l + 1] }, bound, generator));
            }
            using Scalar logStd = initialLogStd.ToScalar();
            list.Add(torch.zeros(new long[] { 1, sizes[^1] }, dtype: ScalarType.Float64).fill_(logStd));
        }
        parameters = list.Select(p => p.requires_grad_(true).DetachFromDisposeScope()).ToArray();
    }

    /// <summary>A linear policy u = Kᵀx + σ⊙ε with the given K <c>[S, A]</c> and log σ (for the LQR checks).</summary>
    public static GaussianPolicy Linear(double[] gain, double logStd)
    {
        var policy = new GaussianPolicy(new[] { gain.Length, 1 }, bias: false, logStd, 1.0, new Generator(0, torch.CPU));
        using (torch.no_grad())
        {
            using Tensor values = torch.tensor(gain, new long[] { gain.Length, 1 }, dtype: ScalarType.Float64);
            policy.parameters[0].copy_(values);
        }
        return policy;
    }

    /// <summary>The shared leaves the optimizer updates: per layer W <c>[in, out]</c> (and b <c>[1, out]</c>), then log σ <c>[1, A]</c>.</summary>
    public IReadOnlyList<Tensor> Parameters => parameters;

    /// <summary>The number of scalar parameters, D.</summary>
    public long Count => parameters.Sum(p => p.numel());

    /// <summary>Per-episode leaf copies <c>[E, ...]</c> of the current parameters, each requiring its own gradient.</summary>
    public Tensor[] Replicate(long episodes)
    {
        using IDisposable noGrad = torch.no_grad();
        return parameters.Select(p => Expand(p, episodes).contiguous().requires_grad_(true)).ToArray();
    }

    /// <summary>The current parameters broadcast to <c>[E, ...]</c> (views, for rollouts that need no gradient).</summary>
    public Tensor[] Broadcast(long episodes) => parameters.Select(p => Expand(p.detach(), episodes)).ToArray();

    /// <summary>μ for observations <c>[E, N, O]</c> under per-episode parameters: <c>[E, N, A]</c>.</summary>
    public Tensor Mean(IReadOnlyList<Tensor> replica, Tensor observations)
    {
        Tensor h = observations;
        int index = 0;
        for (int l = 0; l < layers; l++)
        {
            h = h.bmm(replica[index++]);
            if (bias) h = h.add(replica[index++], Scalars.One);
            if (l < layers - 1) h = h.tanh();
        }
        return h;
    }

    /// <summary>log σ under per-episode parameters: <c>[E, 1, A]</c>.</summary>
    public Tensor LogStd(IReadOnlyList<Tensor> replica) => replica[^1];

    /// <summary>The rows of every copy's gradient, flattened and concatenated: episode e's gradient is row e of <c>[E, D]</c>.</summary>
    public static double[][] PerEpisodeGradients(IReadOnlyList<Tensor> replica, long episodes)
    {
        var parts = new List<Tensor>();
        foreach (Tensor r in replica)
        {
            Tensor? grad = r.grad;
            parts.Add(grad is null ? torch.zeros(episodes, r.numel() / episodes, dtype: ScalarType.Float64) : grad.reshape(episodes, -1));
        }
        double[] flat = torch.cat(parts, 1).contiguous().data<double>().ToArray();
        int d = flat.Length / (int)episodes;
        return Enumerable.Range(0, (int)episodes).Select(e => flat.AsSpan(e * d, d).ToArray()).ToArray();
    }

    /// <summary>One optimizer step uphill along <paramref name="ascent"/> (flattened like <see cref="PerEpisodeGradients"/>): the loss −Σ θ·ĝ has gradient −ĝ.</summary>
    public void Ascend(Adam optimizer, double[] ascent)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor loss = torch.zeros(Array.Empty<long>(), dtype: ScalarType.Float64);
        int offset = 0;
        foreach (Tensor p in parameters)
        {
            int n = (int)p.numel();
            Tensor direction = torch.tensor(ascent.AsSpan(offset, n).ToArray(), p.shape, dtype: ScalarType.Float64);
            loss = loss.sub((p * direction).sum());
            offset += n;
        }
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
    }

    /// <summary>Row-major copies of the parameters (for reports and tests).</summary>
    public double[] Values() => parameters.SelectMany(p => p.detach().contiguous().data<double>().ToArray()).ToArray();

    private static Tensor Expand(Tensor p, long episodes) => p.unsqueeze(0).expand(new[] { episodes }.Concat(p.shape).ToArray());

    private static Tensor Uniform(long[] shape, double bound, Generator generator)
    {
        using Scalar scale = bound.ToScalar();
        return (torch.rand(shape, dtype: ScalarType.Float64, generator: generator) * Scalars.Of(2.0) - Scalars.Of(1.0)) * scale;
    }

    public void Dispose()
    {
        foreach (Tensor p in parameters) p.Dispose();
    }
}
