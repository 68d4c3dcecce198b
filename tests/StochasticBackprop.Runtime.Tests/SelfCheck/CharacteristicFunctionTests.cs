using System;
using System.Linq;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using SampleDistributions = StochasticBackprop.Samples.Distributions;
using StandardDistributions = StochasticBackprop.Distributions;

namespace StochasticBackprop.Runtime.Tests.SelfCheck;

/// <summary>The generated <see cref="ICharacteristicFunction"/> against closed forms written out in real arithmetic.</summary>
public sealed class CharacteristicFunctionTests
{
    private static Tensor V(params double[] values) => torch.tensor(values, ScalarType.Float64);

    private static (double[] Real, double[] Imaginary) Evaluate(ICharacteristicFunction distribution, Tensor w)
    {
        Tensor phi = distribution.CharacteristicFunction(w);
        Assert.Equal(ScalarType.ComplexFloat64, phi.dtype);
        return (phi.real.contiguous().flatten().data<double>().ToArray(), phi.imag.contiguous().flatten().data<double>().ToArray());
    }

    [Fact]
    public void Normal_MatchesExpOfIMuWMinusHalfSigmaSquaredWSquared_Broadcasting()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        double[] mu = { 0.3, -1.2, 2.0 }, sigma = { 1.5, 0.4, 1.0 }, w = { -0.7, 0.0, 2.5 };
        var normal = new StandardDistributions.Normal(V(mu), V(sigma));
        Tensor phi = normal.CharacteristicFunction(V(w).reshape(3, 1));
        Assert.Equal(new long[] { 3, 3 }, phi.shape);
        (double[] re, double[] im) = Evaluate(normal, V(w).reshape(3, 1));
        for (int j = 0; j < 3; j++)
        {
            for (int c = 0; c < 3; c++)
            {
                double magnitude = Math.Exp(-sigma[c] * sigma[c] * w[j] * w[j] / 2);
                Assert.Equal(magnitude * Math.Cos(mu[c] * w[j]), re[j * 3 + c], 14);
                Assert.Equal(magnitude * Math.Sin(mu[c] * w[j]), im[j * 3 + c], 14);
            }
        }
    }

    [Fact]
    public void Gamma_MatchesModulusAndArgumentForm()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        // (1 − iθw)^(−k) = (1 + θ²w²)^(−k/2) · e^{i k atan(θw)}.
        const double k = 2.5, theta = 0.8;
        double[] w = { -3.0, 0.5, 1.7 };
        (double[] re, double[] im) = Evaluate(new StandardDistributions.Gamma(V(k), V(theta)), V(w));
        for (int j = 0; j < w.Length; j++)
        {
            double modulus = Math.Pow(1 + theta * theta * w[j] * w[j], -k / 2), argument = k * Math.Atan(theta * w[j]);
            Assert.Equal(modulus * Math.Cos(argument), re[j], 14);
            Assert.Equal(modulus * Math.Sin(argument), im[j], 14);
        }
    }

    [Fact]
    public void Poisson_FromTheLogCharacteristicFunction_And_Laplace_AndBernoulli()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        double[] w = { -1.1, 0.4, 2.0 };
        const double rate = 3.5, mu = 0.5, b = 0.7, p = 0.3;
        (double[] re, double[] im) = Evaluate(new StandardDistributions.Poisson(V(rate)), V(w));
        (double[] laplaceRe, double[] laplaceIm) = Evaluate(new StandardDistributions.Laplace(V(mu), V(b)), V(w));
        (double[] bernoulliRe, double[] bernoulliIm) = Evaluate(new StandardDistributions.Bernoulli(V(p)), V(w));
        for (int j = 0; j < w.Length; j++)
        {
            // exp(λ(e^{iw} − 1)) = e^{λ(cos w − 1)} (cos(λ sin w) + i sin(λ sin w)).
            double magnitude = Math.Exp(rate * (Math.Cos(w[j]) - 1));
            Assert.Equal(magnitude * Math.Cos(rate * Math.Sin(w[j])), re[j], 14);
            Assert.Equal(magnitude * Math.Sin(rate * Math.Sin(w[j])), im[j], 14);
            double laplace = 1 / (1 + b * b * w[j] * w[j]);
            Assert.Equal(laplace * Math.Cos(mu * w[j]), laplaceRe[j], 14);
            Assert.Equal(laplace * Math.Sin(mu * w[j]), laplaceIm[j], 14);
            Assert.Equal(1 - p + p * Math.Cos(w[j]), bernoulliRe[j], 14);
            Assert.Equal(p * Math.Sin(w[j]), bernoulliIm[j], 14);
        }
    }

    [Fact]
    public void CharacteristicFunction_IsGenerated_ForDeclarationsWithOne_Only()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Assert.IsAssignableFrom<ICharacteristicFunction>(new SampleDistributions.Dirac(V(1)));
        Assert.IsAssignableFrom<ICharacteristicFunction>(new StandardDistributions.Exponential(V(1)));
        // No φ declared (a composite, a categorical, the GBM price): the type does not implement the interface.
        Assert.False(typeof(ICharacteristicFunction).IsAssignableFrom(typeof(StandardDistributions.Beta)));
        Assert.False(typeof(ICharacteristicFunction).IsAssignableFrom(typeof(StandardDistributions.Categorical)));
        Assert.False(typeof(ICharacteristicFunction).IsAssignableFrom(typeof(SampleDistributions.GbmTerminalPrice)));
    }

    [Fact]
    public void BadFrequencies_AreRefusedNamingW()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var gamma = new StandardDistributions.Gamma(V(2), V(1));
        ArgumentException nan = Assert.Throws<ArgumentException>(() => gamma.CharacteristicFunction(V(1, double.NaN)));
        Assert.Equal("w", nan.ParamName);
        Assert.Contains("w = NaN at flat index 1", nan.Message);
        Assert.Equal("w", Assert.Throws<ArgumentException>(() => gamma.CharacteristicFunction(torch.tensor(new long[] { 1 }))).ParamName);
    }
}
