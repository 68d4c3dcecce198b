using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Runtime.Tests.Support;
using StochasticBackprop.Runtime.Tests.TestDistributions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.TorchMembers;

/// <summary>
/// Compositions whose map names the composite's own parameters. The Student-t as mu + sigma·x/√g (x ~ N(0, 1),
/// g ~ Gamma(nu/2, 2/nu)): the pathwise gradient of E f through mu, sigma and the Gamma's implicit gradient in nu,
/// against autograd on a quadrature of f times the closed-form t density (4 SE, fixed seed), and a wrong scale of g
/// failing the same test. z = mu + x, x ~ Gamma(k, 1): the direct term ∂z/∂mu = 1 checked exactly per sample, in
/// the pathwise and in the Fourier estimator, whose own-parameter term is shown to be needed.
/// </summary>
public sealed class CompositeOwnParameterTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const long Samples = 40_000;

    /// <summary>f(z) = exp(−(z − 0.5)²/2): bounded, smooth, and it damps the t's heavy tails for the quadrature.</summary>
    private static Tensor Bump(Tensor z)
    {
        Tensor d = z - Scalars.Of(0.5);
        return (d * d * Scalars.Of(-0.5)).exp();
    }

    /// <summary>E f and its gradient in (mu, sigma, nu): the midpoint rule on [−30, 30] (f·p below 1e-190 outside) of f times the t density, by autograd.</summary>
    private static (double Value, double[] Gradient) StudentTExpectation(double mu, double sigma, double nu)
    {
        using var scope = NewDisposeScope();
        Tensor m = tensor(mu, float64).requires_grad_(), s = tensor(sigma, float64).requires_grad_(), n = tensor(nu, float64).requires_grad_();
        const long points = 600_000;
        const double from = -30, to = 30, h = (to - from) / points;
        Tensor z = arange(points, dtype: float64) * Scalars.Of(h) + Scalars.Of(from + h / 2);
        Tensor u = (z - m) / s;
        Tensor half = n * Scalars.Of(0.5);
        Tensor halfPlus = (n + Scalars.Of(1.0)) * Scalars.Of(0.5);
        Tensor logDensity = halfPlus.lgamma() - half.lgamma() - (n * Scalars.Of(Math.PI)).log() * Scalars.Of(0.5) - s.log()
            - halfPlus * (u * u / n).log1p();
        Tensor expectation = (Bump(z) * logDensity.exp()).sum() * Scalars.Of(h);
        Tensor[] gradient = autograd.grad(new[] { expectation }, new[] { m, s, n }).ToArray();
        return (expectation.item<double>(), gradient.Select(g => g.item<double>()).ToArray());
    }

    [Fact]
    public void StudentT_AsACompositionInItsOwnParameters_PathwiseIsUnbiased_AndAWrongScaleFails()
    {
        using var scope = NewDisposeScope();
        const double mu = 0.3, sigma = 1.2, nu = 4.0;
        (double value, double[] truth) = StudentTExpectation(mu, sigma, nu);
        Objective f = Objective.Separable(Bump);

        var t = new StudentT(tensor(new[] { mu }, float64), tensor(new[] { sigma }, float64), tensor(new[] { nu }, float64));
        Assert.True(t.MapDependsOnParameters);
        GradientEstimate estimate = Estimators.Pathwise(t, f, Samples, new Generator(20261203));
        StatisticalAssert.WithinStandardErrors(estimate.Values.unsqueeze(-1), new[] { value }, "Student-t E f");
        for (int p = 0; p < 3; p++)
        {
            (double[] mean, double[] standardError) = StatisticalAssert.MeanAndStandardError(estimate.PerSampleGradients[p]);
            output.WriteLine($"∂E f/∂{estimate.ParameterNames[p]}: quadrature {truth[p]:F6}, pathwise {mean[0]:F6} ± {standardError[0]:F6} (S = {Samples})");
            StatisticalAssert.WithinStandardErrors(estimate.PerSampleGradients[p], new[] { truth[p] }, $"Student-t pathwise ∂/∂{estimate.ParameterNames[p]}");
        }

        // The same composition with g ~ Gamma(nu/2, 1/nu) (half the scale): a t scaled by √2, caught by the same test.
        var wrong = new StudentTWrongScale(tensor(new[] { mu }, float64), tensor(new[] { sigma }, float64), tensor(new[] { nu }, float64));
        GradientEstimate wrongEstimate = Estimators.Pathwise(wrong, f, Samples, new Generator(20261203));
        output.WriteLine("wrong scale: z = " + string.Join(", ", StatisticalAssert.StandardizedErrors(torch.cat(wrongEstimate.PerSampleGradients.Select(g => g.reshape(Samples, 1)).ToArray(), 1), truth).Select(z => z.ToString("F1"))));
        StatisticalAssert.FailsAgainst(torch.cat(wrongEstimate.PerSampleGradients.Select(g => g.reshape(Samples, 1)).ToArray(), 1), truth, "g with half the scale");
    }

    [Fact]
    public void StudentT_LogProbAndSamples_AreTheTDistribution()
    {
        using var scope = NewDisposeScope();
        const double mu = 0.3, sigma = 1.2, nu = 4.0;
        var t = new StudentT(tensor(new[] { mu }, float64), tensor(new[] { sigma }, float64), tensor(new[] { nu }, float64));
        // ∫ p = 1 by quadrature of the generated LogProb; the samples' mean mu and mean absolute deviation
        // E|z − mu| = 2σ√ν Γ((ν+1)/2)/(√π Γ(ν/2)(ν − 1)) within 4 SE (the variance's own SE would need E z⁴, infinite at ν = 4).
        using (var inner = NewDisposeScope())
        {
            const long points = 2_000_000;
            const double from = -2000, to = 2000, h = (to - from) / points;
            Tensor z = arange(points, dtype: float64) * Scalars.Of(h) + Scalars.Of(from + h / 2);
            double mass = t.LogProb(z.unsqueeze(-1)).exp().sum().item<double>() * h;
            Assert.True(Math.Abs(mass - 1) < 1e-6, $"∫ p = {mass:R}");
        }
        Tensor draws = t.Sample(Samples, new Generator(11)).reshape(Samples, 1);
        StatisticalAssert.WithinStandardErrors(draws, new[] { mu }, "Student-t mean");
        double lg(double x) => tensor(x, float64).lgamma().item<double>();
        double meanAbsolute = 2 * sigma * Math.Sqrt(nu) * Math.Exp(lg((nu + 1) / 2) - lg(nu / 2)) / (Math.Sqrt(Math.PI) * (nu - 1));
        StatisticalAssert.WithinStandardErrors((draws - Scalars.Of(mu)).abs(), new[] { meanAbsolute }, "Student-t E|z − mu|");
    }

    [Fact]
    public void ShiftedGamma_OwnParameterShift_HasExactlyUnitGradient_InPathwiseAndFourier()
    {
        using var scope = NewDisposeScope();
        double[] mu = { 0.5, -1.0 }, k = { 2.0, 3.0 };
        var shifted = new ShiftedGamma(tensor(mu, float64), tensor(k, float64));
        Objective identity = Objective.Separable(z => z * Scalars.Of(1.0));

        // f(z) = z: ∂z/∂mu = 1 for every sample; the Fourier series through the Gamma is exact at N = 1 (κ1 = k, ∂κ1/∂k = 1).
        GradientEstimate pathwise = Estimators.Pathwise(shifted, identity, 2_000, new Generator(3));
        GradientEstimate fourier = Estimators.Fourier((IComposedDistribution)shifted, identity, 2_000, 1, new Generator(3));
        Assert.True(pathwise.PerSampleGradient("mu").eq(Scalars.Of(1.0)).all().item<bool>(), "pathwise ∂/∂mu is 1 for every sample");
        Assert.True(fourier.PerSampleGradient("mu").eq(Scalars.Of(1.0)).all().item<bool>(), "Fourier ∂/∂mu is 1 for every sample");
        Assert.True(fourier.PerSampleGradient("k").eq(Scalars.Of(1.0)).all().item<bool>(), "Fourier ∂/∂k is 1 for every sample");
        Assert.True((shifted.Sample(2_000, new Generator(4)) - tensor(mu, float64)).gt(Scalars.Of(0.0)).all().item<bool>(), "z > mu");

        // f(z) = z²: E z² = k + (mu + k)², so ∂/∂mu = 2(mu + k) and ∂/∂k = 1 + 2(mu + k); Fourier at N = 2 is exact in expectation.
        Objective square = Objective.Separable(z => z * z);
        double[] byMu = mu.Select((m, j) => 2 * (m + k[j])).ToArray();
        double[] byK = mu.Select((m, j) => 1 + 2 * (m + k[j])).ToArray();
        GradientEstimate fourier2 = Estimators.Fourier((IComposedDistribution)shifted, square, Samples, 2, new Generator(5));
        GradientEstimate pathwise2 = Estimators.Pathwise(shifted, square, Samples, new Generator(5));
        StatisticalAssert.WithinStandardErrors(fourier2.PerSampleGradient("mu"), byMu, "Fourier ∂/∂mu of z²");
        StatisticalAssert.WithinStandardErrors(fourier2.PerSampleGradient("k"), byK, "Fourier ∂/∂k of z²");
        StatisticalAssert.WithinStandardErrors(pathwise2.PerSampleGradient("mu"), byMu, "pathwise ∂/∂mu of z²");
        StatisticalAssert.WithinStandardErrors(pathwise2.PerSampleGradient("k"), byK, "pathwise ∂/∂k of z²");
    }

    [Fact]
    public void AffineComposite_HasMeanAndVarianceFromItsBlocks_NonlinearOneHasNone()
    {
        using var scope = NewDisposeScope();
        Tensor mu = tensor(new[] { 0.5, -1.0 }, float64).requires_grad_(), k = tensor(new[] { 2.0, 3.0 }, float64).requires_grad_();
        var shifted = new ShiftedGamma(mu, k);
        // z = mu + x, x ~ Gamma(k, 1): E z = mu + k, Var z = k.
        Assert.Equal(new[] { 2.5, 2.0 }, shifted.Mean.detach().data<double>().ToArray());
        Assert.Equal(new[] { 2.0, 3.0 }, shifted.Variance.detach().data<double>().ToArray());
        shifted.Mean.sum().backward();
        Assert.Equal(new[] { 1.0, 1.0 }, mu.grad!.data<double>().ToArray());
        Assert.Equal(new[] { 1.0, 1.0 }, k.grad!.data<double>().ToArray());

        IDistribution t = new StudentT(tensor(new[] { 0.3 }, float64), tensor(new[] { 1.2 }, float64), tensor(new[] { 4.0 }, float64));
        Assert.False(t is IHasMean or IHasVariance);
    }

    [Fact]
    public void ShiftedGamma_FourierWithoutTheOwnParameterTerm_MissesTheShift()
    {
        using var scope = NewDisposeScope();
        var shifted = new ShiftedGamma(tensor(new[] { 0.5 }, float64), tensor(new[] { 2.0 }, float64));
        Objective identity = Objective.Separable(z => z * Scalars.Of(1.0));
        // The same composite with MapDependsOnParameters left at the interface's default (false): the series through the
        // Gamma alone gives ∂/∂mu = 0, not 1.
        GradientEstimate blind = Estimators.Fourier(new BlindToParameters(shifted), identity, 2_000, 1, new Generator(3));
        StatisticalAssert.FailsAgainst(blind.PerSampleGradient("mu"), new[] { 1.0 }, "Fourier without the own-parameter term");
        Assert.True(blind.PerSampleGradient("mu").eq(Scalars.Of(0.0)).all().item<bool>());
    }

    /// <summary>A composite forwarding everything but <see cref="IComposedDistribution.MapDependsOnParameters"/> (left false).</summary>
    private sealed class BlindToParameters(IComposedDistribution inner) : IComposedDistribution
    {
        public string Name => inner.Name;

        public IReadOnlyList<string> ParameterNames => inner.ParameterNames;

        public IReadOnlyList<Tensor> Parameters => inner.Parameters;

        public long[] BatchShape => inner.BatchShape;

        public bool IsImplicit => inner.IsImplicit;

        public int FourierOrder => inner.FourierOrder;

        public IReadOnlyList<string> ComponentNames => inner.ComponentNames;

        public Tensor Sample(long sampleCount, Generator? generator = null) => inner.Sample(sampleCount, generator);

        public Tensor Reparameterize(IReadOnlyList<Tensor> parameters, long sampleCount, Generator? generator = null) => inner.Reparameterize(parameters, sampleCount, generator);

        public IReadOnlyList<IDistribution> Components(IReadOnlyList<Tensor> parameters) => inner.Components(parameters);

        public Tensor Compose(IReadOnlyList<Tensor> components) => inner.Compose(components);
    }
}
