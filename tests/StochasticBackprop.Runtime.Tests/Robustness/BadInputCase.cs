using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Robustness;

/// <summary>How a bad-input case came out, in the terms (issue 14).</summary>
public enum BadInputOutcome
{
    /// <summary>The documented result: a number within k standard errors of the truth, or the documented exception with its words.</summary>
    AsDocumented,

    /// <summary>A number came back that is NaN, ±∞ or wrong (outside k standard errors), or a number where an error was documented.</summary>
    Silent,

    /// <summary>An exception came back that is not the documented kind or does not say what the documentation says (raw libtorch text, NullReference…).</summary>
    Unclear,
}

/// <summary>
/// One bad or extreme input: an action that returns numbers (each with its standard error) or throws, and what it must
/// do. A case expecting a value passes when every number is finite and within <see cref="K"/> standard errors of its
/// truth (a floor of 1e-9 relative when the standard error is 0); a case expecting an error passes when the exception
/// is of the documented type (or derived from it) and its message contains every given word (ignoring case).
/// </summary>
public sealed class BadInputCase
{
    /// <summary>The z-test threshold of docs/ARCHITECTURE.md#testing.</summary>
    public const double K = 4.0;

    private BadInputCase(string name, Func<(double Value, double StandardError)[]> run, double[]? truths, Type? error, string[] words)
    {
        Name = name;
        Run = run;
        Truths = truths;
        Error = error;
        Words = words;
    }

    public string Name { get; }

    public Func<(double Value, double StandardError)[]> Run { get; }

    /// <summary>The closed-form truths, one per number; null for a case that must throw. NaN: any finite number passes (a biased estimator).</summary>
    public double[]? Truths { get; }

    public Type? Error { get; }

    public string[] Words { get; }

    public static BadInputCase Value(string name, double[] truths, Func<(double, double)[]> run) => new(name, run, truths, null, Array.Empty<string>());

    /// <summary>Any finite numbers (biased estimators at an edge: they must not give NaN).</summary>
    public static BadInputCase Finite(string name, int count, Func<(double, double)[]> run) => new(name, run, Enumerable.Repeat(double.NaN, count).ToArray(), null, Array.Empty<string>());

    public static BadInputCase Throws<TException>(string name, Action run, params string[] words) where TException : Exception =>
        new(name, () => { run(); return Array.Empty<(double, double)>(); }, null, typeof(TException), words);

    /// <summary>Runs the case in its own dispose scope and classifies the outcome; <paramref name="detail"/> says what happened.</summary>
    public BadInputOutcome Classify(out string detail)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        (double Value, double StandardError)[] numbers;
        try
        {
            numbers = Run();
        }
        catch (Exception exception)
        {
            detail = exception.GetType().Name + ": " + exception.Message;
            if (Error is null)
            {
                return BadInputOutcome.Unclear;
            }
            bool kind = Error.IsInstanceOfType(exception);
            bool says = Words.All(w => exception.Message.Contains(w, StringComparison.OrdinalIgnoreCase));
            return kind && says ? BadInputOutcome.AsDocumented : BadInputOutcome.Unclear;
        }
        detail = string.Join(", ", numbers.Select(n => $"{n.Value:G6} ± {n.StandardError:G3}"));
        if (Truths is null)
        {
            return BadInputOutcome.Silent;
        }
        if (numbers.Length != Truths.Length)
        {
            detail += $" (expected {Truths.Length} numbers)";
            return BadInputOutcome.Silent;
        }
        for (int i = 0; i < numbers.Length; i++)
        {
            (double value, double standardError) = numbers[i];
            if (!double.IsFinite(value))
            {
                return BadInputOutcome.Silent;
            }
            double truth = Truths[i];
            if (double.IsNaN(truth))
            {
                continue;
            }
            double tolerance = Math.Max(K * standardError, 1e-9 * Math.Max(1, Math.Abs(truth)));
            if (!(Math.Abs(value - truth) <= tolerance))
            {
                detail += $" (truth {truth:G6})";
                return BadInputOutcome.Silent;
            }
        }
        return BadInputOutcome.AsDocumented;
    }

    public override string ToString() => Name;

    /// <summary>The mean and standard error of every coordinate of each per-sample gradient of <paramref name="estimate"/>, in parameter order.</summary>
    public static (double, double)[] MeansOf(GradientEstimate estimate)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        return estimate.PerSampleGradients.SelectMany(g => MeanAndError(g)).ToArray();
    }

    /// <summary>Mean and standard error of each coordinate of a per-sample tensor <c>[S, ...]</c>.</summary>
    public static (double, double)[] MeanAndError(Tensor perSample)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        long sampleCount = perSample.shape[0];
        Tensor flat = perSample.detach().to_type(ScalarType.Float64).reshape(sampleCount, -1);
        double[] mean = flat.mean(new long[] { 0 }).data<double>().ToArray();
        using Scalar count = sampleCount.ToScalar(); // held for the call: see Scalars
        double[] error = sampleCount > 1 ? (flat.var(new long[] { 0 }) / count).sqrt().data<double>().ToArray() : new double[mean.Length];
        return mean.Select((m, j) => (m, error[j])).ToArray();
    }
}
