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
/// The generated Bernoulli and categorical (probs and logits) distributions: every estimator against
/// the exact gradient by enumeration over all K^d joint states, |mean − truth| ≤ 4 SE with fixed seeds;
/// a deliberately wrong probability table fails the same test; local expectation has lower per-sample
/// variance than the score function; Gumbel-softmax is measurably biased.
/// </summary>
public sealed class DiscreteEstimatorTests(ITestOutputHelper output)
{
    private const long Samples = 20_000;
    private static readonly double[] BernoulliP = { 0.3, 0.6, 0.85 };
    private static readonly double[][] CategoricalProbs = { new[] { 0.2, 0.5, 0.3 }, new[] { 0.6, 0.1, 0.3 } };

    /// <summary>The benchmark functions: non-separable, so every coordinate's difference depends on the others.</summary>
    public static Objective Function(string name, int coordinates) => name switch
    {
        // (Σ_j w_j z_j − 0.45)², w_j = 1, −0.5, 0.7, …
        "quadratic" => Objective.General(z => (z.matmul(Weights(coordinates, z)) - Scalars.Of(0.45)).pow(Scalars.Of(2))),
        // sigmoid(2·Σ_j w_j z_j − 1): bounded, every order of difference non-zero.
        _ => Objective.General(z => (z.matmul(Weights(coordinates, z)) * Scalars.Of(2) - Scalars.Of(1)).sigmoid()),
    };

    public static IEnumerable<object[]> FiniteCases()
    {
        foreach (string distribution in new[] { "Bernoulli", "Categorical", "CategoricalLogits" })
        {
            foreach (string function in new[] { "quadratic", "sigmoid" })
            {
                foreach (string estimator in new[] { "local-expectation", "score", "score+baseline(leave-one-out)" })
                {
                    yield return new object[] { distribution, function, estimator };
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(FiniteCases))]
    public void FiniteEstimator_MeanGradient_IsWithinFourStandardErrorsOfEnumeration(string distribution, string function, string estimator)
    {
        using var scope = NewDisposeScope();
        IFiniteDistribution d = Create(distribution);
        Objective f = Function(function, (int)d.BatchShape[0]);
        ExactExpectation exact = Enumeration.Expectation(d, f);

        GradientEstimate estimate = Run(d, f, estimator, new Generator(20261201));

        Assert.Equal(exact.Value, estimate.Value.item<double>(), 0.05);
        Tensor perSample = estimate.PerSampleGradients[0];
        Tensor truth = exact.Gradients[0];
        if (distribution == "Categorical" && estimator.Contains("baseline", StringComparison.Ordinal))
        {
            // A baseline assumes E[score] = 0, which holds on the simplex but not for the unconstrained
            // probs' score (onehot/probs has mean 1): compare the components tangent to the simplex.
            perSample = perSample - perSample.mean(new long[] { -1 }, keepdim: true);
            truth = truth - truth.mean(new long[] { -1 }, keepdim: true);
        }
        StatisticalAssert.WithinStandardErrors(perSample, Flat(truth), $"{distribution} {estimator} on {function}");
    }

    [Fact]
    public void Bernoulli_DifferenceRule_IsExactAtTheDegree_AndBiasedBelowIt()
    {
        // The quadratic is of degree 2 in each coordinate: Δ³ vanishes, so the factorial series at N = 2
        // is the exact gradient, and N = 1 leaves out the ζ2 term.
        using var scope = NewDisposeScope();
        var bernoulli = (Bernoulli)Create("Bernoulli");
        Objective f = Function("quadratic", 3);
        double[] truth = Flat(Enumeration.Expectation(bernoulli, f).Gradients[0]);

        StatisticalAssert.WithinStandardErrors(bernoulli.Fourier(f, Samples, 2, new Generator(5)).PerSampleGradients[0], truth, "Bernoulli difference rule N = 2");
        StatisticalAssert.FailsAgainst(bernoulli.Fourier(f, Samples, 1, new Generator(5)).PerSampleGradients[0], truth, "Bernoulli difference rule N = 1");
    }

    [Theory]
    [InlineData("Bernoulli")]
    [InlineData("Categorical")]
    public void LocalExpectation_WithAWrongProbabilityTable_FailsTheSameTest(string distribution)
    {
        // The table raised to the power 1.15 and renormalised: the samples stay right, the derivative of the table does not.
        using var scope = NewDisposeScope();
        IFiniteDistribution d = Create(distribution);
        Objective f = Function("quadratic", (int)d.BatchShape[0]);
        double[] truth = Flat(Enumeration.Expectation(d, f).Gradients[0]);
        var wrong = new DefectiveFiniteDistribution(d, table => table.pow(Scalars.Of(1.15)) / table.pow(Scalars.Of(1.15)).sum(new long[] { -1 }, keepdim: true));

        StatisticalAssert.WithinStandardErrors(Estimators.LocalExpectation(d, f, Samples, new Generator(3)).PerSampleGradients[0], truth, "correct table");
        StatisticalAssert.FailsAgainst(Estimators.LocalExpectation(wrong, f, Samples, new Generator(3)).PerSampleGradients[0], truth, "table^1.15");
    }

    [Theory]
    [InlineData("Bernoulli", "quadratic")]
    [InlineData("Bernoulli", "sigmoid")]
    [InlineData("Categorical", "quadratic")]
    [InlineData("Categorical", "sigmoid")]
    [InlineData("CategoricalLogits", "quadratic")]
    [InlineData("CategoricalLogits", "sigmoid")]
    public void LocalExpectation_PerSampleVariance_IsBelowTheScoreFunctions(string distribution, string function)
    {
        using var scope = NewDisposeScope();
        IFiniteDistribution d = Create(distribution);
        Objective f = Function(function, (int)d.BatchShape[0]);
        double local = TotalVariance(Estimators.LocalExpectation(d, f, Samples, new Generator(11)));
        double score = TotalVariance(Estimators.ScoreFunction(d, f, Samples, null, new Generator(11)));
        double leaveOneOut = TotalVariance(Estimators.ScoreFunction(d, f, Samples, Baseline.LeaveOneOut, new Generator(11)));

        output.WriteLine($"{distribution} on {function}: total per-sample variance local-expectation {local:G4}, score {score:G4}, score+leave-one-out {leaveOneOut:G4}; ratios LE/score = {local / score:G3}, LE/score+LOO = {local / leaveOneOut:G3}");
        Assert.True(local < score, $"local expectation {local} vs score {score}");
        Assert.True(local < leaveOneOut, $"local expectation {local} vs score+leave-one-out {leaveOneOut}");
    }

    [Theory]
    [InlineData("Bernoulli")]
    [InlineData("Categorical")]
    public void GumbelSoftmax_AtTemperatureOne_IsBiased(string distribution)
    {
        // A relaxation, not an estimator of the discrete gradient: its mean misses the truth by many SE.
        using var scope = NewDisposeScope();
        IFiniteDistribution d = Create(distribution);
        Objective f = Function("quadratic", (int)d.BatchShape[0]);
        double[] truth = Flat(Enumeration.Expectation(d, f).Gradients[0]);

        GradientEstimate relaxed = Estimators.GumbelSoftmax(d, f, Samples, 1.0, new Generator(13));

        double[] z = StatisticalAssert.StandardizedErrors(relaxed.PerSampleGradients[0], truth);
        output.WriteLine($"{distribution} Gumbel-softmax τ = 1: largest |bias|/SE = {z.Max():F1}");
        StatisticalAssert.FailsAgainst(relaxed.PerSampleGradients[0], truth, $"{distribution} Gumbel-softmax");
    }

    [Fact]
    public void FiniteSamplers_MatchTheTable_AndTheScoreSumsToZero()
    {
        using var scope = NewDisposeScope();
        var categorical = (Categorical)Create("Categorical");
        Tensor z = categorical.Sample(40_000, new Generator(17));
        Assert.Equal(new long[] { 40_000, 2 }, z.shape);
        for (int j = 0; j < 2; j++)
        {
            for (int k = 0; k < 3; k++)
            {
                double frequency = z[.., j].eq(k).to_type(ScalarType.Float64).mean().item<double>();
                double p = CategoricalProbs[j][k];
                Assert.True(Math.Abs(frequency - p) < 4 * Math.Sqrt(p * (1 - p) / 40_000), $"P(z_{j} = {k}) = {frequency} vs {p}");
            }
        }
        // E[∂ log p(z)/∂θ] = 0, checked on the logits (the probs' unconstrained score has mean 1, not 0).
        var logits = (CategoricalLogits)Create("CategoricalLogits");
        StatisticalAssert.WithinStandardErrors(logits.Score(logits.Sample(40_000, new Generator(19)))[0], new double[6], "logits score");
        Assert.Equal(double.NegativeInfinity, categorical.LogDensity(tensor(new[] { 3.0, 0.0 }, float64))![0].item<double>());
    }

    [Fact]
    public void Categorical_WithProbabilitiesNotSummingToOne_IsRejectedWithTheIndex()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new Categorical(tensor(new[,] { { 0.2, 0.8 }, { 0.5, 0.6 } }, float64)));
        Assert.Contains("Categorical: parameter 'probs' must sum to 1 over its last axis, got 1.1", exception.Message);
        Assert.Contains("at index [1]", exception.Message);
    }

    internal static IFiniteDistribution Create(string name) => name switch
    {
        "Bernoulli" => new Bernoulli(tensor(BernoulliP, float64)),
        "Categorical" => new Categorical(tensor(CategoricalProbs.SelectMany(r => r).ToArray(), float64).reshape(2, 3)),
        _ => new CategoricalLogits(tensor(CategoricalProbs.SelectMany(r => r).ToArray(), float64).reshape(2, 3).log() + 0.3),
    };

    private static GradientEstimate Run(IFiniteDistribution d, Objective f, string estimator, Generator generator) => estimator switch
    {
        "local-expectation" => Estimators.LocalExpectation(d, f, Samples, generator),
        "score" => Estimators.ScoreFunction(d, f, Samples, null, generator),
        _ => Estimators.ScoreFunction(d, f, Samples, Baseline.LeaveOneOut, generator),
    };

    private static Tensor Weights(int coordinates, Tensor like)
        => tensor(Enumerable.Range(0, coordinates).Select(j => new[] { 1.0, -0.5, 0.7, 0.4 }[j % 4]).ToArray(), like.dtype);

    private static double TotalVariance(GradientEstimate estimate)
        => estimate.PerSampleGradients[0].reshape(estimate.PerSampleGradients[0].shape[0], -1).var(new long[] { 0 }).sum().item<double>();

    private static double[] Flat(Tensor t) => t.detach().flatten().data<double>().ToArray();
}

/// <summary>A generated finite distribution whose probability table is deliberately transformed (sampling stays correct).</summary>
internal sealed class DefectiveFiniteDistribution(IFiniteDistribution inner, Func<Tensor, Tensor> table) : IFiniteDistribution
{
    public string Name => inner.Name;

    public IReadOnlyList<string> ParameterNames => inner.ParameterNames;

    public IReadOnlyList<Tensor> Parameters => inner.Parameters;

    public long[] BatchShape => inner.BatchShape;

    public IReadOnlyList<double> SupportValues => inner.SupportValues;

    public IReadOnlyList<int> ParameterEventRanks => inner.ParameterEventRanks;

    public Tensor Probabilities(IReadOnlyList<Tensor> parameters) => table(inner.Probabilities(parameters));

    public Tensor Sample(long sampleCount, Generator? generator = null) => inner.Sample(sampleCount, generator);

    public Tensor? LogDensity(Tensor z) => DiscreteSupport.LogDensity(this, z);

    public IReadOnlyList<Tensor> Score(Tensor z) => DiscreteSupport.Score(this, z);
}
