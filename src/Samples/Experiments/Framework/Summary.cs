using System.Collections.Generic;
using System.Linq;
using MathNet.Numerics.Statistics;

namespace StochasticBackprop.Samples.Experiments;

/// <summary>Mean, sample standard deviation and standard error of the mean of replicate values.</summary>
public readonly record struct Summary(double Mean, double StandardDeviation, int Count)
{
    public double StandardError => Count > 1 ? StandardDeviation / System.Math.Sqrt(Count) : double.NaN;

    public static Summary Of(IEnumerable<double> values)
    {
        double[] xs = values.ToArray();
        if (xs.Length == 0) return new Summary(double.NaN, double.NaN, 0);
        if (xs.Length == 1) return new Summary(xs[0], double.NaN, 1);
        var (mean, sd) = xs.MeanStandardDeviation();
        return new Summary(mean, sd, xs.Length);
    }
}
