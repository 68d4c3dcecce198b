using System;
using System.Collections.Generic;

namespace StochasticBackprop.Checking;

/// <summary>Options of <see cref="SelfCheck.Run"/>.</summary>
public sealed class SelfCheckOptions
{
    /// <summary>Monte Carlo samples per check (each check draws its own, from one seeded generator). Default 20,000.</summary>
    public long SampleCount { get; init; } = 20_000;

    /// <summary>The seed of the random number generator (a fixed seed makes the check reproducible). Default 1.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>An item passes when |z| ≤ this many standard errors. Default 5.</summary>
    public double Tolerance { get; init; } = 5;

    /// <summary>How many coordinates of a batch are checked (the first ones, in row-major order). Default 3.</summary>
    public int MaxCoordinates { get; init; } = 3;

    /// <summary>
    /// The frequencies at which φ is compared, in units of 1/σ (σ the sampler's standard deviation of the coordinate, or
    /// 1 + |mean| for a point mass). Default 0.5, 1, 2.
    /// </summary>
    public IReadOnlyList<double> Frequencies { get; init; } = new[] { 0.5, 1.0, 2.0 };

    /// <summary>
    /// The support [lower, upper] of a continuous distribution for the quadratures; null (the default) infers it: lower 0
    /// when no sample is negative (else −∞), upper 1 when no sample exceeds 1 and the log density is not finite at 1.5
    /// (else +∞). The report names the interval used.
    /// </summary>
    public (double Lower, double Upper)? Support { get; init; }

    internal void Validate()
    {
        if (SampleCount < 100)
        {
            throw new ArgumentOutOfRangeException(nameof(SampleCount), SampleCount, "The self-check needs at least 100 samples.");
        }
        if (!(Tolerance > 0) || double.IsInfinity(Tolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "The tolerance must be a positive finite number of standard errors.");
        }
        if (MaxCoordinates < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCoordinates), MaxCoordinates, "At least one coordinate must be checked.");
        }
        ArgumentNullException.ThrowIfNull(Frequencies, nameof(Frequencies));
        foreach (double w in Frequencies)
        {
            if (!double.IsFinite(w) || w == 0)
            {
                throw new ArgumentOutOfRangeException(nameof(Frequencies), w, "Each frequency must be finite and non-zero.");
            }
        }
        if (Support is { } support && !(support.Lower < support.Upper))
        {
            throw new ArgumentOutOfRangeException(nameof(Support), support, "The support needs lower < upper.");
        }
    }
}
