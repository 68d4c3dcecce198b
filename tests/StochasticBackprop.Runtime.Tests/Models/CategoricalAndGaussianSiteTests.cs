using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Distributions;
using StochasticBackprop.Models;
using StochasticBackprop.Runtime.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Models;

/// <summary>
/// Categorical sites (one-hot values; Echraibi et al.'s (2020) CSB) against enumeration, and a Gaussian site (pathwise and score) against a
/// closed-form bound, at 4 standard errors with fixed seeds.
/// </summary>
public sealed class CategoricalAndGaussianSiteTests
{
    private const int D = 2, K = 3, X = 3;

    private sealed class CategoricalNet
    {
        public Tensor W = Draw(11, D * K, X), B = Draw(12, D * K), V = Draw(13, X, D * K), C = Draw(14, X);
        public Tensor Data = torch.tensor(new double[] { 1, 0, 1, 0, 1, 1 }, new long[] { 2, X }, dtype: ScalarType.Float64);
        public Tensor[] Parameters => new[] { W, B, V, C };

        private static Tensor Draw(int seed, params long[] shape)
            => (torch.randn(shape, dtype: ScalarType.Float64, generator: new Generator((ulong)seed)) * Scalars.Of(0.8)).requires_grad_(true);

        public Tensor Probabilities(Tensor x) => torch.nn.functional.linear(x, W, B).reshape(x.shape[0], D, K).softmax(-1);

        public LatentModel Build(SiteEstimator estimator) => new(
            (q, x) => q.Sample("z", new Categorical(Probabilities(x)), estimator),
            (p, x) =>
            {
                Tensor z = p.Sample("z", new Categorical(torch.full(new long[] { p.Rows, D, K }, 1.0 / K, dtype: ScalarType.Float64)));
                p.Observe("x", new Bernoulli(torch.nn.functional.linear(z.reshape(p.Rows, D * K), V, C).sigmoid()), x);
            });

        /// <summary>The exact ELBO averaged over the data points, enumerating the K^D configurations.</summary>
        public Tensor ExactElbo()
        {
            var configurations = new List<double>();
            for (int c = 0; c < K * K; c++)
            {
                var onehot = new double[D * K];
                onehot[c % K] = 1;
                onehot[K + c / K] = 1;
                configurations.AddRange(onehot);
            }
            Tensor z = torch.tensor(configurations.ToArray(), new long[] { K * K, D, K }, dtype: ScalarType.Float64);
            var elbos = new List<Tensor>();
            for (int b = 0; b < Data.shape[0]; b++)
            {
                Tensor x = Data[b];
                Tensor logProbs = Probabilities(x.unsqueeze(0)).log();                        // [1, D, K]
                Tensor logQ = (z * logProbs).sum(new long[] { 1, 2 });                           // [9]
                Tensor logPrior = Shapes.Constant(D * Math.Log(1.0 / K), logQ);
                Tensor logits = torch.nn.functional.linear(z.reshape(K * K, D * K), V, C);      // [9, X]
                Tensor logLikelihood = (x * torch.nn.functional.logsigmoid(logits) + (-(x - Scalars.Of(1.0))) * torch.nn.functional.logsigmoid(logits.neg())).sum(new long[] { 1 });
                elbos.Add((logQ.exp() * (logLikelihood + logPrior - logQ)).sum());
            }
            return torch.stack(elbos).mean();
        }
    }

    private static double[] Flatten(IList<Tensor> tensors) => tensors.SelectMany(t => t.detach().flatten().data<double>().ToArray()).ToArray();

    private static Tensor Repeat(Func<ElboEstimate> estimate, Tensor[] parameters, int count)
    {
        var rows = new List<double[]>();
        for (int i = 0; i < count; i++)
        {
            using DisposeScope scope = torch.NewDisposeScope();
            using ElboEstimate e = estimate();
            rows.Add(Flatten(torch.autograd.grad(new[] { e.Surrogate }, parameters)));
        }
        return torch.tensor(rows.SelectMany(r => r).ToArray(), new long[] { count, rows[0].Length }, dtype: ScalarType.Float64);
    }

    [Theory]
    [InlineData("local-expectation", 1)]
    [InlineData("local-expectation", 10)]
    [InlineData("score-loo", 20)]
    public void CategoricalSite_MatchesEnumeratedElboGradient(string estimator, int particles)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var net = new CategoricalNet();
        double[] truth = Flatten(torch.autograd.grad(new[] { net.ExactElbo() }, net.Parameters));
        LatentModel model = net.Build(estimator == "local-expectation" ? SiteEstimator.LocalExpectation : SiteEstimator.Score(ScoreBaseline.LeaveOneOut));
        var generator = new Generator(29);
        Tensor gradients = Repeat(() => model.Elbo(net.Data, particles, generator), net.Parameters, 200);
        StatisticalAssert.WithinStandardErrors(gradients, truth, $"{estimator} S = {particles}");
    }

    [Fact]
    public void CategoricalSite_GumbelSoftmaxIsDetectablyBiased_AndLabelled()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var net = new CategoricalNet();
        double[] truth = Flatten(torch.autograd.grad(new[] { net.ExactElbo() }, net.Parameters));
        SiteEstimator relaxation = SiteEstimator.GumbelSoftmax(1.0);
        Assert.True(relaxation.Biased);
        var generator = new Generator(31);
        Tensor gradients = Repeat(() => net.Build(relaxation).Elbo(net.Data, 20, generator), net.Parameters, 200);
        StatisticalAssert.FailsAgainst(gradients, truth, "gumbel-softmax");
    }

    /// <summary>
    /// On the Gaussian site with a noisy likelihood the score function is far noisier than pathwise; the hybrid's λ* sits
    /// near 1 and its variance is no worse than the better of the two (within 10%, λ being estimated).
    /// </summary>
    [Fact]
    public void GaussianSite_HybridVariance_IsNoWorseThanTheBetterEstimator()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor location = torch.tensor(new[] { 0.3 }, dtype: ScalarType.Float64).requires_grad_(true);
        Tensor logScale = torch.tensor(new[] { -0.2 }, dtype: ScalarType.Float64).requires_grad_(true);
        Tensor data = torch.tensor(new[] { 1.0, -1.0, 0.5, 2.0 }, new long[] { 4, 1 }, dtype: ScalarType.Float64);
        double Variance(SiteEstimator site)
        {
            var model = new LatentModel(
                (q, x) => q.Sample("z", new Normal(location.expand(q.Rows, 1), logScale.exp().expand(q.Rows, 1)), site),
                (p, x) =>
                {
                    Tensor z = p.Sample("z", new Normal(torch.zeros(p.Rows, 1, dtype: ScalarType.Float64), torch.ones(p.Rows, 1, dtype: ScalarType.Float64)));
                    p.Observe("x", new Normal(z, torch.ones(p.Rows, 1, dtype: ScalarType.Float64) * Scalars.Of(0.5)), x);
                });
            var generator = new Generator(43);
            return Repeat(() => model.Elbo(data, 8, generator), new[] { location, logScale }, 300).var(new long[] { 0 }).sum().item<double>();
        }
        double pathwise = Variance(SiteEstimator.Pathwise);
        double score = Variance(SiteEstimator.Score(ScoreBaseline.LeaveOneOut));
        double hybrid = Variance(SiteEstimator.Hybrid());
        Assert.True(pathwise < score, $"pathwise {pathwise:G4}, score {score:G4}");
        Assert.True(hybrid < 1.1 * Math.Min(pathwise, score), $"hybrid {hybrid:G4} against pathwise {pathwise:G4} and score {score:G4}");
    }

    /// <summary>
    /// q(z | x) = N(a·x + b, e^{2s}), p(z) = N(0, 1), p(x | z) = N(z, 1): the ELBO is
    /// −log 2π − ½((x − m)² + σ²) − ½(m² + σ²) + ½ log(2πe σ²), differentiated by autograd for the truth.
    /// </summary>
    [Theory]
    [InlineData("pathwise")]
    [InlineData("sticking-the-landing")]
    [InlineData("score-loo")]
    [InlineData("hybrid-previous-batches")]
    [InlineData("hybrid-same-batch-per-coordinate")]
    [InlineData("hybrid-across-rows")]
    [InlineData("defect:hybrid-weights-not-summing-to-one")]
    public void GaussianSite_MatchesClosedFormElboGradient(string estimator)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor a = torch.tensor(0.7, dtype: ScalarType.Float64).requires_grad_(true);
        Tensor b = torch.tensor(-0.3, dtype: ScalarType.Float64).requires_grad_(true);
        Tensor s = torch.tensor(-0.5, dtype: ScalarType.Float64).requires_grad_(true);
        Tensor[] parameters = { a, b, s };
        Tensor data = torch.tensor(new[] { 1.5, -0.5, 0.2 }, new long[] { 3, 1 }, dtype: ScalarType.Float64);
        Tensor m = data * a + b;
        Tensor variance = (s * Scalars.Of(2.0)).exp();
        Tensor exact = (-(data - m).pow(Scalars.Of(2.0)) * Scalars.Of(0.5) - variance * Scalars.Of(0.5) - m.pow(Scalars.Of(2.0)) * Scalars.Of(0.5) - variance * Scalars.Of(0.5)
            + (variance * Scalars.Of(2 * Math.PI * Math.E)).log() * Scalars.Of(0.5)).mean() - Scalars.Of(Math.Log(2 * Math.PI));
        double[] truth = Flatten(torch.autograd.grad(new[] { exact }, parameters));
        SiteEstimator site = estimator switch
        {
            "pathwise" => SiteEstimator.Pathwise,
            "sticking-the-landing" => SiteEstimator.StickingTheLanding,
            "score-loo" => SiteEstimator.Score(ScoreBaseline.LeaveOneOut),
            "hybrid-previous-batches" => SiteEstimator.Hybrid(new HybridOptions { Mode = LambdaMode.PreviousBatches }),
            "hybrid-same-batch-per-coordinate" => SiteEstimator.Hybrid(new HybridOptions { Granularity = LambdaGranularity.PerCoordinate }),
            "hybrid-across-rows" => SiteEstimator.Hybrid(new HybridOptions { Mode = LambdaMode.PreviousBatches }, MomentPooling.AcrossRows),
            _ => new HybridSite(new HybridOptions { Mode = LambdaMode.PreviousBatches }, MomentPooling.WithinDataPoint) { WeightsDefect = true },
        };
        var model = new LatentModel(
            (q, x) => q.Sample("z", new Normal(x * a + b, (s.exp()).expand(q.Rows, 1)), site),
            (p, x) =>
            {
                Tensor z = p.Sample("z", new Normal(torch.zeros(p.Rows, 1, dtype: ScalarType.Float64), torch.ones(p.Rows, 1, dtype: ScalarType.Float64)));
                p.Observe("x", new Normal(z, torch.ones(p.Rows, 1, dtype: ScalarType.Float64)), x);
            });
        var generator = new Generator(37);
        Tensor gradients = Repeat(() => model.Elbo(data, 50, generator), parameters, 200);
        if (estimator.StartsWith("defect:", StringComparison.Ordinal))
        {
            StatisticalAssert.FailsAgainst(gradients, truth, estimator);
            return;
        }
        StatisticalAssert.WithinStandardErrors(gradients, truth, estimator);
        if (site is HybridSite hybrid)
        {
            Assert.All(hybrid.LastLambdas("z"), lambda => Assert.InRange(lambda, 0.0, 1.0));
        }
        using ElboEstimate one = model.Elbo(data, 2000, generator);
        Assert.True(Math.Abs(one.Value.item<double>() - exact.item<double>()) < 0.1, $"ELBO {one.Value.item<double>()} against {exact.item<double>()}");
    }

    /// <summary>
    /// p(z) = N(0, 1), p(x | z) = N(z, 1) and q(z | x) = N(x/2, ½), the exact posterior: log p(x, z) − log q(z | x) = log p(x)
    /// for every z, so sticking the landing's gradient is exactly zero at every draw, while the total pathwise derivative
    /// keeps the score term's noise. At a wrong q both agree in mean (the closed-form test above).
    /// </summary>
    [Fact]
    public void StickingTheLanding_HasZeroVarianceAtTheExactPosterior()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor data = torch.tensor(new[] { 1.0, -0.4 }, new long[] { 2, 1 }, dtype: ScalarType.Float64);
        Tensor half = torch.tensor(0.5, dtype: ScalarType.Float64).requires_grad_(true);
        Tensor logScale = torch.tensor(0.5 * Math.Log(0.5), dtype: ScalarType.Float64).requires_grad_(true);
        double Spread(SiteEstimator site)
        {
            var model = new LatentModel(
                (q, x) => q.Sample("z", new Normal(x * half, logScale.exp().expand(q.Rows, 1)), site),
                (p, x) =>
                {
                    Tensor z = p.Sample("z", new Normal(torch.zeros(p.Rows, 1, dtype: ScalarType.Float64), torch.ones(p.Rows, 1, dtype: ScalarType.Float64)));
                    p.Observe("x", new Normal(z, torch.ones(p.Rows, 1, dtype: ScalarType.Float64)), x);
                });
            var generator = new Generator(11);
            return Repeat(() => model.Elbo(data, 4, generator), new[] { half, logScale }, 50).var(new long[] { 0 }).sum().item<double>();
        }
        double sticking = Spread(SiteEstimator.StickingTheLanding);
        double pathwise = Spread(SiteEstimator.Pathwise);
        Assert.True(sticking < 1e-20, $"sticking the landing's variance at the exact posterior is {sticking:G4}, not 0");
        Assert.True(pathwise > 1e-2, $"the total pathwise derivative's variance is {pathwise:G4}");
    }

    [Fact]
    public void StickingTheLanding_IsRefusedForTheImportanceWeightedBound()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor m = torch.tensor(0.3, dtype: ScalarType.Float64).requires_grad_(true);
        var model = new LatentModel(
            (q, x) => q.Sample("z", new Normal(m.expand(q.Rows, 1), torch.ones(q.Rows, 1, dtype: ScalarType.Float64)), SiteEstimator.StickingTheLanding),
            (p, x) => p.Observe("x", new Normal(p.Sample("z", new Normal(torch.zeros(p.Rows, 1, dtype: ScalarType.Float64), torch.ones(p.Rows, 1, dtype: ScalarType.Float64))), torch.ones(p.Rows, 1, dtype: ScalarType.Float64)), x));
        var error = Assert.Throws<InvalidOperationException>(() => model.Iwae(torch.zeros(3, 1, dtype: ScalarType.Float64), 4));
        Assert.Contains("sticking the landing", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The hybrid's pathwise half is sticking the landing: with λ held at 1 (previous-batches mode's first batch) its gradient is STL's on the same noise, to rounding.</summary>
    [Fact]
    public void HybridAtLambdaOne_IsStickingTheLanding()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor data = torch.tensor(new[] { 1.5, -0.5, 0.2 }, new long[] { 3, 1 }, dtype: ScalarType.Float64);
        Tensor a = torch.tensor(0.3, dtype: ScalarType.Float64).requires_grad_(true);
        Tensor s = torch.tensor(-0.7, dtype: ScalarType.Float64).requires_grad_(true);
        double[] Gradient(SiteEstimator site)
        {
            var model = new LatentModel(
                (q, x) => q.Sample("z", new Normal(x * a, s.exp().expand(q.Rows, 1)), site),
                (p, x) =>
                {
                    Tensor z = p.Sample("z", new Normal(torch.zeros(p.Rows, 1, dtype: ScalarType.Float64), torch.ones(p.Rows, 1, dtype: ScalarType.Float64)));
                    p.Observe("x", new Normal(z.pow(Scalars.Of(3.0)), torch.ones(p.Rows, 1, dtype: ScalarType.Float64)), x);
                });
            using ElboEstimate e = model.Elbo(data, 4, new Generator(3));
            return Flatten(torch.autograd.grad(new[] { e.Surrogate }, new[] { a, s }));
        }
        double[] sticking = Gradient(SiteEstimator.StickingTheLanding);
        double[] hybrid = Gradient(SiteEstimator.Hybrid(new HybridOptions { Mode = LambdaMode.PreviousBatches, InitialLambda = 1.0 }));
        double[] total = Gradient(SiteEstimator.Pathwise);
        for (int i = 0; i < sticking.Length; i++)
        {
            Assert.Equal(sticking[i], hybrid[i], 1e-12);
        }
        // ... and not the total derivative, which keeps the direct score term.
        Assert.True(Math.Abs(total[1] - sticking[1]) > 1e-3, $"total {total[1]}, sticking the landing {sticking[1]}");
    }
}
