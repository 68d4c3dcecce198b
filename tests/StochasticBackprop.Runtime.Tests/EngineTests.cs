using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Distributions;
using StochasticBackprop.Samples.Distributions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests;

/// <summary>
/// The estimator engine: estimators are runtime code over the generated per-distribution maths. The closed
/// forms the generator derives (pathwise Jacobians, finite score tables) must reproduce the autograd they
/// replace sample by sample; gradients are computed only where wanted; float32 stays float32; and every
/// estimator a distribution's capabilities allow is reachable from the catalog.
/// </summary>
public sealed class EngineTests
{
    private static Tensor Scalar(double value, ScalarType type = ScalarType.Float64, bool grad = false) => torch.tensor(value, dtype: type, requires_grad: grad);

    private static Tensor Vector(params double[] values) => torch.tensor(values, dtype: ScalarType.Float64);

    private static Objective Smooth() => Objective.Separable(z => (z - Scalars.Of(0.3)).pow(Scalars.Of(2)).add(z.sin(), Scalars.One));

    private static double MaxDifference(Tensor a, Tensor b)
    {
        using (torch.NewDisposeScope())
        {
            return (a.to_type(ScalarType.Float64) - b.to_type(ScalarType.Float64)).abs().max().item<double>();
        }
    }

    public static TheoryData<string> Reparameterized => new() { "Normal", "Laplace", "Gamma", "Exponential", "Dirac", "CoupledNormal", "GbmTerminalPrice", "NormalVector", "GammaWide" };

    private static IReparameterizedDistribution Make(string name) => name switch
    {
        "Normal" => new Normal(Scalar(0.4), Scalar(1.3)),
        "Laplace" => new Laplace(Scalar(-0.2), Scalar(0.7)),
        "Gamma" => new Gamma(Scalar(1.7), Scalar(0.8)),
        "Exponential" => new Exponential(Scalar(1.5)),
        "Dirac" => new Dirac(Scalar(0.6)),
        "CoupledNormal" => new CoupledNormal(Scalar(0.8), Scalar(0.5)),
        "GbmTerminalPrice" => new GbmTerminalPrice(Scalar(100), Scalar(0.03), Scalar(0.25), Scalar(0.5)),
        // A [3] mean with a scalar scale: the scale's Jacobian is summed over the broadcast axis.
        "NormalVector" => new Normal(Vector(0.1, -0.5, 1.2), Scalar(0.9)),
        // 11 coordinates: whole vectors of coordinates and a remainder in the generated row loop.
        "GammaWide" => new Gamma(Vector(Enumerable.Range(1, 11).Select(i => 0.5 + 0.3 * i).ToArray()), Vector(Enumerable.Range(1, 11).Select(i => 2.0 - 0.1 * i).ToArray())),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Reparameterized))]
    public void Pathwise_GeneratedJacobian_EqualsPerSampleAutograd_SampleBySample(string name)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        IReparameterizedDistribution distribution = Make(name);
        Assert.IsAssignableFrom<IPathwiseJacobian>(distribution);
        Objective f = name == "GbmTerminalPrice" ? Objective.Separable(z => (z * Scalars.Of(0.01)).sin()) : Smooth();

        GradientEstimate byJacobian = Estimators.PathwiseCore(distribution, f, 64, new Generator(7), useJacobian: true);
        GradientEstimate byLeaves = Estimators.PathwiseCore(distribution, f, 64, new Generator(7), useJacobian: false);

        Assert.Equal(0.0, MaxDifference(byJacobian.Samples, byLeaves.Samples));
        for (int p = 0; p < distribution.Parameters.Count; p++)
        {
            Tensor expected = byLeaves.PerSampleGradients[p];
            double scale = Math.Max(1, expected.abs().max().item<double>());
            Assert.True(MaxDifference(byJacobian.PerSampleGradients[p], expected) <= 1e-11 * scale,
                $"{name} {distribution.ParameterNames[p]}: the generated Jacobian differs from autograd by {MaxDifference(byJacobian.PerSampleGradients[p], expected):G3}");
        }
    }

    /// <summary>A distribution whose declared Jacobian is wrong (∂z/∂σ = 2ε) fails the same comparison.</summary>
    [Fact]
    public void Pathwise_WrongJacobian_IsCaughtByTheSameComparison()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var wrong = new WrongJacobianNormal(new Normal(Scalar(0.4), Scalar(1.3)));

        GradientEstimate byJacobian = Estimators.PathwiseCore(wrong, Smooth(), 64, new Generator(7), useJacobian: true);
        GradientEstimate byLeaves = Estimators.PathwiseCore(wrong, Smooth(), 64, new Generator(7), useJacobian: false);

        Assert.True(MaxDifference(byJacobian.PerSampleGradient("sigma"), byLeaves.PerSampleGradient("sigma")) > 1e-3);
        Assert.True(MaxDifference(byJacobian.PerSampleGradient("mu"), byLeaves.PerSampleGradient("mu")) <= 1e-12);
    }

    [Fact]
    public void Pathwise_GammaImplicitJacobian_MatchesFiniteDifferencesOfTheInverseCdf()
    {
        // dz/dk = −(∂F/∂k)/p(z) for z = θ·ε, ε ~ Gamma(k, 1): the implicit-reparameterization identity, with ∂F/∂k by
        // central differences of the regularised incomplete gamma function (MathNet), at every drawn sample.
        using DisposeScope scope = torch.NewDisposeScope();
        const double k = 1.7, theta = 0.8;
        var gamma = new Gamma(Scalar(k), Scalar(theta));
        PathwiseDraw draw = gamma.DrawWithJacobian(32, new[] { true, true }, new Generator(3));
        double[] z = draw.Samples.data<double>().ToArray();
        double[] dk = draw.Jacobians[0]!.data<double>().ToArray();
        double[] dTheta = Shapes.ToBatch(draw.Jacobians[1]!, draw.Samples.shape).contiguous().data<double>().ToArray();
        for (int i = 0; i < z.Length; i++)
        {
            double eps = z[i] / theta;
            const double h = 1e-5;
            double dFdk = (MathNet.Numerics.SpecialFunctions.GammaLowerRegularized(k + h, eps) - MathNet.Numerics.SpecialFunctions.GammaLowerRegularized(k - h, eps)) / (2 * h);
            double density = Math.Exp((k - 1) * Math.Log(eps) - eps - MathNet.Numerics.SpecialFunctions.GammaLn(k));
            // libtorch's ∂ε/∂k is itself an approximation (series, asymptotic and rational fits), accurate to about 1e-4
            // relative; a wrong formula (a missing θ, the explicit part only) is off by tens of percent.
            double expected = theta * -dFdk / density;
            Assert.True(Math.Abs(dk[i] - expected) <= 2e-4 * Math.Abs(expected), $"sample {i}: {dk[i]:R} against {expected:R}");
            Assert.Equal(eps, dTheta[i], 12);
        }
    }

    [Fact]
    public void ParametersThatDoNotRequireGrad_AreNotComputed_UnlessNoParameterDoes()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var partly = new CoupledNormal(Scalar(0.8, grad: true), Scalar(2.0));
        var none = new CoupledNormal(Scalar(0.8), Scalar(2.0));
        Objective f = Objective.Separable(z => z.pow(Scalars.Of(2)).mul(Scalars.Of(0.5)).clamp_max(Scalars.Of(2.0)));

        foreach (Func<IHybridDistribution, GradientEstimate> estimator in new Func<IHybridDistribution, GradientEstimate>[]
        {
            d => d.Pathwise(f, 256, new Generator(5)),
            d => d.ScoreFunction(f, 256, null, new Generator(5)),
            d => d.Hybrid(f, 256, null, new Generator(5)),
        })
        {
            GradientEstimate onlyTheta = estimator(partly);
            GradientEstimate both = estimator(none);
            // Alpha is not wanted: its per-sample gradient is zero and costs no buffer (a broadcast view).
            Assert.Equal(0.0, onlyTheta.PerSampleGradient("alpha").abs().max().item<double>());
            if (!onlyTheta.Estimator.StartsWith("hybrid", StringComparison.Ordinal))
            {
                Assert.Equal(0, onlyTheta.PerSampleGradient("alpha").stride(0));
            }
            Assert.NotEqual(0.0, both.PerSampleGradient("alpha").abs().max().item<double>());
            Assert.True(MaxDifference(onlyTheta.PerSampleGradient("theta"), both.PerSampleGradient("theta")) <= 1e-12, onlyTheta.Estimator);
        }
    }

    [Fact]
    public void AParameterNotComputed_HasThePerSampleShapeOfItsOwn_InEveryEstimator()
    {
        // μ of shape [3] requires grad, σ (a scalar broadcast over the batch) does not: its per-sample gradient is a
        // zero of shape [S] (the parameter's own), as the reduction to the parameter would have left it.
        using DisposeScope scope = torch.NewDisposeScope();
        var normal = new Normal(Vector(0.1, -0.5, 1.2).requires_grad_(true), Scalar(0.9));
        Objective f = Smooth();
        foreach (GradientEstimate estimate in new[]
        {
            normal.Pathwise(f, 64, new Generator(1)),
            normal.ScoreFunction(f, 64, Baseline.LeaveOneOut, new Generator(1)),
            normal.Fourier(f, 64, 2, new Generator(1)),
            normal.Hybrid(f, 64, null, new Generator(1)),
        })
        {
            Assert.Equal(new long[] { 64 }, estimate.PerSampleGradient("sigma").shape);
            Assert.Equal(0.0, estimate.Gradient("sigma").item<double>());
            Assert.Equal(new long[] { 64, 3 }, estimate.PerSampleGradient("mu").shape);
            Assert.True(estimate.PerSampleGradient("mu").abs().sum().item<double>() > 0, estimate.Estimator);
        }
    }

    [Fact]
    public void Bernoulli_GeneratedScoreTable_EqualsAutogradOfTheTable_AndPerSampleScoreIsItsEntry()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var bernoulli = new Bernoulli(Vector(0.2, 0.5, 0.9));
        IReadOnlyList<Tensor?> generated = bernoulli.ScoreTable(new[] { true });
        IReadOnlyList<Tensor?> byAutograd = DiscreteSupport.ScoreTableByAutograd(bernoulli, new[] { true });
        Assert.True(MaxDifference(generated[0]!, byAutograd[0]!) <= 1e-12);

        Tensor z = bernoulli.Sample(50, new Generator(2));
        Tensor score = bernoulli.Score(z)[0];
        Tensor p = bernoulli.P;
        // z/p − (1 − z)/(1 − p) by hand.
        Tensor expected = (z / p) - ((-(z - Scalars.Of(1))) / (-(p - Scalars.Of(1))));
        Assert.True(MaxDifference(score, expected) <= 1e-12);
    }

    [Fact]
    public void FiniteScoreFunction_ThroughTheTableLoop_EqualsWeightTimesTheGatheredScore()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var bernoulli = new Bernoulli(Vector(0.2, 0.5, 0.9, 0.35, 0.6));
        Objective f = Objective.Separable(z => (z - Scalars.Of(0.45)).pow(Scalars.Of(2)));
        Tensor z = bernoulli.Sample(300, new Generator(6));

        GradientEstimate looped = bernoulli.ScoreFunctionAt(f, z, Baseline.LeaveOneOut);

        Tensor values = f.Evaluate(z);
        Tensor others = (values.sum() - values) / Scalars.Of(299);
        Tensor expected = (values - others).unsqueeze(1) * bernoulli.Score(z)[0];
        Assert.True(MaxDifference(looped.PerSampleGradient("p"), expected) <= 1e-12);
    }

    [Fact]
    public void CategoricalScoreTable_ByAutogradAtBatchShape_GivesThePerSampleScoreOfSoftmax()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor logits = torch.tensor(new[,] { { 0.1, -0.4, 0.9 }, { 1.0, 0.0, -1.0 } }, dtype: ScalarType.Float64);
        var categorical = new CategoricalLogits(logits);
        Tensor z = categorical.Sample(40, new Generator(9));
        Tensor score = categorical.Score(z)[0];
        // ∂ log softmax(l)_z/∂l = onehot(z) − softmax(l).
        Tensor expected = torch.nn.functional.one_hot(z.to_type(ScalarType.Int64), 3).to_type(ScalarType.Float64) - logits.softmax(-1);
        Assert.True(MaxDifference(score, expected) <= 1e-12);
    }

    [Theory]
    [InlineData("separable")]
    [InlineData("ridge")]
    public void ReplacedValues_ClosedForms_EqualTheGeneralStackedEvaluation(string structure)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor direction = Vector(0.5, -1.0, 2.0, 0.25);
        Func<Tensor, Tensor> h = u => (u - Scalars.Of(0.2)).pow(Scalars.Of(2)).add(u.cos(), Scalars.One);
        Objective structured = structure == "separable" ? Objective.Separable(h) : Objective.Ridge(h, direction);
        Objective general = Objective.General(structured.Evaluate);
        Tensor z = torch.rand(new long[] { 7, 4 }, dtype: ScalarType.Float64, generator: new Generator(4));
        double[] values = { 0, 1, 2.5 };

        Tensor closed = structured.ReplacedValues(z, values);
        Tensor stacked = general.ReplacedValues(z, values);

        Assert.Equal(new long[] { 7, 4, 3 }, closed.shape);
        Assert.True(MaxDifference(closed, stacked) <= 1e-12);
        // Entry [i, c, k] by hand at one place: z_2 of sample 5 set to 2.5.
        Tensor moved = z.clone();
        moved[5, 2] = torch.tensor(2.5, dtype: ScalarType.Float64);
        Assert.Equal(structured.Evaluate(moved)[5].item<double>(), closed[5, 2, 2].item<double>(), 12);
    }

    [Fact]
    public void Float32Parameters_KeepEveryEstimatorInFloat32_WithinStatedAccuracyOfFloat64()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var single = new Normal(Scalar(0.4, ScalarType.Float32), Scalar(1.3, ScalarType.Float32));
        var @double = new Normal(Scalar(0.4), Scalar(1.3));
        Objective f = Smooth();
        Tensor samples = @double.Sample(4096, new Generator(1));

        foreach ((GradientEstimate a, GradientEstimate b) in new[]
        {
            (Estimators.ScoreFunctionAt(single, f, samples.to_type(ScalarType.Float32)), Estimators.ScoreFunctionAt(@double, f, samples)),
            (Estimators.FourierAt(single, f, samples.to_type(ScalarType.Float32), 2), Estimators.FourierAt(@double, f, samples, 2)),
        })
        {
            for (int p = 0; p < 2; p++)
            {
                Assert.Equal(ScalarType.Float32, a.PerSampleGradients[p].dtype);
                // float32 carries about 7 digits: per-sample gradients agree to 1e-5 relative.
                double scale = Math.Max(1, b.PerSampleGradients[p].abs().max().item<double>());
                Assert.True(MaxDifference(a.PerSampleGradients[p], b.PerSampleGradients[p]) <= 1e-5 * scale, a.Estimator);
            }
        }

        foreach (GradientEstimate estimate in new[] { single.Pathwise(f, 2048, new Generator(2)), single.Hybrid(f, 2048, null, new Generator(2)) })
        {
            Assert.Equal(ScalarType.Float32, estimate.Samples.dtype);
            Assert.All(estimate.PerSampleGradients, g => Assert.Equal(ScalarType.Float32, g.dtype));
            Assert.Equal(ScalarType.Float32, estimate.Surrogate.dtype);
        }
    }

    [Fact]
    public void Catalog_OffersEachDistributionExactlyTheEstimatorsItsCapabilitiesAllow()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        string[] Names(IDistribution d) => EstimatorCatalog.For(d).Select(e => e.Name).ToArray();

        Assert.Equal(new[] { "fourier", "hybrid", "pathwise", "score-function" }, Names(new Gamma(Scalar(2), Scalar(1))));
        Assert.Equal(new[] { "fourier-composite", "hybrid", "pathwise", "score-function" }, Names(new Beta(Scalar(6), Scalar(9))));
        Assert.Equal(new[] { "fourier-difference", "score-function" }, Names(new Poisson(Scalar(1.5))));
        Assert.Contains("local-expectation", Names(new Bernoulli(Scalar(0.3))));
        Assert.DoesNotContain("local-expectation", Names(new Normal(Scalar(0), Scalar(1))));
        Assert.All(EstimatorCatalog.For(new Bernoulli(Scalar(0.3))).Where(e => e.Name.Contains("gumbel")), e => Assert.True(e.Biased));
    }

    [Fact]
    public void Catalog_EstimateRunsWithDefaultsAndNamedSettings()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var bernoulli = new Bernoulli(Scalar(0.3));
        EstimatorEntry gumbel = EstimatorCatalog.For(bernoulli).Single(e => e.Name == "gumbel-softmax");
        Assert.Contains("temperature", gumbel.Settings);

        GradientEstimate estimate = gumbel.Estimate(bernoulli, Smooth(), 16, new Generator(1), new Dictionary<string, object?> { ["temperature"] = 0.25 });

        Assert.Equal("gumbel-softmax(tau=0.25)", estimate.Estimator);
        Assert.Throws<ArgumentException>(() => gumbel.Estimate(new Normal(Scalar(0), Scalar(1)), Smooth(), 16));
    }

    [Fact]
    public void StandardNormalNoise_Float64Ziggurat_PassesKolmogorovSmirnov_AndAWrongTransformFails()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        const int n = 200_000;
        Tensor like = Scalar(0);
        double[] draws = Noise.StandardNormal(new long[] { n }, like, new Generator(21)).data<double>().ToArray();
        // A wrong sampler for contrast: Box–Muller with r = √(−log u) (the 2 forgotten).
        Tensor u = torch.rand(new long[] { 2, n / 2 }, dtype: ScalarType.Float64, generator: new Generator(21));
        double[] wrong = torch.cat(new[] { u[0].neg().log1p().neg().sqrt() * (u[1] * Scalars.Of(2 * Math.PI)).cos(), u[0].neg().log1p().neg().sqrt() * (u[1] * Scalars.Of(2 * Math.PI)).sin() }, 0).data<double>().ToArray();

        // Kolmogorov–Smirnov against Φ at the 0.1% level: D ≤ 1.95/√n.
        double critical = 1.95 / Math.Sqrt(n);
        Assert.True(KolmogorovSmirnov(draws) <= critical, $"D = {KolmogorovSmirnov(draws):G4} > {critical:G4}");
        Assert.True(KolmogorovSmirnov(wrong) > critical);
        // Reproducible from the generator's seed; different seeds give different draws.
        Assert.Equal(draws.Take(5), Noise.StandardNormal(new long[] { n }, like, new Generator(21)).data<double>().ToArray().Take(5));
        Assert.NotEqual(draws.Take(5), Noise.StandardNormal(new long[] { n }, like, new Generator(22)).data<double>().ToArray().Take(5));
        Assert.Equal(new long[] { 3, 5 }, Noise.StandardNormal(new long[] { 3, 5 }, like, new Generator(1)).shape);
    }

    [Fact]
    public void StandardNormalNoise_Float64Ziggurat_HasTheExactTailBeyondTheBaseStrip()
    {
        // The ziggurat's base strip ends at R = 3.4426; beyond it the tail is sampled separately. P(|z| > 3.6) = 2Φ(−3.6)
        // and P(|z| > 5): counts within 4 binomial standard errors, with 4·10⁶ draws (a sampler without its tail has none).
        using DisposeScope scope = torch.NewDisposeScope();
        const int n = 4_000_000;
        Tensor draws = Noise.StandardNormal(new long[] { n }, Scalar(0), new Generator(5)).abs();
        foreach (double threshold in new[] { 3.0, 3.6, 4.5 })
        {
            double p = 2 * MathNet.Numerics.Distributions.Normal.CDF(0, 1, -threshold);
            double count = draws.gt(Scalars.Of(threshold)).sum().to_type(ScalarType.Float64).item<double>();
            double standardError = Math.Sqrt(n * p * (1 - p));
            Assert.True(Math.Abs(count - n * p) <= 4 * standardError, $"|z| > {threshold}: {count} draws, expected {n * p:F1} ± {standardError:F1}");
        }
        Assert.Equal(0.0, draws.mean().item<double>() - Math.Sqrt(2 / Math.PI), 3);
    }

    private static double KolmogorovSmirnov(double[] sample)
    {
        double[] sorted = sample.OrderBy(x => x).ToArray();
        double d = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            double cdf = MathNet.Numerics.Distributions.Normal.CDF(0, 1, sorted[i]);
            d = Math.Max(d, Math.Max(Math.Abs(cdf - (double)i / sorted.Length), Math.Abs((double)(i + 1) / sorted.Length - cdf)));
        }
        return d;
    }

    [Fact]
    public void Pathwise_SurrogateReachesTheObjectivesOwnParameters_AndOnlyThenKeepsItsGraph()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor mu = Scalar(0.4, grad: true);
        Tensor weight = Scalar(1.5, grad: true);
        var normal = new Normal(mu, Scalar(1.3));
        Objective own = Objective.Separable(z => z.pow(Scalars.Of(2)) * weight);
        Objective plain = Objective.Separable(z => z.pow(Scalars.Of(2)));

        GradientEstimate withOwn = normal.Pathwise(own, 4000, new Generator(8));
        withOwn.Surrogate.backward();
        // d/dw of mean w·z² is mean z²; d/dμ is the estimate's own gradient.
        Assert.Equal(withOwn.Samples.pow(Scalars.Of(2)).mean().item<double>(), weight.grad!.item<double>(), 12);
        Assert.Equal(withOwn.Gradient("mu").item<double>(), mu.grad!.item<double>(), 12);

        mu.grad!.zero_();
        GradientEstimate withoutOwn = normal.Pathwise(plain, 4000, new Generator(8));
        withoutOwn.Surrogate.backward();
        Assert.Equal(withoutOwn.Gradient("mu").item<double>(), mu.grad!.item<double>(), 12);
        Assert.Equal(withoutOwn.Value.item<double>(), withoutOwn.Surrogate.item<double>(), 12);
        Assert.False(Estimators.HasOwnParameters(plain, withoutOwn.Samples));
        Assert.True(Estimators.HasOwnParameters(own, withoutOwn.Samples));
    }

    public static TheoryData<string> Scored => new() { "Normal", "Laplace", "Gamma", "Exponential", "CoupledNormal", "GbmTerminalPrice", "NormalVector", "GammaWide" };

    [Theory]
    [MemberData(nameof(Scored))]
    public void ScoreKernel_GeneratedLoop_EqualsTheTensorScoreTimesTheWeight_SampleBySample(string name)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var distribution = (IScoredDistribution)Make(name);
        var kernels = Assert.IsAssignableFrom<IScoreKernel>(distribution);
        Tensor z = distribution.Sample(50, new Generator(12)).contiguous();
        Tensor weight = torch.rand(new long[] { 50 }, dtype: ScalarType.Float64, generator: new Generator(13));
        IReadOnlyList<Tensor> scores = distribution.Score(z);
        for (int p = 0; p < scores.Count; p++)
        {
            Tensor destination = torch.empty(z.shape, dtype: ScalarType.Float64);
            Assert.True(kernels.ScoreKernel(p, Kernel.Doubles(z), Kernel.Doubles(weight), Kernel.Doubles(destination)), $"{name}: no loop for parameter {p}");
            Tensor expected = weight.reshape(new[] { 50L }.Concat(Enumerable.Repeat(1L, (int)z.dim() - 1)).ToArray()) * scores[p];
            double scale = Math.Max(1, expected.abs().max().item<double>());
            Assert.True(MaxDifference(destination, expected) <= 1e-12 * scale, $"{name} {distribution.ParameterNames[p]}: loop and tensor score differ by {MaxDifference(destination, expected):G3}");
            // The same comparison tells parameters apart: the loop of the other parameter does not pass it.
            if (scores.Count > 1)
            {
                Tensor other = torch.empty(z.shape, dtype: ScalarType.Float64);
                kernels.ScoreKernel((p + 1) % scores.Count, Kernel.Doubles(z), Kernel.Doubles(weight), Kernel.Doubles(other));
                Assert.True(MaxDifference(other, expected) > 1e-6 * scale);
            }
        }
        Assert.False(kernels.ScoreKernel(scores.Count, Kernel.Doubles(z), Kernel.Doubles(weight), Kernel.Doubles(torch.empty(z.shape, dtype: ScalarType.Float64))));
    }

    [Theory]
    [InlineData(1e-10)]
    [InlineData(-0.3)]
    [InlineData(2.5)]
    [InlineData(-800)]
    [InlineData(800)]
    public void KernelHelpers_AgreeWithLibtorch_AndStayFiniteAtTheExtremes(double x)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor t = Scalar(x);
        if (x > -1)
        {
            Assert.Equal(t.log1p().item<double>(), Kernel.Log1p(x), 15);
        }
        Assert.Equal(t.sigmoid().item<double>(), Kernel.Sigmoid(x), 15);
        double softplus = -torch.nn.functional.logsigmoid(-t).item<double>();
        Assert.True(Math.Abs(softplus - Kernel.Softplus(x)) <= 1e-15 * Math.Max(1, Math.Abs(softplus)), $"softplus({x}) = {Kernel.Softplus(x):R}, libtorch {softplus:R}");
        Assert.True(double.IsFinite(Kernel.Sigmoid(x)) && double.IsFinite(Kernel.Softplus(x)));
    }

    [Fact]
    public void ScoreFunction_ThroughTheLoop_EqualsTheTensorPath()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var normal = new Normal(Vector(0.1, -0.5, 1.2), Scalar(0.9));
        Tensor samples = normal.Sample(200, new Generator(4));
        // float32 samples take the tensor path (the loops are float64): the same numbers to float32 accuracy.
        GradientEstimate looped = normal.ScoreFunctionAt(Smooth(), samples, Baseline.LeaveOneOut);
        var single = new Normal(Vector(0.1, -0.5, 1.2).to_type(ScalarType.Float32), Scalar(0.9, ScalarType.Float32));
        GradientEstimate tensorPath = single.ScoreFunctionAt(Smooth(), samples.to_type(ScalarType.Float32), Baseline.LeaveOneOut);
        for (int p = 0; p < 2; p++)
        {
            double scale = Math.Max(1, looped.PerSampleGradients[p].abs().max().item<double>());
            Assert.True(MaxDifference(looped.PerSampleGradients[p], tensorPath.PerSampleGradients[p]) <= 1e-5 * scale);
        }
    }

    /// <summary>A Normal whose Jacobian for σ is deliberately wrong (2ε instead of ε).</summary>
    private sealed class WrongJacobianNormal(Normal inner) : IPathwiseJacobian
    {
        public string Name => "WrongJacobianNormal";

        public IReadOnlyList<string> ParameterNames => inner.ParameterNames;

        public IReadOnlyList<Tensor> Parameters => inner.Parameters;

        public long[] BatchShape => inner.BatchShape;

        public bool IsImplicit => false;

        public Tensor Sample(long sampleCount, Generator? generator = null) => inner.Sample(sampleCount, generator);

        public Tensor Reparameterize(IReadOnlyList<Tensor> parameters, long sampleCount, Generator? generator = null) =>
            ((IReparameterizedDistribution)inner).Reparameterize(parameters, sampleCount, generator);

        public PathwiseDraw DrawWithJacobian(long sampleCount, IReadOnlyList<bool> wanted, Generator? generator = null)
        {
            PathwiseDraw right = inner.DrawWithJacobian(sampleCount, wanted, generator);
            return new PathwiseDraw(right.Samples, new[] { right.Jacobians[0], right.Jacobians[1] is { } j ? j * Scalars.Of(2) : null });
        }
    }
}
