using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments;

/// <summary>
/// Adam (Kingma and Ba, 2015) without weight decay or AMSGrad: the update of <c>torch.optim.Adam</c>, written
/// here so that no temporary <see cref="Scalar"/> meets libtorch.
/// </summary>
/// <remarks>
/// <para>
/// Why not <c>torch.optim.Adam</c>: in TorchSharp 0.107 its <c>step()</c> passes its coefficients
/// (β₁, 1 − β₁, the step size, ε, …) to libtorch as temporary Scalars that a garbage collection can free
/// during the native call, which aborts the process (README, "TorchSharp 0.107's temporary Scalars").
/// Here the constants are <see cref="Scalars.Of(double)"/> and the two per-step values are locals held for
/// the call.
/// </para>
/// <para>
/// Per parameter p with gradient g, at step t = 1, 2, …, as PyTorch's single-tensor Adam computes it:
/// m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², p ← p − (lr/(1 − β₁ᵗ))·m/(√v/√(1 − β₂ᵗ) + ε).
/// A parameter without a gradient is skipped and its step count does not advance.
/// <c>AdamUpdateTests</c> checks it against <c>torch.optim.Adam</c> to 1e-12.
/// </para>
/// </remarks>
public sealed class AdamUpdate
{
    private readonly Tensor[] parameters;
    private readonly Tensor?[] firstMoments, secondMoments;
    private readonly int[] steps;
    private readonly double beta1, beta2, epsilon;
    private double learningRate;

    /// <param name="parameters">The parameters updated in place (leaf tensors that require gradients: module parameters, or plain tensors such as a control variate's scale).</param>
    /// <param name="learningRate">lr; a constant of the experiment.</param>
    /// <param name="beta1">β₁, the first moment's decay (PyTorch's default 0.9).</param>
    /// <param name="beta2">β₂, the second moment's decay (PyTorch's default 0.999).</param>
    /// <param name="epsilon">ε (PyTorch's default 1e-8).</param>
    public AdamUpdate(IEnumerable<Tensor> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        this.parameters = parameters.ToArray();
        firstMoments = new Tensor?[this.parameters.Length];
        secondMoments = new Tensor?[this.parameters.Length];
        steps = new int[this.parameters.Length];
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    /// <summary>lr, changed by a schedule between steps (a positive finite number).</summary>
    public double LearningRate
    {
        get => learningRate;
        set => learningRate = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The learning rate must be positive and finite.");
    }

    /// <summary>Zeroes the parameters' gradients (as <c>Optimizer.zero_grad()</c>).</summary>
    public void ZeroGrad()
    {
        foreach (Tensor p in parameters)
        {
            using Tensor? grad = p.grad;
            grad?.zero_();
        }
    }

    /// <summary>One Adam update of every parameter that has a gradient.</summary>
    public void Step()
    {
        using IDisposable noGrad = torch.no_grad();
        for (int i = 0; i < parameters.Length; i++)
        {
            Tensor p = parameters[i];
            using Tensor? grad = p.grad;
            if (grad is null) continue;
            // The moments live as long as the optimizer, outside the caller's dispose scopes.
            Tensor m = firstMoments[i] ??= torch.zeros_like(p).DetachFromDisposeScope();
            Tensor v = secondMoments[i] ??= torch.zeros_like(p).DetachFromDisposeScope();
            using DisposeScope scope = torch.NewDisposeScope();
            int t = ++steps[i];
            m.mul_(Scalars.Of(beta1)).add_(grad, Scalars.Of(1 - beta1));
            v.mul_(Scalars.Of(beta2)).addcmul_(grad, grad, Scalars.Of(1 - beta2));
            double biasCorrection1 = 1 - Math.Pow(beta1, t), biasCorrection2 = 1 - Math.Pow(beta2, t);
            // Values that change with t: held for the native calls, not cached.
            using Scalar sqrtBiasCorrection2 = Math.Sqrt(biasCorrection2).ToScalar();
            using Scalar negativeStepSize = (-(learningRate / biasCorrection1)).ToScalar();
            Tensor denominator = (v.sqrt() / sqrtBiasCorrection2).add_(Scalars.Of(epsilon), Scalars.One);
            p.addcdiv_(m, denominator, negativeStepSize);
        }
    }
}
