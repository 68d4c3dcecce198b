using System;
using System.ComponentModel;
using System.Globalization;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>
/// Domain checks generated constructors run on each parameter tensor. A violation throws an
/// <see cref="ArgumentOutOfRangeException"/> whose message names the distribution, the parameter
/// and the first offending value with its index, e.g.
/// <c>Normal: parameter 'sigma' must be positive, got -0.5 at index [3]</c>.
/// For generated code: public so that the code the generator writes can call it, hidden from IntelliSense.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ParameterCheck
{
    /// <summary>Checks that every element is finite (no NaN, no ±∞). Returns <paramref name="value"/>.</summary>
    public static Tensor Real(string distribution, string parameter, Tensor value) => Check(distribution, parameter, value, ParameterDomain.Real);

    /// <summary>Checks that every element is finite and strictly positive. Returns <paramref name="value"/>.</summary>
    public static Tensor Positive(string distribution, string parameter, Tensor value) => Check(distribution, parameter, value, ParameterDomain.Positive);

    /// <summary>Checks that every element is finite and zero or positive. Returns <paramref name="value"/>.</summary>
    public static Tensor NonNegative(string distribution, string parameter, Tensor value) => Check(distribution, parameter, value, ParameterDomain.NonNegative);

    /// <summary>Checks that every element lies in the closed interval [0, 1]. Returns <paramref name="value"/>.</summary>
    public static Tensor UnitInterval(string distribution, string parameter, Tensor value) => Check(distribution, parameter, value, ParameterDomain.UnitInterval);

    /// <summary>
    /// Checks that every element lies in [0, 1] and that each vector along the last axis sums to 1
    /// (within 1e-6: the sum is 1, so absolute and relative tolerance coincide); a bad sum is reported at the index of the vector. Returns <paramref name="value"/>.
    /// </summary>
    public static Tensor Simplex(string distribution, string parameter, Tensor value)
    {
        EventAxis(distribution, parameter, value);
        UnitInterval(distribution, parameter, value);
        string? message = null;
        using (torch.NewDisposeScope())
        using (torch.no_grad())
        {
            Tensor sums = value.detach().to_type(ScalarType.Float64).sum(new long[] { -1 });
            Tensor bad = sums.sub(Scalars.Of(1.0)).abs().gt(Scalars.Of(1e-6)).flatten().nonzero();
            if (bad.shape[0] > 0)
            {
                long flat = bad[0, 0].item<long>();
                double offending = sums.flatten()[flat].item<double>();
                message = distribution + ": parameter '" + parameter + "' must sum to 1 over its last axis, got "
                    + offending.ToString("R", CultureInfo.InvariantCulture) + IndexText(flat, sums.shape);
            }
        }
        if (message is not null)
        {
            throw new ArgumentOutOfRangeException(parameter, message);
        }
        return value;
    }

    /// <summary>
    /// Checks that a parameter declared with <c>EventRank = 1</c> has an event axis (its last axis: the categories or the
    /// vector's entries) of at least one entry: without one, a Dirichlet normalises across the sample axis instead.
    /// Returns <paramref name="value"/>.
    /// </summary>
    public static Tensor EventAxis(string distribution, string parameter, Tensor value)
    {
        Usable(distribution, parameter, value);
        if (value.dim() < 1)
        {
            throw new ArgumentOutOfRangeException(parameter, distribution + ": parameter '" + parameter + "' must have an event axis (its last axis: the categories); got a scalar");
        }
        if (value.shape[^1] < 1)
        {
            throw new ArgumentOutOfRangeException(parameter, distribution + ": parameter '" + parameter + "' must have at least one entry on its event axis (its last axis); got shape " + Shapes.Format(value.shape));
        }
        return value;
    }

    /// <summary>Throws unless <paramref name="value"/> is a live floating-point tensor: a disposed or integer tensor would fail later inside libtorch without the parameter's name.</summary>
    private static void Usable(string distribution, string parameter, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value, parameter);
        if (value.IsInvalid)
        {
            throw new ArgumentException(distribution + ": parameter '" + parameter + "' is a disposed tensor", parameter);
        }
        TorchBackend.EnsureAvailable();
        if (!value.is_floating_point())
        {
            throw new ArgumentException(distribution + ": parameter '" + parameter + "' must be a floating-point tensor (float16, bfloat16, float32 or float64), got " + value.dtype, parameter);
        }
    }

    /// <summary>
    /// A <c>[Constraint]</c>: every element of <paramref name="value"/> (the condition's formula at the parameters, in
    /// their broadcast shape) lies in <paramref name="domain"/>; otherwise an <see cref="ArgumentOutOfRangeException"/>
    /// for <paramref name="parameter"/> (the first parameter the condition names) that quotes the condition.
    /// </summary>
    public static void Condition(string distribution, string condition, string parameter, Tensor value, ParameterDomain domain)
    {
        ArgumentNullException.ThrowIfNull(value);
        (string requirement, Func<Tensor, Tensor> valid) = Requirement(domain);
        Find(distribution + ": " + condition + " " + requirement + " (declared by [Constraint])", parameter, value, valid);
    }

    /// <summary>What an elementwise domain asks, in words and as a predicate on the values.</summary>
    private static (string Text, Func<Tensor, Tensor> Valid) Requirement(ParameterDomain domain) => domain switch
    {
        ParameterDomain.Real => ("must be finite", v => v.isfinite()),
        ParameterDomain.Positive => ("must be positive", v => v.isfinite().logical_and(v.gt(Scalars.Of(0)))),
        ParameterDomain.NonNegative => ("must be non-negative", v => v.isfinite().logical_and(v.ge(Scalars.Of(0)))),
        ParameterDomain.UnitInterval => ("must lie in [0, 1]", v => v.ge(Scalars.Of(0)).logical_and(v.le(Scalars.Of(1)))),
        _ => throw new ArgumentOutOfRangeException(nameof(domain), domain, "An elementwise check's domain is Real, Positive, NonNegative or UnitInterval."),
    };

    private static Tensor Check(string distribution, string parameter, Tensor value, ParameterDomain domain)
    {
        Usable(distribution, parameter, value);
        (string requirement, Func<Tensor, Tensor> valid) = Requirement(domain);
        Find(distribution + ": parameter '" + parameter + "' " + requirement, parameter, value, valid);
        return value;
    }

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> for <paramref name="parameter"/>, "<paramref name="what"/>, got v at index […]", at the first element that is not valid.</summary>
    private static void Find(string what, string parameter, Tensor value, Func<Tensor, Tensor> valid)
    {
        string? message = null;
        using (torch.NewDisposeScope())
        using (torch.no_grad())
        {
            Tensor values = value.detach().flatten();
            Tensor invalid = valid(values).logical_not().nonzero();
            if (invalid.shape[0] > 0)
            {
                long flat = invalid[0, 0].item<long>();
                double offending = values[flat].to_type(ScalarType.Float64).item<double>();
                message = what + ", got " + offending.ToString("R", CultureInfo.InvariantCulture) + IndexText(flat, value.shape);
            }
        }
        if (message is not null)
        {
            throw new ArgumentOutOfRangeException(parameter, message);
        }
    }

    private static string IndexText(long flat, long[] shape)
    {
        if (shape.Length == 0)
        {
            return "";
        }
        var index = new long[shape.Length];
        for (int axis = shape.Length - 1; axis >= 0; axis--)
        {
            index[axis] = flat % shape[axis];
            flat /= shape[axis];
        }
        return " at index [" + string.Join(", ", index.Select(i => i.ToString(CultureInfo.InvariantCulture))) + "]";
    }
}
