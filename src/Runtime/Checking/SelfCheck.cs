using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Checking;

/// <summary>
/// A self-check of a declared distribution at the parameter values it was constructed with: the first thing to run after
/// declaring one. Each check compares two things the declaration says independently (its log density, its score, its
/// sampler or reparameterization, its characteristic function and the cumulants derived from it) and reports the
/// difference in standard errors:
/// <list type="bullet">
/// <item><b>normalisation</b>: ∫ p(z) dz = 1 (adaptive Gauss–Kronrod quadrature in one dimension; a sum over a finite
/// support or over the counts until the tail is below 1e-17).</item>
/// <item><b>score = ∂ log p</b>: the generated (or declared <c>[Score]</c>) score against autograd's derivative of the log density.</item>
/// <item><b>E[score] = 0</b>: Monte Carlo over the sampler.</item>
/// <item><b>sampler vs cumulants</b>: the sampler's mean, variance and third central moment against κ1, κ2, κ3 derived from φ
/// (standard errors from the sample's higher moments).</item>
/// <item><b>sampler vs density</b>: the sampler's mean and variance against the normalised density's (quadrature or sums).</item>
/// <item><b>φ vs sampler</b> and <b>φ vs density</b>: Re and Im of φ(w) at a few w against the sample mean of cos wz and
/// sin wz, and against ∫ e^{iwz} p(z) dz.</item>
/// <item><b>pathwise vs score</b>: the two estimators' mean gradient of E f for f = z, z², sin z (summed over coordinates).</item>
/// </list>
/// A check runs only when the declaration has what it needs; otherwise it is listed as not applicable, with the reason.
/// </summary>
/// <example>
/// In an xunit test: <c>SelfCheck.Run(new Gamma(tensor(2.0), tensor(1.5))).AssertPassed();</c>
/// </example>
public static class SelfCheck
{
    /// <summary>Runs every applicable check at the distribution's parameter values.</summary>
    /// <param name="distribution">A generated distribution (its parameters need not require grad).</param>
    /// <param name="options">Sample count, seed, tolerance, coordinates, frequencies, support; null for the defaults.</param>
    /// <returns>The report; call <see cref="SelfCheckReport.AssertPassed"/> to fail a test on any failed item.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (named).</exception>
    public static SelfCheckReport Run(IDistribution distribution, SelfCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        options ??= new SelfCheckOptions();
        options.Validate();
        using DisposeScope scope = torch.NewDisposeScope();
        using var run = new SelfCheckRun(distribution, options);
        return run.Run();
    }
}

/// <summary>One run of the self-check: the samples, the density's quadratures and the items, for one distribution.</summary>
internal sealed class SelfCheckRun : IDisposable
{
    private const double NumericalFloor = 1e-9;

    private readonly IDistribution distribution;
    private readonly SelfCheckOptions options;
    private readonly List<SelfCheckItem> items = new();
    private readonly Generator generator;
    private readonly long sampleCount;
    private readonly int coordinateCount;
    private readonly int checkedCount;
    private readonly Tensor samples;
    private readonly double[][] columns;
    private readonly OneDimensionalDensity? density;
    private readonly string? densityMissing;

    public SelfCheckRun(IDistribution distribution, SelfCheckOptions options)
    {
        this.distribution = distribution;
        this.options = options;
        sampleCount = options.SampleCount;
        generator = new Generator(options.Seed, torch.CPU);
        coordinateCount = (int)distribution.BatchShape.Aggregate(1L, (a, b) => a * b);
        checkedCount = Math.Min(coordinateCount, options.MaxCoordinates);
        samples = distribution.Sample(sampleCount, generator).detach().to(ScalarType.Float64, torch.CPU);
        Tensor flat = samples.reshape(sampleCount, coordinateCount);
        columns = Enumerable.Range(0, checkedCount).Select(c => Host(flat[TensorIndex.Colon, c])).ToArray();
        (density, densityMissing) = OneDimensionalDensity.For(distribution, samples, columns, options);
    }

    public void Dispose() => generator.Dispose();

    private string Coordinate(int c) => coordinateCount == 1 ? "" : $" [{c}]";

    public SelfCheckReport Run()
    {
        CheckNormalisation();
        CheckScoreAgainstAutograd();
        CheckScoreMean();
        CheckMomentsAgainstCumulants();
        CheckMomentsAgainstDensity();
        CheckCharacteristicFunction();
        CheckPathwiseAgainstScore();
        string coverage = coordinateCount == 1 ? "one coordinate"
            : checkedCount == coordinateCount ? $"all {coordinateCount} coordinates checked"
            : $"the first {checkedCount} of {coordinateCount} coordinates checked";
        return new SelfCheckReport(Title(), options, items, coverage);
    }

    private string Title()
    {
        IEnumerable<string> values = distribution.ParameterNames.Zip(distribution.Parameters, (name, p) =>
            name + " = " + SelfCheckReport.Format(Host(p.reshape(-1)[0])[0]) + (p.numel() > 1 ? ", …" : ""));
        string batch = coordinateCount == 1 ? "" : $", batch [{string.Join(", ", distribution.BatchShape)}]";
        return $"{distribution.Name}({string.Join("; ", values)}){batch}";
    }

    private void Add(string check, string statistic, double value, double expected, double standardError, string meaning)
    {
        double z = (value - expected) / standardError;
        if (double.IsNaN(z) && value == expected)
        {
            z = 0;
        }
        bool passed = Math.Abs(z) <= options.Tolerance;
        items.Add(new SelfCheckItem(check, statistic, value, expected, standardError, z, passed ? SelfCheckOutcome.Passed : SelfCheckOutcome.Failed, meaning));
    }

    private void Fail(string check, string statistic, string meaning) =>
        items.Add(new SelfCheckItem(check, statistic, double.NaN, double.NaN, double.NaN, double.NaN, SelfCheckOutcome.Failed, meaning));

    private void NotApplicable(string check, string why) =>
        items.Add(new SelfCheckItem(check, "", double.NaN, double.NaN, double.NaN, double.NaN, SelfCheckOutcome.NotApplicable, "not applicable: " + why));

    /// <summary>A Monte Carlo standard error, floored so that a point mass (zero spread) still compares up to rounding.</summary>
    private static double McError(double variance, long count, double expected) =>
        Math.Max(Math.Sqrt(Math.Max(variance, 0) / count), 1e-12 * (1 + Math.Abs(expected)));

    private void CheckNormalisation()
    {
        const string check = "normalisation";
        if (density is null)
        {
            NotApplicable(check, densityMissing!);
            return;
        }
        for (int c = 0; c < checkedCount; c++)
        {
            Integral total = density.Expect(c, _ => 1.0);
            if (total.NanAt is { } x)
            {
                Fail(check, $"∫ p(z) dz{Coordinate(c)}", $"the log density is NaN at z = {SelfCheckReport.Format(x)}, inside the support {density.SupportText}: a logarithm or root of a negative number in the formula");
                continue;
            }
            Add(check, $"{density.IntegralSymbol} p{Coordinate(c)}", total.Value, 1, Math.Max(total.Error, NumericalFloor),
                $"the density sums to {SelfCheckReport.Format(total.Value)} over {density.SupportText} ({density.Method}), not 1: the log density's normalising constant or its dependence on z is wrong");
        }
    }

    private void CheckScoreAgainstAutograd()
    {
        const string check = "score = ∂ log p";
        if (distribution is not IScoredDistribution scored)
        {
            NotApplicable(check, "no [LogDensity] or [Score]");
            return;
        }
        using Tensor probe = samples[TensorIndex.Slice(0, 4)];
        if (scored.LogDensity(probe) is null)
        {
            NotApplicable(check, "only [Score] was declared, no [LogDensity] to differentiate");
            return;
        }
        if (density is null && densityMissing == OneDimensionalDensity.CoupledReason)
        {
            NotApplicable(check, OneDimensionalDensity.CoupledReason);
            return;
        }
        if (distribution is IFiniteDistribution finite && finite.ParameterEventRanks.Any(rank => rank != 0))
        {
            NotApplicable(check, "a parameter has an event axis (the score is a table over the categories)");
            return;
        }
        Tensor[] leaves = distribution.Parameters.Select(p => p.detach().to(ScalarType.Float64).clone().requires_grad_(true)).ToArray();
        IScoredDistribution? copy = Construct(leaves);
        if (copy is null)
        {
            NotApplicable(check, $"{distribution.GetType().Name} has no public constructor taking its {leaves.Length} parameter tensors, to differentiate at copies");
            return;
        }
        Tensor logDensity = copy.LogDensity(probe)!;
        Tensor[] gradients = torch.autograd.grad(new[] { logDensity.sum() }, leaves, allow_unused: true).ToArray();
        IReadOnlyList<Tensor> score = scored.Score(probe);
        for (int p = 0; p < leaves.Length; p++)
        {
            double[] derived = Host(Shapes.ReduceToParameter(score[p].to(ScalarType.Float64), leaves[p].shape).sum(new long[] { 0 }));
            double[] autograd = gradients[p] is { IsInvalid: false } g ? Host(g) : new double[derived.Length];
            int worst = 0;
            for (int i = 1; i < derived.Length; i++)
            {
                if (Math.Abs(derived[i] - autograd[i]) > Math.Abs(derived[worst] - autograd[worst])) worst = i;
            }
            double scale = derived.Concat(autograd).Select(Math.Abs).Where(double.IsFinite).DefaultIfEmpty(0).Max();
            string name = distribution.ParameterNames[p];
            Add(check, $"Σ ∂ log p/∂{name} at 4 samples" + (derived.Length > 1 ? $" [{worst}]" : ""), derived[worst], autograd[worst], 1e-9 * (1 + scale),
                $"the score of {name} differs from autograd's derivative of the log density: a wrong [Score(\"{name}\", …)] (or a generator bug in the derived score)");
        }
    }

    private IScoredDistribution? Construct(Tensor[] parameters)
    {
        var constructor = distribution.GetType().GetConstructors()
            .FirstOrDefault(ctor => ctor.GetParameters() is var list && list.Length == parameters.Length && list.All(p => p.ParameterType == typeof(Tensor)));
        return constructor?.Invoke(parameters.Cast<object>().ToArray()) as IScoredDistribution;
    }

    private void CheckScoreMean()
    {
        const string check = "E[score] = 0";
        if (distribution is not IScoredDistribution scored)
        {
            NotApplicable(check, "no [LogDensity] or [Score]");
            return;
        }
        IReadOnlyList<Tensor> score = scored.Score(samples);
        IReadOnlyList<int> eventRanks = distribution is IFiniteDistribution finite ? finite.ParameterEventRanks : new int[score.Count];
        for (int p = 0; p < score.Count; p++)
        {
            Tensor perSample = score[p].to(ScalarType.Float64);
            bool tangent = eventRanks[p] != 0;
            if (tangent)
            {
                // The unconstrained score of a Simplex parameter has mean 1 along the sum of the event axis: check the rest.
                perSample = perSample - perSample.mean(new long[] { -1 }, keepdim: true);
            }
            perSample = perSample.reshape(sampleCount, -1);
            int entries = (int)Math.Min(perSample.shape[1], options.MaxCoordinates);
            double[] mean = Host(perSample.mean(new long[] { 0 }));
            double[] variance = Host(perSample.var(0));
            for (int e = 0; e < entries; e++)
            {
                string name = distribution.ParameterNames[p];
                string index = perSample.shape[1] == 1 ? "" : $" [{e}]";
                Add(check, $"mean ∂ log p/∂{name}{index}" + (tangent ? " (tangent)" : ""), mean[e], 0, McError(variance[e], sampleCount, 0),
                    $"the score of {name} does not average to zero under the sampler: the score (derived from the log density or declared) or the sampler is wrong");
            }
        }
    }

    private readonly record struct SampleMoments(double Mean, double Variance, double Third, double MeanError, double VarianceError, double ThirdError, double StandardDeviation);

    private SampleMoments Moments(int c)
    {
        double[] x = columns[c];
        double mean = x.Average();
        double m2 = 0, m3 = 0, m4 = 0, m6 = 0;
        foreach (double v in x)
        {
            double d = v - mean, d2 = d * d;
            m2 += d2;
            m3 += d2 * d;
            m4 += d2 * d2;
            m6 += d2 * d2 * d2;
        }
        double n = x.Length;
        m2 /= n; m3 /= n; m4 /= n; m6 /= n;
        double variance = m2 * n / (n - 1);
        double third = m3 * n * n / ((n - 1) * (n - 2));
        return new SampleMoments(mean, variance, third,
            Math.Sqrt(m2 / n), Math.Sqrt(Math.Max(m4 - m2 * m2, 0) / n), Math.Sqrt(Math.Max(m6 - m3 * m3 - 6 * m4 * m2 + 9 * m2 * m2 * m2, 0) / n), Math.Sqrt(m2));
    }

    private void CheckMomentsAgainstCumulants()
    {
        const string check = "sampler vs cumulants";
        double[][] kappa;
        if (distribution is ICumulantDistribution cumulants && cumulants.CumulantOrder >= 3)
        {
            kappa = Enumerable.Range(1, 3).Select(n => Host(cumulants.Cumulant(n))).ToArray();
        }
        else if (distribution is IFactorialCumulantDistribution factorial && factorial.FactorialCumulantOrder >= 3)
        {
            double[][] zeta = Enumerable.Range(1, 3).Select(n => Host(factorial.FactorialCumulant(n))).ToArray();
            // κ1 = ζ1, κ2 = ζ2 + ζ1, κ3 = ζ3 + 3ζ2 + ζ1 (log E(1 + t)^z = K(log(1 + t)) expanded in t).
            kappa = new[]
            {
                zeta[0],
                zeta[1].Zip(zeta[0], (z2, z1) => z2 + z1).ToArray(),
                zeta[2].Select((z3, i) => z3 + 3 * zeta[1][i] + zeta[0][i]).ToArray(),
            };
        }
        else
        {
            NotApplicable(check, "no cumulants of order 3 (no [CharacteristicFunction], or a composite)");
            return;
        }
        for (int c = 0; c < checkedCount; c++)
        {
            SampleMoments m = Moments(c);
            string meaning(string what) => $"the sampler's {what} differs from the one derived from the characteristic function: the sampler (reparameterization, noise) or φ is wrong";
            Add(check, $"mean vs κ1{Coordinate(c)}", m.Mean, kappa[0][c], McError(m.StandardDeviation * m.StandardDeviation, sampleCount, kappa[0][c]), meaning("mean"));
            Add(check, $"variance vs κ2{Coordinate(c)}", m.Variance, kappa[1][c], Math.Max(m.VarianceError, 1e-12 * (1 + Math.Abs(kappa[1][c]))), meaning("variance"));
            Add(check, $"3rd central moment vs κ3{Coordinate(c)}", m.Third, kappa[2][c], Math.Max(m.ThirdError, 1e-12 * (1 + Math.Abs(kappa[2][c]))), meaning("third central moment"));
        }
    }

    private void CheckMomentsAgainstDensity()
    {
        const string check = "sampler vs density";
        if (density is null)
        {
            NotApplicable(check, densityMissing!);
            return;
        }
        for (int c = 0; c < checkedCount; c++)
        {
            Integral total = density.Expect(c, _ => 1.0);
            if (total.NanAt is not null || !(total.Value > 0))
            {
                continue; // reported by the normalisation check
            }
            Integral first = density.Expect(c, x => x);
            double mean = first.Value / total.Value;
            Integral second = density.Expect(c, x => (x - mean) * (x - mean));
            double variance = second.Value / total.Value;
            SampleMoments m = Moments(c);
            string meaning(string what) => $"the sampler's {what} differs from the normalised density's ({density.Method}): the sampler and the log density describe different distributions";
            Add(check, $"mean vs {density.IntegralSymbol} z p/{density.IntegralSymbol} p{Coordinate(c)}", m.Mean, mean,
                Math.Sqrt(Math.Pow(McError(m.StandardDeviation * m.StandardDeviation, sampleCount, mean), 2) + Math.Pow(Math.Max(first.Error, NumericalFloor), 2)), meaning("mean"));
            Add(check, $"variance vs density{Coordinate(c)}", m.Variance, variance,
                Math.Sqrt(Math.Pow(Math.Max(m.VarianceError, 1e-12 * (1 + variance)), 2) + Math.Pow(Math.Max(second.Error, NumericalFloor), 2)), meaning("variance"));
        }
    }

    private void CheckCharacteristicFunction()
    {
        const string sampleCheck = "φ vs sampler";
        const string densityCheck = "φ vs density";
        if (distribution is not ICharacteristicFunction characteristic)
        {
            string why = "no characteristic function member (no [CharacteristicFunction] / [LogCharacteristicFunction], an event-axis parameter, or a function with no complex form in it)";
            NotApplicable(sampleCheck, why);
            NotApplicable(densityCheck, why);
            return;
        }
        if (density is null)
        {
            NotApplicable(densityCheck, densityMissing!);
        }
        // Per coordinate, w = f/σ (σ the sampler's spread; 1 + |mean| for a point mass).
        Tensor flat = samples.reshape(sampleCount, coordinateCount);
        double[] mean = Host(flat.mean(new long[] { 0 }));
        double[] spread = Host(flat.std(0));
        double[] scale = spread.Select((s, c) => s > 1e-9 * (1 + Math.Abs(mean[c])) ? 1 / s : 1 / (1 + Math.Abs(mean[c]))).ToArray();
        int frequencyCount = options.Frequencies.Count;
        var w = new double[frequencyCount * coordinateCount];
        for (int j = 0; j < frequencyCount; j++)
        {
            for (int c = 0; c < coordinateCount; c++)
            {
                w[j * coordinateCount + c] = options.Frequencies[j] * scale[c];
            }
        }
        long[] shape = new[] { (long)frequencyCount }.Concat(distribution.BatchShape).ToArray();
        Tensor phi = characteristic.CharacteristicFunction(torch.tensor(w, shape, ScalarType.Float64));
        double[] real = Host(phi.real);
        double[] imaginary = Host(phi.imag);
        for (int c = 0; c < checkedCount; c++)
        {
            for (int j = 0; j < frequencyCount; j++)
            {
                int at = j * coordinateCount + c;
                double frequency = w[at];
                string wText = SelfCheckReport.Format(frequency);
                double[] x = columns[c];
                double[] cos = x.Select(v => Math.Cos(frequency * v)).ToArray();
                double[] sin = x.Select(v => Math.Sin(frequency * v)).ToArray();
                string sampleMeaning = "the sampler's E e^{iwz} differs from the declared φ(w): the sampler (reparameterization, noise) or φ is wrong";
                Add(sampleCheck, $"Re φ(w = {wText}){Coordinate(c)}", cos.Average(), real[at], McError(Variance(cos), sampleCount, real[at]), sampleMeaning);
                Add(sampleCheck, $"Im φ(w = {wText}){Coordinate(c)}", sin.Average(), imaginary[at], McError(Variance(sin), sampleCount, imaginary[at]), sampleMeaning);
                if (density is null)
                {
                    continue;
                }
                Integral cosine = density.Expect(c, v => Math.Cos(frequency * v));
                Integral sine = density.Expect(c, v => Math.Sin(frequency * v));
                if (cosine.NanAt is not null)
                {
                    continue; // reported by the normalisation check
                }
                string densityMeaning = $"{density.IntegralSymbol} e^{{iwz}} p(z) ({density.Method}) differs from the declared φ(w): the log density or φ is wrong";
                Add(densityCheck, $"Re φ(w = {wText}){Coordinate(c)}", cosine.Value, real[at], Math.Max(cosine.Error, NumericalFloor), densityMeaning);
                Add(densityCheck, $"Im φ(w = {wText}){Coordinate(c)}", sine.Value, imaginary[at], Math.Max(sine.Error, NumericalFloor), densityMeaning);
            }
        }
    }

    private static double Variance(double[] x)
    {
        double mean = x.Average();
        return x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1);
    }

    private void CheckPathwiseAgainstScore()
    {
        const string check = "pathwise vs score";
        if (distribution is not IHybridDistribution hybrid)
        {
            NotApplicable(check, distribution is IReparameterizedDistribution
                ? "no [LogDensity] or [Score], so no score-function estimator"
                : "no [Reparameterization] or composition, so no pathwise estimator");
            return;
        }
        var functions = new (string Name, Func<Tensor, Tensor> H)[]
        {
            ("z", z => z * Scalars.Of(1.0)),
            ("z²", z => z * z),
            ("sin z", z => z.sin()),
        };
        foreach ((string functionName, Func<Tensor, Tensor> h) in functions)
        {
            using DisposeScope scope = torch.NewDisposeScope();
            Objective objective = Objective.Separable(h);
            using GradientEstimate pathwise = hybrid.Pathwise(objective, sampleCount, generator);
            using GradientEstimate score = hybrid.ScoreFunction(objective, sampleCount, Baseline.LeaveOneOut, generator);
            for (int p = 0; p < pathwise.PerSampleGradients.Count; p++)
            {
                Tensor first = pathwise.PerSampleGradients[p].to(ScalarType.Float64).reshape(sampleCount, -1);
                Tensor second = score.PerSampleGradients[p].to(ScalarType.Float64).reshape(sampleCount, -1);
                int entries = (int)Math.Min(first.shape[1], options.MaxCoordinates);
                double[] meanP = Host(first.mean(new long[] { 0 })), varP = Host(first.var(0));
                double[] meanS = Host(second.mean(new long[] { 0 })), varS = Host(second.var(0));
                string name = distribution.ParameterNames[p];
                for (int e = 0; e < entries; e++)
                {
                    string index = first.shape[1] == 1 ? "" : $" [{e}]";
                    double error = Math.Max(Math.Sqrt((varP[e] + varS[e]) / sampleCount), 1e-12 * (1 + Math.Abs(meanS[e])));
                    Add(check, $"∂/∂{name}{index} E Σ {functionName}", meanP[e], meanS[e], error,
                        $"the pathwise and the score-function gradient of E Σ {functionName} disagree: the reparameterization (or its Jacobian), the score, or the sampler is wrong");
                }
            }
        }
    }

    internal static double[] Host(Tensor tensor) =>
        tensor.detach().to(ScalarType.Float64, torch.CPU).contiguous().flatten().data<double>().ToArray();
}
