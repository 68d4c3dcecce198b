using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Distributions;
using StochasticBackprop.Samples.Distributions;
using StochasticBackprop.Runtime.Tests.TestDistributions;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Generated;

/// <summary>
/// Every (sample distribution, estimator) pair the generator emits, on f(z) = (z − c)², z³ and
/// exp(−εz), against the closed-form gradient of E f (autograd on the closed-form expectation,
/// no Monte Carlo). Passes when |mean − truth| ≤ 4 standard errors of the per-sample gradients,
/// with a fixed seed. The Fourier estimator truncated at N is unbiased for the truncated series,
/// Σ_{n≤N} ∂κn/n! · E f⁽ⁿ⁾, which equals the true gradient for polynomials of degree ≤ N; for
/// exp(−εz) it is compared with that truncated series, computed from closed-form cumulants.
/// </summary>
public sealed class GeneratedEstimatorTests
{
    private const double Tolerance = 4.0; // standard errors
    private const long Samples = 100_000;
    private const double C = 1.0;
    private const double Epsilon = 0.5;

    /// <summary>A sample distribution at fixed parameter values, with closed forms.</summary>
    private sealed record Case(
        Func<Tensor[], IDistribution> Create,
        double[] Values,
        Func<Tensor[], int, Tensor> Cumulant,
        Func<Tensor[], string, Tensor> Expectation);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["Normal"] = new(p => new Normal(p[0], p[1]), new[] { 0.3, 1.4 },
            (p, n) => n == 1 ? p[0] : n == 2 ? p[1].pow(Scalars.Of(2)) : zeros_like(p[0]),
            (p, f) => f switch
            {
                "square" => (p[0] - C).pow(Scalars.Of(2)) + p[1].pow(Scalars.Of(2)),
                "cube" => p[0].pow(Scalars.Of(3)) + 3 * p[0] * p[1].pow(Scalars.Of(2)),
                _ => exp(-Epsilon * p[0] + Epsilon * Epsilon * p[1].pow(Scalars.Of(2)) / 2),
            }),
        ["Laplace"] = new(p => new Laplace(p[0], p[1]), new[] { 0.2, 0.7 },
            (p, n) => n == 1 ? p[0] : n % 2 == 1 ? zeros_like(p[0]) : p[1].pow(n) * (Factorial(n) / (n / 2)),
            (p, f) => f switch
            {
                "square" => (p[0] - C).pow(Scalars.Of(2)) + 2 * p[1].pow(Scalars.Of(2)),
                "cube" => p[0].pow(Scalars.Of(3)) + 6 * p[0] * p[1].pow(Scalars.Of(2)),
                _ => exp(-Epsilon * p[0]) / (1 - Epsilon * Epsilon * p[1].pow(Scalars.Of(2))),
            }),
        ["Gamma"] = new(p => new Gamma(p[0], p[1]), new[] { 2.5, 0.6 },
            (p, n) => p[0] * p[1].pow(n) * Factorial(n - 1),
            (p, f) => f switch
            {
                "square" => p[0] * (p[0] + 1) * p[1].pow(Scalars.Of(2)) - 2 * C * p[0] * p[1] + C * C,
                "cube" => p[0] * (p[0] + 1) * (p[0] + 2) * p[1].pow(Scalars.Of(3)),
                _ => (1 + Epsilon * p[1]).pow(-p[0]),
            }),
        ["Exponential"] = new(p => new Exponential(p[0]), new[] { 1.7 },
            (p, n) => Factorial(n - 1) / p[0].pow(n),
            (p, f) => f switch
            {
                "square" => 2 / p[0].pow(Scalars.Of(2)) - 2 * C / p[0] + C * C,
                "cube" => 6 / p[0].pow(Scalars.Of(3)),
                _ => p[0] / (p[0] + Epsilon),
            }),
        ["Dirac"] = new(p => new Dirac(p[0]), new[] { 0.4 },
            (p, n) => n == 1 ? p[0] : zeros_like(p[0]),
            (p, f) => f switch
            {
                "square" => (p[0] - C).pow(Scalars.Of(2)),
                "cube" => p[0].pow(Scalars.Of(3)),
                _ => exp(-Epsilon * p[0]),
            }),
    };

    private static readonly string[] Estimators =
    {
        "pathwise", "score", "score+leave-one-out", "score+moving-average", "fourier", "hybrid", "hybrid-unbiased",
    };

    public static IEnumerable<object[]> Pairs()
    {
        foreach (string distribution in Cases.Keys)
        {
            foreach (string objective in new[] { "square", "cube", "exp" })
            {
                foreach (string estimator in Estimators)
                {
                    bool scored = distribution != "Dirac";
                    if (!scored && (estimator.StartsWith("score", StringComparison.Ordinal) || estimator.StartsWith("hybrid", StringComparison.Ordinal)))
                    {
                        continue;
                    }
                    yield return new object[] { distribution, objective, estimator };
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Estimator_MeanGradient_IsWithinFourStandardErrorsOfTheClosedForm(string distribution, string objective, string estimator)
    {
        TorchBackend.EnsureAvailable();
        using var scope = NewDisposeScope();
        Case @case = Cases[distribution];
        Tensor[] parameters = Parameters(@case);
        IDistribution d = @case.Create(parameters);
        Objective f = ObjectiveOf(objective);
        const int order = 4;

        GradientEstimate estimate = Run(d, f, estimator, order, new Generator(20261123));
        Tensor[] truth = estimator == "fourier"
            ? TruncatedSeriesGradient(@case, parameters, objective, order)
            : TrueGradient(@case, parameters, objective);

        AssertWithinStandardErrors(estimate, truth, $"{distribution} {estimator} on {objective}");
    }

    [Fact]
    public void Fourier_TruncatedBelowThePolynomialDegree_IsBiased_AndAtTheDegree_IsNot()
    {
        // Gamma on z³: the order-3 cumulant carries part of the gradient, so N = 2 must fail the
        // same 4-SE test that N = 3 passes: the test can tell a truncation error from noise.
        TorchBackend.EnsureAvailable();
        using var scope = NewDisposeScope();
        Case @case = Cases["Gamma"];
        Tensor[] parameters = Parameters(@case);
        var gamma = (Gamma)@case.Create(parameters);
        Tensor[] truth = TrueGradient(@case, parameters, "cube");

        GradientEstimate exact = gamma.Fourier(ObjectiveOf("cube"), Samples, order: 3, generator: new Generator(7));
        AssertWithinStandardErrors(exact, truth, "Gamma fourier(3) on cube");

        GradientEstimate truncated = gamma.Fourier(ObjectiveOf("cube"), Samples, order: 2, generator: new Generator(7));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertWithinStandardErrors(truncated, truth, "Gamma fourier(2) on cube"));
    }

    [Fact]
    public void Fourier_WithADeliberatelyWrongCumulantGradient_FailsTheSameTest()
    {
        // The generated Gamma, with ∂κ2/∂θ scaled by 1.1: a subtly wrong coefficient.
        TorchBackend.EnsureAvailable();
        using var scope = NewDisposeScope();
        Case @case = Cases["Gamma"];
        Tensor[] parameters = Parameters(@case);
        var wrong = new DefectiveDistribution(@case.Create(parameters), cumulantGradient: DefectiveDistribution.ScaleCumulantGradient(n => n == 2 ? 1.1 : 1.0));
        Tensor[] truth = TrueGradient(@case, parameters, "square");

        GradientEstimate estimate = StochasticBackprop.Estimators.Fourier(wrong, ObjectiveOf("square"), Samples, 4, new Generator(20261123));

        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertWithinStandardErrors(estimate, truth, "Gamma with a wrong ∂κ2"));
    }

    [Fact]
    public void Fourier_OnExp_IsBiasedAgainstTheTrueGradient_ByTheTruncatedTail()
    {
        // exp(−εz) has every derivative: truncating the Gamma's series at N = 2 leaves a bias the
        // same test detects, while the truncated-series expectation is matched.
        TorchBackend.EnsureAvailable();
        using var scope = NewDisposeScope();
        Case @case = Cases["Gamma"];
        Tensor[] parameters = Parameters(@case);
        var gamma = (Gamma)@case.Create(parameters);
        GradientEstimate estimate = gamma.Fourier(ObjectiveOf("exp"), Samples, order: 2, generator: new Generator(11));

        AssertWithinStandardErrors(estimate, TruncatedSeriesGradient(@case, parameters, "exp", 2), "Gamma fourier(2) on exp vs truncated series");
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertWithinStandardErrors(estimate, TrueGradient(@case, parameters, "exp"), "Gamma fourier(2) on exp vs truth"));
    }

    [Fact]
    public void Dirac_FourierRule_IsPlainBackpropagation()
    {
        TorchBackend.EnsureAvailable();
        using var scope = NewDisposeScope();
        Tensor a = tensor(new[] { 0.4, -1.2, 2.0 }, float64).requires_grad_();
        var dirac = new Dirac(a);
        Objective f = Objective.Separable(z => sin(z) * z.pow(Scalars.Of(2)));

        GradientEstimate fourier = dirac.Fourier(f, 16);
        Tensor backprop = autograd.grad(new[] { (sin(a) * a.pow(Scalars.Of(2))).sum() }, new[] { a })[0];

        Tensor perSample = fourier.PerSampleGradient("a");
        for (int s = 0; s < 16; s++)
        {
            Assert.True(allclose(perSample[s], backprop, rtol: 1e-12, atol: 1e-12), $"sample {s}: {perSample[s].ToString(TorchSharp.TensorStringStyle.Numpy)} vs {backprop.ToString(TorchSharp.TensorStringStyle.Numpy)}");
        }
        Assert.True(allclose(dirac.Pathwise(f, 4).Gradient("a"), backprop, rtol: 1e-12, atol: 1e-12));
    }

    private static GradientEstimate Run(IDistribution d, Objective f, string estimator, int order, Generator generator)
    {
        switch (estimator)
        {
            case "pathwise":
                return StochasticBackprop.Estimators.Pathwise((IReparameterizedDistribution)d, f, Samples, generator);
            case "score":
                return StochasticBackprop.Estimators.ScoreFunction((IScoredDistribution)d, f, Samples, null, generator);
            case "score+leave-one-out":
                return StochasticBackprop.Estimators.ScoreFunction((IScoredDistribution)d, f, Samples, Baseline.LeaveOneOut, generator);
            case "score+moving-average":
                Baseline average = Baseline.MovingAverage(0.5);
                StochasticBackprop.Estimators.ScoreFunction((IScoredDistribution)d, f, 1000, average, generator); // warm-up batch
                return StochasticBackprop.Estimators.ScoreFunction((IScoredDistribution)d, f, Samples, average, generator);
            case "fourier":
                return StochasticBackprop.Estimators.Fourier((ICumulantDistribution)d, f, Samples, order, generator);
            case "hybrid":
                return Hybrid(d, f, new HybridEstimator(), generator);
            default:
                var unbiased = new HybridEstimator(new HybridOptions { Mode = LambdaMode.PreviousBatches });
                Hybrid(d, f, unbiased, generator); // a first batch to estimate λ from
                return Hybrid(d, f, unbiased, generator);
        }
    }

    private static GradientEstimate Hybrid(IDistribution d, Objective f, HybridEstimator hybrid, Generator generator)
        => hybrid.Estimate((IHybridDistribution)d, f, Samples, generator);

    private static Objective ObjectiveOf(string name) => name switch
    {
        "square" => Objective.Separable(z => (z - Scalars.Of(C)).pow(Scalars.Of(2))),
        "cube" => Objective.Separable(z => z.pow(Scalars.Of(3))),
        _ => Objective.Separable(z => exp(z * Scalars.Of(-Epsilon))),
    };

    /// <summary>E f⁽ⁿ⁾(z) in closed form, from the first two moments (polynomials) or E exp(−εz).</summary>
    private static Tensor ExpectedDerivative(Case @case, Tensor[] p, string objective, int n) => objective switch
    {
        "square" => n == 1 ? 2 * (Mean(@case, p) - C) : n == 2 ? ones_like(p[0]) * 2 : zeros_like(p[0]),
        "cube" => n == 1 ? 3 * SecondMoment(@case, p) : n == 2 ? 6 * Mean(@case, p) : n == 3 ? ones_like(p[0]) * 6 : zeros_like(p[0]),
        _ => Math.Pow(-Epsilon, n) * @case.Expectation(p, "exp"),
    };

    private static Tensor Mean(Case @case, Tensor[] p) => @case.Cumulant(p, 1);

    private static Tensor SecondMoment(Case @case, Tensor[] p) => @case.Cumulant(p, 2) + @case.Cumulant(p, 1).pow(Scalars.Of(2));

    /// <summary>Σ_{n≤N} ∂κn/∂θ / n! · E f⁽ⁿ⁾(z), with the cumulants in closed form (held fixed in E f⁽ⁿ⁾).</summary>
    private static Tensor[] TruncatedSeriesGradient(Case @case, Tensor[] parameters, string objective, int order)
    {
        var total = parameters.Select(p => zeros_like(p)).ToArray();
        for (int n = 1; n <= order; n++)
        {
            Tensor kappa = @case.Cumulant(parameters, n);
            Tensor[] gradient = Grad(kappa, parameters);
            double weight;
            using (no_grad())
            {
                Tensor derivative = ExpectedDerivative(@case, parameters, objective, n).detach();
                weight = derivative.item<double>() / Factorial(n);
            }
            for (int p = 0; p < parameters.Length; p++) total[p] = total[p] + gradient[p] * weight;
        }
        return total;
    }

    private static Tensor[] TrueGradient(Case @case, Tensor[] parameters, string objective)
        => Grad(@case.Expectation(parameters, objective), parameters);

    private static Tensor[] Grad(Tensor output, Tensor[] parameters)
    {
        if (!output.requires_grad) return parameters.Select(p => zeros_like(p)).ToArray();
        return autograd.grad(new[] { output.sum() }, parameters, allow_unused: true)
            .Select((g, i) => g is null || g.IsInvalid ? zeros_like(parameters[i]) : g.detach()).ToArray();
    }

    private static Tensor[] Parameters(Case @case)
        => @case.Values.Select(v => tensor(v, float64).requires_grad_()).ToArray();

    private static void AssertWithinStandardErrors(GradientEstimate estimate, Tensor[] truth, string what)
    {
        for (int p = 0; p < truth.Length; p++)
        {
            Tensor perSample = estimate.PerSampleGradients[p];
            double mean = perSample.mean().item<double>();
            double standardError = perSample.std().item<double>() / Math.Sqrt(perSample.shape[0]);
            double expected = truth[p].item<double>();
            string parameter = estimate.ParameterNames[p];
            if (standardError <= 1e-12 * Math.Max(1, Math.Abs(expected)))
            {
                // No randomness (a point mass): the estimate must be exact.
                Assert.True(Math.Abs(mean - expected) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"{what}, ∂/∂{parameter}: {mean} vs {expected} with no variance");
                continue;
            }
            double deviation = Math.Abs(mean - expected) / standardError;
            Assert.True(deviation <= Tolerance,
                $"{what}, ∂/∂{parameter}: mean {mean:G6} vs truth {expected:G6} is {deviation:F1} standard errors ({standardError:G3}) away; tolerance {Tolerance}");
        }
    }

    private static double Factorial(int n)
    {
        double result = 1;
        for (int i = 2; i <= n; i++) result *= i;
        return result;
    }
}
