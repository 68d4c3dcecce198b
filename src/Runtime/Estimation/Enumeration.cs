using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>E f and its exact gradient for a finite distribution, by summing over every joint state.</summary>
/// <param name="Value">E f(z), a scalar.</param>
/// <param name="Gradients">∇θ E f per parameter, each the parameter's shape.</param>
public sealed record ExactExpectation(double Value, IReadOnlyList<Tensor> Gradients);

/// <summary>
/// Exact enumeration over all K^d joint states of a factorised finite distribution with d coordinates:
/// the truth unbiased estimators are tested against (no Monte Carlo). Meant for small d.
/// </summary>
public static class Enumeration
{
    /// <summary>The largest number of joint states <see cref="Expectation"/> enumerates.</summary>
    public const long MaxStates = 1L << 20;

    /// <summary>E f(z) = Σ_states Π_j p(z_j)·f(z) and its gradient with respect to every parameter (by autograd on the sum).</summary>
    /// <exception cref="ArgumentException">K^d exceeds <see cref="MaxStates"/>.</exception>
    public static ExactExpectation Expectation(IFiniteDistribution distribution, Objective objective)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(objective);
        TorchBackend.EnsureAvailable();
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable gradients = torch.enable_grad();
        long coordinates = distribution.BatchShape.Aggregate(1L, (a, b) => a * b);
        int categories = distribution.SupportValues.Count;
        double states = Math.Pow(categories, coordinates);
        if (states > MaxStates)
        {
            throw new ArgumentException($"{distribution.Name} has {categories}^{coordinates} joint states; enumeration handles at most {MaxStates}.", nameof(distribution));
        }

        Tensor[] parameters = distribution.Parameters.Select(p => p.detach().clone().requires_grad_(true)).ToArray();
        Tensor table = distribution.Probabilities(parameters);
        table = table.expand(distribution.BatchShape.Append(categories).ToArray()).reshape(coordinates, categories);

        // State s has category (s / K^j) mod K in coordinate j.
        // Scalars held for the call (see Scalars); arange(stop) would make its start and step temporaries.
        long count = (long)states;
        using Scalar stop = count.ToScalar();
        Tensor index = torch.arange(Scalars.Of(0), stop, Scalars.Of(1), dtype: ScalarType.Int64, device: table.device);
        using Scalar categoryCount = categories.ToScalar();
        var columns = new Tensor[coordinates];
        long stride = 1;
        for (long j = 0; j < coordinates; j++)
        {
            using Scalar strideScalar = stride.ToScalar();
            columns[j] = index.div(strideScalar, RoundingMode.floor).remainder(categoryCount);
            stride *= categories;
        }
        Tensor category = torch.stack(columns, 1);                                         // [states, d]
        Tensor probability = table.log().gather(1, category.t()).sum(new long[] { 0 }).exp(); // Π_j p_j(category_j), [states]
        Tensor support = torch.tensor(distribution.SupportValues.ToArray(), dtype: table.dtype, device: table.device);
        Tensor z = support[category].reshape(Shapes.Sampled(count, distribution.BatchShape));
        Tensor values = objective.Evaluate(z);
        Tensor expectation = (probability * values).sum();
        Tensor[] exact = DiscreteSupport.Gradient(expectation, parameters);
        return new ExactExpectation(expectation.item<double>(), exact.Select(g => g.MoveToOuterDisposeScope()).ToArray());
    }
}
