using System;
using System.Collections.Generic;
using System.Linq;
using MathNet.Numerics.Integration;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Checking;

/// <summary>An expectation under the density: its value, its numerical error, and the first point where the log density was NaN inside the support.</summary>
internal readonly record struct Integral(double Value, double Error, double? NanAt);

/// <summary>
/// The declared density of one coordinate, for exact expectations ∫ g(z) p(z) dz: by adaptive Gauss–Kronrod quadrature
/// (MathNet.Numerics) for a continuous distribution, split at sample quantiles so that a narrow density far from 0 is not
/// missed, with the tails mapped to (0, 1); by a sum over the values of a finite support; by a sum over the counts
/// 0, 1, 2, … until the terms fall below 1e-17 of the total.
/// </summary>
internal abstract class OneDimensionalDensity
{
    public const string CoupledReason = "the log density couples coordinates (an event axis: each entry holds the density of the whole vector), so the one-dimensional checks do not apply";

    /// <summary>How the expectations are computed, for the report.</summary>
    public abstract string Method { get; }

    /// <summary>The support, as the report shows it.</summary>
    public abstract string SupportText { get; }

    /// <summary>∫ or Σ.</summary>
    public abstract string IntegralSymbol { get; }

    /// <summary>E g(z) under the (unnormalised, as declared) density of coordinate <paramref name="coordinate"/>.</summary>
    public abstract Integral Expect(int coordinate, Func<double, double> g);

    /// <summary>The density of the distribution, or null and why not.</summary>
    public static (OneDimensionalDensity? Density, string? Missing) For(IDistribution distribution, Tensor samples, double[][] columns, SelfCheckOptions options)
    {
        if (distribution is IFiniteDistribution finite)
        {
            return (new FiniteDensity(finite, columns.Length), null);
        }
        if (distribution is not IScoredDistribution scored || scored.LogDensity(samples[TensorIndex.Slice(0, 1)]) is null)
        {
            return (null, "no [LogDensity]");
        }
        long coordinates = samples.numel() / samples.shape[0];
        if (coordinates > 1 && Coupled(scored, samples))
        {
            return (null, CoupledReason);
        }
        bool counts = distribution is not IReparameterizedDistribution
            && columns.All(column => column.All(v => v >= 0 && v == Math.Floor(v)));
        if (counts)
        {
            return (new CountsDensity(scored, samples, columns), null);
        }
        return (new ContinuousDensity(scored, samples, columns, options), null);
    }

    /// <summary>Whether changing coordinate 0 of a sample changes the log density of another coordinate.</summary>
    private static bool Coupled(IScoredDistribution scored, Tensor samples)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        long[] shape = samples.shape.Skip(1).ToArray();
        Tensor first = samples[TensorIndex.Slice(0, 1)].reshape(1, -1).clone();
        Tensor before = scored.LogDensity(first.reshape(new[] { 1L }.Concat(shape).ToArray()))!.reshape(-1);
        Tensor moved = first.clone();
        double[] other = SelfCheckRun.Host(samples[TensorIndex.Slice(1, 2)].reshape(-1)[0]);
        double original = SelfCheckRun.Host(first[0, 0])[0];
        double replacement = other[0] != original ? other[0] : original * 0.9 + 0.05;
        moved[0, 0] = torch.tensor(replacement, ScalarType.Float64);
        Tensor after = scored.LogDensity(moved.reshape(new[] { 1L }.Concat(shape).ToArray()))!.reshape(-1);
        double[] a = SelfCheckRun.Host(before), b = SelfCheckRun.Host(after);
        for (int i = 1; i < a.Length; i++)
        {
            if (!(a[i] == b[i] || Math.Abs(a[i] - b[i]) <= 1e-12 * (1 + Math.Abs(a[i]))))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>log p at one value of z for every coordinate (z filled with it), cached: the quadratures of one coordinate share nodes.</summary>
    protected sealed class LogDensityCache
    {
        private readonly IScoredDistribution scored;
        private readonly long[] shape;
        private readonly Dictionary<double, double[]> cache = new();

        public LogDensityCache(IScoredDistribution scored, long[] batchShape)
        {
            this.scored = scored;
            shape = new[] { 1L }.Concat(batchShape).ToArray();
        }

        public double[] At(double z)
        {
            if (!cache.TryGetValue(z, out double[]? values))
            {
                using DisposeScope scope = torch.NewDisposeScope();
                using Scalar fill = z.ToScalar(); // held for the call: see Scalars
                values = SelfCheckRun.Host(scored.LogDensity(torch.full(shape, fill, ScalarType.Float64))!);
                cache[z] = values;
            }
            return values;
        }
    }

    private sealed class ContinuousDensity : OneDimensionalDensity
    {
        private readonly LogDensityCache logDensity;
        private readonly double lower;
        private readonly double upper;
        private readonly double[][] breakpoints;
        private readonly double[] scales;

        public ContinuousDensity(IScoredDistribution scored, Tensor samples, double[][] columns, SelfCheckOptions options)
        {
            logDensity = new LogDensityCache(scored, samples.shape.Skip(1).ToArray());
            string inferred;
            if (options.Support is { } given)
            {
                (lower, upper) = given;
                inferred = "as given";
            }
            else
            {
                lower = columns.All(column => column.All(v => v >= 0)) ? 0 : double.NegativeInfinity;
                upper = lower == 0 && columns.All(column => column.All(v => v <= 1)) && !logDensity.At(1.5).Take(columns.Length).Any(double.IsFinite)
                    ? 1 : double.PositiveInfinity;
                inferred = lower == 0
                    ? upper == 1 ? "inferred: every sample in [0, 1], log p not finite at 1.5" : "inferred: no sample negative"
                    : "inferred: samples of both signs";
            }
            SupportText = $"{(double.IsInfinity(lower) ? "(" : "[")}{SelfCheckReport.Format(lower)}, {SelfCheckReport.Format(upper)}{(double.IsInfinity(upper) ? ")" : "]")} ({inferred})";
            breakpoints = columns.Select(column =>
            {
                double[] sorted = column.OrderBy(v => v).ToArray();
                return new[] { 0.0, 0.01, 0.1, 0.5, 0.9, 0.99, 1.0 }
                    .Select(q => sorted[(int)Math.Round(q * (sorted.Length - 1))])
                    .Where(b => b > lower && b < upper)
                    .Distinct().ToArray();
            }).ToArray();
            scales = columns.Select(column =>
            {
                double mean = column.Average();
                double sd = Math.Sqrt(column.Sum(v => (v - mean) * (v - mean)) / column.Length);
                return sd > 0 ? sd : 1;
            }).ToArray();
        }

        public override string Method => "adaptive Gauss–Kronrod quadrature";

        public override string SupportText { get; }

        public override string IntegralSymbol => "∫";

        public override Integral Expect(int coordinate, Func<double, double> g)
        {
            double? nanAt = null;
            double Density(double z)
            {
                if (!(z > lower && z < upper))
                {
                    return 0;
                }
                double value = logDensity.At(z)[coordinate];
                if (double.IsNaN(value))
                {
                    nanAt ??= z;
                    return 0;
                }
                return value == double.NegativeInfinity ? 0 : Math.Exp(value);
            }
            double Integrand(double z)
            {
                double p = Density(z);
                return p == 0 ? 0 : g(z) * p;
            }

            double[] points = breakpoints[coordinate];
            double scale = scales[coordinate];
            double total = 0, error = 0;
            void Piece(Func<double, double> f, double a, double b)
            {
                if (!(b > a))
                {
                    return;
                }
                total += GaussKronrodRule.Integrate(f, a, b, out double pieceError, out _, 1e-10, 15, 21);
                error += Math.Abs(pieceError);
            }
            if (points.Length == 0)
            {
                points = new[] { double.IsFinite(lower) ? (double.IsFinite(upper) ? (lower + upper) / 2 : lower + 1) : double.IsFinite(upper) ? upper - 1 : 0 };
            }
            // The tails: z = b ± scale·t/(1 − t) maps t ∈ (0, 1) onto (b, ∞) or (−∞, b); dz = scale/(1 − t)² dt.
            if (double.IsNegativeInfinity(lower))
            {
                double b = points[0];
                Piece(t => Integrand(b - scale * t / (1 - t)) * scale / ((1 - t) * (1 - t)), 0, 1);
            }
            else
            {
                Piece(Integrand, lower, points[0]);
            }
            for (int i = 1; i < points.Length; i++)
            {
                Piece(Integrand, points[i - 1], points[i]);
            }
            if (double.IsPositiveInfinity(upper))
            {
                double b = points[^1];
                Piece(t => Integrand(b + scale * t / (1 - t)) * scale / ((1 - t) * (1 - t)), 0, 1);
            }
            else
            {
                Piece(Integrand, points[^1], upper);
            }
            return new Integral(total, error, nanAt);
        }
    }

    private sealed class CountsDensity : OneDimensionalDensity
    {
        private readonly double[][] probabilities;

        public CountsDensity(IScoredDistribution scored, Tensor samples, double[][] columns)
        {
            long[] batchShape = samples.shape.Skip(1).ToArray();
            long coordinates = batchShape.Aggregate(1L, (a, b) => a * b);
            double largest = columns.Max(column => column.Max());
            long count = (long)Math.Min(2 * largest + 64, 1_000_000);
            while (true)
            {
                using DisposeScope scope = torch.NewDisposeScope();
                // From a host array: torch.arange(count) would make the count a temporary Scalar (see Scalars).
                Tensor values = torch.tensor(Enumerable.Range(0, (int)count).Select(n => (double)n).ToArray(), ScalarType.Float64).reshape(new[] { count }.Concat(Enumerable.Repeat(1L, batchShape.Length)).ToArray()).expand(new[] { count }.Concat(batchShape).ToArray());
                double[] logP = SelfCheckRun.Host(scored.LogDensity(values.contiguous())!);
                probabilities = Enumerable.Range(0, columns.Length)
                    .Select(c => Enumerable.Range(0, (int)count).Select(n => logP[n * coordinates + c]).Select(l => double.IsNaN(l) ? double.NaN : Math.Exp(l)).ToArray())
                    .ToArray();
                bool tailNegligible = probabilities.All(p => p[^1] <= 1e-17 * p.Where(double.IsFinite).Sum() && p[^1] <= p[^2]);
                if (tailNegligible || count >= 1_000_000)
                {
                    break;
                }
                count = Math.Min(count * 2, 1_000_000);
            }
            SupportText = $"the counts 0..{count - 1} (inferred: every sample a non-negative integer, no pathwise map; the terms beyond are below 1e-17)";
        }

        public override string Method => "a sum over the counts";

        public override string SupportText { get; }

        public override string IntegralSymbol => "Σ";

        public override Integral Expect(int coordinate, Func<double, double> g)
        {
            double[] p = probabilities[coordinate];
            double total = 0, magnitude = 0;
            double? nanAt = null;
            for (int n = 0; n < p.Length; n++)
            {
                if (double.IsNaN(p[n]))
                {
                    nanAt ??= n;
                    continue;
                }
                double term = g(n) * p[n];
                total += term;
                magnitude += Math.Abs(term);
            }
            return new Integral(total, 1e-13 * (1 + magnitude), nanAt);
        }
    }

    private sealed class FiniteDensity : OneDimensionalDensity
    {
        private readonly IReadOnlyList<double> values;
        private readonly double[][] probabilities;

        public FiniteDensity(IFiniteDistribution finite, int checkedCoordinates)
        {
            values = finite.SupportValues;
            using DisposeScope scope = torch.NewDisposeScope();
            Tensor table = finite.Probabilities(finite.Parameters).detach().to(ScalarType.Float64);
            int k = (int)table.shape[^1];
            double[] flat = SelfCheckRun.Host(table);
            probabilities = Enumerable.Range(0, checkedCoordinates).Select(c => flat.Skip(c * k).Take(k).ToArray()).ToArray();
            SupportText = "{" + string.Join(", ", values.Take(6).Select(SelfCheckReport.Format)) + (values.Count > 6 ? ", …" : "") + "}";
        }

        public override string Method => "a sum over the support of the probability table";

        public override string SupportText { get; }

        public override string IntegralSymbol => "Σ";

        public override Integral Expect(int coordinate, Func<double, double> g)
        {
            double[] p = probabilities[coordinate];
            double total = 0, magnitude = 0;
            double? nanAt = null;
            for (int k = 0; k < p.Length; k++)
            {
                if (double.IsNaN(p[k]))
                {
                    nanAt ??= values[k];
                    continue;
                }
                total += g(values[k]) * p[k];
                magnitude += Math.Abs(g(values[k]) * p[k]);
            }
            return new Integral(total, 1e-13 * (1 + magnitude), nanAt);
        }
    }
}
