using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Distributions;
using StochasticBackprop.Samples.Distributions;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Robustness;

/// <summary>
/// Issue 14's bad and extreme inputs, against every sample distribution and every estimator: NaN, ±∞, boundary and
/// extreme parameter values, disposed and non-floating parameters, huge and tiny sample counts, malformed objectives,
/// samples off the support given to the <c>…At</c> estimators, and the domain edges. Each case states its documented
/// outcome: a number (closed-form truth, k = 4 standard errors, fixed seed) or an exception type with the words its
/// message must contain. Only public API that existed before the checks is used, so the same cases also measure the
/// runtime without them (README "What the estimators check" has the counts).
/// </summary>
public static class BadInputCases
{
    private const long Few = 64;

    private static readonly Lazy<BadInputCase[]> Cases = new(() => Build().ToArray());

    public static IReadOnlyList<BadInputCase> All => Cases.Value;

    public static BadInputCase Named(string name) => All.Single(c => c.Name == name);

    private static Tensor T(params double[] values) => values.Length == 1
        ? torch.tensor(values[0], dtype: ScalarType.Float64)
        : torch.tensor(values, dtype: ScalarType.Float64);

    private static Generator Seed(ulong seed) => new(seed, torch.CPU);

    /// <summary>Σ over the non-sample axes: <c>[S, ...]</c> → <c>[S]</c> (z itself for a scalar batch).</summary>
    private static Tensor PerSample(Tensor z) => z.dim() == 1 ? z : z.flatten(1).sum(new long[] { 1 });

    private static Objective Square => Objective.Separable(z => z.pow(Scalars.Of(2)));

    private static Objective Identity => Objective.Separable(z => z);

    /// <summary>Malformed objectives, by name: each must be refused by every estimator with the words given.</summary>
    private static readonly (string Name, Func<Objective> Make, string[] Words)[] Malformed =
    {
        ("returns-null", () => Objective.General(z => null!), new[] { "null" }),
        ("returns-int64", () => Objective.General(z => PerSample(z).to_type(ScalarType.Int64)), new[] { "Int64", "floating" }),
        ("returns-[S,1]", () => Objective.General(z => PerSample(z).unsqueeze(1)), new[] { "one value per sample" }),
        ("returns-[S+1]", () => Objective.General(z => torch.cat(new[] { PerSample(z), PerSample(z).narrow(0, 0, 1) }, 0)), new[] { "one value per sample" }),
        ("returns-NaN", () => Objective.General(z => PerSample(z).mul(Scalars.Of(double.NaN))), new[] { "not finite" }),
        ("returns-Inf", () => Objective.General(z => PerSample(z).add(Scalars.Of(double.PositiveInfinity), Scalars.One)), new[] { "not finite" }),
    };

    private static IEnumerable<BadInputCase> Build()
    {
        // ---- Parameters: NaN, ±∞, outside the domain, disposed, non-floating, missing event axis.
        (string Name, Func<Tensor, object> Make)[] constructors =
        {
            ("Normal.mu", v => new Normal(v, T(1))), ("Normal.sigma", v => new Normal(T(0), v)),
            ("Laplace.b", v => new Laplace(T(0), v)), ("Exponential.rate", v => new Exponential(v)),
            ("Gamma.k", v => new Gamma(v, T(1))), ("Gamma.theta", v => new Gamma(T(1), v)),
            ("Beta.a", v => new Beta(v, T(1))), ("Poisson.rate", v => new Poisson(v)),
            ("Bernoulli.p", v => new Bernoulli(v)), ("Dirac.a", v => new Dirac(v)),
            ("GbmTerminalPrice.sigma", v => new GbmTerminalPrice(T(100), T(0.05), v, T(1))),
            ("CoupledNormal.theta", v => new CoupledNormal(v, T(1))),
            ("Dirichlet.alpha", v => new Dirichlet(v.reshape(1).expand(3).contiguous())),
            ("Categorical.probs", v => new Categorical(torch.stack(new[] { v, T(0.5) }))),
            ("CategoricalLogits.logits", v => new CategoricalLogits(torch.stack(new[] { v, T(0.5) }))),
        };
        foreach ((string name, Func<Tensor, object> make) in constructors)
        {
            string parameter = name.Split('.')[1];
            yield return BadInputCase.Throws<ArgumentOutOfRangeException>($"parameter {name} = NaN", () => make(T(double.NaN)), parameter, "NaN");
            yield return BadInputCase.Throws<ArgumentOutOfRangeException>($"parameter {name} = +Inf", () => make(T(double.PositiveInfinity)), parameter, "Infinity");
            if (!name.StartsWith("Dirichlet", StringComparison.Ordinal) && !name.StartsWith("Categorical", StringComparison.Ordinal))
            {
                yield return BadInputCase.Throws<ArgumentException>($"parameter {name} disposed", () =>
                {
                    Tensor value = T(0.5);
                    value.Dispose();
                    make(value);
                }, parameter, "disposed");
                yield return BadInputCase.Throws<ArgumentException>($"parameter {name} int64", () => make(torch.tensor(1L)), parameter, "floating");
                yield return BadInputCase.Throws<ArgumentException>($"parameter {name} bool", () => make(torch.tensor(true)), parameter, "floating");
            }
        }
        foreach ((string name, Func<Tensor, object> make) in constructors.Where(c => c.Name is "Normal.sigma" or "Laplace.b" or "Gamma.k" or "Poisson.rate" or "Exponential.rate"))
        {
            yield return BadInputCase.Throws<ArgumentOutOfRangeException>($"parameter {name} = 0", () => make(T(0)), name.Split('.')[1], "positive");
            yield return BadInputCase.Throws<ArgumentOutOfRangeException>($"parameter {name} = -Inf", () => make(T(double.NegativeInfinity)), name.Split('.')[1], "positive");
        }
        foreach ((string name, Func<Tensor, object> make) in new (string, Func<Tensor, object>)[]
        {
            ("Dirichlet.alpha", v => new Dirichlet(v)), ("Categorical.probs", v => new Categorical(v)), ("CategoricalLogits.logits", v => new CategoricalLogits(v)),
        })
        {
            yield return BadInputCase.Throws<ArgumentException>($"parameter {name} disposed", () =>
            {
                Tensor value = T(0.5, 0.5);
                value.Dispose();
                make(value);
            }, name.Split('.')[1], "disposed");
            yield return BadInputCase.Throws<ArgumentException>($"parameter {name} int64", () => make(torch.tensor(new long[] { 1, 0 })), name.Split('.')[1], "floating");
        }
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("parameter Bernoulli.p = 1.5", () => new Bernoulli(T(1.5)), "p", "[0, 1]");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("parameter Dirichlet.alpha without event axis", () => new Dirichlet(T(2.0)), "alpha", "event axis");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("parameter Categorical.probs without event axis", () => new Categorical(T(0.5)), "probs", "event axis");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("parameter CategoricalLogits.logits without event axis", () => new CategoricalLogits(T(0.5)), "logits", "event axis");
        yield return BadInputCase.Throws<ArgumentException>("parameter Normal.sigma disposed after construction, pathwise", () =>
        {
            Tensor sigma = T(1);
            var normal = new Normal(T(0), sigma);
            sigma.Dispose();
            normal.Pathwise(Square, Few);
        }, "sigma", "disposed");
        yield return BadInputCase.Throws<ArgumentException>("parameter Bernoulli.p disposed after construction, local expectation", () =>
        {
            Tensor p = T(0.3);
            var bernoulli = new Bernoulli(p);
            p.Dispose();
            bernoulli.LocalExpectation(Identity, Few);
        }, "p", "disposed");

        // ---- Sample counts: huge (refused before allocating, naming the count and the bytes) and tiny.
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("count int.MaxValue, Bernoulli local expectation", () => new Bernoulli(T(0.3)).LocalExpectation(Identity, int.MaxValue), "2147483647", "bytes");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("count 2^30, Bernoulli sample", () => new Bernoulli(T(0.3)).Sample(1L << 30), "1073741824", "bytes");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("count int.MaxValue, Normal pathwise", () => new Normal(T(0), T(1)).Pathwise(Square, int.MaxValue), "2147483647", "bytes");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("count long.MaxValue, Normal score function", () => new Normal(T(0), T(1)).ScoreFunction(Square, long.MaxValue), "9223372036854775807", "bytes");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("count 2^40, Poisson sample", () => new Poisson(T(3)).Sample(1L << 40), "1099511627776", "bytes");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("count 0, Normal pathwise", () => new Normal(T(0), T(1)).Pathwise(Square, 0), "at least 1");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("count -1, Bernoulli local expectation", () => new Bernoulli(T(0.3)).LocalExpectation(Identity, -1), "at least 1");
        yield return BadInputCase.Finite("count 1, Normal pathwise", 2, () => BadInputCase.MeansOf(new Normal(T(0), T(1)).Pathwise(Square, 1, Seed(1))));
        yield return BadInputCase.Finite("count 1, Normal score function", 2, () => BadInputCase.MeansOf(new Normal(T(0), T(1)).ScoreFunction(Square, 1, generator: Seed(1))));
        yield return BadInputCase.Value("count 1, Bernoulli local expectation (exact)", new[] { 1.0 }, () => BadInputCase.MeansOf(new Bernoulli(T(0.3)).LocalExpectation(Identity, 1, Seed(1))));

        // ---- The counts sampler: bounded memory and time for every rate, true messages.
        yield return BadInputCase.Value("Poisson rate 1e9 sample mean", new[] { 1e9 }, () =>
            BadInputCase.MeanAndError(new Poisson(T(1e9)).Sample(4000, Seed(2))));
        yield return BadInputCase.Value("Poisson rate 1e15 sample mean", new[] { 1e15 }, () =>
            BadInputCase.MeanAndError(new Poisson(T(1e15)).Sample(4000, Seed(3))));
        yield return BadInputCase.Value("Poisson rate 1e9 score function, f = z (d/drate = 1)", new[] { 1.0 }, () =>
            BadInputCase.MeansOf(new Poisson(T(1e9)).ScoreFunction(Identity, 4000, generator: Seed(4))));
        yield return BadInputCase.Value("Poisson rate 1e4 score function, S = 1024, f = z", new[] { 1.0 }, () =>
            BadInputCase.MeansOf(new Poisson(T(1e4)).ScoreFunction(Identity, 1024, generator: Seed(5))));
        yield return BadInputCase.Value("Poisson rate 1e9 fourier-difference, f = z^2 (d/drate = 2 rate + 1)", new[] { 2e9 + 1 }, () =>
            BadInputCase.MeansOf(((IFactorialCumulantDistribution)new Poisson(T(1e9))).Fourier(Square, 64, generator: Seed(6))));

        // ---- Malformed objectives, through every estimator of the sample distributions.
        (string Name, Func<IDistribution> Make)[] distributions =
        {
            ("Normal", () => new Normal(T(0.5), T(1.5))), ("Gamma", () => new Gamma(T(2), T(1))), ("Beta", () => new Beta(T(2), T(3))),
            ("Dirichlet", () => new Dirichlet(T(2, 3, 4))), ("Laplace", () => new Laplace(T(0), T(1))), ("Poisson", () => new Poisson(T(3))),
            ("Bernoulli", () => new Bernoulli(T(0.3, 0.6))), ("Categorical", () => new Categorical(T(0.2, 0.3, 0.5))),
            ("CategoricalLogits", () => new CategoricalLogits(T(0.1, -0.4, 1.0))), ("Exponential", () => new Exponential(T(2))),
        };
        foreach ((string distributionName, Func<IDistribution> make) in distributions)
        {
            foreach (EstimatorEntry entry in EstimatorCatalog.For(make()))
            {
                foreach ((string objectiveName, Func<Objective> objective, string[] words) in Malformed)
                {
                    yield return BadInputCase.Throws<ArgumentException>($"objective {objectiveName}, {distributionName} {entry.Name}",
                        () => entry.Estimate(make(), objective(), Few, Seed(7)), words);
                }
            }
        }
        yield return BadInputCase.Throws<ArgumentException>("objective log z on a Normal, score function", () =>
            new Normal(T(0), T(1)).ScoreFunction(Objective.Separable(z => z.log()), Few, generator: Seed(8)), "not finite");
        yield return BadInputCase.Throws<ArgumentException>("objective log z on a Normal, pathwise", () =>
            new Normal(T(0), T(1)).Pathwise(Objective.Separable(z => z.log()), Few, Seed(8)), "not finite");
        foreach ((string estimator, Func<Normal, Objective, GradientEstimate> run) in new (string, Func<Normal, Objective, GradientEstimate>)[]
        {
            ("pathwise", (d, f) => d.Pathwise(f, Few, Seed(9))),
            ("fourier", (d, f) => ((ICumulantDistribution)d).Fourier(f, Few, generator: Seed(9))),
            ("hybrid", (d, f) => d.Hybrid(f, Few, generator: Seed(9))),
        })
        {
            yield return BadInputCase.Throws<ArgumentException>($"objective on z.detach(), Normal {estimator}", () =>
                run(new Normal(T(1), T(1)), Objective.General(z => PerSample(z.detach().sub(Scalars.Of(3)).pow(Scalars.Of(2))))), "z.detach()");
        }

        // ---- Samples given to the …At estimators: finite, in the support, with the event shape.
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("samples NaN, Normal ScoreFunctionAt", () =>
            new Normal(T(0), T(1)).ScoreFunctionAt(Square, T(0.1, double.NaN, 0.3).reshape(3)), "samples", "finite");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("samples Inf, Normal FourierAt", () =>
            ((ICumulantDistribution)new Normal(T(0), T(1))).FourierAt(Square, T(0.1, double.PositiveInfinity)), "samples", "finite");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("samples 0.5, Bernoulli ScoreFunctionAt", () =>
            new Bernoulli(T(0.3)).ScoreFunctionAt(Identity, T(0.5, 1.0)), "samples", "support");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("samples 0.5, Bernoulli LocalExpectationAt", () =>
            new Bernoulli(T(0.3)).LocalExpectationAt(Identity, T(0.5, 1.0)), "samples", "support");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("samples 0.5, Bernoulli fourier-difference At", () =>
            ((IFactorialCumulantDistribution)new Bernoulli(T(0.3))).FourierAt(Identity, T(0.5, 1.0)), "samples", "support");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("samples 3, Categorical(K = 3) LocalExpectationAt", () =>
            new Categorical(T(0.2, 0.3, 0.5)).LocalExpectationAt(Identity, T(0, 3)), "samples", "support");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("samples -1, Poisson ScoreFunctionAt", () =>
            new Poisson(T(3)).ScoreFunctionAt(Identity, T(-1, 2)), "samples", "count");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("samples 1.5, Poisson FourierAt", () =>
            ((IFactorialCumulantDistribution)new Poisson(T(3))).FourierAt(Identity, T(1.5, 2)), "samples", "count");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("samples -1, Gamma ScoreFunctionAt", () =>
            new Gamma(T(2), T(1)).ScoreFunctionAt(Identity, T(-1, 2)), "samples", "support");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("samples 1.5, Beta ScoreFunctionAt", () =>
            new Beta(T(2), T(2)).ScoreFunctionAt(Identity, T(0.5, 1.5)), "samples", "support");
        yield return BadInputCase.Throws<ArgumentException>("samples 0-dimensional, Normal ScoreFunctionAt", () =>
            new Normal(T(0), T(1)).ScoreFunctionAt(Square, T(0.5)), "samples", "shape");
        yield return BadInputCase.Throws<ArgumentException>("samples of the wrong event shape, Dirichlet ScoreFunctionAt", () =>
            new Dirichlet(T(2, 3, 4)).ScoreFunctionAt(Identity, torch.full(new long[] { 4, 2 }, Scalars.Of(0.5), dtype: ScalarType.Float64)), "shape");
        yield return BadInputCase.Throws<ArgumentException>("samples int64, Bernoulli ScoreFunctionAt", () =>
            new Bernoulli(T(0.3)).ScoreFunctionAt(Identity, torch.tensor(new long[] { 0, 1 })), "samples");

        // ---- Domain edges and extreme values: the right number or a clear error naming the parameter and the estimators.
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("Bernoulli p = 0, score function", () =>
            new Bernoulli(T(0)).ScoreFunction(Identity, 256, generator: Seed(10)), "probability 0", "local-expectation");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("Bernoulli p = 1, score function", () =>
            new Bernoulli(T(1)).ScoreFunction(Identity, 256, generator: Seed(10)), "probability 0", "local-expectation");
        yield return BadInputCase.Value("Bernoulli p = 0, local expectation, f = z (dp = 1)", new[] { 1.0 }, () =>
            BadInputCase.MeansOf(new Bernoulli(T(0)).LocalExpectation(Identity, 64, Seed(11))));
        yield return BadInputCase.Value("Bernoulli p = 1, local expectation, f = -z (dp = -1)", new[] { -1.0 }, () =>
            BadInputCase.MeansOf(new Bernoulli(T(1)).LocalExpectation(Objective.Separable(z => z.neg()), 64, Seed(11))));
        yield return BadInputCase.Value("Bernoulli p = 0, fourier-difference, f = z (dp = 1)", new[] { 1.0 }, () =>
            BadInputCase.MeansOf(((IFactorialCumulantDistribution)new Bernoulli(T(0))).Fourier(Identity, 64, generator: Seed(11))));
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("Categorical with a zero entry, score function", () =>
            new Categorical(T(0.5, 0.5, 0)).ScoreFunction(Identity, 256, generator: Seed(12)), "probability 0", "local-expectation");
        yield return BadInputCase.Value("Categorical with a zero entry, local expectation, f = z (d/dp_k = k)", new[] { 0.0, 1.0, 2.0 }, () =>
            BadInputCase.MeansOf(new Categorical(T(0.5, 0.5, 0)).LocalExpectation(Identity, 64, Seed(12))));
        yield return BadInputCase.Finite("Bernoulli p = 0, Gumbel-softmax", 1, () => BadInputCase.MeansOf(new Bernoulli(T(0)).GumbelSoftmax(Identity, 256, 0.5, Seed(13))));
        yield return BadInputCase.Finite("Categorical with a zero entry, Gumbel-softmax", 3, () => BadInputCase.MeansOf(new Categorical(T(0.5, 0.5, 0)).GumbelSoftmax(Identity, 256, 0.5, Seed(13))));
        yield return BadInputCase.Finite("CategoricalLogits ±1e4, Gumbel-softmax", 2, () => BadInputCase.MeansOf(new CategoricalLogits(T(1e4, -1e4)).GumbelSoftmax(Identity, 256, 0.5, Seed(13))));
        yield return BadInputCase.Finite("CategoricalLogits ±1e4, straight-through Gumbel-softmax", 2, () => BadInputCase.MeansOf(new CategoricalLogits(T(1e4, -1e4)).StraightThroughGumbelSoftmax(Identity, 256, 0.5, Seed(13))));
        yield return BadInputCase.Finite("Bernoulli p = 1, Gumbel-softmax at temperature 1e-3", 1, () => BadInputCase.MeansOf(new Bernoulli(T(1)).GumbelSoftmax(Identity, 256, 1e-3, Seed(13))));
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("Normal sigma = 1e-200, score function", () =>
            new Normal(T(1), T(1e-200)).ScoreFunction(Square, 256, generator: Seed(14)), "sigma", "1E-200", "pathwise");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("Normal sigma = 1e150, score function", () =>
            new Normal(T(0), T(1e150)).ScoreFunction(Square, 256, generator: Seed(14)), "sigma", "1E+150", "pathwise");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("Normal float32 sigma = 1e-30, score function", () =>
            new Normal(torch.tensor(1f), torch.tensor(1e-30f)).ScoreFunction(Square, 256, generator: Seed(14)), "sigma", "pathwise");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("Normal mu = 1e120, score function", () =>
            new Normal(T(1e120), T(1)).ScoreFunction(Square, 256, generator: Seed(14)), "mu", "pathwise");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("Laplace b = 1e-200, score function", () =>
            new Laplace(T(0), T(1e-200)).ScoreFunction(Square, 256, generator: Seed(14)), "'b'", "pathwise");
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("Normal sigma = 1e-200, hybrid", () =>
            new Normal(T(1), T(1e-200)).Hybrid(Square, 256, generator: Seed(14)), "sigma", "pathwise");
        yield return BadInputCase.Value("Normal sigma = 1e-200, pathwise, f = z^2 (dmu = 2, dsigma = 2e-200)", new[] { 2.0, 2e-200 }, () =>
            BadInputCase.MeansOf(new Normal(T(1), T(1e-200)).Pathwise(Square, 4096, Seed(15))));
        yield return BadInputCase.Value("Normal sigma = 1e150, pathwise, f = z^2 (dsigma = 2e150)", new[] { 0.0, 2e150 }, () =>
            BadInputCase.MeansOf(new Normal(T(0), T(1e150)).Pathwise(Square, 4096, Seed(15))));
        yield return BadInputCase.Value("Normal sigma = 1e150, fourier, f = z^2 (dsigma = 2e150)", new[] { 0.0, 2e150 }, () =>
            BadInputCase.MeansOf(((ICumulantDistribution)new Normal(T(0), T(1e150))).Fourier(Square, 64, generator: Seed(15))));
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("Gamma k = 1e-4, score function", () =>
            new Gamma(T(1e-4), T(1)).ScoreFunction(Identity, 4096, generator: Seed(16)), "k = 0.0001", "pathwise");
        yield return BadInputCase.Value("Gamma k = 1e-4, pathwise, f = z (dk = theta = 1, dtheta = k)", new[] { 1.0, 1e-4 }, () =>
            BadInputCase.MeansOf(new Gamma(T(1e-4), T(1)).Pathwise(Identity, 20000, Seed(16))));
        yield return BadInputCase.Throws<ArgumentOutOfRangeException>("Beta a = 1e-3, score function", () =>
            new Beta(T(1e-3), T(1)).ScoreFunction(Identity, 4096, generator: Seed(17)), "a = 0.001", "pathwise");
        yield return BadInputCase.Value("Normal(1, 2), score function, f = z^2 (dmu = 2, dsigma = 4)", new[] { 2.0, 4.0 }, () =>
            BadInputCase.MeansOf(new Normal(T(1), T(2)).ScoreFunction(Square, 20000, generator: Seed(18))));
        yield return BadInputCase.Value("Normal float32 sigma = 1e-6, pathwise, f = z^2 (dmu = 2)", new[] { 2.0, 2e-6 }, () =>
            BadInputCase.MeansOf(new Normal(torch.tensor(1f), torch.tensor(1e-6f)).Pathwise(Square, 4096, Seed(19))).Select(m => (m.Item1, Math.Max(m.Item2, 1e-6 * Math.Abs(m.Item1)))).ToArray());
        yield return BadInputCase.Value("Dirichlet(2, 3, 4), pathwise, f = z_0 (dalpha = (7, -2, -2)/81)", new[] { 7.0 / 81, -2.0 / 81, -2.0 / 81 }, () =>
            BadInputCase.MeansOf(new Dirichlet(T(2, 3, 4)).Pathwise(Objective.General(z => z.select(1, 0)), 20000, Seed(20))));
    }
}
