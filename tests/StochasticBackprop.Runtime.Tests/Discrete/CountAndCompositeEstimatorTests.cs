using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Distributions;
using StochasticBackprop.Runtime.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Discrete;

/// <summary>
/// The generated Poisson (score, Fourier rule on the integers) and the Beta and Dirichlet declared
/// as compositions of Gammas (implicit pathwise, score, hybrid, Fourier through the Gammas), against
/// gradients of closed-form expectations (autograd on the formula, no Monte Carlo): 4 SE, fixed seeds.
/// </summary>
public sealed class CountAndCompositeEstimatorTests(ITestOutputHelper output)
{
    private const long Samples = 20_000;
    private const double Epsilon = 0.4;
    private static readonly double[] Rate = { 1.5, 3.0 };
    private static readonly double[] BetaA = { 6.0, 8.0 };
    private static readonly double[] BetaB = { 9.0, 7.0 };
    private static readonly double[] Alpha = { 6.0, 4.0, 5.0 };
    private static readonly double[] DirichletWeights = { 1.0, 2.0, 3.0 };

    public static IEnumerable<object[]> PoissonCases() =>
        from function in new[] { "square", "exp" }
        from estimator in new[] { "score", "score+leave-one-out", "fourier" }
        select new object[] { function, estimator };

    [Theory]
    [MemberData(nameof(PoissonCases))]
    public void Poisson_Estimator_IsWithinFourStandardErrorsOfTheClosedForm(string function, string estimator)
    {
        using var scope = NewDisposeScope();
        Tensor rate = tensor(Rate, float64).requires_grad_();
        var poisson = new Poisson(rate);
        Objective f = function == "square" ? Objective.Separable(z => z.pow(Scalars.Of(2))) : Objective.Separable(z => exp(z * Scalars.Of(-Epsilon)));
        // E z² = λ + λ²; E exp(−εz) = exp(λ(e^−ε − 1)).
        Tensor expectation = function == "square" ? rate + rate.pow(Scalars.Of(2)) : exp(rate * (Math.Exp(-Epsilon) - 1));
        double[] truth = Flat(autograd.grad(new[] { expectation.sum() }, new[] { rate })[0]);

        GradientEstimate estimate = estimator switch
        {
            "score" => poisson.ScoreFunction(f, Samples, null, new Generator(31)),
            "score+leave-one-out" => poisson.ScoreFunction(f, Samples, Baseline.LeaveOneOut, new Generator(31)),
            _ => poisson.Fourier(f, Samples, generator: new Generator(31)),
        };

        StatisticalAssert.WithinStandardErrors(estimate.PerSampleGradient("rate"), truth, $"Poisson {estimator} on {function}");
    }

    [Fact]
    public void Poisson_DifferenceRule_IsExactAtOrderOne_AndAWrongFactorialCumulantFails()
    {
        // log φ = λt: ζ1 = λ is the only factorial cumulant, so ∂λ E f = E[f(z + 1) − f(z)] for every f.
        using var scope = NewDisposeScope();
        var poisson = new Poisson(tensor(Rate, float64));
        Assert.False(poisson.FactorialCumulantVanishes(1));
        Assert.True(Enumerable.Range(2, poisson.FactorialCumulantOrder - 1).All(poisson.FactorialCumulantVanishes));
        Objective f = Objective.Separable(z => exp(z * Scalars.Of(-Epsilon)));
        double[] truth = Rate.Select(l => (Math.Exp(-Epsilon) - 1) * Math.Exp(l * (Math.Exp(-Epsilon) - 1))).ToArray();

        GradientEstimate right = poisson.Fourier(f, Samples, 1, new Generator(37));
        GradientEstimate wrong = Estimators.Fourier(new ScaledFactorialCumulants(poisson, 1.1), f, Samples, 1, new Generator(37));

        StatisticalAssert.WithinStandardErrors(right.PerSampleGradients[0], truth, "Poisson difference rule");
        StatisticalAssert.FailsAgainst(wrong.PerSampleGradients[0], truth, "∂ζ1/∂λ scaled by 1.1");
    }

    [Fact]
    public void Poisson_Sampler_HasTheRightMeanAndVariance()
    {
        using var scope = NewDisposeScope();
        Tensor z = new Poisson(tensor(Rate, float64)).Sample(40_000, new Generator(41));
        for (int j = 0; j < Rate.Length; j++)
        {
            Tensor column = z[.., j];
            Assert.True(Math.Abs(column.mean().item<double>() - Rate[j]) < 4 * Math.Sqrt(Rate[j] / 40_000), $"mean of coordinate {j}");
            Assert.True(Math.Abs(column.var().item<double>() - Rate[j]) < 0.1 * Rate[j], $"variance of coordinate {j}");
            Assert.True(column.eq(column.round()).all().item<bool>());
        }
    }

    public static IEnumerable<object[]> CompositeCases() =>
        from distribution in new[] { "Beta", "Dirichlet" }
        from estimator in new[] { "pathwise", "score", "score+leave-one-out", "hybrid", "fourier" }
        select new object[] { distribution, estimator };

    [Theory]
    [MemberData(nameof(CompositeCases))]
    public void Composite_Estimator_IsWithinFourStandardErrorsOfTheClosedForm(string distribution, string estimator)
    {
        using var scope = NewDisposeScope();
        (IHybridDistribution d, Tensor[] parameters, Objective f, Tensor expectation) = Composite(distribution);
        Tensor[] truth = autograd.grad(new[] { expectation }, parameters).ToArray();

        GradientEstimate estimate = estimator switch
        {
            "pathwise" => Estimators.Pathwise(d, f, Samples, new Generator(43)),
            "score" => Estimators.ScoreFunction(d, f, Samples, null, new Generator(43)),
            "score+leave-one-out" => Estimators.ScoreFunction(d, f, Samples, Baseline.LeaveOneOut, new Generator(43)),
            "hybrid" => new HybridEstimator().Estimate(d, f, Samples, new Generator(43)),
            _ => Estimators.Fourier((IComposedDistribution)d, f, Samples, 4, new Generator(43)),
        };

        for (int p = 0; p < parameters.Length; p++)
        {
            StatisticalAssert.WithinStandardErrors(estimate.PerSampleGradients[p], Flat(truth[p]), $"{distribution} {estimator}, parameter {estimate.ParameterNames[p]}");
        }
        Assert.True(((IReparameterizedDistribution)d).IsImplicit);
    }

    [Fact]
    public void Beta_ScoreWithoutTheNormaliserDerivative_FailsTheScoreTest()
    {
        using var scope = NewDisposeScope();
        (IHybridDistribution d, Tensor[] parameters, Objective f, Tensor expectation) = Composite("Beta");
        Tensor[] truth = autograd.grad(new[] { expectation }, parameters).ToArray();
        var beta = (Beta)d;
        // ∂a log p without its digamma(a + b) term (the normaliser lgamma(a + b) forgotten).
        var wrong = new WrongScore(d, (z, score) => new[] { score[0] - digamma(beta.A + beta.B), score[1] });

        StatisticalAssert.WithinStandardErrors(Estimators.ScoreFunction(d, f, Samples, null, new Generator(47)).PerSampleGradients[0], Flat(truth[0]), "Beta score");
        StatisticalAssert.FailsAgainst(Estimators.ScoreFunction(wrong, f, Samples, null, new Generator(47)).PerSampleGradients[0], Flat(truth[0]), "Beta score without digamma(a + b)");
    }

    [Theory]
    [InlineData("Beta")]
    [InlineData("Dirichlet")]
    public void FourierThroughTheGammas_TruncatedAtTwo_IsBiased_AndAtFour_IsNot(string distribution)
    {
        // The series through the Gammas does not terminate (f∘g is not a polynomial in ζ): N = 2 leaves a
        // bias the 4-SE test detects, N = 4 (the unbiasedness test above) does not. The series is
        // asymptotic, not convergent: its n-th term involves E[(Σζ)^−n], infinite once n ≥ Σα.
        using var scope = NewDisposeScope();
        (IHybridDistribution d, Tensor[] parameters, Objective f, Tensor expectation) = Composite(distribution);
        // Every parameter's coordinates side by side: [S, Σ sizes].
        double[] truth = autograd.grad(new[] { expectation }, parameters).SelectMany(Flat).ToArray();
        var rows = new List<string>();
        foreach (int n in new[] { 1, 2, 3, 4 })
        {
            GradientEstimate estimate = Estimators.Fourier((IComposedDistribution)d, f, Samples, n, new Generator(43));
            Tensor perSample = cat(estimate.PerSampleGradients.Select(g => g.reshape(Samples, -1)).ToArray(), 1);
            rows.Add($"N = {n}: max |z| {StatisticalAssert.StandardizedErrors(perSample, truth).Max():F2}, per-sample variance {perSample.var(new long[] { 0 }).sum().item<double>():G3}");
            if (n == 2)
            {
                StatisticalAssert.FailsAgainst(perSample, truth, $"{distribution} Fourier N = 2");
            }
        }
        output.WriteLine($"{distribution} Fourier through the Gammas: " + string.Join("; ", rows));
    }

    private static (IHybridDistribution Distribution, Tensor[] Parameters, Objective F, Tensor Expectation) Composite(string name)
    {
        if (name == "Beta")
        {
            Tensor a = tensor(BetaA, float64).requires_grad_(), b = tensor(BetaB, float64).requires_grad_();
            // E z² = a(a + 1)/((a + b)(a + b + 1)).
            Tensor moment = a * (a + 1) / ((a + b) * (a + b + 1));
            return (new Beta(a, b), new[] { a, b }, Objective.Separable(z => z.pow(Scalars.Of(2))), moment.sum());
        }
        Tensor alpha = tensor(Alpha, float64).requires_grad_();
        Tensor weights = tensor(DirichletWeights, float64);
        Tensor total = alpha.sum();
        // E z_k² = α_k(α_k + 1)/(α0(α0 + 1)).
        Tensor expectation = (weights * alpha * (alpha + 1)).sum() / (total * (total + 1));
        return (new Dirichlet(alpha), new[] { alpha }, Objective.General(z => (z.pow(Scalars.Of(2)) * weights).sum(new long[] { 1 })), expectation);
    }

    private static double[] Flat(Tensor t) => t.detach().flatten().data<double>().ToArray();

    /// <summary>The generated Poisson with every ∂ζn/∂θ scaled: a deliberately wrong coefficient.</summary>
    private sealed class ScaledFactorialCumulants(IFactorialCumulantDistribution inner, double factor) : IFactorialCumulantDistribution
    {
        public string Name => inner.Name;

        public IReadOnlyList<string> ParameterNames => inner.ParameterNames;

        public IReadOnlyList<Tensor> Parameters => inner.Parameters;

        public long[] BatchShape => inner.BatchShape;

        public int FourierOrder => inner.FourierOrder;

        public int FactorialCumulantOrder => inner.FactorialCumulantOrder;

        public Tensor Sample(long sampleCount, Generator? generator = null) => inner.Sample(sampleCount, generator);

        public bool FactorialCumulantVanishes(int order) => inner.FactorialCumulantVanishes(order);

        public Tensor FactorialCumulant(int order) => inner.FactorialCumulant(order);

        public IReadOnlyList<Tensor> FactorialCumulantGradient(int order) => inner.FactorialCumulantGradient(order).Select(g => g * factor).ToArray();
    }

    /// <summary>A generated distribution with a deliberately wrong score.</summary>
    private sealed class WrongScore(IScoredDistribution inner, Func<Tensor, IReadOnlyList<Tensor>, IReadOnlyList<Tensor>> score) : IScoredDistribution
    {
        public string Name => inner.Name;

        public IReadOnlyList<string> ParameterNames => inner.ParameterNames;

        public IReadOnlyList<Tensor> Parameters => inner.Parameters;

        public long[] BatchShape => inner.BatchShape;

        public Tensor Sample(long sampleCount, Generator? generator = null) => inner.Sample(sampleCount, generator);

        public Tensor? LogDensity(Tensor z) => inner.LogDensity(z);

        public IReadOnlyList<Tensor> Score(Tensor z) => score(z, inner.Score(z));
    }
}
