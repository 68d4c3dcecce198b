using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>
/// The per-sample objective f whose expectation E[f(z)] is estimated, with the coordinate
/// derivatives ∂ⁿf/∂z_jⁿ the Fourier-series estimator needs (docs/ESTIMATORS.md#higher-derivatives-of-f).
/// </summary>
/// <remarks>
/// <para>
/// Samples carry a leading sample axis, <c>[S, ...BatchShape]</c>, and f maps each sample to
/// one number: <see cref="Evaluate"/> returns <c>[S]</c>. Sample i's value must depend only on
/// sample i (no batch statistics across samples): the derivatives and the per-sample gradients
/// rely on it.
/// </para>
/// <para>
/// Derivatives come from autograd. Autograd differentiates the code, not the function: at a
/// kink (ReLU, hinge <c>max(0, 1 − z)</c>, <c>clamp</c>) the second derivative it returns is 0
/// almost everywhere, although the distributional derivative is a point mass. The
/// Fourier-series estimator is then biased; the pathwise and score estimators are not affected.
/// </para>
/// <para>
/// f may have parameters of its own (a decoder): <see cref="Evaluate"/> keeps their graph, so
/// <see cref="GradientEstimate.Surrogate"/> also carries ∇ of mean f into them.
/// </para>
/// </remarks>
public abstract partial class Objective
{
    /// <summary>Only the factories below and test doubles derive from this.</summary>
    protected Objective()
    {
    }

    /// <summary>
    /// Whether the estimators check that f's values (and the per-sample gradients built from them) are finite, throwing
    /// <see cref="ObjectiveCheckException"/> (<see cref="ObjectiveCheck.Finite"/>) instead of returning NaN. On by default;
    /// turning it off saves one pass over the values and one over each per-sample gradient (README "What the estimators
    /// check" gives the measured cost). The shape, type and dependence checks always run.
    /// </summary>
    public bool CheckFinite { get; set; } = true;

    /// <summary>f(z) per sample: <c>[S, ...BatchShape]</c> → <c>[S]</c>, keeping any autograd graph.</summary>
    public abstract Tensor Evaluate(Tensor z);

    /// <summary>
    /// ∂ⁿf/∂z_jⁿ for n = 1..<paramref name="maxOrder"/>: one tensor per order, each shaped like
    /// <paramref name="z"/> (per sample and coordinate), detached. Orders past the last non-zero
    /// derivative are zeros.
    /// </summary>
    public abstract IReadOnlyList<Tensor> CoordinateDerivatives(Tensor z, int maxOrder);

    /// <summary>
    /// f(z) = Σ_j h(z_j), summed over every non-sample axis, with h elementwise.
    /// Derivatives: repeated autograd on Σ h, one backward pass per order (N passes for orders 1..N).
    /// </summary>
    public static Objective Separable(Func<Tensor, Tensor> elementwise)
    {
        ArgumentNullException.ThrowIfNull(elementwise);
        return new SeparableObjective(elementwise);
    }

    /// <summary>
    /// The ridge function f(z) = h(u), u = Σ_j a_j z_j, for z of shape <c>[S, ...BatchShape]</c> and
    /// <paramref name="direction"/> a of shape <c>BatchShape</c> (typically <c>[d]</c>); h maps <c>[S]</c> to <c>[S]</c>
    /// elementwise. ∂_jⁿ f = h⁽ⁿ⁾(u)·a_jⁿ, with h's scalar derivatives from N backward passes on u.
    /// </summary>
    public static Objective Ridge(Func<Tensor, Tensor> h, Tensor direction)
    {
        ArgumentNullException.ThrowIfNull(h);
        ArgumentNullException.ThrowIfNull(direction);
        return new RidgeObjective(h, direction);
    }

    /// <summary>
    /// Any f: <c>[S, ...BatchShape]</c> → <c>[S]</c>. Derivatives are exact and coordinate by coordinate:
    /// the first order takes one backward pass, and each higher order takes one backward pass per
    /// coordinate, so orders 1..N cost 1 + d·(N − 1) passes for d coordinates. Prefer
    /// <see cref="Separable"/> or <see cref="Ridge"/> when f has that structure.
    /// </summary>
    public static Objective General(Func<Tensor, Tensor> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return new GeneralObjective(f);
    }

    /// <summary>
    /// The forward differences Δⁿ_j f(z) = Σ_{m=0..n} (−1)^{n−m} C(n, m) f(z + m·e_j), n = 1..<paramref name="maxOrder"/>:
    /// one tensor per order, each shaped like <paramref name="z"/>, detached. They replace derivatives in
    /// the Fourier rule on the integers (<see cref="IFactorialCumulantDistribution"/>). This general form
    /// evaluates f at z + m·e_j for every coordinate j and m = 1..N (d·N evaluations of the batch);
    /// <see cref="Separable"/> objectives need only N.
    /// </summary>
    public virtual IReadOnlyList<Tensor> CoordinateDifferences(Tensor z, int maxOrder)
    {
        ArgumentNullException.ThrowIfNull(z);
        CheckOrder(maxOrder);
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable noGradient = torch.no_grad();
        long sampleCount = z.shape[0];
        Tensor flat = z.detach().reshape(sampleCount, -1);
        long coordinates = flat.shape[1];
        var shifted = new Tensor[maxOrder + 1];
        shifted[0] = Evaluate(z.detach()).detach().unsqueeze(1).expand(sampleCount, coordinates);
        for (int m = 1; m <= maxOrder; m++)
        {
            shifted[m] = torch.zeros(sampleCount, coordinates, dtype: z.dtype, device: z.device);
            for (long j = 0; j < coordinates; j++)
            {
                using DisposeScope coordinateScope = torch.NewDisposeScope();
                Tensor moved = flat.clone();
                moved[.., j] = moved[.., j].add(Scalars.Of(m), Scalars.One);
                shifted[m][.., j] = Evaluate(moved.reshape(z.shape)).detach();
            }
        }
        return Escape(Differences(shifted, maxOrder).Select(d => d.reshape(z.shape)));
    }

    /// <summary>
    /// f with one coordinate replaced: entry [i, c, k] is f(z_i with coordinate c set to v_k), for every sample i,
    /// coordinate c (of the flattened batch shape) and value v_k of <paramref name="values"/>: <c>[S, C, K]</c>,
    /// detached. What the local-expectation estimator needs. This general form evaluates f on the C·K modified
    /// batches stacked along the sample axis, a few million entries per call (f must treat samples independently,
    /// as everywhere); <see cref="Separable"/> and <see cref="Ridge"/> objectives override it in closed form.
    /// </summary>
    public virtual Tensor ReplacedValues(Tensor z, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(z);
        ArgumentNullException.ThrowIfNull(values);
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable noGradient = torch.no_grad();
        long sampleCount = z.shape[0];
        Tensor flat = z.detach().reshape(sampleCount, -1);
        long coordinates = flat.shape[1];
        int k = values.Count;
        Tensor result = torch.empty(new[] { sampleCount, coordinates, (long)k }, dtype: z.dtype, device: z.device);
        Tensor replacements = torch.tensor(values.ToArray(), dtype: z.dtype, device: z.device);
        // Variants (coordinate, value) per call, so that one call holds about ReplacementBudget entries.
        long perVariant = Math.Max(1, sampleCount * coordinates);
        long chunk = Math.Max(1, Math.Min(coordinates * k, ReplacementBudget / perVariant));
        long total = coordinates * k;
        for (long first = 0; first < total; first += chunk)
        {
            using DisposeScope evaluation = torch.NewDisposeScope();
            long count = Math.Min(chunk, total - first);
            Tensor variants = flat.unsqueeze(0).expand(count, sampleCount, coordinates).clone();
            for (long v = 0; v < count; v++)
            {
                long index = first + v;
                variants[v, .., index / k] = replacements[index % k];
            }
            long[] stackedShape = new[] { count * sampleCount }.Concat(z.shape.Skip(1)).ToArray();
            Tensor evaluated = Evaluate(variants.reshape(stackedShape)).detach();
            if (evaluated.dim() != 1 || evaluated.shape[0] != count * sampleCount)
            {
                throw new ArgumentException($"The objective must return one value per sample; on {count * sampleCount} stacked samples it returned {Shapes.Format(evaluated.shape)}.", nameof(z));
            }
            Tensor block = evaluated.reshape(count, sampleCount);
            for (long v = 0; v < count; v++)
            {
                long index = first + v;
                result[.., index / k, index % k] = block[v];
            }
        }
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>About how many entries one stacked evaluation of f holds in <see cref="ReplacedValues"/> (4M: 32 MB of float64).</summary>
    private const long ReplacementBudget = 1L << 22;

    /// <summary>Δⁿ from values at shifts 0..N: Σ_m (−1)^{n−m} C(n, m) F_m, for n = 1..N.</summary>
    private protected static IEnumerable<Tensor> Differences(IReadOnlyList<Tensor> shifted, int maxOrder)
    {
        for (int n = 1; n <= maxOrder; n++)
        {
            Tensor difference = torch.zeros_like(shifted[0]);
            double binomial = 1;
            for (int m = 0; m <= n; m++)
            {
                using Scalar coefficient = ((n - m) % 2 == 0 ? binomial : -binomial).ToScalar(); // held: see Scalars
                difference = difference.add(shifted[m] * coefficient, Scalars.One);
                binomial = binomial * (n - m) / (m + 1);
            }
            yield return difference;
        }
    }

    /// <summary>Throws unless 1 ≤ <paramref name="maxOrder"/>.</summary>
    protected static void CheckOrder(int maxOrder)
    {
        if (maxOrder < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxOrder), maxOrder, "The derivative order must be at least 1.");
        }
    }

    /// <summary>A fresh leaf holding z's values, detached from whatever produced z, that requires grad.</summary>
    private protected static Tensor Leaf(Tensor z) => z.detach().clone().requires_grad_(true);

    /// <summary>
    /// d(Σ y)/dx, keeping the graph when <paramref name="keepGraph"/> so a further order can follow.
    /// Returns zeros when y does not depend on x (a derivative that became constant): libtorch
    /// aborts the process, rather than throwing, when asked to differentiate a tensor without graph.
    /// </summary>
    private protected static Tensor Derivative(Tensor y, Tensor x, bool keepGraph)
    {
        if (!y.requires_grad)
        {
            return torch.zeros_like(x);
        }
        IList<Tensor> gradients = torch.autograd.grad(new[] { y.sum() }, new[] { x }, retain_graph: true, create_graph: keepGraph, allow_unused: true);
        Tensor gradient = gradients[0];
        return gradient.IsInvalid ? torch.zeros_like(x) : gradient;
    }

    /// <summary>Moves detached copies of the derivatives out of the current dispose scope.</summary>
    private protected static IReadOnlyList<Tensor> Escape(IEnumerable<Tensor> derivatives) =>
        derivatives.Select(d => d.detach().MoveToOuterDisposeScope()).ToArray();

    private static Tensor SumOverCoordinates(Tensor perCoordinate) =>
        perCoordinate.dim() == 1 ? perCoordinate : perCoordinate.flatten(1).sum(new long[] { 1 });

    private sealed class SeparableObjective(Func<Tensor, Tensor> elementwise) : Objective
    {
        public override Tensor Evaluate(Tensor z) => SumOverCoordinates(elementwise(z));

        public override Tensor ReplacedValues(Tensor z, IReadOnlyList<double> values)
        {
            ArgumentNullException.ThrowIfNull(z);
            ArgumentNullException.ThrowIfNull(values);
            using DisposeScope scope = torch.NewDisposeScope();
            using IDisposable noGradient = torch.no_grad();
            // Σ_j h(z_j) with z_c set to v changes only the c-th term: f(z) − h(z_c) + h(v), h evaluated K + 1 times.
            long sampleCount = z.shape[0];
            Tensor terms = elementwise(z.detach()).detach().reshape(sampleCount, -1);
            Tensor total = terms.sum(new long[] { 1 }, keepdim: true).unsqueeze(-1);
            long[] oneSample = new[] { 1L }.Concat(z.shape.Skip(1)).ToArray();
            Tensor atValues = torch.stack(values.Select(v => elementwise(Shapes.Full(oneSample, v, z)).detach().reshape(1, -1)).ToArray(), -1);
            return total.sub(terms.unsqueeze(-1)).add(atValues, Scalars.One).MoveToOuterDisposeScope();
        }

        public override IReadOnlyList<Tensor> CoordinateDifferences(Tensor z, int maxOrder)
        {
            CheckOrder(maxOrder);
            using DisposeScope scope = torch.NewDisposeScope();
            using IDisposable noGradient = torch.no_grad();
            // Σ_j h(z_j) shifted in coordinate j changes only h(z_j): the differences are h's, elementwise.
            Tensor[] shifted = Enumerable.Range(0, maxOrder + 1).Select(m => elementwise(z.detach().add(Scalars.Of(m), Scalars.One)).detach()).ToArray();
            return Escape(Differences(shifted, maxOrder));
        }

        public override IReadOnlyList<Tensor> CoordinateDerivatives(Tensor z, int maxOrder)
        {
            CheckOrder(maxOrder);
            using DisposeScope scope = torch.NewDisposeScope();
            using IDisposable gradients = torch.enable_grad();
            Tensor leaf = Leaf(z);
            Tensor current = elementwise(leaf);
            var derivatives = new List<Tensor>(maxOrder);
            for (int order = 1; order <= maxOrder; order++)
            {
                // Σ_j h(z_j) differentiated by z_j is h'(z_j): the sum's gradient is every coordinate's derivative.
                current = Derivative(current, leaf, keepGraph: order < maxOrder);
                derivatives.Add(current);
            }
            return Escape(derivatives);
        }
    }

    private sealed class RidgeObjective(Func<Tensor, Tensor> h, Tensor direction) : Objective
    {
        public override Tensor Evaluate(Tensor z) => h(Project(z, direction));

        public override Tensor ReplacedValues(Tensor z, IReadOnlyList<double> values)
        {
            ArgumentNullException.ThrowIfNull(z);
            ArgumentNullException.ThrowIfNull(values);
            using DisposeScope scope = torch.NewDisposeScope();
            using IDisposable noGradient = torch.no_grad();
            // h(aᵀz) with z_c set to v is h(u − a_c·z_c + a_c·v): one evaluation of h on [S·C·K] projections.
            long sampleCount = z.shape[0];
            Tensor a = direction.detach().reshape(1, -1, 1);
            Tensor flat = z.detach().reshape(sampleCount, -1, 1);
            Tensor u = Project(z.detach(), direction.detach()).reshape(sampleCount, 1, 1);
            Tensor replacements = torch.tensor(values.ToArray(), dtype: z.dtype, device: z.device).reshape(1, 1, -1);
            Tensor moved = u.sub(a * flat).add(a * replacements, Scalars.One);
            long[] shape = moved.shape;
            return h(moved.reshape(-1)).detach().reshape(shape).MoveToOuterDisposeScope();
        }

        public override IReadOnlyList<Tensor> CoordinateDerivatives(Tensor z, int maxOrder)
        {
            CheckOrder(maxOrder);
            using DisposeScope scope = torch.NewDisposeScope();
            using IDisposable gradients = torch.enable_grad();
            Tensor a = direction.detach();
            Tensor u = Leaf(Project(z.detach(), a));
            Tensor current = h(u);
            var derivatives = new List<Tensor>(maxOrder);
            long[] perSample = new long[z.dim()];
            Array.Fill(perSample, 1L);
            perSample[0] = z.shape[0];
            for (int order = 1; order <= maxOrder; order++)
            {
                current = Derivative(current, u, keepGraph: order < maxOrder);
                // ∂_jⁿ h(aᵀz) = h⁽ⁿ⁾(u)·a_jⁿ.
                derivatives.Add(current.detach().reshape(perSample) * a.pow(Scalars.Of(order)));
            }
            return Escape(derivatives);
        }

        private static Tensor Project(Tensor z, Tensor a)
        {
            long[] batchShape = z.shape.Skip(1).ToArray();
            if (!a.shape.SequenceEqual(batchShape))
            {
                throw new ArgumentException("The ridge direction has shape " + Shapes.Format(a.shape) + " but the samples' batch shape is " + Shapes.Format(batchShape) + ".", nameof(z));
            }
            return SumOverCoordinates(z * a);
        }
    }

    private sealed class GeneralObjective(Func<Tensor, Tensor> f) : Objective
    {
        public override Tensor Evaluate(Tensor z) => f(z);

        public override IReadOnlyList<Tensor> CoordinateDerivatives(Tensor z, int maxOrder)
        {
            CheckOrder(maxOrder);
            using DisposeScope scope = torch.NewDisposeScope();
            using IDisposable gradients = torch.enable_grad();
            Tensor leaf = Leaf(z);
            Tensor value = f(leaf);
            if (value.dim() != 1 || value.shape[0] != z.shape[0])
            {
                throw new ArgumentException("A general objective must map [S, ...] to [S]; it returned shape " + Shapes.Format(value.shape) + ".", nameof(z));
            }
            // Σ_i f(z_i) differentiated by z_i is ∇f(z_i), since sample i only depends on z_i.
            Tensor first = Derivative(value, leaf, keepGraph: maxOrder > 1);
            var derivatives = new List<Tensor>(maxOrder) { first.detach() };
            if (maxOrder == 1)
            {
                return Escape(derivatives);
            }

            long sampleCount = z.shape[0];
            Tensor firstFlat = first.reshape(sampleCount, -1);
            long coordinates = firstFlat.shape[1];
            var higher = new Tensor[maxOrder - 1];
            for (int order = 2; order <= maxOrder; order++)
            {
                higher[order - 2] = torch.zeros(sampleCount, coordinates, dtype: z.dtype, device: z.device);
            }
            for (long j = 0; j < coordinates; j++)
            {
                using DisposeScope coordinateScope = torch.NewDisposeScope();
                Tensor current = firstFlat[.., j];
                for (int order = 2; order <= maxOrder; order++)
                {
                    // One backward pass per coordinate and order: the diagonal of the n-th derivative tensor.
                    Tensor full = Derivative(current, leaf, keepGraph: order < maxOrder);
                    current = full.reshape(sampleCount, -1)[.., j];
                    higher[order - 2][.., j] = current.detach();
                }
            }
            derivatives.AddRange(higher.Select(h => h.reshape(z.shape)));
            return Escape(derivatives);
        }
    }
}
