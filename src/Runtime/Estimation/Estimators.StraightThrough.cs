using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

public static partial class Estimators
{
    /// <summary>
    /// Straight-through Gumbel-softmax: the forward pass uses the hard sample v_k*, k* = argmax_k (log p_k + g_k)
    /// (an exact draw from p, by the Gumbel-max trick), and the backward pass the concrete relaxation
    /// Σ_k v_k·softmax((log p + g)/τ)_k. The value estimate is unbiased (f is evaluated on the support);
    /// the gradient is <b>biased</b> for every temperature τ &gt; 0. A baseline to compare with.
    /// </summary>
    /// <param name="distribution">The distribution.</param>
    /// <param name="objective">f, evaluated at support values; its gradient is taken there and applied to the relaxation.</param>
    /// <param name="sampleCount">S.</param>
    /// <param name="temperature">τ &gt; 0.</param>
    /// <param name="generator">The random number generator; null for the global one.</param>
    [Estimator("straight-through-gumbel-softmax", Biased = true)]
    public static GradientEstimate StraightThroughGumbelSoftmax(this IFiniteDistribution distribution, Objective objective, long sampleCount, double temperature = 1.0, Generator? generator = null)
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
        Tensor hard;
        using (torch.no_grad())
        {
            hard = torch.nn.functional.one_hot(weights.argmax(-1), weights.shape[^1]).to_type(weights.dtype);
        }
        // hard + (w − stopgrad(w)): the value of the one-hot sample, the gradient of the relaxation.
        Tensor straightThrough = hard.add(weights - weights.detach(), Scalars.One);
        Tensor z = straightThrough.mul(support).sum(new long[] { -1 });
        Tensor values = EvaluateObjective(objective, z, "straight-through-gumbel-softmax");
        if (!values.requires_grad)
        {
            throw EstimatorChecks.IndependentOfSamples(sampleCount, "straight-through-gumbel-softmax");
        }
        Tensor[] perSample = DiscreteSupport.Gradient(values.sum(), leaves, keepGraph: true); // kept: the surrogate backpropagates through values
        Tensor[] reduced = ReduceAll(distribution, perSample, "straight-through-gumbel-softmax", objective.CheckFinite);
        return new GradientEstimate($"straight-through-gumbel-softmax(tau={temperature:R})", distribution.ParameterNames, distribution.Parameters, z.detach(), values, reduced)
            .MoveToOuterDisposeScope();
    }
}
