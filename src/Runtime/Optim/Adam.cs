using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Optim;

/// <summary>
/// Adam (Kingma and Ba, 2015) with <c>torch.optim.Adam</c>'s options and update, every coefficient a
/// <see cref="Scalar"/> held for the call (see <see cref="Optimizer"/> for why).
/// </summary>
/// <remarks>
/// Per parameter p with gradient g (−g when <c>maximize</c>), at its step t = 1, 2, …:
/// g ← g + λp (when weight_decay λ ≠ 0; <see cref="AdamW"/> decays p instead),
/// m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², v̂ ← max(v̂, v) with <c>amsgrad</c> (else v̂ = v),
/// p ← p − (lr/(1 − β₁ᵗ))·m/(√v̂/√(1 − β₂ᵗ) + ε): the operations of PyTorch's single-tensor Adam and of
/// TorchSharp 0.107's <c>Adam.step()</c>, in their order, so the results agree to rounding (the tests: 1e-12 over
/// 60 steps in float64). The defaults are PyTorch's (lr 1e-3, β = (0.9, 0.999), ε = 1e-8); note that TorchSharp's
/// factory <c>torch.optim.Adam(…)</c> defaults β₂ to 0.99, unlike its own constructor and PyTorch.
/// </remarks>
public class Adam : Optimizer
{
    private readonly double beta1, beta2, eps, weightDecay;
    private readonly bool amsgrad, maximize, decoupledWeightDecay;
    private readonly Scalar beta1Scalar, oneMinusBeta1, beta2Scalar, oneMinusBeta2, epsScalar, weightDecayScalar;
    private readonly Tensor?[] expAvg, expAvgSq, maxExpAvgSq;
    private readonly long[] steps;

    /// <param name="parameters">The tensors updated in place (leaves: module parameters or plain tensors that require gradients).</param>
    /// <param name="lr">The learning rate (≥ 0; settable later through <see cref="Optimizer.LearningRate"/>).</param>
    /// <param name="beta1">β₁, the first moment's decay, in [0, 1).</param>
    /// <param name="beta2">β₂, the second moment's decay, in [0, 1).</param>
    /// <param name="eps">ε, added to the denominator (≥ 0).</param>
    /// <param name="weight_decay">λ, the L2 penalty added to the gradient (≥ 0).</param>
    /// <param name="amsgrad">Use the running maximum of the second moment (Reddi et al., 2018).</param>
    /// <param name="maximize">Ascend the objective instead of descending it.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option outside its range (the exception names it and its value).</exception>
    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
        : this(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupledWeightDecay: false)
    {
    }

    private protected Adam(IEnumerable<Tensor> parameters, double lr, double beta1, double beta2, double eps, double weight_decay, bool amsgrad, bool maximize, bool decoupledWeightDecay)
        : base(parameters, lr)
    {
        this.beta1 = CheckBeta(beta1, nameof(beta1));
        this.beta2 = CheckBeta(beta2, nameof(beta2));
        this.eps = CheckNonNegative(eps, nameof(eps));
        weightDecay = CheckNonNegative(weight_decay, nameof(weight_decay));
        this.amsgrad = amsgrad;
        this.maximize = maximize;
        this.decoupledWeightDecay = decoupledWeightDecay;
        // Fixed for the optimizer's life, owned by it (kept alive through step(): see Optimizer.step).
        beta1Scalar = beta1.ToScalar();
        oneMinusBeta1 = (1 - beta1).ToScalar();
        beta2Scalar = beta2.ToScalar();
        oneMinusBeta2 = (1 - beta2).ToScalar();
        epsScalar = eps.ToScalar();
        weightDecayScalar = weight_decay.ToScalar();
        int count = Parameters.Count;
        expAvg = new Tensor?[count];
        expAvgSq = new Tensor?[count];
        maxExpAvgSq = new Tensor?[count];
        steps = new long[count];
    }

    /// <summary>β₁ and β₂.</summary>
    public (double Beta1, double Beta2) Betas => (beta1, beta2);

    /// <summary>ε.</summary>
    public double Eps => eps;

    /// <summary>The weight decay λ.</summary>
    public double WeightDecay => weightDecay;

    /// <summary>Whether the AMSGrad variant is used.</summary>
    public bool AmsGrad => amsgrad;

    /// <summary>Whether the objective is ascended.</summary>
    public bool Maximize => maximize;

    /// <summary>How many updates parameter <paramref name="index"/> has had (its t).</summary>
    public long StepCount(int index) => steps[index];

    private protected override void Update(int index, Tensor parameter, Tensor grad)
    {
        Tensor m = expAvg[index] ??= NewState(parameter);
        Tensor v = expAvgSq[index] ??= NewState(parameter);
        long t = ++steps[index];
        Tensor g = maximize ? -grad : grad;
        if (decoupledWeightDecay)
        {
            // AdamW: p ← p·(1 − lr·λ) before the Adam step (a value that changes with a schedule: a local Scalar).
            using Scalar decay = (1 - LearningRate * weightDecay).ToScalar();
            parameter.mul_(decay);
        }
        else if (weightDecay != 0)
        {
            g = g.add(parameter, weightDecayScalar);
        }

        m.mul_(beta1Scalar).add_(g, oneMinusBeta1);
        v.mul_(beta2Scalar).addcmul_(g, g, oneMinusBeta2);
        Tensor secondMoment = v;
        if (amsgrad)
        {
            Tensor max = maxExpAvgSq[index] ??= NewState(parameter);
            max.copy_(torch.maximum(max, v));
            secondMoment = max;
        }

        double biasCorrection1 = 1 - Math.Pow(beta1, t), biasCorrection2 = 1 - Math.Pow(beta2, t);
        // Values that change with t and lr: held for the native calls, not cached.
        using Scalar sqrtBiasCorrection2 = Math.Sqrt(biasCorrection2).ToScalar();
        using Scalar negativeStepSize = (-(LearningRate / biasCorrection1)).ToScalar();
        Tensor denominator = (secondMoment.sqrt() / sqrtBiasCorrection2).add_(epsScalar, Scalars.One);
        parameter.addcdiv_(m, denominator, negativeStepSize);
    }

    private protected override void DisposeState()
    {
        DisposeAll(expAvg);
        DisposeAll(expAvgSq);
        DisposeAll(maxExpAvgSq);
        beta1Scalar.Dispose();
        oneMinusBeta1.Dispose();
        beta2Scalar.Dispose();
        oneMinusBeta2.Dispose();
        epsScalar.Dispose();
        weightDecayScalar.Dispose();
    }
}

/// <summary>
/// AdamW (Loshchilov and Hutter, 2019): <see cref="Adam"/> with decoupled weight decay, p ← p·(1 − lr·λ) before each
/// Adam step instead of λp in the gradient; <c>torch.optim.AdamW</c>'s options, defaults (λ = 0.01) and update.
/// </summary>
public sealed class AdamW : Adam
{
    /// <param name="parameters">The tensors updated in place (leaves: module parameters or plain tensors that require gradients).</param>
    /// <param name="lr">The learning rate (≥ 0; settable later through <see cref="Optimizer.LearningRate"/>).</param>
    /// <param name="beta1">β₁, the first moment's decay, in [0, 1).</param>
    /// <param name="beta2">β₂, the second moment's decay, in [0, 1).</param>
    /// <param name="eps">ε, added to the denominator (≥ 0).</param>
    /// <param name="weight_decay">λ, the decoupled decay rate (≥ 0; PyTorch's default 0.01).</param>
    /// <param name="amsgrad">Use the running maximum of the second moment.</param>
    /// <param name="maximize">Ascend the objective instead of descending it.</param>
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0.01, bool amsgrad = false, bool maximize = false)
        : base(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupledWeightDecay: true)
    {
    }
}
