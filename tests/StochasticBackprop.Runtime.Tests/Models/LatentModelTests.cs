using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Distributions;
using StochasticBackprop.Models;
using StochasticBackprop.Runtime.Tests.Support;
using StochasticBackprop.Samples.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Models;

/// <summary>
/// Every site estimator of the model API against the exact gradient of a two-layer sigmoid belief net's evidence
/// lower bound (enumeration over its 32 latent configurations per data point), at 4 standard errors over independent
/// estimates with a fixed seed; each test's deliberately wrong variant fails the same test.
/// </summary>
[Collection(GlobalGeneratorCollection.Name)]
public sealed class LatentModelTests
{
    private const int Estimates = 60;

    /// <summary>Gradients of <paramref name="estimates"/> independent estimates, <c>[estimates, P]</c>, and their mean bound value.</summary>
    private static (Tensor Gradients, double MeanValue) Repeat(TinyBeliefNet net, LatentModel model, int particles, int estimates = Estimates, ulong seed = 11, bool iwae = false)
    {
        var generator = new Generator(seed);
        var rows = new List<double[]>();
        double total = 0;
        for (int i = 0; i < estimates; i++)
        {
            using DisposeScope scope = torch.NewDisposeScope();
            using ElboEstimate estimate = iwae ? model.Iwae(net.Data, particles, generator) : model.Elbo(net.Data, particles, generator);
            total += estimate.Value.item<double>();
            rows.Add(net.GradientOf(estimate.Surrogate));
        }
        return (torch.tensor(rows.SelectMany(r => r).ToArray(), new long[] { estimates, rows[0].Length }, dtype: ScalarType.Float64), total / estimates);
    }

    public static TheoryData<string> Unbiased() => new() { "score", "score-loo", "score-moving-average", "local-expectation", "arm", "disarm", "local-expectation+score", "disarm+local-expectation", "rebar", "relax", "relax+local-expectation" };

    private static (SiteEstimator First, SiteEstimator Second, int Particles) Pair(string name) => name switch
    {
        "score" => (SiteEstimator.Score(), SiteEstimator.Score(), 50),
        "score-loo" => (SiteEstimator.Score(ScoreBaseline.LeaveOneOut), SiteEstimator.Score(ScoreBaseline.LeaveOneOut), 50),
        "score-moving-average" => (SiteEstimator.Score(ScoreBaseline.MovingAverage), SiteEstimator.Score(ScoreBaseline.MovingAverage), 50),
        "local-expectation" => (SiteEstimator.LocalExpectation, SiteEstimator.LocalExpectation, 20),
        "arm" => (SiteEstimator.Arm, SiteEstimator.Arm, 50),
        "disarm" => (SiteEstimator.DisArm, SiteEstimator.DisArm, 50),
        "local-expectation+score" => (SiteEstimator.LocalExpectation, SiteEstimator.Score(ScoreBaseline.LeaveOneOut), 20),
        "disarm+local-expectation" => (SiteEstimator.DisArm, SiteEstimator.LocalExpectation, 20),
        "rebar" => (SiteEstimator.Rebar(), SiteEstimator.Rebar(), 50),
        "relax" => (SiteEstimator.Relax(TinyBeliefNet.Z1), SiteEstimator.Relax(TinyBeliefNet.Z2), 50),
        "relax+local-expectation" => (SiteEstimator.Relax(TinyBeliefNet.Z1), SiteEstimator.LocalExpectation, 20),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Unbiased))]
    public void Estimator_OnTinyBeliefNet_MatchesEnumeratedElboGradient(string name)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var net = new TinyBeliefNet();
        double[] truth = net.ExactElboGradient();
        (SiteEstimator first, SiteEstimator second, int particles) = Pair(name);
        (Tensor gradients, double value) = Repeat(net, net.Build(first, second), particles);
        StatisticalAssert.WithinStandardErrors(gradients, truth, name);
        double exactElbo = net.Exact().Elbo.mean().item<double>();
        Assert.True(Math.Abs(value - exactElbo) < 0.1, $"{name}: mean ELBO estimate {value} against the exact {exactElbo}");
    }

    public static TheoryData<string> Defects() => new() { "score-own-costs-only", "local-expectation-frozen-later-sites", "arm-frozen-later-sites", "disarm-without-sigmoid-factor", "rebar-without-conditional-correction" };

    [Theory]
    [MemberData(nameof(Defects))]
    public void DeliberatelyWrongVariant_FailsTheSameTest(string name)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var net = new TinyBeliefNet();
        double[] truth = net.ExactElboGradient();
        (SiteEstimator first, SiteEstimator second, int particles) = name switch
        {
            "score-own-costs-only" => ((SiteEstimator)new ScoreSite(ScoreBaseline.LeaveOneOut) { OwnCostsOnly = true }, SiteEstimator.Score(ScoreBaseline.LeaveOneOut), 50),
            "local-expectation-frozen-later-sites" => (new LocalExpectationSite { FreezeLaterSites = true }, SiteEstimator.LocalExpectation, 20),
            "arm-frozen-later-sites" => (new ArmSite(disarm: false) { FreezeLaterSites = true }, SiteEstimator.Arm, 50),
            "disarm-without-sigmoid-factor" => (new ArmSite(disarm: true) { OmitSigmoidFactor = true }, SiteEstimator.DisArm, 50),
            "rebar-without-conditional-correction" => (new RebarEstimator(0.5, 1.0, null, 1) { OmitConditionalCorrection = true }, SiteEstimator.Rebar(), 50),
            _ => throw new ArgumentException(name),
        };
        (Tensor gradients, _) = Repeat(net, net.Build(first, second), particles);
        StatisticalAssert.FailsAgainst(gradients, truth, name);
    }

    [Fact]
    public void Relax_TrainingItsControlVariate_LowersTheVarianceAndStaysUnbiased()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var net = new TinyBeliefNet();
        double[] truth = net.ExactElboGradient();
        // RELAX's networks are initialised from the global generator: seeded here, or their start depends on which
        // tests ran before (with one such order the variance fell only 7 %). Seeds 1 to 6 all pass.
        torch.manual_seed(1);
        RebarEstimator first = SiteEstimator.Relax(TinyBeliefNet.Z1);
        RebarEstimator second = SiteEstimator.Relax(TinyBeliefNet.Z2);
        LatentModel model = net.Build(first, second);
        (Tensor before, _) = Repeat(net, model, 10, estimates: 40, seed: 5);
        Tensor[] controls = first.ControlParameters.Concat(second.ControlParameters).ToArray();
        var generator = new Generator(17);
        // Plain gradient steps on the control parameters only, from the surrogate's −∇‖ĝ‖² term.
        for (int step = 0; step < 150; step++)
        {
            using DisposeScope inner = torch.NewDisposeScope();
            using ElboEstimate estimate = model.Elbo(net.Data, 10, generator);
            IList<Tensor> gradients = torch.autograd.grad(new[] { estimate.Loss }, controls, allow_unused: true);
            using (torch.no_grad())
            {
                for (int i = 0; i < controls.Length; i++)
                {
                    if (gradients[i] is { IsInvalid: false } g)
                    {
                        controls[i].sub_(g.clamp(Scalars.Of(-1.0), Scalars.Of(1.0)) * Scalars.Of(0.01));
                    }
                }
            }
        }
        (Tensor after, _) = Repeat(net, model, 10, estimates: 40, seed: 5);
        double varianceBefore = before.var(new long[] { 0 }).sum().item<double>();
        double varianceAfter = after.var(new long[] { 0 }).sum().item<double>();
        Assert.True(varianceAfter < 0.9 * varianceBefore, $"variance {varianceBefore:G4} before and {varianceAfter:G4} after training the control variate");
        (Tensor check, _) = Repeat(net, model, 50);
        StatisticalAssert.WithinStandardErrors(check, truth, "relax after training");
    }

    [Fact]
    public void Vimco_OnTheImportanceWeightedBound_MatchesEnumeratedGradient_AndTheVariantWithoutTheDirectTermFails()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var net = new TinyBeliefNet();
        double[] truth = net.ExactIwae2Gradient();
        (Tensor vimco, _) = Repeat(net, net.Build(SiteEstimator.Score(), SiteEstimator.Score()), 2, estimates: 3000, iwae: true);
        StatisticalAssert.WithinStandardErrors(vimco, truth, "vimco (K = 2)");
        var defect = new ScoreSite(ScoreBaseline.None) { VimcoWithoutDirectTerm = true };
        (Tensor wrong, _) = Repeat(net, net.Build(defect, defect), 2, estimates: 3000, iwae: true);
        StatisticalAssert.FailsAgainst(wrong, truth, "vimco without the direct term");
    }

    /// <summary>
    /// Pyro's <c>test_elbo_berns</c>: one parameter q = 0.75 shared by three Bernoulli coordinates with priors 0.1, 0.2, 0.3;
    /// ∇_q KL = Σ_p (logit q − logit p) = 7.7266. 10,000 particles, no baseline; Pyro passes within 0.1.
    /// </summary>
    [Fact]
    public void ScoreFunction_PyroElboBerns_EachCoordinateSeesOnlyItsOwnCost()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor q = torch.tensor(0.75, dtype: ScalarType.Float64).requires_grad_(true);
        Tensor priors = torch.tensor(new[] { 0.1, 0.2, 0.3 }, dtype: ScalarType.Float64);
        double truth = new[] { 0.1, 0.2, 0.3 }.Sum(p => Math.Log(0.75 / 0.25) - Math.Log(p / (1 - p)));
        Tensor data = torch.zeros(1, 1, dtype: ScalarType.Float64);
        LatentModel Build(SiteEstimator estimator) => new(
            (g, x) => g.Sample("x", new Bernoulli(q.expand(g.Rows, 3)), estimator),
            (m, x) => m.Sample("x", new Bernoulli(priors.expand(m.Rows, 3))));
        double[] Gradients(SiteEstimator estimator)
        {
            var generator = new Generator(23);
            LatentModel model = Build(estimator);
            return Enumerable.Range(0, 20).Select(_ =>
            {
                using DisposeScope inner = torch.NewDisposeScope();
                using ElboEstimate estimate = model.Elbo(data, 10_000, generator);
                return torch.autograd.grad(new[] { estimate.Loss }, new[] { q })[0].item<double>();
            }).ToArray();
        }
        double[] separate = Gradients(SiteEstimator.Score());
        Assert.True(Math.Abs(separate[0] - truth) < 0.1, $"one estimate {separate[0]} against {truth} (Pyro's tolerance 0.1)");
        StatisticalAssert.WithinStandardErrors(torch.tensor(separate, dtype: ScalarType.Float64).unsqueeze(1), new[] { truth }, "elbo-berns");
        double[] whole = Gradients(new ScoreSite(ScoreBaseline.None) { WholeCostPerCoordinate = true });
        double spreadSeparate = Spread(separate);
        double spreadWhole = Spread(whole);
        Assert.True(spreadSeparate < 0.7 * spreadWhole, $"standard deviation {spreadSeparate:G3} with each coordinate's own cost against {spreadWhole:G3} with the whole cost");
    }

    private static double Spread(double[] values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }

    /// <summary>Factories change the work a replay does, never its numbers: the same seed gives the same gradients.</summary>
    [Theory]
    [InlineData("local-expectation")]
    [InlineData("arm")]
    [InlineData("rebar")]
    [InlineData("score")]
    public void LazyFactories_GiveTheSameEstimateAsEagerDistributions(string name)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var net = new TinyBeliefNet();
        (SiteEstimator first, SiteEstimator second, _) = Pair(name);
        double[] Gradient(LatentModel model)
        {
            using ElboEstimate estimate = model.Elbo(net.Data, 3, new Generator(99));
            return net.GradientOf(estimate.Surrogate);
        }
        double[] eager = Gradient(net.Build(first, second));
        (first, second, _) = Pair(name);
        double[] lazy = Gradient(net.BuildLazy(first, second));
        Assert.Equal(eager.Length, lazy.Length);
        for (int i = 0; i < eager.Length; i++)
        {
            Assert.True(Math.Abs(eager[i] - lazy[i]) <= 1e-12 * (1 + Math.Abs(eager[i])), $"{name}[{i}]: eager {eager[i]:R}, lazy {lazy[i]:R}");
        }
    }

    [Fact]
    public void StraightThrough_IsLabelledBiased_AndIsDetectablyBiased()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var net = new TinyBeliefNet();
        double[] truth = net.ExactElboGradient();
        SiteEstimator straightThrough = SiteEstimator.StraightThrough(1.0);
        Assert.True(straightThrough.Biased);
        (Tensor gradients, _) = Repeat(net, net.Build(straightThrough, straightThrough), 50);
        StatisticalAssert.FailsAgainst(gradients, truth, "straight-through");
    }

    [Fact]
    public void LocalExpectation_HasLowerVarianceThanTheScoreFunction()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var net = new TinyBeliefNet();
        (Tensor score, _) = Repeat(net, net.Build(SiteEstimator.Score(), SiteEstimator.Score()), 20, estimates: 30);
        (Tensor local, _) = Repeat(net, net.Build(SiteEstimator.LocalExpectation, SiteEstimator.LocalExpectation), 20, estimates: 30);
        double scoreVariance = score.var(new long[] { 0 }).sum().item<double>();
        double localVariance = local.var(new long[] { 0 }).sum().item<double>();
        Assert.True(localVariance < scoreVariance / 4, $"local expectation {localVariance:G4} against score {scoreVariance:G4}");
    }

    [Fact]
    public void LogMarginal_MatchesEnumeration()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var net = new TinyBeliefNet();
        double[] exact = net.Exact().LogMarginal.detach().data<double>().ToArray();
        LatentModel model = net.Build(SiteEstimator.Score(), SiteEstimator.Score());
        // The log of an importance-sampled mean of K weights w = p(x, z)/q(z | x): by the delta method its standard error is
        // sqrt((E_q[w²]/p(x)² − 1)/K), with E_q[w²] = Σ_z p(x, z)²/q(z | x) enumerated; its bias, O(1/K), is far smaller.
        const int K = 20_000;
        double[] relativeVariance = net.ExactWeightRelativeVariance();
        double[] estimated = model.LogMarginal(net.Data, K, new Generator(3)).data<double>().ToArray();
        for (int b = 0; b < exact.Length; b++)
        {
            double standardError = Math.Sqrt(relativeVariance[b] / K);
            Assert.True(Math.Abs(estimated[b] - exact[b]) < StatisticalAssert.K * standardError, $"data point {b}: {estimated[b]} against the exact {exact[b]}, SE {standardError:G3}");
        }
        // A deliberately wrong estimator, the mean log-weight (the ELBO), misses log p(x) by the same test.
        double[] elbo = net.Exact().Elbo.detach().data<double>().ToArray();
        double worst = Enumerable.Range(0, exact.Length).Max(b => Math.Abs(elbo[b] - exact[b]) / Math.Sqrt(relativeVariance[b] / K));
        Assert.True(worst > StatisticalAssert.K, $"the ELBO is within {worst:F1} SE of log p(x)");
    }
}
