using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

public abstract partial class Objective
{
    /// <summary>
    /// A sum of ridge functions f(z) = Σ_i h(u_i), u_i = a_iᵀz, for z of shape <c>[S, ...BatchShape]</c> and
    /// <paramref name="directions"/> the m directions a_i stacked as <c>[m, ...BatchShape]</c> (typically
    /// <c>[m, d]</c>): Bayesian logistic regression's log-likelihood Σ_i log σ(y_i x_iᵀw) is one, with
    /// a_i = y_i x_i and h = log σ (Echraibi et al. 2020, §6.2; docs/ESTIMATORS.md#higher-derivatives-of-f).
    /// </summary>
    /// <remarks>
    /// <paramref name="h"/> receives all projections at once, <c>[S, m]</c>, and must act elementwise
    /// (u_si affects only output si); it may close over per-ridge constants of shape <c>[m]</c>.
    /// Coordinate derivatives are batched: ∂_jⁿ f = Σ_i h⁽ⁿ⁾(u_i)·a_ijⁿ, that is the matrix
    /// product of h⁽ⁿ⁾(U) <c>[S, m]</c> with the elementwise power Aⁿ <c>[m, d]</c>; orders 1..N cost N
    /// backward passes on U, whatever d and m.
    /// </remarks>
    public static Objective SumOfRidges(Func<Tensor, Tensor> h, Tensor directions)
    {
        ArgumentNullException.ThrowIfNull(h);
        ArgumentNullException.ThrowIfNull(directions);
        if (directions.dim() < 2)
        {
            throw new ArgumentException("The ridge directions must have shape [m, ...BatchShape]; got " + Shapes.Format(directions.shape) + ".", nameof(directions));
        }
        return new SumOfRidgesObjective(h, directions);
    }

    /// <summary>
    /// The sum of ridges f(z) = Σ_i h(a_iᵀz) with h's derivatives given in closed form (see
    /// <see cref="ScalarFunctions"/>), so orders 1..N cost N elementwise evaluations instead of N nested
    /// backward passes. <c>h(u, 0)</c> is h itself and must keep autograd's graph.
    /// </summary>
    public static Objective SumOfRidges(ScalarDerivative h, Tensor directions)
    {
        ArgumentNullException.ThrowIfNull(h);
        ArgumentNullException.ThrowIfNull(directions);
        if (directions.dim() < 2)
        {
            throw new ArgumentException("The ridge directions must have shape [m, ...BatchShape]; got " + Shapes.Format(directions.shape) + ".", nameof(directions));
        }
        return new SumOfRidgesObjective(u => h(u, 0), directions, h);
    }

    private sealed class SumOfRidgesObjective(Func<Tensor, Tensor> h, Tensor directions, ScalarDerivative? closedForm = null) : Objective
    {
        public override Tensor Evaluate(Tensor z)
        {
            Tensor values = h(Project(z, directions));
            return values.sum(new long[] { 1 });
        }

        public override IReadOnlyList<Tensor> CoordinateDerivatives(Tensor z, int maxOrder)
        {
            CheckOrder(maxOrder);
            if (closedForm is not null)
            {
                return ClosedFormDerivatives(z, maxOrder, closedForm);
            }
            using DisposeScope scope = torch.NewDisposeScope();
            using IDisposable gradients = torch.enable_grad();
            Tensor a = directions.detach().flatten(1);
            Tensor u = Leaf(Project(z.detach(), a.reshape(directions.shape)));
            Tensor current = h(u);
            var derivatives = new List<Tensor>(maxOrder);
            for (int order = 1; order <= maxOrder; order++)
            {
                // h elementwise: the gradient of Σ h⁽ⁿ⁻¹⁾(U) by U is h⁽ⁿ⁾(U), every ridge and sample at once.
                current = Derivative(current, u, keepGraph: order < maxOrder);
                // ∂_jⁿ Σ_i h(a_iᵀz) = Σ_i h⁽ⁿ⁾(u_i)·a_ijⁿ.
                derivatives.Add(current.detach().matmul(a.pow(Scalars.Of(order))).reshape(z.shape));
            }
            return Escape(derivatives);
        }

        private IReadOnlyList<Tensor> ClosedFormDerivatives(Tensor z, int maxOrder, ScalarDerivative derivative)
        {
            using DisposeScope scope = torch.NewDisposeScope();
            using IDisposable noGrad = torch.no_grad();
            Tensor a = directions.detach().flatten(1);
            Tensor u = Project(z.detach(), a.reshape(directions.shape));
            var derivatives = new List<Tensor>(maxOrder);
            for (int order = 1; order <= maxOrder; order++)
            {
                // ∂_jⁿ Σ_i h(a_iᵀz) = Σ_i h⁽ⁿ⁾(u_i)·a_ijⁿ.
                derivatives.Add(derivative(u, order).matmul(a.pow(Scalars.Of(order))).reshape(z.shape));
            }
            return Escape(derivatives);
        }

        /// <summary>U = z Aᵀ: <c>[S, ...BatchShape]</c> × <c>[m, ...BatchShape]</c> → <c>[S, m]</c>.</summary>
        private static Tensor Project(Tensor z, Tensor a)
        {
            long[] batchShape = z.shape.Skip(1).ToArray();
            long[] directionShape = a.shape.Skip(1).ToArray();
            if (!directionShape.SequenceEqual(batchShape))
            {
                throw new ArgumentException("The ridge directions have shape " + Shapes.Format(a.shape) + " but the samples' batch shape is " + Shapes.Format(batchShape) + ".", nameof(z));
            }
            return z.flatten(1).matmul(a.flatten(1).t());
        }
    }
}
