using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

public static partial class Estimators
{
    /// <summary>
    /// The local-expectation estimator (Echraibi et al. 2020, Theorem 2, eqs. 16–17) for a factorised finite distribution:
    /// ĝ_i = Σ_j Σ_k ∇θ p(z_j = v_k)·[f(z_i,−j, v_k) − f(z_i,−j, v_K*)], at fresh draws. Unbiased; it
    /// needs only values of f, one batched evaluation per coordinate j and support value v_k.
    /// </summary>
    /// <param name="distribution">The distribution.</param>
    /// <param name="objective">f.</param>
    /// <param name="sampleCount">S.</param>
    /// <param name="generator">The random number generator; null for the global one.</param>
    [Estimator("local-expectation")]
    public static GradientEstimate LocalExpectation(this IFiniteDistribution distribution, Objective objective, long sampleCount, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return Estimators.AtFreshSamples(distribution, sampleCount, generator, samples => LocalExpectationAt(distribution, objective, samples));
    }

    /// <summary>The local-expectation estimator at given samples <c>[S, ...BatchShape]</c>; see <see cref="LocalExpectation"/>.</summary>
    /// <remarks>
    /// The per-sample gradient is Σ_j Σ_k ∇θ p_jk·f(z_i,−j, v_k). The table gradients ∇θ p_jk are computed once,
    /// at batch-shaped parameters (K backward passes over the batch, none over samples), and the values
    /// f(z_i,−j, v_k) in as few evaluations of f as its structure allows (<see cref="Objective.ReplacedValues"/>:
    /// closed form for separable and ridge objectives, batched evaluations otherwise). When the table is
    /// normalised as a function of θ (logits, a Bernoulli's p), Σ_k ∇θ p_jk = 0 and this equals Theorem 2's
    /// difference form with any reference value v_k*. For probabilities given directly (a Simplex
    /// parameter) it is the derivative of E f as a function of the unconstrained table entries, the
    /// same as exact enumeration and the score function without a baseline; it differs from the
    /// reference-value form by a multiple of (1, …, 1) along the event axis, which a softmax or any
    /// normalisation upstream annihilates.
    /// </remarks>
    public static GradientEstimate LocalExpectationAt(this IFiniteDistribution distribution, Objective objective, Tensor samples)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(samples);
        TorchBackend.EnsureAvailable();
        EstimatorChecks.RequireLiveParameters(distribution);
        EstimatorChecks.RequireSamples(distribution, samples, "local-expectation");
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor z = samples.detach();
        long sampleCount = z.shape[0];
        long[] sampledShape = Shapes.Sampled(sampleCount, distribution.BatchShape);
        Tensor values = EvaluateObjective(objective, z, "local-expectation");

        IReadOnlyList<double> support = distribution.SupportValues;
        bool[] wanted = Wanted.Of(distribution);
        Tensor?[] tableGradients = DiscreteSupport.TableGradient(distribution, wanted, logarithm: false);
        var perSample = new Tensor[wanted.Length];
        using (torch.no_grad())
        {
            // [S, C, K]: f with coordinate c of each sample set to v_k.
            Tensor local = objective.ReplacedValues(z, support);
            if (objective.CheckFinite)
            {
                EstimatorChecks.RequireFinite(local, sampleCount, "local-expectation", "f at a replaced support value");
            }
            long coordinates = local.shape[1];
            for (int p = 0; p < wanted.Length; p++)
            {
                if (tableGradients[p] is not { } gradient)
                {
                    perSample[p] = Wanted.For(distribution, p, sampleCount, z);
                    continue;
                }
                if (distribution.ParameterEventRanks[p] == 1)
                {
                    // Σ_k ∂p_ck/∂θ_cl · f(z_−c, v_k): [S, C, K] with [C, K, L] gives [S, C, L].
                    long width = gradient.shape[^1];
                    Tensor perCoordinate = torch.einsum("sck,ckl->scl", local, gradient.reshape(coordinates, support.Count, width));
                    perSample[p] = perCoordinate.reshape(sampledShape.Concat(new[] { width }).ToArray());
                }
                else
                {
                    perSample[p] = (local * gradient.reshape(1, coordinates, support.Count)).sum(new long[] { -1 }).reshape(sampledShape);
                }
            }
        }
        Tensor[] reduced = ReduceAll(distribution, perSample, "local-expectation", objective.CheckFinite);
        return new GradientEstimate("local-expectation", distribution.ParameterNames, distribution.Parameters, z, values, reduced)
            .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The Gumbel-softmax (concrete; binary concrete for two values) relaxation: z̃ = Σ_k v_k·softmax((log p + g)/τ)_k
    /// with g standard Gumbel noise, and the pathwise gradient of f(z̃). <b>Biased</b>, both in the value
    /// (f is evaluated off the support) and in the gradient, for every temperature τ &gt; 0; the bias
    /// shrinks as τ → 0 while the variance grows. A baseline to compare unbiased estimators with, not one of them.
    /// </summary>
    /// <param name="distribution">The distribution.</param>
    /// <param name="objective">f, evaluated at relaxed values (for a categorical, a relaxed index): it must accept values between support points.</param>
    /// <param name="sampleCount">S.</param>
    /// <param name="temperature">τ &gt; 0.</param>
    /// <param name="generator">The random number generator; null for the global one.</param>
    [Estimator("gumbel-softmax", Biased = true)]
    public static GradientEstimate GumbelSoftmax(this IFiniteDistribution distribution, Objective objective, long sampleCount, double temperature = 1.0, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(objective);
        CheckTemperature(temperature);
        TorchBackend.EnsureAvailable();
        EstimatorChecks.RequireLiveParameters(distribution);
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable gradients = torch.enable_grad();
        Tensor[] leaves = DiscreteSupport.PerSampleLeaves(distribution, sampleCount);
        (Tensor weights, Tensor support) = GumbelRelaxation(distribution, leaves, temperature, generator);
        Tensor relaxed = weights.mul(support).sum(new long[] { -1 });
        Tensor values = EvaluateObjective(objective, relaxed, "gumbel-softmax");
        if (!values.requires_grad)
        {
            throw EstimatorChecks.IndependentOfSamples(sampleCount, "gumbel-softmax");
        }
        Tensor[] perSample = DiscreteSupport.Gradient(values.sum(), leaves, keepGraph: true); // kept: the surrogate backpropagates through values
        Tensor[] reduced = ReduceAll(distribution, perSample, "gumbel-softmax", objective.CheckFinite);
        return new GradientEstimate($"gumbel-softmax(tau={temperature:R})", distribution.ParameterNames, distribution.Parameters, relaxed.detach(), values, reduced)
            .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The concrete relaxation's weights softmax((log p + g)/τ) over the last axis, <c>[S, ...BatchShape, K]</c>, from
    /// per-sample parameter leaves (g standard Gumbel noise), and the support values as a tensor to weight.
    /// </summary>
    private static (Tensor Weights, Tensor Support) GumbelRelaxation(IFiniteDistribution distribution, Tensor[] leaves, double temperature, Generator? generator)
    {
        // log of the probabilities clamped at the dtype's smallest normal: a zero probability (p = 0 or 1, a zero
        // entry, a softmax of logits ±1e4) is a weight of ~exp(−708/τ) with a zero gradient, not log 0 = −∞ and NaN.
        Tensor probabilities = distribution.Probabilities(leaves);
        using Scalar smallest = EstimatorChecks.SmallestNormal(probabilities.dtype).ToScalar(); // held for the call: see Scalars
        Tensor logits = probabilities.clamp_min(smallest).log();
        Tensor gumbel;
        using (torch.no_grad())
        {
            Tensor uniform = torch.rand(logits.shape, dtype: logits.dtype, device: logits.device, generator: generator);
            gumbel = uniform.clamp_min(Scalars.Of(1e-300)).log().neg().log().neg();
        }
        Tensor support = torch.tensor(distribution.SupportValues.ToArray(), dtype: logits.dtype, device: logits.device);
        using Scalar temperatureScalar = temperature.ToScalar(); // held for the call: see Scalars
        return ((logits.add(gumbel, Scalars.One) / temperatureScalar).softmax(-1), support);
    }

    private static void CheckTemperature(double temperature)
    {
        if (!(temperature > 0) || double.IsInfinity(temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be positive and finite.");
        }
    }

    /// <summary>
    /// The Fourier rule on the integers: ĝ_i = Σ_{n=1..N} (∂ζ_n/∂θ / n!)·Δⁿf(z_i), with ζ_n the factorial
    /// cumulants and Δ the forward difference in each coordinate, at fresh draws. Exact for N ≥ the
    /// last non-vanishing factorial cumulant (N = 1 for the Poisson), for every f; needs f defined on
    /// z + 1, …, z + N.
    /// </summary>
    /// <param name="distribution">The distribution.</param>
    /// <param name="objective">f.</param>
    /// <param name="sampleCount">S.</param>
    /// <param name="order">N; null for the distribution's <see cref="IFactorialCumulantDistribution.FourierOrder"/>.</param>
    /// <param name="generator">The random number generator; null for the global one.</param>
    [Estimator("fourier-difference")]
    public static GradientEstimate Fourier(this IFactorialCumulantDistribution distribution, Objective objective, long sampleCount, int? order = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return Estimators.AtFreshSamples(distribution, sampleCount, generator, samples => FourierAt(distribution, objective, samples, order));
    }

    /// <summary>The Fourier rule on the integers at given samples; see <see cref="Fourier(IFactorialCumulantDistribution, Objective, long, int?, Generator?)"/>.</summary>
    public static GradientEstimate FourierAt(this IFactorialCumulantDistribution distribution, Objective objective, Tensor samples, int? order = null)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(samples);
        TorchBackend.EnsureAvailable();
        int truncation = CheckOrder(distribution.Name, order ?? distribution.FourierOrder, distribution.FactorialCumulantOrder, nameof(order));
        EstimatorChecks.RequireLiveParameters(distribution);
        EstimatorChecks.RequireSamples(distribution, samples, "fourier-difference");
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor z = samples.detach();
        long[] sampledShape = Shapes.Sampled(z.shape[0], distribution.BatchShape);
        Tensor values = EvaluateObjective(objective, z, "fourier-difference");

        int[] orders = Enumerable.Range(1, truncation).Where(n => !distribution.FactorialCumulantVanishes(n)).ToArray();
        IReadOnlyList<Tensor> differences = orders.Length == 0 ? Array.Empty<Tensor>() : objective.CoordinateDifferences(z, orders.Max());
        if (objective.CheckFinite)
        {
            foreach (Tensor difference in differences)
            {
                EstimatorChecks.RequireFinite(difference, z.shape[0], "fourier-difference", "a difference of f");
            }
        }
        Tensor[] perSample = SeriesPerSample(distribution, orders, distribution.FactorialCumulantGradient, differences, sampledShape, z);
        Tensor[] reduced = ReduceAll(distribution, perSample, "fourier-difference", objective.CheckFinite);
        return new GradientEstimate($"fourier-difference(N={truncation})", distribution.ParameterNames, distribution.Parameters, z, values, reduced)
            .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The Fourier estimator through a composite's building blocks (Echraibi et al. 2020, eqs. 20–21):
    /// ĝ_i = Σ_c Σ_{n=1..N} (∂κ_n⁽ᶜ⁾/∂θ / n!)·∂ⁿ(f∘g)/∂ζ_cⁿ at ζ_i, at fresh draws of the building blocks,
    /// plus ∂f/∂z·∂g/∂θ at ζ_i when the map names the parameters itself (<see cref="IComposedDistribution.MapDependsOnParameters"/>).
    /// Every building block must have cumulants. f∘g is differentiated exactly coordinate by coordinate
    /// (<see cref="Objective.General"/>): about C·d·N backward passes.
    /// </summary>
    /// <remarks>
    /// For a Beta or Dirichlet through Gammas this series is asymptotic, not convergent: its n-th
    /// term involves E[(Σζ)^−n], infinite for n ≥ Σα, and its per-sample variance is infinite once
    /// 2n ≥ Σα. Keep N well below Σα/2.
    /// </remarks>
    /// <param name="distribution">The distribution.</param>
    /// <param name="objective">f (of z = g(ζ)).</param>
    /// <param name="sampleCount">S.</param>
    /// <param name="order">N; null for the distribution's <see cref="IComposedDistribution.FourierOrder"/>.</param>
    /// <param name="generator">The random number generator; null for the global one.</param>
    [Estimator("fourier-composite")]
    public static GradientEstimate Fourier(this IComposedDistribution distribution, Objective objective, long sampleCount, int? order = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(objective);
        TorchBackend.EnsureAvailable();
        EstimatorChecks.RequireLiveParameters(distribution);
        using DisposeScope scope = torch.NewDisposeScope();
        ICumulantDistribution[] blocks = CumulantComponents(distribution, distribution.Components(distribution.Parameters.Select(p => p.detach()).ToArray()));
        int truncation = CheckOrder(distribution.Name, order ?? distribution.FourierOrder, blocks.Min(b => b.CumulantOrder), nameof(order));

        Tensor[] zeta;
        using (torch.no_grad())
        {
            zeta = blocks.Select(b => b.Sample(sampleCount, generator)).ToArray();
        }
        Tensor z = distribution.Compose(zeta);
        long[] sampledShape = Shapes.Sampled(sampleCount, distribution.BatchShape);
        RequireSampledShape(z, sampledShape, distribution.Name + ".Compose");
        Tensor values = EvaluateObjective(objective, z, "fourier-composite");
        EstimatorChecks.RequireDependence(objective, z, "fourier-composite");

        // f∘g as a function of all building blocks at once, stacked on axis 1: [S, C, ...BatchShape].
        int[] orders = Enumerable.Range(1, truncation).Where(n => blocks.Any(b => !b.CumulantVanishes(n))).ToArray();
        Objective composed = Objective.General(stacked => objective.Evaluate(distribution.Compose(stacked.unbind(1))));
        IReadOnlyList<Tensor> derivatives = orders.Length == 0 ? Array.Empty<Tensor>() : composed.CoordinateDerivatives(torch.stack(zeta, 1), orders.Max());

        Tensor[] perSample;
        using (torch.enable_grad())
        {
            // Σ_c Σ_n κ_n⁽ᶜ⁾(θ_i)/n!·stopgrad(∂ⁿ(f∘g)/∂ζ_cⁿ) through per-sample parameter copies θ_i: one backward pass.
            Tensor[] leaves = DiscreteSupport.PerSampleLeaves(distribution, sampleCount);
            ICumulantDistribution[] atLeaves = CumulantComponents(distribution, distribution.Components(leaves));
            Tensor series = torch.zeros(Array.Empty<long>(), dtype: z.dtype, device: z.device);
            for (int c = 0; c < atLeaves.Length; c++)
            {
                foreach (int n in orders.Where(n => !atLeaves[c].CumulantVanishes(n)))
                {
                    using Scalar factorial = Factorial(n).ToScalar();
                    series = series.add((atLeaves[c].Cumulant(n) * derivatives[n - 1].select(1, c)).sum() / factorial, Scalars.One);
                }
            }
            if (distribution.MapDependsOnParameters)
            {
                // z = g(θ, ζ) names θ itself: add the pathwise part ∂f/∂z·∂g/∂θ at the fixed ζ_i, through the same copies θ_i.
                series = series.add(objective.Evaluate(distribution.Compose(leaves, zeta)).sum(), Scalars.One);
            }
            perSample = DiscreteSupport.Gradient(series, leaves);
        }
        Tensor[] reduced = ReduceAll(distribution, perSample, "fourier-composite", objective.CheckFinite);
        return new GradientEstimate($"fourier(N={truncation}, through {string.Join(", ", distribution.ComponentNames)})", distribution.ParameterNames, distribution.Parameters, z, values, reduced)
            .MoveToOuterDisposeScope();
    }

    private static ICumulantDistribution[] CumulantComponents(IComposedDistribution distribution, IReadOnlyList<IDistribution> components) =>
        components.Select((c, i) => c as ICumulantDistribution
            ?? throw new InvalidOperationException($"{distribution.Name}'s building block '{distribution.ComponentNames[i]}' ({c.Name}) has no cumulants: declare its characteristic function.")).ToArray();

    private static int CheckOrder(string name, int truncation, int maxOrder, string parameterName)
    {
        if (truncation < 1 || truncation > maxOrder)
        {
            throw new ArgumentOutOfRangeException(parameterName, truncation, $"The Fourier order for {name} must lie between 1 and {maxOrder}; got {truncation}.");
        }
        return truncation;
    }
}
