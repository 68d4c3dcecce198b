using System;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.UserSampling;

/// <summary>The inverse Gaussian with the sampler's second step left out: z = x, the smaller root, always. Wrong on purpose.</summary>
[Distribution]
[Parameter("mu", ParameterDomain.Positive)]
[Parameter("lambda", ParameterDomain.Positive)]
[LogCharacteristicFunction("lambda/mu*(1 - sqrt(1 - 2*i*mu^2*w/lambda))")]
[LogDensity("0.5*log(lambda/(2*pi)) - 1.5*log(z) - lambda*(z - mu)^2/(2*mu^2*z)")]
public sealed partial class InverseGaussianWithoutReflection
{
    private partial Tensor Draw(long sampleCount, Generator? generator)
    {
        long[] shape = [sampleCount, .. BatchShape];
        Tensor mu = Mu.detach(), lambda = Lambda.detach();
        Tensor s = mu.sqrt() * randn(shape, dtype: mu.dtype, device: mu.device, generator: generator).abs();
        Tensor fourLambda = lambda * Scalars.Of(4);
        Tensor denominator = s.add((s * s).add(fourLambda, Scalars.One).sqrt(), Scalars.One);
        return fourLambda * mu / (denominator * denominator);
    }
}

/// <summary>
/// A user sampler that misbehaves in the way <see cref="Mode"/> says (for the checks of generated Sample): a normal
/// N(mu, 1) with a log density, whose Draw can return the wrong shape, dtype, NaN or infinity. Non-partial, so the
/// generator calls it as written.
/// </summary>
[Distribution]
[Parameter("mu")]
[LogDensity("-(z - mu)^2/2 - 0.5*log(2*pi)")]
public sealed partial class MisbehavingSampler
{
    /// <summary>What Draw gets wrong: "shape", "dtype", "nan", "inf", or anything else for nothing.</summary>
    public static string Mode { get; set; } = "";

    /// <summary>How often Draw ran.</summary>
    public static int Calls { get; set; }

    internal Tensor Draw(long sampleCount, Generator? generator)
    {
        Calls++;
        long[] shape = [sampleCount, .. BatchShape];
        Tensor z = randn(shape, dtype: Mu.dtype, generator: generator).add(Mu.detach(), Scalars.One);
        return Mode switch
        {
            "shape" => z.reshape(-1).narrow(0, 0, sampleCount),
            "dtype" => z.to_type(ScalarType.Float32),
            "nan" => z / torch.zeros_like(z) * torch.zeros_like(z),
            "inf" => z / torch.zeros_like(z),
            _ => z,
        };
    }
}

/// <summary>The logistic distribution declared by its pathwise map alone (no density, score or φ): the pathwise estimator only.</summary>
[Distribution]
[Parameter("mu")]
[Parameter("s", ParameterDomain.Positive)]
[Reparameterization("mu + s*log(eps/(1 - eps))", Noise = NoiseKind.StandardUniform)]
public sealed partial class LogisticByMapOnly
{
}
