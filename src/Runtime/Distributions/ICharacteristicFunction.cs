using System;
using System.ComponentModel;
using System.Linq;
using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>
/// A distribution whose characteristic function φ_θ(w) = E_θ[exp(i w z)] was declared
/// (<c>[CharacteristicFunction]</c> or <c>[LogCharacteristicFunction]</c>), available at run time. Generated for every
/// declaration with elementwise parameters whose φ uses only functions with a complex form (exp, log, log1p, sqrt, abs,
/// sigmoid, softplus, powers). The self-check (<see cref="Checking.SelfCheck"/>) compares it with the sampler and the log density.
/// </summary>
public interface ICharacteristicFunction : IDistribution
{
    /// <summary>φ_θ(w) per coordinate at the distribution's own parameters.</summary>
    /// <param name="w">Real frequencies (floating point, finite); broadcasts against <see cref="IDistribution.BatchShape"/>.</param>
    /// <returns>A <c>complex128</c> tensor of the broadcast shape of <see cref="IDistribution.BatchShape"/> and <paramref name="w"/>, without gradient.</returns>
    Tensor CharacteristicFunction(Tensor w);
}

/// <summary>
/// Evaluates a generated characteristic function: per coordinate, in <see cref="Complex"/> double precision on the CPU. A
/// complex TorchSharp expression would make a temporary Scalar for every number in the formula (see <see cref="Scalars"/>),
/// and φ is a check of the declaration, not a step of an estimator, so host arithmetic is both safe and fast enough.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class CharacteristicFunctionEvaluator
{
    /// <summary>φ at every coordinate of the broadcast of the parameters and <paramref name="w"/>.</summary>
    /// <param name="distribution">The distribution whose parameters are read (detached, as float64).</param>
    /// <param name="w">The frequencies.</param>
    /// <param name="characteristicFunction">φ from the parameter values (declaration order) and one frequency.</param>
    /// <exception cref="ArgumentException"><paramref name="w"/> is not a finite floating-point tensor.</exception>
    public static Tensor Evaluate(IDistribution distribution, Tensor w, Func<double[], double, Complex> characteristicFunction)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(characteristicFunction);
        if (w.IsInvalid)
        {
            throw new ArgumentException("The frequency tensor has been disposed.", nameof(w));
        }
        if (!torch.is_floating_point(w))
        {
            throw new ArgumentException($"The frequencies must be a real floating-point tensor, not {w.dtype}.", nameof(w));
        }
        using var scope = torch.NewDisposeScope();
        long[] shape = Shapes.BroadcastShapes(distribution.BatchShape, w.shape);
        double[] frequencies = HostValues(w, shape);
        int bad = Array.FindIndex(frequencies, f => !double.IsFinite(f));
        if (bad >= 0)
        {
            throw new ArgumentException($"The frequencies must be finite; w = {frequencies[bad]} at flat index {bad}.", nameof(w));
        }
        double[][] parameters = distribution.Parameters.Select(p => HostValues(p, shape)).ToArray();
        var real = new double[frequencies.Length];
        var imaginary = new double[frequencies.Length];
        var values = new double[parameters.Length];
        for (int n = 0; n < frequencies.Length; n++)
        {
            for (int p = 0; p < parameters.Length; p++)
            {
                values[p] = parameters[p][n];
            }
            Complex phi = characteristicFunction(values, frequencies[n]);
            real[n] = phi.Real;
            imaginary[n] = phi.Imaginary;
        }
        Tensor result = torch.complex(torch.tensor(real, shape, ScalarType.Float64), torch.tensor(imaginary, shape, ScalarType.Float64));
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// a^b, exact for real integer exponents (repeated multiplication: <see cref="Complex.Pow(Complex, Complex)"/> goes through
    /// the logarithm, which leaves an imaginary part of about 1e-16 on (−w)² and is undefined at 0).
    /// </summary>
    public static Complex Power(Complex a, Complex b)
    {
        if (b.Imaginary == 0 && b.Real == Math.Floor(b.Real) && Math.Abs(b.Real) <= 64)
        {
            int n = (int)Math.Abs(b.Real);
            Complex result = Complex.One;
            for (int k = 0; k < n; k++)
            {
                result *= a;
            }
            return b.Real < 0 ? Complex.One / result : result;
        }
        return Complex.Pow(a, b);
    }

    /// <summary>log(1 + x).</summary>
    public static Complex Log1p(Complex x) => x.Imaginary == 0 && x.Real > -1 ? new Complex(Kernel.Log1p(x.Real), 0) : Complex.Log(Complex.One + x);

    /// <summary>|x| for a real argument (the formula language's abs is real).</summary>
    public static Complex Abs(Complex x) => x.Imaginary == 0 ? new Complex(Math.Abs(x.Real), 0) : new Complex(Complex.Abs(x), 0);

    /// <summary>1/(1 + e^{−x}).</summary>
    public static Complex Sigmoid(Complex x) => Complex.One / (Complex.One + Complex.Exp(-x));

    /// <summary>log(1 + e^{x}).</summary>
    public static Complex Softplus(Complex x) => Complex.Log(Complex.One + Complex.Exp(x));

    private static double[] HostValues(Tensor tensor, long[] shape) =>
        tensor.detach().to(ScalarType.Float64, torch.CPU).expand(shape).contiguous().flatten().data<double>().ToArray();
}
