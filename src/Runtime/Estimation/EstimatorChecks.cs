using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>Which check an objective's result failed (<see cref="ObjectiveCheckException.Check"/>).</summary>
public enum ObjectiveCheck
{
    /// <summary>f returned null or a disposed tensor.</summary>
    Result,

    /// <summary>f did not return one value per sample, shape <c>[S]</c>.</summary>
    Shape,

    /// <summary>f returned integers or booleans: an expectation and its gradient need floating-point values.</summary>
    FloatingType,

    /// <summary>f (or a derivative or difference of it) returned NaN or ±∞ at some sample (<see cref="Objective.CheckFinite"/>).</summary>
    Finite,

    /// <summary>f does not depend on z through autograd (computed on <c>z.detach()</c>, through <c>.item()</c> or a new tensor), where the estimator differentiates f.</summary>
    DependsOnSamples,
}

/// <summary>
/// The objective's result failed a check an estimator makes before using it. An <see cref="ArgumentException"/> for
/// the parameter <c>objective</c>; <see cref="Check"/> says which check, <see cref="SampleCount"/> at how many samples.
/// </summary>
public sealed class ObjectiveCheckException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public ObjectiveCheckException(ObjectiveCheck check, long sampleCount, string message)
        : base(message, "objective")
    {
        Check = check;
        SampleCount = sampleCount;
    }

    /// <summary>The check that failed.</summary>
    public ObjectiveCheck Check { get; }

    /// <summary>The number of samples f was evaluated at.</summary>
    public long SampleCount { get; }
}

/// <summary>
/// The checks every estimator makes on what it is given and what it computes (README "What the estimators check"):
/// live floating-point parameters, samples in the support, objective results of the right shape, type and finiteness,
/// dependence on z where f is differentiated, and finite per-sample gradients.
/// </summary>
internal static class EstimatorChecks
{
    [ThreadStatic]
    private static bool drawnHere;

    /// <summary>
    /// Marks, until disposed, that the samples an <c>…At</c> estimator receives on this thread were just drawn from the
    /// distribution by the estimator itself (the "at fresh draws" overloads), so <see cref="RequireSamples"/> checks
    /// only their shape.
    /// </summary>
    public static IDisposable DrawnHere()
    {
        bool outer = drawnHere;
        drawnHere = true;
        return new Restore(() => drawnHere = outer);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    /// <summary>Throws unless every parameter tensor of <paramref name="distribution"/> is still alive (not disposed since construction).</summary>
    public static void RequireLiveParameters(IDistribution distribution)
    {
        IReadOnlyList<Tensor> parameters = distribution.Parameters;
        for (int p = 0; p < parameters.Count; p++)
        {
            if (parameters[p] is null || parameters[p].IsInvalid)
            {
                throw new ArgumentException(
                    $"{distribution.Name}: parameter '{distribution.ParameterNames[p]}' is a disposed tensor (disposed after the distribution was built); keep parameter tensors alive while the distribution is used.",
                    nameof(distribution));
            }
        }
    }

    /// <summary>
    /// f(z) checked: not null, floating point, shape <c>[S]</c>, and (unless <see cref="Objective.CheckFinite"/> is off)
    /// finite at every sample.
    /// </summary>
    public static Tensor Evaluate(Objective objective, Tensor z, string estimator)
    {
        long sampleCount = z.shape[0];
        Tensor? values = objective.Evaluate(z);
        return RequireValues(values, sampleCount, estimator, objective.CheckFinite, "f(z)");
    }

    /// <summary>The checks of <see cref="Evaluate"/> on values already computed (<paramref name="what"/> names them in the message).</summary>
    public static Tensor RequireValues(Tensor? values, long sampleCount, string estimator, bool checkFinite, string what)
    {
        if (values is null || values.IsInvalid)
        {
            throw new ObjectiveCheckException(ObjectiveCheck.Result, sampleCount,
                $"{estimator}: the objective returned {(values is null ? "null" : "a disposed tensor")} at {sampleCount} samples; it must return a tensor of shape [{sampleCount}].");
        }
        if (values.dim() != 1 || values.shape[0] != sampleCount)
        {
            throw new ObjectiveCheckException(ObjectiveCheck.Shape, sampleCount,
                $"The objective must return one value per sample, shape [{sampleCount}]; it returned {Shapes.Format(values.shape)} ({estimator}, at {sampleCount} samples).");
        }
        if (!values.is_floating_point())
        {
            throw new ObjectiveCheckException(ObjectiveCheck.FloatingType, sampleCount,
                $"{estimator}: the objective returned {values.dtype} values at {sampleCount} samples; it must return floating-point values (convert with .to_type(z.dtype)).");
        }
        if (checkFinite)
        {
            RequireFinite(values, sampleCount, estimator, what);
        }
        return values;
    }

    /// <summary>Throws <see cref="ObjectiveCheck.Finite"/> when some entry of <paramref name="values"/> (first axis: samples) is NaN or ±∞.</summary>
    public static void RequireFinite(Tensor values, long sampleCount, string estimator, string what)
    {
        string? message = null;
        using (torch.NewDisposeScope())
        using (torch.no_grad())
        {
            Tensor detached = values.detach();
            if (!AllFinite(detached))
            {
                Tensor badSamples = detached.isfinite().logical_not().reshape(sampleCount, -1).any(1);
                long count = badSamples.sum().item<long>();
                long first = badSamples.nonzero()[0, 0].item<long>();
                double example = detached.reshape(sampleCount, -1)[first].to_type(ScalarType.Float64)
                    .masked_select(detached.reshape(sampleCount, -1)[first].isfinite().logical_not())[0].item<double>();
                message = $"{estimator}: {what} is not finite at {count} of {sampleCount} samples (first at sample {first}: {Format(example)}). "
                    + "Keep f finite on the support (a log or a division outside its domain?), or set Objective.CheckFinite = false to skip this check.";
            }
        }
        if (message is not null)
        {
            throw new ObjectiveCheckException(ObjectiveCheck.Finite, sampleCount, message);
        }
    }

    /// <summary>
    /// Throws <see cref="ObjectiveCheck.DependsOnSamples"/> unless f's value at the first sample has a gradient with
    /// respect to that sample: for the estimators that differentiate f (Fourier), where f on <c>z.detach()</c> would
    /// silently give derivatives of 0.
    /// </summary>
    public static void RequireDependence(Objective objective, Tensor z, string estimator)
    {
        bool depends;
        using (torch.NewDisposeScope())
        using (torch.enable_grad())
        {
            Tensor leaf = z.detach().narrow(0, 0, 1).clone().requires_grad_(true);
            Tensor? value = objective.Evaluate(leaf);
            if (value is null || value.IsInvalid || !value.is_floating_point())
            {
                return; // reported by the value checks
            }
            depends = value.requires_grad
                && torch.autograd.grad(new[] { value.sum() }, new[] { leaf }, allow_unused: true)[0] is { IsInvalid: false };
        }
        if (!depends)
        {
            throw IndependentOfSamples(z.shape[0], estimator);
        }
    }

    /// <summary>The <see cref="ObjectiveCheck.DependsOnSamples"/> exception.</summary>
    public static ObjectiveCheckException IndependentOfSamples(long sampleCount, string estimator) =>
        new(ObjectiveCheck.DependsOnSamples, sampleCount,
            $"{estimator} differentiates f, but the objective's value has no gradient with respect to z at {sampleCount} samples: "
            + "it was computed on z.detach(), through .item() or from a new tensor, and the estimate would be 0. Build f's value from z "
            + "(or use the score-function or local-expectation estimator, which need only values of f).");

    /// <summary>
    /// Throws unless <paramref name="samples"/> (given by the caller to an <c>…At</c> estimator) could be draws of
    /// <paramref name="distribution"/>: alive, floating point, shape <c>[S, ...BatchShape]</c>, finite, and in the support
    /// (one of the finite values; a non-negative integer on the counts; a finite log density where there is one).
    /// </summary>
    public static void RequireSamples(IDistribution distribution, Tensor samples, string estimator)
    {
        if (samples.IsInvalid)
        {
            throw new ArgumentException($"{estimator}: the samples are a disposed tensor.", nameof(samples));
        }
        if (samples.dim() < 1)
        {
            throw new ArgumentException($"{estimator}: the samples have shape []; expected [S, ...BatchShape] = [S{string.Concat(distribution.BatchShape.Select(d => ", " + d))}].", nameof(samples));
        }
        if (!samples.is_floating_point())
        {
            throw new ArgumentException($"{estimator}: the samples are {samples.dtype}; they must be floating point (as the distribution's Sample returns them).", nameof(samples));
        }
        long sampleCount = samples.shape[0];
        long[] expected = Shapes.Sampled(sampleCount, distribution.BatchShape);
        if (!samples.shape.SequenceEqual(expected))
        {
            throw new ArgumentException($"The samples have shape {Shapes.Format(samples.shape)}; expected [S, ...BatchShape] = {Shapes.Format(expected)}.", nameof(samples));
        }
        if (drawnHere)
        {
            return; // the estimator's own fresh draws: in the support by construction, so the passes over them are saved
        }
        string? message = null;
        using (torch.NewDisposeScope())
        using (torch.no_grad())
        {
            Tensor z = samples.detach();
            Tensor flat = z.flatten();
            Tensor invalid = flat.isfinite().logical_not();
            string requirement = "must be finite";
            if (!invalid.any().item<bool>())
            {
                if (distribution is IFiniteDistribution finite)
                {
                    Tensor values = torch.tensor(finite.SupportValues.ToArray(), dtype: z.dtype, device: z.device);
                    invalid = flat.unsqueeze(-1).eq(values).any(-1).logical_not();
                    requirement = "must be one of the support values {" + string.Join(", ", finite.SupportValues.Select(Format)) + "}";
                }
                else if (distribution is IFactorialCumulantDistribution)
                {
                    invalid = flat.lt(Scalars.Of(0)).logical_or(flat.ne(flat.floor()));
                    requirement = "must be a count (a non-negative integer)";
                }
                if (!invalid.any().item<bool>() && distribution is IScoredDistribution scored && scored.LogDensity(z) is { } logDensity)
                {
                    Tensor density = logDensity.detach().flatten();
                    if (density.numel() == flat.numel())
                    {
                        invalid = density.isnan().logical_or(density.eq(Scalars.Of(double.NegativeInfinity)));
                        requirement = "must lie in the support (where the log density is finite)";
                    }
                }
            }
            Tensor bad = invalid.nonzero();
            if (bad.shape[0] > 0)
            {
                long index = bad[0, 0].item<long>();
                double value = flat[index].to_type(ScalarType.Float64).item<double>();
                message = $"{estimator}: the samples {requirement} for {distribution.Name}; got {Format(value)} at index {IndexText(index, z.shape)} ({bad.shape[0]} of {flat.numel()} entries).";
            }
        }
        if (message is not null)
        {
            throw new ArgumentOutOfRangeException(nameof(samples), message);
        }
    }

    /// <summary>
    /// Throws when a per-sample gradient is NaN or ±∞ where f was finite: the estimator's own formulas overflowed at
    /// these parameters. The message names the parameter, its range of values and the other estimators to try.
    /// </summary>
    public static void RequireFiniteGradients(IDistribution distribution, IReadOnlyList<Tensor> perSample, string estimator)
    {
        string? message = null;
        using (torch.NewDisposeScope())
        using (torch.no_grad())
        {
            for (int p = 0; p < perSample.Count && message is null; p++)
            {
                Tensor gradient = perSample[p].detach();
                if (AllFinite(gradient))
                {
                    continue;
                }
                long sampleCount = gradient.shape[0];
                long count = gradient.isfinite().logical_not().reshape(sampleCount, -1).any(1).sum().item<long>();
                message = $"{estimator} cannot serve {distribution.Name} at these parameters: the per-sample gradient of parameter '{distribution.ParameterNames[p]}' "
                    + $"is not finite at {count} of {sampleCount} samples although f is finite there ({ParameterText(distribution)}). {Alternatives(distribution, estimator)}";
            }
        }
        if (message is not null)
        {
            throw new ArgumentOutOfRangeException("distribution", message);
        }
    }

    /// <summary>
    /// Whether every entry is finite: first by the sum alone (NaN and ±∞ propagate into it; one pass, no tensor of
    /// flags), then, only when the sum is not finite (a NaN, or finite values whose sum overflows), entry by entry.
    /// </summary>
    private static bool AllFinite(Tensor values)
    {
        if (!values.is_floating_point() || values.numel() == 0)
        {
            return true;
        }
        using Tensor total = values.sum(ScalarType.Float64);
        return double.IsFinite(total.item<double>()) || values.isfinite().all().item<bool>();
    }

    /// <summary>The smallest positive normal number of a floating dtype (float16's, bfloat16's and float32's own; float64's otherwise).</summary>
    public static double SmallestNormal(ScalarType dtype) => dtype switch
    {
        ScalarType.Float16 => 6.103515625E-05,
        ScalarType.BFloat16 or ScalarType.Float32 => 1.1754943508222875E-38,
        _ => 2.2250738585072014E-308,
    };

    /// <summary>
    /// The parameter magnitudes the score-function estimator serves, by dtype: the generated score formulas hold powers
    /// of the parameters up to the third ((z − μ)²/σ³), which over- or underflow beyond 1e±100 in float64 and 1e±12 in
    /// float32 (σ = 1e-200 gave NaN, σ = 1e150 gave dσ = −1e150 against +2e150). Zero is always served.
    /// </summary>
    public static (double Smallest, double Largest) ScoreMagnitudes(ScalarType dtype) =>
        dtype == ScalarType.Float64 ? (1e-100, 1e100) : dtype is ScalarType.Float32 ? (1e-12, 1e12) : (1e-3, 1e3);

    /// <summary>
    /// Throws where the score function would return a wrong number without a NaN to show it: for a finite distribution, a
    /// zero entry of the probability table (p = 0 or 1, a zero category: the score never sees that value and misses its
    /// contribution); otherwise a parameter magnitude outside <see cref="ScoreMagnitudes"/>, or samples that underflowed
    /// to within 2⁵² of the smallest normal (libtorch clamps Gamma draws of tiny shape there, so log z is wrong).
    /// </summary>
    public static void RequireScoreDomain(IScoredDistribution distribution, Tensor z)
    {
        string? message = null;
        using (torch.NewDisposeScope())
        using (torch.no_grad())
        {
            if (distribution is IFiniteDistribution finite)
            {
                Tensor table = finite.Probabilities(finite.Parameters.Select(p => p.detach()).ToArray()).detach();
                Tensor zero = table.eq(Scalars.Of(0)).nonzero();
                if (zero.shape[0] > 0)
                {
                    long[] at = Enumerable.Range(0, (int)zero.shape[1]).Select(a => zero[0, a].item<long>()).ToArray();
                    double value = finite.SupportValues[(int)at[^1]];
                    message = $"score-function cannot serve {distribution.Name} where a value has probability 0: p(z = {Format(value)}) = 0 at coordinate [{string.Join(", ", at[..^1])}] ({ParameterText(distribution)}). "
                        + "The score function never draws that value, so its estimate misses f's change there (a gradient of 0 against a true ±(f(1) − f(0))); at 0 and 1 the distribution is degenerate. "
                        + Alternatives(distribution, "score-function");
                }
            }
            else
            {
                for (int p = 0; p < distribution.Parameters.Count && message is null; p++)
                {
                    Tensor parameter = distribution.Parameters[p].detach();
                    (double smallest, double largest) = ScoreMagnitudes(parameter.dtype);
                    Tensor magnitude = parameter.abs().to_type(ScalarType.Float64).flatten();
                    Tensor outside = magnitude.gt(Scalars.Of(0)).logical_and(magnitude.lt(Scalars.Of(smallest)).logical_or(magnitude.gt(Scalars.Of(largest)))).nonzero();
                    if (outside.shape[0] > 0)
                    {
                        double value = parameter.flatten()[outside[0, 0].item<long>()].to_type(ScalarType.Float64).item<double>();
                        message = $"score-function cannot serve {distribution.Name}: parameter '{distribution.ParameterNames[p]}' = {Format(value)} lies outside the magnitudes [{Format(smallest)}, {Format(largest)}] "
                            + $"its score formulas represent in {parameter.dtype} (their powers of the parameter overflow or cancel). " + Alternatives(distribution, "score-function");
                    }
                }
                if (message is null && z.is_floating_point())
                {
                    using Scalar floor = (SmallestNormal(z.dtype) * Math.Pow(2, z.dtype == ScalarType.Float64 ? 52 : 23)).ToScalar(); // held for the call: see Scalars
                    Tensor magnitude = z.detach().abs();
                    long underflowed = magnitude.gt(Scalars.Of(0)).logical_and(magnitude.lt(floor)).sum().item<long>();
                    if (underflowed > 0)
                    {
                        message = $"score-function cannot serve {distribution.Name} at these parameters ({ParameterText(distribution)}): {underflowed} of {z.numel()} samples lie below {Format(floor.ToDouble())}, "
                            + $"where the sampler underflows (libtorch clamps a Gamma draw of small shape to the smallest normal {z.dtype}), so log z and the score there are wrong. "
                            + Alternatives(distribution, "score-function");
                    }
                }
            }
        }
        if (message is not null)
        {
            throw new ArgumentOutOfRangeException("distribution", message);
        }
    }

    /// <summary>"parameter = value" (or "= min..max") for every parameter, for messages.</summary>
    public static string ParameterText(IDistribution distribution)
    {
        using (torch.NewDisposeScope())
        using (torch.no_grad())
        {
            return string.Join(", ", distribution.Parameters.Select((t, p) =>
            {
                Tensor values = t.detach().to_type(ScalarType.Float64);
                double min = values.min().item<double>(), max = values.max().item<double>();
                return distribution.ParameterNames[p] + " = " + (min == max ? Format(min) : Format(min) + ".." + Format(max));
            }));
        }
    }

    /// <summary>"The other estimators for X: a, b." from the catalog.</summary>
    public static string Alternatives(IDistribution distribution, string estimator)
    {
        string[] others = EstimatorCatalog.For(distribution).Select(e => e.Name).Where(n => !estimator.StartsWith(n + "(", StringComparison.Ordinal) && n != estimator).Distinct().ToArray();
        return others.Length == 0 ? "No other estimator applies to it." : $"Other estimators for {distribution.Name}: {string.Join(", ", others)}.";
    }

    /// <summary>Round-trip invariant text of a double.</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string IndexText(long flat, long[] shape)
    {
        var index = new long[shape.Length];
        for (int axis = shape.Length - 1; axis >= 0; axis--)
        {
            index[axis] = flat % shape[axis];
            flat /= shape[axis];
        }
        return "[" + string.Join(", ", index) + "]";
    }
}
