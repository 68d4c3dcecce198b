using System;
using System.Linq;
using StochasticBackprop.Runtime.Tests.Support;
using StochasticBackprop.Runtime.Tests.TestDistributions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.TorchMembers;

/// <summary>
/// The torch.distributions-style members of generated distributions against exact truths: LogProb against the
/// closed-form densities, Mean and Variance against the closed-form moments, Entropy against −∫ p log p by
/// quadrature (or enumeration, or Monte Carlo within 4 SE for the Dirichlet), Cdf against ∫ p by quadrature or a
/// sum of probabilities; Sample without and RSample with a graph; bad arguments refused naming <c>value</c>.
/// Deterministic comparisons in float64: 1e-9 relative unless the quadrature's own error is larger (stated).
/// </summary>
public sealed class TorchMemberTests
{
    private const double Exact = 1e-9;

    /// <summary>Midpoint-rule quadrature: error O(h²) for a smooth integrand, and the endpoints are never evaluated.</summary>
    private static double Integrate(Func<Tensor, Tensor> integrand, double from, double to, long points = 400_000)
    {
        using var scope = NewDisposeScope();
        double h = (to - from) / points;
        Tensor grid = arange(points, dtype: float64) * Scalars.Of(h) + Scalars.Of(from + h / 2);
        return integrand(grid).sum().item<double>() * h;
    }

    /// <summary>−∫ p log p by quadrature over [from, to], from the generated LogProb of a scalar-batch distribution.</summary>
    private static double QuadratureEntropy(IHasLogProb d, double from, double to)
        => Integrate(z =>
        {
            Tensor logp = d.LogProb(z.unsqueeze(-1)).squeeze(-1);
            return -(logp.exp() * logp);
        }, from, to);

    private static double Value(Tensor t) => t.detach().reshape(-1)[0].item<double>();

    private static double[] Values(Tensor t) => t.detach().to_type(ScalarType.Float64).reshape(-1).data<double>().ToArray();

    private static void Close(double expected, double actual, double relative, string label)
        => Assert.True(Math.Abs(expected - actual) <= relative * (1 + Math.Abs(expected)), $"{label}: expected {expected:R}, got {actual:R}");

    // ---- LogProb -----------------------------------------------------------------------------------------------

    [Fact]
    public void Normal_LogProb_IsTheClosedFormDensity_BroadcastAgainstTheBatch()
    {
        using var scope = NewDisposeScope();
        double[] mu = { 0.3, -1.0 }, sigma = { 1.5, 0.7 };
        var normal = new EntropyNormal(tensor(mu, float64), tensor(sigma, float64));
        double[,] x = { { 0.1, 2.0 }, { -0.5, 0.4 } };
        Tensor logp = normal.LogProb(tensor(x, float64));

        Assert.Equal(new long[] { 2, 2 }, logp.shape);
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 2; j++)
            {
                double u = (x[i, j] - mu[j]) / sigma[j];
                Close(-u * u / 2 - Math.Log(sigma[j]) - Math.Log(2 * Math.PI) / 2, logp[i, j].item<double>(), Exact, $"log N({x[i, j]})");
            }
        }
        // A scalar value broadcasts up to the batch shape, as torch's log_prob does.
        Assert.Equal(new long[] { 2 }, normal.LogProb(tensor(0.5, float64)).shape);
    }

    [Fact]
    public void Gamma_Beta_Poisson_LogProb_AreTheClosedFormDensities()
    {
        using var scope = NewDisposeScope();
        var gamma = new EntropyGamma(tensor(new[] { 2.5 }, float64), tensor(new[] { 0.9 }, float64));
        double g = 1.7;
        Close((2.5 - 1) * Math.Log(g) - g / 0.9 - LogGamma(2.5) - 2.5 * Math.Log(0.9), Value(gamma.LogProb(tensor(new[] { g }, float64))), Exact, "log Gamma");

        var beta = new EntropyBeta(tensor(new[] { 2.5 }, float64), tensor(new[] { 3.5 }, float64));
        double b = 0.3;
        Close(1.5 * Math.Log(b) + 2.5 * Math.Log(1 - b) + LogGamma(6.0) - LogGamma(2.5) - LogGamma(3.5), Value(beta.LogProb(tensor(new[] { b }, float64))), Exact, "log Beta");

        var poisson = new MomentsPoisson(tensor(new[] { 2.0 }, float64));
        double[] logp = Values(poisson.LogProb(tensor(new[] { 0.0, 3.0, 1.5, -1.0 }, float64).unsqueeze(-1)));
        Close(-2.0, logp[0], Exact, "log Poisson(0)");
        Close(3 * Math.Log(2.0) - 2.0 - Math.Log(6.0), logp[1], Exact, "log Poisson(3)");
        Assert.Equal(double.NegativeInfinity, logp[2]);
        Assert.Equal(double.NegativeInfinity, logp[3]);
    }

    [Fact]
    public void Categorical_And_Dirichlet_LogProb_GiveOneValuePerEvent()
    {
        using var scope = NewDisposeScope();
        double[,] probs = { { 0.2, 0.5, 0.3 }, { 0.6, 0.1, 0.3 } };
        var categorical = new EntropyCategorical(tensor(probs, float64));
        double[] logp = Values(categorical.LogProb(tensor(new[] { 1.0, 2.0 }, float64)));
        Close(Math.Log(0.5), logp[0], Exact, "log p(1)");
        Close(Math.Log(0.3), logp[1], Exact, "log p(2)");

        double[] alpha = { 2.0, 3.0, 4.0 }, x = { 0.2, 0.3, 0.5 };
        var dirichlet = new EntropyDirichlet(tensor(alpha, float64));
        Tensor value = dirichlet.LogProb(tensor(x, float64));
        Assert.Equal(Array.Empty<long>(), value.shape);   // the event axis is reduced away
        double expected = alpha.Select((a, j) => (a - 1) * Math.Log(x[j])).Sum() + LogGamma(alpha.Sum()) - alpha.Sum(LogGamma);
        Close(expected, value.item<double>(), Exact, "log Dirichlet");

        var wrongEvent = Assert.Throws<ArgumentException>(() => dirichlet.LogProb(tensor(new[] { 0.5, 0.5 }, float64)));
        Assert.Equal("value", wrongEvent.ParamName);
        Assert.Contains("event axis of size 3", wrongEvent.Message);
    }

    [Fact]
    public void LogProb_OfAValueThatDoesNotBroadcast_IsRefusedNamingValue()
    {
        using var scope = NewDisposeScope();
        var normal = new EntropyNormal(tensor(new[] { 0.0, 1.0, 2.0 }, float64), tensor(1.0, float64));
        var error = Assert.Throws<ArgumentException>(() => normal.LogProb(tensor(new[] { 0.0, 1.0 }, float64)));
        Assert.Equal("value", error.ParamName);
        Assert.Contains("EntropyNormal.LogProb", error.Message);
        Assert.Contains("[2]", error.Message);
        Assert.Contains("[3]", error.Message);
    }

    // ---- Mean and Variance -------------------------------------------------------------------------------------

    [Fact]
    public void Mean_And_Variance_AreTheClosedFormMoments_AndDifferentiable()
    {
        using var scope = NewDisposeScope();
        var normal = new EntropyNormal(tensor(new[] { 0.3, -1.0 }, float64), tensor(new[] { 1.5, 0.7 }, float64));
        Assert.Equal(new[] { 0.3, -1.0 }, Values(normal.Mean));
        Assert.Equal(new[] { 2.25, 0.49 }, Values(normal.Variance).Select(v => Math.Round(v, 12)));

        Tensor k = tensor(new[] { 2.5, 0.8 }, float64).requires_grad_(), theta = tensor(new[] { 0.9, 1.3 }, float64).requires_grad_();
        var gamma = new EntropyGamma(k, theta);
        double[] mean = Values(gamma.Mean), variance = Values(gamma.Variance);
        Close(2.5 * 0.9, mean[0], Exact, "Gamma mean");
        Close(0.8 * 1.3 * 1.3, variance[1], Exact, "Gamma variance");
        gamma.Mean.sum().backward();
        Close(0.9, Values(k.grad!)[0], Exact, "∂ mean/∂k = theta");
        Close(0.8, Values(theta.grad!)[1], Exact, "∂ mean/∂theta = k");

        var poisson = new MomentsPoisson(tensor(new[] { 2.0, 0.5 }, float64));
        Assert.Equal(new[] { 2.0, 0.5 }, Values(poisson.Mean));
        Assert.Equal(new[] { 2.0, 0.5 }, Values(poisson.Variance));   // ζ2 + ζ1 = 0 + rate

        var exponential = new CdfExponential(tensor(new[] { 4.0 }, float64));
        Close(0.25, Value(exponential.Mean), Exact, "Exponential mean");
        Close(1.0 / 16, Value(exponential.Variance), Exact, "Exponential variance");
    }

    [Fact]
    public void MembersTheDeclarationCannotGive_AreAbsent()
    {
        using var scope = NewDisposeScope();
        IDistribution categorical = new EntropyCategorical(tensor(new[] { 0.2, 0.8 }, float64));
        IDistribution beta = new EntropyBeta(tensor(new[] { 2.0 }, float64), tensor(new[] { 3.0 }, float64));
        Assert.True(categorical is IHasLogProb and IHasEntropy);
        Assert.False(categorical is IHasMean or IHasVariance or IHasCdf or IReparameterizedDistribution);
        Assert.False(beta is IHasMean or IHasCdf);
        Assert.True(new CdfGeometric(tensor(0.3, float64)) is IHasCdf and not IHasEntropy and not IHasMean);
        Assert.Null(typeof(EntropyCategorical).GetMethod("RSample"));
        Assert.Null(typeof(EntropyBeta).GetProperty("Mean"));
    }

    // ---- Entropy -----------------------------------------------------------------------------------------------

    [Fact]
    public void Entropy_MatchesMinusTheIntegralOfPLogP_ForContinuousDistributions()
    {
        using var scope = NewDisposeScope();
        // Quadrature error (midpoint, 400 000 points, tails beyond the range below 1e-12): 1e-7 relative.
        const double quadrature = 1e-7;
        var normal = new EntropyNormal(tensor(new[] { 0.3 }, float64), tensor(new[] { 1.5 }, float64));
        Close(QuadratureEntropy(normal, -20, 20), Value(normal.Entropy()), quadrature, "Normal");
        var gamma = new EntropyGamma(tensor(new[] { 2.5 }, float64), tensor(new[] { 0.9 }, float64));
        Close(QuadratureEntropy(gamma, 0, 60), Value(gamma.Entropy()), quadrature, "Gamma");
        var beta = new EntropyBeta(tensor(new[] { 2.5 }, float64), tensor(new[] { 3.5 }, float64));
        Close(QuadratureEntropy(beta, 0, 1), Value(beta.Entropy()), quadrature, "Beta");
        var exponential = new CdfExponential(tensor(new[] { 1.7 }, float64));
        Close(QuadratureEntropy(exponential, 0, 40), Value(exponential.Entropy()), quadrature, "Exponential");
        var logistic = new CdfLogistic(tensor(new[] { 0.4 }, float64), tensor(new[] { 0.8 }, float64));
        Close(QuadratureEntropy(logistic, -40, 40), Value(logistic.Entropy()), quadrature, "Logistic");
    }

    [Fact]
    public void Entropy_WithATypo_FailsTheSameQuadratureCheck()
    {
        using var scope = NewDisposeScope();
        // log(pi) written for log(2*pi): off by log(2)/2 ≈ 0.35, far outside the check's 1e-7.
        var wrong = new WrongEntropyNormal(tensor(new[] { 0.3 }, float64), tensor(new[] { 1.5 }, float64));
        double truth = QuadratureEntropy(wrong, -20, 20);
        Assert.False(Math.Abs(truth - Value(wrong.Entropy())) <= 1e-7 * (1 + Math.Abs(truth)), "the typo must fail the entropy check");
        Close(Math.Log(2) / 2, truth - Value(wrong.Entropy()), 1e-7, "the typo's size");
    }

    [Fact]
    public void Entropy_ByEnumeration_ForTheCategorical_AndByMonteCarlo_ForTheDirichlet()
    {
        using var scope = NewDisposeScope();
        double[,] probs = { { 0.2, 0.5, 0.3 }, { 0.6, 0.1, 0.3 } };
        var categorical = new EntropyCategorical(tensor(probs, float64));
        double[] entropy = Values(categorical.Entropy());
        Assert.Equal(2, entropy.Length);
        for (int b = 0; b < 2; b++)
        {
            double truth = -Enumerable.Range(0, 3).Sum(k => probs[b, k] * Math.Log(probs[b, k]));
            Close(truth, entropy[b], Exact, $"categorical {b}");
        }

        // −E log p(z) over 200 000 draws, within 4 SE.
        var dirichlet = new EntropyDirichlet(tensor(new[] { 2.0, 3.0, 4.0 }, float64));
        Tensor draws = dirichlet.Sample(200_000, new Generator(20261203));
        Tensor minusLogP = -dirichlet.LogProb(draws);
        Assert.Equal(new long[] { 200_000 }, minusLogP.shape);
        StatisticalAssert.WithinStandardErrors(minusLogP.unsqueeze(-1), new[] { dirichlet.Entropy().item<double>() }, "Dirichlet entropy");
    }

    [Fact]
    public void Entropy_GradientComesFromAutograd()
    {
        using var scope = NewDisposeScope();
        Tensor sigma = tensor(new[] { 1.5, 0.4 }, float64).requires_grad_();
        var normal = new EntropyNormal(tensor(new[] { 0.0, 1.0 }, float64), sigma);
        normal.Entropy().sum().backward();
        double[] gradient = Values(sigma.grad!);
        Close(1 / 1.5, gradient[0], Exact, "∂H/∂sigma");
        Close(1 / 0.4, gradient[1], Exact, "∂H/∂sigma");
    }

    // ---- Cdf ---------------------------------------------------------------------------------------------------

    [Fact]
    public void Cdf_MatchesTheIntegralOfTheDensity_AndItsGradientInTheValueIsTheDensity()
    {
        using var scope = NewDisposeScope();
        var exponential = new CdfExponential(tensor(new[] { 1.7 }, float64));
        var logistic = new CdfLogistic(tensor(new[] { 0.4 }, float64), tensor(new[] { 0.8 }, float64));
        foreach (double x in new[] { 0.2, 1.0, 2.5 })
        {
            double exponentialMass = Integrate(z => exponential.LogProb(z.unsqueeze(-1)).squeeze(-1).exp(), 0, x, 100_000);
            Close(exponentialMass, Value(exponential.Cdf(tensor(new[] { x }, float64))), 1e-8, $"Exponential F({x})");
            double logisticMass = Integrate(z => logistic.LogProb(z.unsqueeze(-1)).squeeze(-1).exp(), -60, x, 400_000);
            Close(logisticMass, Value(logistic.Cdf(tensor(new[] { x }, float64))), 1e-8, $"Logistic F({x})");
        }

        Tensor value = tensor(new[] { 0.9 }, float64).requires_grad_();
        logistic.Cdf(value).sum().backward();
        Close(Math.Exp(Value(logistic.LogProb(tensor(new[] { 0.9 }, float64)))), Values(value.grad!)[0], Exact, "dF/dz = p");
    }

    [Fact]
    public void Cdf_OnTheCounts_IsTheSumOfTheProbabilities_AndRefusesValuesOffTheSupport()
    {
        using var scope = NewDisposeScope();
        var geometric = new CdfGeometric(tensor(new[] { 0.3 }, float64));
        for (int k = 0; k <= 5; k++)
        {
            double mass = Enumerable.Range(0, k + 1).Sum(j => Math.Exp(Value(geometric.LogProb(tensor(new[] { (double)j }, float64)))));
            Close(mass, Value(geometric.Cdf(tensor(new[] { (double)k }, float64))), Exact, $"F({k})");
        }
        foreach (double bad in new[] { 2.5, -1.0, double.NaN })
        {
            var error = Assert.Throws<ArgumentException>(() => geometric.Cdf(tensor(new[] { 1.0, bad }, float64)));
            Assert.Equal("value", error.ParamName);
            Assert.Contains("entry 1", error.Message);
        }
        var nan = Assert.Throws<ArgumentException>(() => new CdfExponential(tensor(1.0, float64)).Cdf(tensor(double.NaN, float64)));
        Assert.Equal("value", nan.ParamName);
        var shape = Assert.Throws<ArgumentException>(() => new CdfExponential(tensor(new[] { 1.0, 2.0, 3.0 }, float64)).Cdf(tensor(new[] { 1.0, 2.0 }, float64)));
        Assert.Equal("value", shape.ParamName);
    }

    // ---- Sample and RSample ------------------------------------------------------------------------------------

    [Fact]
    public void Sample_HasTheTorchShapeAndNoGraph_RSampleKeepsTheGraphToTheParameters()
    {
        using var scope = NewDisposeScope();
        Tensor mu = tensor(new[] { 0.3, -1.0, 2.0 }, float64).requires_grad_(), sigma = tensor(new[] { 1.5, 0.7, 0.2 }, float64).requires_grad_();
        var normal = new EntropyNormal(mu, sigma);

        Tensor sampled = normal.Sample(2, 4);
        Assert.Equal(new long[] { 2, 4, 3 }, sampled.shape);
        Assert.False(sampled.requires_grad);
        Assert.Equal(new long[] { 3 }, normal.Sample().shape);
        Assert.Equal(new long[] { 5, 3 }, ((IDistribution)normal).Sample(new long[] { 5 }).shape);
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => normal.Sample(2, 0));
        Assert.Equal("sampleShape", zero.ParamName);

        const long count = 1000;
        Tensor z = normal.RSample(count, new Generator(7));
        Assert.Equal(new long[] { count, 3 }, z.shape);
        Assert.True(z.requires_grad);
        z.sum().backward();
        // d/dmu Σ_i (mu + sigma·eps_i) = S exactly; d/dsigma = Σ_i eps_i = Σ_i (z_i − mu)/sigma.
        Assert.Equal(new[] { 1000.0, 1000.0, 1000.0 }, Values(mu.grad!));
        double[] expectedSigma = Values(((z.detach() - mu.detach()) / sigma.detach()).sum(new long[] { 0 }));
        double[] sigmaGradient = Values(sigma.grad!);
        for (int j = 0; j < 3; j++)
        {
            Close(expectedSigma[j], sigmaGradient[j], Exact, $"∂/∂sigma[{j}]");
        }

        // A composite's RSample goes through its building blocks' pathwise maps (implicit for the Gammas).
        Tensor a = tensor(new[] { 2.0 }, float64).requires_grad_();
        Tensor betaDraw = new EntropyBeta(a, tensor(new[] { 3.0 }, float64)).RSample(10, new Generator(8));
        Assert.True(betaDraw.requires_grad);
        betaDraw.sum().backward();
        Assert.True(Values(a.grad!)[0] != 0);
    }

    /// <summary>log Γ(x), from libtorch's lgamma (the closed forms' own, independent of the generated code).</summary>
    private static double LogGamma(double x)
    {
        using var scope = NewDisposeScope();
        return tensor(x, float64).lgamma().item<double>();
    }
}
