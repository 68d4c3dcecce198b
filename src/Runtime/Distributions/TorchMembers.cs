using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

// The members torch.distributions.Distribution names (log_prob, mean, variance, entropy, cdf; sample and
// rsample are on IDistribution and IReparameterizedDistribution), in PascalCase, so code written against
// TorchSharp's distributions reads the same against a generated one. Each is generated only where the
// declaration gives the maths: a distribution without it does not implement the interface.

/// <summary>torch.distributions' <c>log_prob</c>: a distribution with a log density (or a probability table).</summary>
public interface IHasLogProb : IDistribution
{
    /// <summary>
    /// log p(value), one value per batch element: the shape of <paramref name="value"/> broadcast against
    /// <see cref="IDistribution.BatchShape"/>; for a distribution over vectors (an <c>EventRank = 1</c> parameter)
    /// the last axis of <paramref name="value"/> is the event and is reduced away, as torch does. Differentiable
    /// in the parameters. Off a discrete support the value is −∞.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> does not broadcast against the batch shape (or its event axis has the wrong size).</exception>
    Tensor LogProb(Tensor value);
}

/// <summary>torch.distributions' <c>mean</c>: κ₁ of the cumulants the generator derived.</summary>
public interface IHasMean : IDistribution
{
    /// <summary>E z per batch element, shape <see cref="IDistribution.BatchShape"/>, differentiable in the parameters.</summary>
    Tensor Mean { get; }
}

/// <summary>torch.distributions' <c>variance</c>: κ₂ (or ζ₂ + ζ₁ from factorial cumulants) the generator derived.</summary>
public interface IHasVariance : IDistribution
{
    /// <summary>Var z per batch element, shape <see cref="IDistribution.BatchShape"/>, differentiable in the parameters.</summary>
    Tensor Variance { get; }
}

/// <summary>torch.distributions' <c>entropy</c>, from the <see cref="EntropyAttribute"/> formula.</summary>
public interface IHasEntropy : IDistribution
{
    /// <summary>
    /// −E log p(z) per batch element (one value per event for a distribution over vectors), differentiable
    /// in the parameters (the formula is emitted as tensor code, so autograd gives its gradient).
    /// </summary>
    Tensor Entropy();
}

/// <summary>torch.distributions' <c>cdf</c>, from the <see cref="CdfAttribute"/> formula.</summary>
public interface IHasCdf : IDistribution
{
    /// <summary>P(z ≤ value), the shape of <paramref name="value"/> broadcast against <see cref="IDistribution.BatchShape"/>, differentiable in the parameters and in <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> holds a NaN, lies off a discrete support, or does not broadcast against the batch shape.</exception>
    Tensor Cdf(Tensor value);
}

/// <summary>Helpers the generated torch.distributions-style members call.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class TorchMembers
{
    /// <summary>Samples of shape <c>[...sampleShape, ...BatchShape]</c>, no gradient: <see cref="IDistribution.Sample(long, Generator?)"/> of the product, reshaped.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size in <paramref name="sampleShape"/> is below 1.</exception>
    public static Tensor Sample(IDistribution distribution, long[] sampleShape)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(sampleShape);
        long count = 1;
        for (int i = 0; i < sampleShape.Length; i++)
        {
            if (sampleShape[i] < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(sampleShape), sampleShape[i],
                    $"{distribution.Name}.Sample: every size in sampleShape must be at least 1; sampleShape[{i}] is {sampleShape[i]} (sampleShape = {Shapes.Format(sampleShape)}).");
            }
            count = checked(count * sampleShape[i]);
        }
        Tensor drawn = distribution.Sample(count);
        return drawn.reshape(sampleShape.Concat(distribution.BatchShape).ToArray());
    }

    /// <summary>
    /// <paramref name="value"/> expanded to its broadcast with <paramref name="batchShape"/> (a view), for a log density
    /// or a CDF that is written at the shape of its argument.
    /// </summary>
    /// <param name="distribution">The distribution's name, for the message.</param>
    /// <param name="member">The member checking (<c>LogProb</c>, <c>Cdf</c>), for the message.</param>
    /// <param name="value">The argument, named <c>value</c> as torch names it.</param>
    /// <param name="batchShape">The distribution's batch shape.</param>
    /// <param name="eventAxis">True for a distribution over vectors whose batch shape ends in the event axis: <paramref name="value"/>'s last axis must have that size.</param>
    /// <exception cref="ArgumentException">The shapes do not broadcast, or the event axis differs.</exception>
    public static Tensor BroadcastValue(string distribution, string member, Tensor value, long[] batchShape, bool eventAxis = false)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(batchShape);
        long[] shape = value.shape;
        if (eventAxis && batchShape.Length > 0 && (shape.Length == 0 || shape[^1] != batchShape[^1]))
        {
            throw new ArgumentException(
                $"{distribution}.{member}: value of shape {Shapes.Format(shape)} must end in the event axis of size {batchShape[^1]} (batch shape {Shapes.Format(batchShape)}).", nameof(value));
        }
        long[] broadcast;
        try
        {
            broadcast = Shapes.BroadcastShapes(shape, batchShape);
        }
        catch (ArgumentException)
        {
            throw new ArgumentException(
                $"{distribution}.{member}: value of shape {Shapes.Format(shape)} does not broadcast against the batch shape {Shapes.Format(batchShape)}.", nameof(value));
        }
        return shape.SequenceEqual(broadcast) ? value : value.expand(broadcast);
    }

    /// <summary>A log density on the counts with −∞ where <paramref name="value"/> is not a count 0, 1, 2, … (the formula alone would give a number there).</summary>
    public static Tensor OffCountsToNegativeInfinity(Tensor value, Tensor logDensity)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(logDensity);
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor offCounts = value.lt(Scalars.Of(0.0)).logical_or(value.ne(value.floor()));
        return logDensity.masked_fill(offCounts, Scalars.Of(double.NegativeInfinity)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The checks of a CDF's argument: no NaN, and on a discrete support (<paramref name="supportValues"/>, or the
    /// counts 0, 1, 2, … when <paramref name="counts"/>) every entry a support value.
    /// </summary>
    /// <exception cref="ArgumentException">The first offending entry, named with its index and value.</exception>
    public static void CheckCdfValue(string distribution, Tensor value, IReadOnlyList<double>? supportValues = null, bool counts = false)
    {
        ArgumentNullException.ThrowIfNull(value);
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor flat = value.detach().reshape(-1);
        Tensor bad = flat.isnan();
        string requirement = "a number";
        if (counts)
        {
            bad = bad.logical_or(flat.lt(Scalars.Of(0.0))).logical_or(flat.ne(flat.floor()));
            requirement = "a count 0, 1, 2, …";
        }
        else if (supportValues is not null)
        {
            Tensor onSupport = torch.zeros_like(flat, dtype: ScalarType.Bool);
            foreach (double v in supportValues)
            {
                onSupport = onSupport.logical_or(flat.eq(Scalars.Of(v)));
            }
            bad = bad.logical_or(onSupport.logical_not());
            requirement = "one of the support values " + string.Join(", ", supportValues.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        }
        if (bad.any().item<bool>())
        {
            long index = bad.nonzero()[0, 0].item<long>();
            double entry = flat[index].to_type(ScalarType.Float64).item<double>();
            throw new ArgumentException(
                $"{distribution}.Cdf: value must be {requirement}; entry {index} (flat index, shape {Shapes.Format(value.shape)}) is {entry.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}.", nameof(value));
        }
    }
}
