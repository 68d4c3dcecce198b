using System;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>
/// A control variate b for the score-function estimator (f(z) − b)·∇ log p(z). Each of these keeps
/// the estimator unbiased: b_i never depends on sample i itself. Pass <c>null</c> for no baseline.
/// </summary>
public abstract class Baseline
{
    /// <summary>Only the factories below and user baselines derive from this.</summary>
    protected Baseline()
    {
    }

    /// <summary>The leave-one-out baseline: b_i is the mean of the other S − 1 values of f in the batch. Stateless; unbiased.</summary>
    public static Baseline LeaveOneOut { get; } = new LeaveOneOutBaseline();

    /// <summary>A short description used in the estimator's name, e.g. <c>leave-one-out</c>.</summary>
    public abstract string Name { get; }

    /// <summary>A fixed b for every sample.</summary>
    public static Baseline Constant(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A constant baseline must be finite.");
        }
        return new ConstantBaseline(value);
    }

    /// <summary>
    /// An exponential moving average of earlier batches' mean f: b_t = decay·b_{t−1} + (1 − decay)·mean f_t,
    /// starting from the first batch's mean. The b used for a batch comes from earlier batches only
    /// (0 for the first batch), so the estimator stays unbiased; it is updated after the batch.
    /// Stateful: use one instance per training loop.
    /// </summary>
    public static Baseline MovingAverage(double decay = 0.9)
    {
        if (!(decay >= 0 && decay < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "The decay must lie in [0, 1).");
        }
        return new MovingAverageBaseline(decay);
    }

    /// <summary>b per sample for this batch of detached values f(z_i), shape <c>[S]</c> (or a scalar, broadcast).</summary>
    public abstract Tensor Compute(Tensor values);

    /// <summary>Called once the batch's estimate is formed, with the same values; stateful baselines update here.</summary>
    public virtual void Observe(Tensor values)
    {
    }

    private sealed class ConstantBaseline(double value) : Baseline
    {
        public override string Name => "constant";

        public override Tensor Compute(Tensor values)
        {
            using Scalar fill = value.ToScalar(); // held for the call: see Scalars
            return torch.full_like(values, fill);
        }
    }

    private sealed class MovingAverageBaseline(double decay) : Baseline
    {
        private double? average;

        public override string Name => "moving-average";

        public override Tensor Compute(Tensor values)
        {
            using Scalar fill = (average ?? 0.0).ToScalar(); // held for the call: see Scalars
            return torch.full_like(values, fill);
        }

        public override void Observe(Tensor values)
        {
            using (torch.NewDisposeScope())
            {
                double mean = values.mean().to_type(ScalarType.Float64).item<double>();
                average = average is null ? mean : decay * average.Value + (1 - decay) * mean;
            }
        }
    }

    private sealed class LeaveOneOutBaseline : Baseline
    {
        public override string Name => "leave-one-out";

        public override Tensor Compute(Tensor values)
        {
            long sampleCount = values.shape[0];
            if (sampleCount < 2)
            {
                throw new ArgumentException("The leave-one-out baseline needs at least 2 samples.", nameof(values));
            }
            using Scalar others = (sampleCount - 1).ToScalar(); // held for the call: see Scalars
            return (values.sum() - values) / others;
        }
    }
}
