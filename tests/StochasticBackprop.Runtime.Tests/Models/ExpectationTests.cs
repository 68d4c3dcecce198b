using System;
using System.Linq;
using StochasticBackprop.Distributions;
using StochasticBackprop.Models;
using StochasticBackprop.Runtime.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Models;

/// <summary>
/// <see cref="LatentModel.Expectation"/>: E_{b~Bernoulli(σ(φ))}[−(b − c)²] without the guide's −log q, the RELAX paper's (Grathwohl et al. 2018) toy
/// (with c = 0.2 here so that the gradient, σ(φ)(1 − σ(φ))((c)² − (1 − c)²), is far from zero), for every unbiased site estimator.
/// </summary>
public sealed class ExpectationTests
{
    private const double Target = 0.2;

    public static TheoryData<string> Names() => new() { "score", "score-loo", "local-expectation", "arm", "disarm", "rebar", "relax" };

    [Theory]
    [MemberData(nameof(Names))]
    public void Expectation_OfTheToyLoss_MatchesTheClosedFormGradient(string name)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        torch.manual_seed(2);
        SiteEstimator estimator = name switch
        {
            "score" => SiteEstimator.Score(),
            "score-loo" => SiteEstimator.Score(ScoreBaseline.LeaveOneOut),
            "local-expectation" => SiteEstimator.LocalExpectation,
            "arm" => SiteEstimator.Arm,
            "disarm" => SiteEstimator.DisArm,
            "rebar" => SiteEstimator.Rebar(),
            _ => SiteEstimator.Relax(1),
        };
        Tensor phi = torch.tensor(0.4, dtype: ScalarType.Float64).requires_grad_(true);
        var model = new LatentModel(
            (q, x) => q.Sample("b", new Bernoulli(phi.sigmoid().expand(q.Rows, 1)), estimator),
            (p, x) =>
            {
                Tensor b = p.Sample("b", new Bernoulli(torch.full(new long[] { p.Rows, 1 }, 0.5, dtype: ScalarType.Float64)));
                Tensor d = b - Scalars.Of(Target);
                p.Cost("f", -(d * d));
            });
        double theta = 1 / (1 + Math.Exp(-0.4));
        double truth = theta * (1 - theta) * (Target * Target - (1 - Target) * (1 - Target));
        var generator = new Generator(5);
        Tensor data = torch.zeros(1, 1, dtype: ScalarType.Float64);
        double[] gradients = Enumerable.Range(0, 40).Select(_ =>
        {
            using DisposeScope inner = torch.NewDisposeScope();
            using ElboEstimate estimate = model.Expectation(data, 200, generator);
            Assert.Equal("expectation", estimate.Bound);
            return torch.autograd.grad(new[] { estimate.Surrogate }, new[] { phi })[0].item<double>();
        }).ToArray();
        Tensor perEstimate = torch.tensor(gradients, dtype: ScalarType.Float64).unsqueeze(1);
        if (name == "local-expectation")
        {
            // Exact for one binary coordinate: Σ_v ∇q(v) f(v), no randomness left.
            Assert.All(gradients, g => Assert.Equal(truth, g, 12));
            return;
        }
        StatisticalAssert.WithinStandardErrors(perEstimate, new[] { truth }, name);
        // The bound instead of the expectation adds the entropy's gradient, −φ·σ′(φ) here: the same test fails.
        double[] withEntropy = Enumerable.Range(0, 40).Select(_ =>
        {
            using DisposeScope inner = torch.NewDisposeScope();
            using ElboEstimate estimate = model.Elbo(data, 200, generator);
            return torch.autograd.grad(new[] { estimate.Surrogate }, new[] { phi })[0].item<double>();
        }).ToArray();
        StatisticalAssert.FailsAgainst(torch.tensor(withEntropy, dtype: ScalarType.Float64).unsqueeze(1), new[] { truth }, name + " with the guide's entropy");
    }
}
