using System;
using System.Linq;
using MathNet.Numerics;
using StochasticBackprop.Runtime.Tests.Support;
using StochasticBackprop.Runtime.Tests.TestDistributions;
using StochasticBackprop.Samples.Distributions;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.FormulaFunctions;

/// <summary>
/// Generated members of distributions that need the newer formula functions and series rules: the log-gamma
/// (lgamma of an expression in w), the uniform by its characteristic function (a removable 0/0 at w = 0), a Beta
/// normalized by lbeta (the erf score is checked in the generator's tests: a composite with a parameter in its formula does not compile yet). Truths are closed forms or quadrature of the density,
/// computed independently of the generated code; the Fourier estimator's unbiasedness is checked to 4 standard
/// errors at a fixed seed, and a distribution with wrong cumulants is shown to fail the same check.
/// </summary>
public sealed class FormulaFunctionTests
{
    private readonly ITestOutputHelper output;

    public FormulaFunctionTests(ITestOutputHelper output) => this.output = output;

    /// <summary>Checks to 4 SE and writes the measurement (mean, SE, truth) to the test output.</summary>
    private void Unbiased(Tensor perSample, double[] truth, string label)
    {
        (double[] mean, double[] standardError) = StatisticalAssert.MeanAndStandardError(perSample);
        for (int j = 0; j < truth.Length; j++)
        {
            output.WriteLine($"{label}[{j}]: mean {mean[j]:G6}, SE {standardError[j]:G3}, truth {truth[j]:G6}, z = {(mean[j] - truth[j]) / standardError[j]:F2}");
        }

        StatisticalAssert.WithinStandardErrors(perSample, truth, label);
    }

    private const double K = 1.7;
    private const long SampleCount = 400_000;

    /// <summary>E f and ∂E f/∂k for the log-gamma by the trapezoid rule over [−45, 5], step 1e-3 (the density is below e^−70 outside).</summary>
    private static (double Mean, double Gradient) LogGammaQuadrature(Func<double, double> f, double k)
    {
        const double low = -45, high = 5, step = 1e-3;
        double logNormalizer = SpecialFunctions.GammaLn(k), digamma = SpecialFunctions.DiGamma(k);
        double mean = 0, gradient = 0;
        int count = (int)Math.Round((high - low) / step);
        for (int j = 0; j <= count; j++)
        {
            double z = low + j * step, weight = j == 0 || j == count ? step / 2 : step;
            double density = Math.Exp(k * z - Math.Exp(z) - logNormalizer);
            mean += weight * f(z) * density;
            // ∂p/∂k = (z − ψ(k))·p: the score, from the density itself.
            gradient += weight * f(z) * (z - digamma) * density;
        }

        return (mean, gradient);
    }

    private static Tensor Scalar(double value) => torch.tensor(value, dtype: ScalarType.Float64);

    private static Objective Cube() => Objective.Separable(z => z * z * z);

    [Fact]
    public void LogGamma_Cumulants_MatchQuadratureMoments()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var logGamma = new LogGamma(Scalar(K));
        double m = LogGammaQuadrature(z => z, K).Mean;
        double[] expected =
        {
            m,
            LogGammaQuadrature(z => (z - m) * (z - m), K).Mean,
            LogGammaQuadrature(z => Math.Pow(z - m, 3), K).Mean,
        };
        for (int n = 1; n <= 3; n++)
        {
            double actual = logGamma.Cumulant(n).item<double>();
            Assert.True(Math.Abs(actual - expected[n - 1]) <= 1e-9 * Math.Max(1, Math.Abs(expected[n - 1])), $"κ{n}: generated {actual}, quadrature {expected[n - 1]}");
        }

        // κ1 = ψ(k), independently of both.
        Assert.Equal(SpecialFunctions.DiGamma(K), logGamma.Cumulant(1).item<double>(), 12);
    }

    [Fact]
    public void LogGamma_FourierAndPathwise_AreUnbiased_AndShiftedCumulantsAreCaught()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        double truth = LogGammaQuadrature(z => z * z * z, K).Gradient;

        // f = z³ is a cubic: the order-4 Fourier series is exact, so the estimator is unbiased.
        GradientEstimate fourier = Estimators.Fourier(new LogGamma(Scalar(K)), Cube(), SampleCount, 4, new Generator(20261203, torch.CPU));
        Unbiased(fourier.PerSampleGradient("k").unsqueeze(1), new[] { truth }, "log-gamma Fourier ∂k E z³");

        GradientEstimate pathwise = Estimators.Pathwise(new LogGamma(Scalar(K)), Cube(), SampleCount, new Generator(20261204, torch.CPU));
        Unbiased(pathwise.PerSampleGradient("k").unsqueeze(1), new[] { truth }, "log-gamma pathwise ∂k E z³");

        // Same samples, cumulants one polygamma order too high: the same check fails.
        GradientEstimate wrong = Estimators.Fourier(new LogGammaWithShiftedCumulants(Scalar(K)), Cube(), SampleCount, 4, new Generator(20261203, torch.CPU));
        StatisticalAssert.FailsAgainst(wrong.PerSampleGradient("k").unsqueeze(1), new[] { truth }, "Fourier with shifted cumulants");
    }

    [Fact]
    public void UniformByCharacteristicFunction_CumulantsAreExact()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        const double a = -0.5, b = 1.3;
        var uniform = new UniformByCharacteristicFunction(Scalar(a), Scalar(b));
        double[] expected = { (a + b) / 2, Math.Pow(b - a, 2) / 12, 0, -Math.Pow(b - a, 4) / 120, 0, Math.Pow(b - a, 6) / 252 };
        for (int n = 1; n <= expected.Length; n++)
        {
            Assert.Equal(expected[n - 1], uniform.Cumulant(n).item<double>(), 13);
        }

        Assert.True(uniform.CumulantVanishes(3));
        Assert.False(uniform.CumulantVanishes(4));
    }

    [Fact]
    public void UniformByCharacteristicFunction_Fourier_IsUnbiased_AndAWrongTruthIsCaught()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        const double a = -0.5, b = 1.3;
        // E z³ = (a³ + a²b + ab² + b³)/4.
        double[] truth = { (3 * a * a + 2 * a * b + b * b) / 4, (a * a + 2 * a * b + 3 * b * b) / 4 };
        GradientEstimate fourier = Estimators.Fourier(new UniformByCharacteristicFunction(Scalar(a), Scalar(b)), Cube(), SampleCount, 4, new Generator(20261205, torch.CPU));
        Tensor perSample = torch.stack(new[] { fourier.PerSampleGradient("a"), fourier.PerSampleGradient("b") }, 1);
        Unbiased(perSample, truth, "uniform Fourier ∂ E z³");
        // The gradient of the uniform's E z² in place of E z³: the same check tells them apart.
        StatisticalAssert.FailsAgainst(perSample, new[] { (2 * a + b) / 3, (a + 2 * b) / 3 }, "uniform Fourier against E z²'s gradient");
    }

    [Fact]
    public void BetaByLbeta_Score_IsTheClosedForm()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        const double a = 2.5, b = 0.7;
        double[] z = { 0.05, 0.4, 0.93 };
        var beta = new BetaByLbeta(Scalar(a), Scalar(b));
        var score = beta.Score(torch.tensor(z, dtype: ScalarType.Float64));
        double[] da = score[0].data<double>().ToArray(), db = score[1].data<double>().ToArray();
        for (int j = 0; j < z.Length; j++)
        {
            Assert.Equal(Math.Log(z[j]) - SpecialFunctions.DiGamma(a) + SpecialFunctions.DiGamma(a + b), da[j], 12);
            Assert.Equal(Math.Log(1 - z[j]) - SpecialFunctions.DiGamma(b) + SpecialFunctions.DiGamma(a + b), db[j], 12);
        }
    }

    [Fact]
    public void HyperbolicSecant_CumulantsAreTangentNumbers_AndFourierPathwiseScoreAreUnbiased()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        const double mu = 0.4, sigma = 0.8;
        var secant = new HyperbolicSecant(Scalar(mu), Scalar(sigma));
        double[] expected = { mu, sigma * sigma, 0, 2 * Math.Pow(sigma, 4), 0, 16 * Math.Pow(sigma, 6) };
        for (int n = 1; n <= expected.Length; n++)
        {
            Assert.Equal(expected[n - 1], secant.Cumulant(n).item<double>(), 13);
        }

        // E z³ = mu³ + 3·mu·sigma²: ∂mu = 3mu² + 3sigma², ∂sigma = 6·mu·sigma.
        double[] truth = { 3 * mu * mu + 3 * sigma * sigma, 6 * mu * sigma };
        Tensor Both(GradientEstimate e) => torch.stack(new[] { e.PerSampleGradient("mu"), e.PerSampleGradient("sigma") }, 1);
        Unbiased(Both(Estimators.Fourier(secant, Cube(), SampleCount, 4, new Generator(20261208, torch.CPU))), truth, "hyperbolic secant Fourier ∂ E z³");
        // The pathwise map goes through tan and the inverse CDF; the score through the stable log density.
        Unbiased(Both(Estimators.Pathwise(secant, Cube(), SampleCount, new Generator(20261209, torch.CPU))), truth, "hyperbolic secant pathwise ∂ E z³");
        Unbiased(Both(Estimators.ScoreFunction(secant, Cube(), SampleCount, Baseline.LeaveOneOut, new Generator(20261210, torch.CPU))), truth, "hyperbolic secant score function ∂ E z³");
        StatisticalAssert.FailsAgainst(Both(Estimators.Pathwise(secant, Cube(), SampleCount, new Generator(20261209, torch.CPU))), new[] { 3 * mu * mu + 3 * sigma * sigma, 0.0 }, "hyperbolic secant pathwise against a wrong ∂sigma");
    }
}
