using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Optim;

/// <summary>
/// The common part of the runtime's optimizers (<see cref="Adam"/>, <see cref="AdamW"/>, <see cref="Sgd"/>): the
/// parameters, <see cref="zero_grad"/>, the learning rate a schedule may change, and the state tensors' lifetime.
/// </summary>
/// <remarks>
/// <para>
/// Why not <c>torch.optim</c>: in TorchSharp 0.107 its optimizers' <c>step()</c> hands every coefficient (β₁,
/// 1 − β₁, the step size, ε, …) to libtorch as a temporary <see cref="Scalar"/> that a garbage collection can free
/// during the native call, which aborts the process (see <see cref="Scalars"/>). These optimizers compute the same
/// updates with every coefficient held in a local <see cref="Scalar"/> for the whole step, and update the
/// parameters in place under <c>torch.no_grad()</c>.
/// </para>
/// <para>
/// The names and options are <c>torch.optim</c>'s (<c>step()</c>, <c>zero_grad()</c>, <c>lr</c>, <c>weight_decay</c>,
/// …), so replacing <c>torch.optim.Adam(…)</c> with <c>new StochasticBackprop.Optim.Adam(…)</c> changes nothing else.
/// State tensors (moments, momentum buffers) are made lazily, at a parameter's first step with a gradient, on the
/// parameter's dtype and device, outside any dispose scope; <see cref="Dispose()"/> frees them.
/// </para>
/// </remarks>
public abstract class Optimizer : IDisposable
{
    private readonly Tensor[] parameters;
    private double learningRate;
    private bool disposed;

    /// <param name="parameters">The tensors updated in place: leaves (module parameters, or plain tensors with <c>requires_grad</c>).</param>
    /// <param name="lr">The learning rate (≥ 0, finite).</param>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> or one of its entries is null.</exception>
    /// <exception cref="ArgumentException">The list is empty, or an entry is not a leaf tensor.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lr"/> is negative, NaN or infinite.</exception>
    protected Optimizer(IEnumerable<Tensor> parameters, double lr)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        this.parameters = parameters.ToArray();
        if (this.parameters.Length == 0)
        {
            throw new ArgumentException("The optimizer got an empty parameter list.", nameof(parameters));
        }
        for (int i = 0; i < this.parameters.Length; i++)
        {
            Tensor? p = this.parameters[i];
            if (p is null)
            {
                throw new ArgumentNullException(nameof(parameters), $"Parameter {i} is null.");
            }
            if (!p.is_leaf)
            {
                throw new ArgumentException($"Parameter {i} (shape [{string.Join(", ", p.shape)}]) is not a leaf tensor: an optimizer updates leaves only (detach it, or optimize what it was computed from).", nameof(parameters));
            }
        }
        learningRate = CheckLearningRate(lr, nameof(lr));
    }

    /// <summary>The parameters, in the order given.</summary>
    public IReadOnlyList<Tensor> Parameters => parameters;

    /// <summary>lr: may be changed between steps by a schedule (≥ 0, finite).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, NaN or infinite.</exception>
    public double LearningRate
    {
        get => learningRate;
        set => learningRate = CheckLearningRate(value, nameof(LearningRate));
    }

    /// <summary>Zeroes every parameter's gradient in place (as <c>Optimizer.zero_grad()</c>); a parameter without one is left without one.</summary>
    public void zero_grad()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        foreach (Tensor p in parameters)
        {
            using Tensor? grad = p.grad;
            grad?.zero_();
        }
    }

    /// <summary>One update of every parameter that has a gradient; a parameter without one is skipped (its step count does not advance).</summary>
    public void step()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        using IDisposable noGrad = torch.no_grad();
        using DisposeScope scope = torch.NewDisposeScope();
        for (int i = 0; i < parameters.Length; i++)
        {
            Tensor p = parameters[i];
            using Tensor? grad = p.grad;
            if (grad is null)
            {
                continue;
            }
            Update(i, p, grad);
        }
        // The coefficient Scalars are fields: keep their owner reachable until every native call has read them.
        GC.KeepAlive(this);
    }

    /// <summary>Updates parameter <paramref name="index"/> in place from its gradient (called under <c>no_grad</c>, in a dispose scope).</summary>
    private protected abstract void Update(int index, Tensor parameter, Tensor grad);

    /// <summary>A state tensor that lives as long as the optimizer: zeros like <paramref name="parameter"/>, outside the caller's dispose scopes.</summary>
    private protected static Tensor NewState(Tensor parameter) => torch.zeros_like(parameter).DetachFromDisposeScope();

    /// <summary>Frees the state tensors.</summary>
    private protected abstract void DisposeState();

    /// <inheritdoc cref="Dispose()"/>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposed && disposing)
        {
            DisposeState();
        }
        disposed = true;
    }

    /// <summary>Frees the optimizer's state tensors (not the parameters). Further steps throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    private protected static void DisposeAll(Tensor?[] tensors)
    {
        for (int i = 0; i < tensors.Length; i++)
        {
            tensors[i]?.Dispose();
            tensors[i] = null;
        }
    }

    private static double CheckLearningRate(double value, string name) =>
        value >= 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"The learning rate ({name}) must be non-negative and finite; got {value}.");

    private protected static double CheckNonNegative(double value, string name) =>
        value >= 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be non-negative and finite; got {value}.");

    private protected static double CheckBeta(double value, string name) =>
        value >= 0 && value < 1
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1); got {value}.");
}
