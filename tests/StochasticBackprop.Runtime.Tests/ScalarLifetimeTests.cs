using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using StochasticBackprop.Distributions;
using StochasticBackprop.Samples.Distributions;
using StochasticBackprop.Models;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests;

/// <summary>
/// TorchSharp 0.107 frees a temporary <see cref="Scalar"/> on the finalizer thread as soon as its handle
/// has been read, possibly before libtorch reads it (dotnet/TorchSharp PRs #1434, #1496): a garbage
/// collection at that moment aborts the process. Here one thread collects garbage and runs finalizers
/// without pause while this one runs every generated member and every estimator family; without
/// <see cref="Scalars"/> in the runtime and the generated code it fails within a few seconds (libtorch's
/// "Expected false to be true" or "Unknown scalar type", as an exception or an abort). Its own class, so
/// that an abort names it; in a collection that runs alone, because its collector thread forces
/// collections on the whole process (other tests' own objectives would be exposed) and wants a free core
/// for the finalizer thread. The objectives use <see cref="Scalars"/> too.
/// </summary>
[Collection(ScalarLifetimeCollection.Name)]
public sealed class ScalarLifetimeTests
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(5);

    private readonly ITestOutputHelper output;

    public ScalarLifetimeTests(ITestOutputHelper output) => this.output = output;

    [Fact]
    public void GeneratedMembersAndEstimators_UnderContinuousGarbageCollection_DoNotCrash()
    {
        var stop = 0;
        long collections = 0;
        var collector = new Thread(() =>
        {
            // Generation 0 is where the temporaries live, and collecting only it is fast: many collections a second.
            while (Volatile.Read(ref stop) == 0)
            {
                GC.Collect(0);
                GC.WaitForPendingFinalizers();
                collections++;
            }
        }) { IsBackground = true, Name = "collector" };

        // One worker: the other core is left to the collector and the finalizer thread.
        long rounds = 0;
        collector.Start();
        try
        {
            IReadOnlyList<Action> steps = Steps(20261123);
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < Duration)
            {
                foreach (Action step in steps)
                {
                    using DisposeScope scope = torch.NewDisposeScope();
                    step();
                }
                rounds++;
            }
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            collector.Join();
        }

        output.WriteLine($"{rounds} rounds, {collections} collections");
        Assert.True(rounds > 0 && collections > 0);
    }

    private static IReadOnlyList<Action> Steps(ulong seed)
    {
        static Tensor Vector(params double[] values) => torch.tensor(values, dtype: ScalarType.Float64);
        var generator = new Generator(seed, torch.CPU);
        // Small batches: the crash comes sooner the more tensor operations run per second (measured with the
        // estimators' code unfixed). The members' draws are made once, so each round is the generated code only.
        const long memberSampleCount = 64;
        const long sampleCount = 16;

        var normal = new Normal(Vector(0.5, -0.3), Vector(1.2, 0.7));
        var gamma = new Gamma(Vector(2.5, 0.8), Vector(0.9, 1.3));
        var laplace = new Laplace(Vector(0.2), Vector(0.8));
        var exponential = new Exponential(Vector(1.5));
        var bernoulli = new Bernoulli(Vector(0.3, 0.6));
        var poisson = new Poisson(Vector(2.0));
        var beta = new Beta(Vector(3.0), Vector(4.0));
        var logGamma = new LogGamma(Vector(1.7, 0.6));
        var categorical = new Categorical(torch.tensor(new[] { 0.2, 0.5, 0.3 }, dtype: ScalarType.Float64));
        var logitsCategorical = new CategoricalLogits(torch.tensor(new[] { 0.2, -0.5, 1.3 }, dtype: ScalarType.Float64));
        var logNormal = new LogNormal(Vector(0.1, -0.4), Vector(0.6, 0.9));
        var dirichlet = new Dirichlet(torch.tensor(new[] { 2.0, 3.0, 1.5 }, dtype: ScalarType.Float64));
        var studentT = new StudentT(Vector(7.0, 12.0), Vector(0.2, -0.1), Vector(0.9, 1.4));

        // f(z) = Σ (z − 1)², written without implicit Scalars (z.square() would be pow(2) with a temporary).
        Objective quadratic = Objective.Separable(z =>
        {
            Tensor d = z - Scalars.Of(1.0);
            return d * d;
        });
        Objective general = Objective.General(z => (z * Scalars.Of(-0.7)).exp().sum(new long[] { 1 }));
        var hybrid = new HybridEstimator();
        var selfCheckOptions = new StochasticBackprop.Checking.SelfCheckOptions { SampleCount = 200, MaxCoordinates = 1, Frequencies = new[] { 1.0 } };
        Tensor normalDraws = normal.Sample(memberSampleCount, generator), gammaDraws = gamma.Sample(memberSampleCount, generator),
            laplaceDraws = laplace.Sample(memberSampleCount, generator), exponentialDraws = exponential.Sample(memberSampleCount, generator),
            bernoulliDraws = bernoulli.Sample(memberSampleCount, generator), poissonDraws = poisson.Sample(memberSampleCount, generator),
            betaDraws = beta.Sample(memberSampleCount, generator), logGammaDraws = logGamma.Sample(memberSampleCount, generator),
            logNormalDraws = logNormal.Sample(memberSampleCount, generator),
            dirichletDraws = dirichlet.Sample(memberSampleCount, generator), studentTDraws = studentT.Sample(memberSampleCount, generator);

        // The latent-model API: every site estimator on a two-layer belief net, a categorical site and a Gaussian site.
        var net = new StochasticBackprop.Samples.Models.TinyBeliefNet();
        var siteEstimators = new (SiteEstimator, SiteEstimator)[]
        {
            (SiteEstimator.Score(ScoreBaseline.LeaveOneOut), SiteEstimator.Score(ScoreBaseline.MovingAverage)),
            (SiteEstimator.LocalExpectation, SiteEstimator.DisArm),
            (SiteEstimator.Arm, SiteEstimator.Rebar()),
            (SiteEstimator.Relax(StochasticBackprop.Samples.Models.TinyBeliefNet.Z1), SiteEstimator.StraightThrough(0.5)),
            (SiteEstimator.GumbelSoftmax(0.5), SiteEstimator.Score()),
        };
        LatentModel[] beliefNets = Array.ConvertAll(siteEstimators, pair => net.Build(pair.Item1, pair.Item2));
        Tensor categoricalLogits = torch.zeros(2, 3, dtype: ScalarType.Float64).requires_grad_(true);
        var categoricalModel = new LatentModel(
            (q, x) => q.Sample("c", new Categorical(categoricalLogits.softmax(-1).expand(q.Rows, 2, 3)), SiteEstimator.LocalExpectation),
            (p, x) => p.Observe("x", new Normal(p.Sample("c", new Categorical(torch.ones(p.Rows, 2, 3, dtype: ScalarType.Float64) / Scalars.Of(3.0))).sum(new long[] { -1 }), torch.ones(p.Rows, 2, dtype: ScalarType.Float64)), torch.ones(p.Rows, 2, dtype: ScalarType.Float64)));
        Tensor location = torch.zeros(1, dtype: ScalarType.Float64).requires_grad_(true);
        var gaussianModel = new LatentModel(
            (q, x) => q.Sample("z", new Normal(location.expand(q.Rows, 1), torch.ones(q.Rows, 1, dtype: ScalarType.Float64))),
            (p, x) => p.Observe("x", new Normal(p.Sample("z", new Normal(torch.zeros(p.Rows, 1, dtype: ScalarType.Float64), torch.ones(p.Rows, 1, dtype: ScalarType.Float64))), torch.ones(p.Rows, 1, dtype: ScalarType.Float64)), x));
        Tensor gaussianData = torch.ones(3, 1, dtype: ScalarType.Float64);
        LatentModel GaussianWith(SiteEstimator site, ScalarType dtype) => new(
            (q, x) => q.Sample("z", new Normal(location.to_type(dtype).expand(q.Rows, 2), torch.ones(q.Rows, 2, dtype: dtype)), site),
            (p, x) => p.Observe("x", new Normal(p.Sample("z", new Normal(torch.zeros(p.Rows, 2, dtype: dtype), torch.ones(p.Rows, 2, dtype: dtype))), torch.ones(p.Rows, 2, dtype: dtype)), x));
        LatentModel sticking = GaussianWith(SiteEstimator.StickingTheLanding, ScalarType.Float64);
        var float32Hybrid = (HybridSite)SiteEstimator.Hybrid(new HybridOptions { Granularity = LambdaGranularity.PerCoordinate }, MomentPooling.AcrossRows);
        LatentModel hybridFloat32 = GaussianWith(float32Hybrid, ScalarType.Float32);
        Tensor gaussianData2 = torch.ones(3, 2, dtype: ScalarType.Float64), gaussianData2Float32 = torch.ones(3, 2, dtype: ScalarType.Float32);

        // The runtime optimizers (StochasticBackprop.Optim): every option that adds an operation, on their own parameters.
        Tensor[] optimized = Array.ConvertAll(new[] { 0.3, -0.4, 0.5 }, x => torch.tensor(new[] { x, 2 * x }, dtype: ScalarType.Float64).requires_grad_(true));
        StochasticBackprop.Optim.Optimizer[] optimizers =
        {
            new StochasticBackprop.Optim.Adam(new[] { optimized[0] }, 1e-3, weight_decay: 0.1, amsgrad: true, maximize: true),
            new StochasticBackprop.Optim.AdamW(new[] { optimized[1] }, 1e-3, amsgrad: true),
            new StochasticBackprop.Optim.Sgd(new[] { optimized[2] }, 1e-3, momentum: 0.9, weight_decay: 0.1, nesterov: true),
        };
        void OptimizerStep(int i)
        {
            StochasticBackprop.Optim.Optimizer optimizer = optimizers[i];
            optimizer.zero_grad();
            quadratic.Evaluate(optimized[i].unsqueeze(0)).sum().backward();
            optimizer.step();
        }

        void Members<T>(T distribution, Tensor z) where T : IScoredDistribution
        {
            distribution.LogDensity(z);
            distribution.Score(z);
            if (distribution is IHasEntropy entropy)
            {
                entropy.Entropy();
            }
            if (distribution is IHasCdf cdf)
            {
                cdf.Cdf(z);
            }
            if (distribution is ICumulantDistribution cumulants)
            {
                for (int n = 1; n <= cumulants.CumulantOrder; n++)
                {
                    cumulants.Cumulant(n);
                    cumulants.CumulantGradient(n);
                }
            }
            if (distribution is IFactorialCumulantDistribution factorial)
            {
                for (int n = 1; n <= factorial.FactorialCumulantOrder; n++)
                {
                    factorial.FactorialCumulant(n);
                    factorial.FactorialCumulantGradient(n);
                }
            }
            TorchStyleMembers(distribution, z);
        }

        // The torch.distributions-style members (LogProb, Mean, Variance, Entropy, Cdf, Sample(shape), RSample).
        void TorchStyleMembers(IDistribution distribution, Tensor z)
        {
            (distribution as IHasLogProb)?.LogProb(z);
            _ = (distribution as IHasMean)?.Mean;
            _ = (distribution as IHasVariance)?.Variance;
            (distribution as IHasEntropy)?.Entropy();
            (distribution as IHasCdf)?.Cdf(z);
            distribution.Sample(2, 3);
            (distribution as IReparameterizedDistribution)?.RSample(4, generator);
        }
        var testStudentT = new TestDistributions.StudentT(Vector(0.3), Vector(1.2), Vector(4.0));
        var shifted = new TestDistributions.ShiftedGamma(Vector(0.5), Vector(2.0));
        var geometric = new TestDistributions.CdfGeometric(Vector(0.3, 0.6));
        var exponentialWithCdf = new TestDistributions.CdfExponential(Vector(1.5));
        var categoricalWithEntropy = new TestDistributions.EntropyCategorical(torch.tensor(new[] { 0.2, 0.5, 0.3 }, dtype: ScalarType.Float64));
        Tensor testStudentTDraws = testStudentT.Sample(memberSampleCount, generator), geometricDraws = geometric.Sample(memberSampleCount, generator),
            exponentialWithCdfDraws = exponentialWithCdf.Sample(memberSampleCount, generator), categoricalDraws = categoricalWithEntropy.Sample(memberSampleCount, generator);

        return new Action[]
        {
            () => Members(normal, normalDraws),
            () => Members(testStudentT, testStudentTDraws),
            () => Members(geometric, geometricDraws),
            () => Members(exponentialWithCdf, exponentialWithCdfDraws),
            () => TorchStyleMembers(categoricalWithEntropy, categoricalDraws),
            () => Estimators.Pathwise(testStudentT, quadratic, sampleCount, generator),
            () => Estimators.Fourier(testStudentT, quadratic, sampleCount, 2, generator),
            () => Estimators.Fourier(shifted, quadratic, sampleCount, 2, generator),
            () => Members(gamma, gammaDraws),
            () => Members(laplace, laplaceDraws),
            () => Members(exponential, exponentialDraws),
            () => Members(bernoulli, bernoulliDraws),
            () => Members(poisson, poissonDraws),
            () => Members(beta, betaDraws),
            () => Members(logGamma, logGammaDraws),
            () => Estimators.Fourier(logGamma, quadratic, sampleCount, 4, generator),
            () => Members(logNormal, logNormalDraws),
            () => Members(dirichlet, dirichletDraws),
            () => Members(studentT, studentTDraws),
            () => categorical.Entropy(),
            () => logitsCategorical.Entropy(),
            () => Estimators.Pathwise(logNormal, quadratic, sampleCount, generator),
            () => Estimators.Pathwise(dirichlet, quadratic, sampleCount, generator),
            () => Estimators.Pathwise(studentT, quadratic, sampleCount, generator),
            () => Estimators.ScoreFunction(studentT, quadratic, sampleCount, Baseline.LeaveOneOut, generator),
            () => Estimators.Fourier(studentT, quadratic, sampleCount, 2, generator),
            () => Estimators.Pathwise(gamma, quadratic, sampleCount, generator),
            () => Estimators.Pathwise(normal, general, sampleCount, generator),
            () => Estimators.ScoreFunction(normal, quadratic, sampleCount, Baseline.LeaveOneOut, generator),
            () => Estimators.ScoreFunction(gamma, quadratic, sampleCount, Baseline.Constant(0.5), generator),
            () => Estimators.Fourier(gamma, quadratic, sampleCount, 4, generator),
            () => Estimators.Fourier(laplace, general, sampleCount, 2, generator),
            () => hybrid.Estimate(normal, quadratic, sampleCount, generator).Surrogate.item<double>(),
            () => Estimators.LocalExpectation(bernoulli, quadratic, sampleCount, generator),
            () => Estimators.GumbelSoftmax(categorical, quadratic, sampleCount, 0.5, generator),
            () => Estimators.Fourier(poisson, quadratic, sampleCount, 2, generator),
            () => Estimators.Fourier(beta, quadratic, sampleCount, 2, generator),
            () => Enumeration.Expectation(bernoulli, quadratic),
            // The characteristic functions and the self-check (quadrature, sums over the counts and the support, autograd).
            () => normal.CharacteristicFunction(Vector(0.5, 2.0)),
            () => poisson.CharacteristicFunction(Vector(1.5)),
            () => StochasticBackprop.Checking.SelfCheck.Run(exponential, selfCheckOptions),
            () => StochasticBackprop.Checking.SelfCheck.Run(poisson, selfCheckOptions),
            () => StochasticBackprop.Checking.SelfCheck.Run(bernoulli, selfCheckOptions),
            // The checks on given samples (finite, in the support, on the counts) and their estimators.
            () => Estimators.ScoreFunctionAt(normal, quadratic, normalDraws),
            () => Estimators.ScoreFunctionAt(poisson, quadratic, poissonDraws),
            () => Estimators.LocalExpectationAt(bernoulli, quadratic, bernoulliDraws),
            () => Estimators.FourierAt(gamma, quadratic, gammaDraws, 2),
            () => beliefNets[0].Elbo(net.Data, 2, generator).Loss.backward(),
            () => beliefNets[1].Elbo(net.Data, 1, generator).Loss.backward(),
            () => beliefNets[2].Elbo(net.Data, 1, generator).Loss.backward(),
            () => beliefNets[3].Elbo(net.Data, 1, generator).Loss.backward(),
            () => beliefNets[4].Elbo(net.Data, 1, generator).Loss.backward(),
            () => beliefNets[4].Iwae(net.Data, 3, generator).Loss.backward(),
            () => beliefNets[0].LogMarginal(net.Data, 8, generator),
            () => categoricalModel.Elbo(torch.zeros(2, 1, dtype: ScalarType.Float64), 2, generator).Loss.backward(),
            () => gaussianModel.Elbo(gaussianData, 2, generator, new ElboOptions { SiteGradients = true }).Sites[0].WithinPointVariance(0),
            () => sticking.Elbo(gaussianData2, 2, generator).Loss.backward(),
            () => OptimizerStep(0),
            () => OptimizerStep(1),
            () => OptimizerStep(2),
            () =>
            {
                hybridFloat32.Elbo(gaussianData2Float32, 1, generator).Loss.backward();
                _ = float32Hybrid.LastMoments("z")[0].CovarianceOverPathwiseVariance;
            },
        };
    }
}

/// <summary>Runs <see cref="ScalarLifetimeTests"/> with no other test in parallel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ScalarLifetimeCollection
{
    public const string Name = "Scalar lifetime (runs alone)";
}
