using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Distributions;

/// <summary>
/// The inverse Gaussian (Wald) distribution with mean mu and shape lambda: density
/// √(λ/(2πz³))·exp(−λ(z − μ)²/(2μ²z)) on z &gt; 0, log φ(w) = (λ/μ)(1 − √(1 − 2iμ²w/λ)), cumulants κ1 = μ, κ2 = μ³/λ,
/// κ3 = 3μ⁵/λ², κ4 = 15μ⁷/λ³. It has no convenient pathwise map, so its sampler is written here in C#
/// (<see cref="Draw"/>, the transformation with multiple roots of Michael, Schucany and Haas 1976), and its gradients
/// come from the estimators that need none: the score function (from the log density) and the Fourier series (from φ).
/// </summary>
[Distribution]
[Parameter("mu", ParameterDomain.Positive)]
[Parameter("lambda", ParameterDomain.Positive)]
[LogCharacteristicFunction("lambda/mu*(1 - sqrt(1 - 2*i*mu^2*w/lambda))")]
[LogDensity("0.5*log(lambda/(2*pi)) - 1.5*log(z) - lambda*(z - mu)^2/(2*mu^2*z)")]
public sealed partial class InverseGaussian
{
    /// <summary>
    /// Michael, Schucany and Haas (1976): with ν standard normal, x = μ + μ²ν²/(2λ) − (μ/(2λ))·√(4μλν² + μ²ν⁴) is the
    /// smaller root of λ(x − μ)²/(μ²x) = ν²; z = x with probability μ/(μ + x), else the other root μ²/x. The root is
    /// computed as x = 4λμ/(s + √(s² + 4λ))² with s = √μ·|ν|, which is the same number without the cancellation of the
    /// textbook form when μν² is large.
    /// </summary>
    private partial Tensor Draw(long sampleCount, Generator? generator)
    {
        long[] shape = [sampleCount, .. BatchShape];
        Tensor mu = Mu.detach(), lambda = Lambda.detach();
        Tensor nu = randn(shape, dtype: mu.dtype, device: mu.device, generator: generator);
        Tensor s = mu.sqrt() * nu.abs();
        Tensor fourLambda = lambda * Scalars.Of(4);
        Tensor denominator = s.add((s * s).add(fourLambda, Scalars.One).sqrt(), Scalars.One);
        Tensor x = fourLambda * mu / (denominator * denominator);
        Tensor u = rand(shape, dtype: mu.dtype, device: mu.device, generator: generator);
        // Accept x when u ≤ μ/(μ + x), i.e. u·(μ + x) ≤ μ.
        return where(u * mu.add(x, Scalars.One) <= mu, x, mu * mu / x);
    }
}
