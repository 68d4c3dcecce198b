using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Optim;

/// <summary>
/// Stochastic gradient descent with <c>torch.optim.SGD</c>'s options (momentum, dampening, Nesterov momentum, weight
/// decay, maximize) and PyTorch's update, every coefficient a <see cref="Scalar"/> held for the call
/// (see <see cref="Optimizer"/> for why).
/// </summary>
/// <remarks>
/// Per parameter p with gradient g: g ← −g when <c>maximize</c>; g ← g + λp (weight_decay λ ≠ 0); with momentum μ ≠ 0,
/// b ← g at the first step, else b ← μb + (1 − τ)g (dampening τ), and g ← g + μb (Nesterov) or g ← b; then
/// p ← p − lr·g. This is PyTorch's order. TorchSharp 0.107's <c>SGD.step()</c> differs only with <c>maximize</c>: it
/// adds lr·(g + λp) instead of negating g first, so its weight decay grows the parameters when maximizing; the tests
/// compare <c>maximize</c> here with TorchSharp minimizing the negated objective, which is PyTorch's definition.
/// </remarks>
public sealed class Sgd : Optimizer
{
    private readonly double momentum, dampening, weightDecay;
    private readonly bool nesterov, maximize;
    private readonly Scalar momentumScalar, oneMinusDampening, weightDecayScalar;
    private readonly Tensor?[] momentumBuffers;

    /// <param name="parameters">The tensors updated in place (leaves: module parameters or plain tensors that require gradients).</param>
    /// <param name="lr">The learning rate (≥ 0; settable later through <see cref="Optimizer.LearningRate"/>; PyTorch's default 1e-3).</param>
    /// <param name="momentum">μ, the momentum factor (≥ 0).</param>
    /// <param name="dampening">τ, the dampening of the momentum (finite).</param>
    /// <param name="weight_decay">λ, the L2 penalty added to the gradient (≥ 0).</param>
    /// <param name="nesterov">Nesterov momentum (needs μ &gt; 0 and τ = 0).</param>
    /// <param name="maximize">Ascend the objective instead of descending it.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option outside its range (the exception names it and its value).</exception>
    /// <exception cref="ArgumentException">Nesterov momentum without momentum or with dampening.</exception>
    public Sgd(IEnumerable<Tensor> parameters, double lr = 1e-3, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false)
        : base(parameters, lr)
    {
        this.momentum = CheckNonNegative(momentum, nameof(momentum));
        this.dampening = double.IsFinite(dampening) ? dampening : throw new ArgumentOutOfRangeException(nameof(dampening), dampening, $"dampening must be finite; got {dampening}.");
        weightDecay = CheckNonNegative(weight_decay, nameof(weight_decay));
        if (nesterov && (momentum <= 0 || dampening != 0))
        {
            throw new ArgumentException($"Nesterov momentum requires a momentum > 0 and zero dampening; got momentum {momentum}, dampening {dampening}.", nameof(nesterov));
        }
        this.nesterov = nesterov;
        this.maximize = maximize;
        // Fixed for the optimizer's life, owned by it (kept alive through step(): see Optimizer.step).
        momentumScalar = momentum.ToScalar();
        oneMinusDampening = (1 - dampening).ToScalar();
        weightDecayScalar = weight_decay.ToScalar();
        momentumBuffers = new Tensor?[Parameters.Count];
    }

    /// <summary>μ.</summary>
    public double Momentum => momentum;

    /// <summary>τ.</summary>
    public double Dampening => dampening;

    /// <summary>λ.</summary>
    public double WeightDecay => weightDecay;

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov => nesterov;

    /// <summary>Whether the objective is ascended.</summary>
    public bool Maximize => maximize;

    private protected override void Update(int index, Tensor parameter, Tensor grad)
    {
        Tensor g = maximize ? -grad : grad;
        if (weightDecay != 0)
        {
            g = g.add(parameter, weightDecayScalar);
        }
        if (momentum != 0)
        {
            Tensor? buffer = momentumBuffers[index];
            if (buffer is null)
            {
                buffer = momentumBuffers[index] = g.clone().detach().DetachFromDisposeScope();
            }
            else
            {
                buffer.mul_(momentumScalar).add_(g, oneMinusDampening);
            }
            g = nesterov ? g.add(buffer, momentumScalar) : buffer;
        }
        // lr may change between steps (a schedule): a local Scalar, not a cached one.
        using Scalar negativeLearningRate = (-LearningRate).ToScalar();
        parameter.add_(g, negativeLearningRate);
    }

    private protected override void DisposeState()
    {
        DisposeAll(momentumBuffers);
        momentumScalar.Dispose();
        oneMinusDampening.Dispose();
        weightDecayScalar.Dispose();
    }
}
