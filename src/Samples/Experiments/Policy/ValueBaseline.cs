using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using StochasticBackprop.Optim;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Policy;

/// <summary>
/// A learned state-value baseline V(s, t) for the score-function estimator: a tanh network (64, 64 by default) of the
/// observation and t/T, predicting offset + scale·net(·) where offset and scale are the mean and standard
/// deviation of the targets it was last fitted on. It is only ever fitted on episodes of <em>earlier</em>
/// iterations (<see cref="Fit"/> after the gradient of an iteration is taken), so at iteration i it is a fixed
/// function of data independent of iteration i's episodes and leaves the score estimator unbiased.
/// </summary>
internal sealed class ValueBaseline : IDisposable
{
    internal const int Hidden = 64;
    internal const double LearningRate = 3e-3;
    private readonly Tensor[] weights;
    private readonly Adam optimizer;
    private double offset, scale = 1;
    private bool fitted;

    /// <param name="hidden">Units per hidden layer (the LQR check's pilot baseline uses fewer: its value is quadratic).</param>
    public ValueBaseline(int features, Generator generator, int hidden = Hidden)
    {
        var sizes = new[] { features, hidden, hidden, 1 };
        var list = new List<Tensor>();
        using (torch.no_grad())
        {
            for (int l = 0; l < 3; l++)
            {
                using Scalar bound = (1 / Math.Sqrt(sizes[l])).ToScalar();
                list.Add((torch.rand(new long[] { sizes[l], sizes[l + 1] }, dtype: ScalarType.Float64, generator: generator) * Scalars.Of(2.0) - Scalars.Of(1.0)) * bound);
                list.Add((torch.rand(new long[] { sizes[l + 1] }, dtype: ScalarType.Float64, generator: generator) * Scalars.Of(2.0) - Scalars.Of(1.0)) * bound);
            }
        }
        weights = list.Select(w => w.requires_grad_(true).DetachFromDisposeScope()).ToArray();
        optimizer = new Adam(weights, LearningRate);
    }

    /// <summary>V for features <c>[..., F]</c>: <c>[...]</c>, detached; zero before the first fit.</summary>
    public Tensor Predict(Tensor features)
    {
        using IDisposable noGrad = torch.no_grad();
        if (!fitted) return torch.zeros(features.shape[..^1], dtype: ScalarType.Float64);
        using Scalar a = scale.ToScalar(), b = offset.ToScalar();
        return (Network(features).squeeze(-1) * a).add(b, Scalars.One);
    }

    /// <summary><paramref name="steps"/> Adam steps of mean squared error on rows <c>[N, F]</c> → targets <c>[N]</c>, after re-centring on their mean and spread.</summary>
    public void Fit(Tensor features, Tensor targets, int steps)
    {
        if (targets.numel() < 2) return;
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor y = targets.detach();
        offset = y.mean().item<double>();
        scale = Math.Max(y.std().item<double>(), 1e-6);
        using Scalar a = offset.ToScalar(), b = scale.ToScalar();
        Tensor standardized = (y - a) / b;
        Tensor x = features.detach();
        for (int i = 0; i < steps; i++)
        {
            using DisposeScope step = torch.NewDisposeScope();
            Tensor error = Network(x).squeeze(-1).sub(standardized);
            Tensor loss = (error * error).mean();
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }
        fitted = true;
    }

    private Tensor Network(Tensor x)
    {
        Tensor h = x.matmul(weights[0]).add(weights[1], Scalars.One).tanh();
        h = h.matmul(weights[2]).add(weights[3], Scalars.One).tanh();
        return h.matmul(weights[4]).add(weights[5], Scalars.One);
    }

    public void Dispose()
    {
        optimizer.Dispose();
        foreach (Tensor w in weights) w.Dispose();
    }
}
