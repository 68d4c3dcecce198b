using System;
using System.Linq;
using StochasticBackprop.Optim;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace StochasticBackprop.Runtime.Tests.Optim;

/// <summary>
/// The runtime's optimizers against TorchSharp's <c>torch.optim</c> (whose <c>step()</c> makes temporary Scalars:
/// run here as the reference, without the garbage-collection stress of <c>ScalarLifetimeTests</c>): the same start,
/// the same loss, in float64, the parameters after every one of 60 steps equal to 1e-12, through a step where one
/// parameter has no gradient and a learning-rate change at step 30.
/// </summary>
public sealed class OptimizerTests
{
    private const int Steps = 60;
    private const double Tolerance = 1e-12;

    private readonly ITestOutputHelper output;

    public OptimizerTests(ITestOutputHelper output) => this.output = output;

    private static Parameter[] Start(ScalarType dtype = ScalarType.Float64) => new[]
    {
        new Parameter(tensor(new[] { 0.3, -1.2, 2.0 }, dtype)),
        new Parameter(tensor(new[] { 0.7, -0.1 }, dtype)),
    };

    /// <summary>A loss whose gradient changes with the parameters and the step; at step 7 only a has a gradient (b's is removed).</summary>
    private static Tensor Loss(Parameter[] p, int step, bool negate)
    {
        Tensor a = p[0], b = p[1];
        Tensor d = a - Scalars.Of(0.5);
        // A bowl with a bounded gradient, so that ascending it (maximize) stays finite too.
        Tensor bowl = (d * d).log1p().sum() * Scalars.Of(0.5);
        Tensor loss = bowl;
        if (step != 7)
        {
            using Scalar frequency = (1 + 0.1 * step).ToScalar();
            Tensor coupling = (a[..2] * b * frequency).sin().sum();
            loss = bowl.add(coupling, Scalars.One);
        }
        return negate ? -loss : loss;
    }

    /// <summary>Runs both optimizers side by side and returns the largest parameter difference over all steps.</summary>
    private static double MaxDifference(Func<Parameter[], Optimizer> ours, Func<Parameter[], torch.optim.Optimizer> theirs, bool negateReferenceLoss = false)
    {
        TorchBackend.EnsureAvailable();
        using DisposeScope scope = NewDisposeScope();
        Parameter[] mine = Start(), reference = Start();
        using Optimizer optimizer = ours(mine);
        torch.optim.Optimizer torchOptimizer = theirs(reference);
        double worst = 0;
        for (int step = 0; step < Steps; step++)
        {
            if (step == 30)
            {
                optimizer.LearningRate *= 0.5;
                foreach (var group in torchOptimizer.ParamGroups) group.LearningRate *= 0.5;
            }
            optimizer.zero_grad();
            torchOptimizer.zero_grad();
            if (step == 7)
            {
                foreach (Parameter p in mine.Concat(reference)) p.grad = null;
            }
            Loss(mine, step, negate: false).backward();
            Loss(reference, step, negate: negateReferenceLoss).backward();
            optimizer.step();
            torchOptimizer.step();
            for (int i = 0; i < mine.Length; i++)
            {
                double[] x = mine[i].data<double>().ToArray(), y = reference[i].data<double>().ToArray();
                for (int j = 0; j < x.Length; j++)
                {
                    Assert.True(double.IsFinite(x[j]) && double.IsFinite(y[j]), $"step {step}: non-finite parameter");
                    worst = Math.Max(worst, Math.Abs(x[j] - y[j]));
                }
            }
        }
        // The updates moved the parameters (the comparison is not vacuous).
        Assert.True(Math.Abs(mine[0].data<double>()[0] - 0.3) > 1e-3, $"parameter barely moved: {mine[0].data<double>()[0]}");
        return worst;
    }

    [Theory]
    [InlineData(1e-3, 0.9, 0.999, 1e-8, 0.0, false, false)]
    [InlineData(0.05, 0.8, 0.99, 1e-6, 0.0, false, false)]
    [InlineData(0.05, 0.8, 0.99, 1e-6, 0.1, false, false)]
    [InlineData(0.05, 0.8, 0.99, 1e-6, 0.0, true, false)]
    [InlineData(0.05, 0.8, 0.99, 1e-6, 0.0, false, true)]
    [InlineData(0.05, 0.8, 0.99, 1e-6, 0.1, true, false)]
    [InlineData(0.05, 0.8, 0.99, 1e-6, 0.1, false, true)]
    [InlineData(0.05, 0.8, 0.99, 1e-6, 0.1, true, true)]
    [InlineData(0.02, 0.0, 0.0, 0.0, 0.0, false, false)]
    public void Adam_MatchesTorchAdam(double lr, double beta1, double beta2, double eps, double weightDecay, bool amsgrad, bool maximize)
    {
        double difference = MaxDifference(
            p => new Adam(p, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize),
            p => new TorchSharp.Modules.Adam(p, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize));
        output.WriteLine($"max |ours − torch| over {Steps} steps: {difference:E3}");
        Assert.True(difference <= Tolerance, $"max |ours − torch| = {difference:E3}");
    }

    [Theory]
    [InlineData(1e-3, 0.9, 0.999, 1e-8, 0.01, false, false)]
    [InlineData(0.05, 0.8, 0.99, 1e-6, 0.0, false, false)]
    [InlineData(0.05, 0.8, 0.99, 1e-6, 0.3, false, false)]
    [InlineData(0.05, 0.8, 0.99, 1e-6, 0.3, true, false)]
    [InlineData(0.05, 0.8, 0.99, 1e-6, 0.3, false, true)]
    [InlineData(0.05, 0.8, 0.99, 1e-6, 0.3, true, true)]
    [InlineData(0.05, 0.8, 0.99, 1e-6, 0.0, true, true)]
    public void AdamW_MatchesTorchAdamW(double lr, double beta1, double beta2, double eps, double weightDecay, bool amsgrad, bool maximize)
    {
        double difference = MaxDifference(
            p => new AdamW(p, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize),
            p => new TorchSharp.Modules.AdamW(p, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize));
        output.WriteLine($"max |ours − torch| over {Steps} steps: {difference:E3}");
        Assert.True(difference <= Tolerance, $"max |ours − torch| = {difference:E3}");
    }

    /// <summary>
    /// Every combination of momentum, dampening, Nesterov, weight decay and maximize that torch.optim.SGD accepts.
    /// maximize is compared with TorchSharp minimizing the negated loss: PyTorch's definition of maximize, which
    /// TorchSharp 0.107's own flag departs from when there is weight decay (see <see cref="Sgd"/>).
    /// </summary>
    [Theory]
    [InlineData(0.05, 0.0, 0.0, 0.0, false, false)]
    [InlineData(0.05, 0.0, 0.0, 0.2, false, false)]
    [InlineData(0.05, 0.9, 0.0, 0.0, false, false)]
    [InlineData(0.05, 0.9, 0.3, 0.0, false, false)]
    [InlineData(0.05, 0.9, 0.3, 0.2, false, false)]
    [InlineData(0.05, 0.9, 0.0, 0.0, true, false)]
    [InlineData(0.05, 0.9, 0.0, 0.2, true, false)]
    [InlineData(0.05, 0.0, 0.0, 0.0, false, true)]
    [InlineData(0.05, 0.0, 0.0, 0.2, false, true)]
    [InlineData(0.05, 0.9, 0.3, 0.2, false, true)]
    [InlineData(0.05, 0.9, 0.0, 0.2, true, true)]
    public void Sgd_MatchesTorchSgd(double lr, double momentum, double dampening, double weightDecay, bool nesterov, bool maximize)
    {
        double difference = MaxDifference(
            p => new Sgd(p, lr, momentum, dampening, weightDecay, nesterov, maximize),
            p => new TorchSharp.Modules.SGD(p, lr, momentum, dampening, weightDecay, nesterov, maximize: false),
            negateReferenceLoss: maximize);
        output.WriteLine($"max |ours − torch| over {Steps} steps: {difference:E3}");
        Assert.True(difference <= Tolerance, $"max |ours − torch| = {difference:E3}");
    }

    /// <summary>Where TorchSharp's own SGD maximize flag agrees with PyTorch's definition (no weight decay), ours matches it directly too.</summary>
    [Theory]
    [InlineData(0.0, 0.0, false)]
    [InlineData(0.9, 0.3, false)]
    [InlineData(0.9, 0.0, true)]
    public void Sgd_Maximize_MatchesTorchSgdMaximizeWithoutWeightDecay(double momentum, double dampening, bool nesterov)
    {
        double difference = MaxDifference(
            p => new Sgd(p, 0.05, momentum, dampening, 0, nesterov, maximize: true),
            p => new TorchSharp.Modules.SGD(p, 0.05, momentum, dampening, 0, nesterov, maximize: true));
        output.WriteLine($"max |ours − torch| over {Steps} steps: {difference:E3}");
        Assert.True(difference <= Tolerance, $"max |ours − torch| = {difference:E3}");
    }

    /// <summary>
    /// The negative: Adam with a wrong bias correction (1 − β^(t+1) instead of 1 − βᵗ) fails the same comparison by
    /// orders of magnitude, so the 1e-12 test above can tell a wrong update.
    /// </summary>
    [Fact]
    public void Adam_WithWrongBiasCorrection_FailsTheComparison()
    {
        double difference = MaxDifference(
            p => new AdamWithShiftedBiasCorrection(p, 0.05, 0.8, 0.99, 1e-6),
            p => new TorchSharp.Modules.Adam(p, 0.05, 0.8, 0.99, 1e-6));
        output.WriteLine($"max |wrong − torch| over {Steps} steps: {difference:E3}");
        Assert.True(difference > 1e3 * Tolerance, $"the wrong bias correction went unnoticed: {difference:E3}");
        Assert.True(difference > 1e-4, $"{difference:E3}");
    }

    /// <summary>A float32 parameter stays float32 with float32 state, and follows the float64 run to float32 precision.</summary>
    [Fact]
    public void Optimizers_OnFloat32Parameters_StayFloat32AndFollowFloat64()
    {
        TorchBackend.EnsureAvailable();
        Func<Parameter[], Optimizer>[] makers =
        {
            p => new Adam(p, 0.05, amsgrad: true),
            p => new AdamW(p, 0.05, weight_decay: 0.1),
            p => new Sgd(p, 0.05, momentum: 0.9, nesterov: true),
        };
        foreach (var make in makers)
        {
            using DisposeScope scope = NewDisposeScope();
            Parameter[] single = Start(ScalarType.Float32), doubles = Start();
            using Optimizer a = make(single), b = make(doubles);
            for (int step = 0; step < 20; step++)
            {
                a.zero_grad();
                b.zero_grad();
                Loss(single, step, negate: false).backward();
                Loss(doubles, step, negate: false).backward();
                a.step();
                b.step();
            }
            for (int i = 0; i < single.Length; i++)
            {
                Assert.Equal(ScalarType.Float32, single[i].dtype);
                double[] x = single[i].to_type(ScalarType.Float64).data<double>().ToArray(), y = doubles[i].data<double>().ToArray();
                for (int j = 0; j < x.Length; j++) Assert.True(Math.Abs(x[j] - y[j]) <= 1e-4, $"{a.GetType().Name} [{i}][{j}]: {x[j]} vs {y[j]}");
            }
        }
    }

    [Fact]
    public void Constructors_RejectOptionsOutOfRange_NamingTheOptionAndValue()
    {
        TorchBackend.EnsureAvailable();
        Parameter[] p = Start();
        void Rejects(string name, double value, Action make)
        {
            var exception = Assert.Throws<ArgumentOutOfRangeException>(make);
            Assert.Equal(name, exception.ParamName);
            Assert.Equal(value, exception.ActualValue);
            Assert.Contains(name, exception.Message);
        }
        Rejects("lr", -1e-3, () => new Adam(p, lr: -1e-3));
        Rejects("lr", double.NaN, () => new AdamW(p, lr: double.NaN));
        Rejects("lr", -0.1, () => new Sgd(p, lr: -0.1));
        Rejects("beta1", 1.0, () => new Adam(p, beta1: 1.0));
        Rejects("beta1", -0.1, () => new AdamW(p, beta1: -0.1));
        Rejects("beta2", 1.5, () => new Adam(p, beta2: 1.5));
        Rejects("beta2", double.NaN, () => new AdamW(p, beta2: double.NaN));
        Rejects("eps", -1e-8, () => new Adam(p, eps: -1e-8));
        Rejects("weight_decay", -0.01, () => new AdamW(p, weight_decay: -0.01));
        Rejects("momentum", -0.9, () => new Sgd(p, momentum: -0.9));
        Rejects("weight_decay", -1.0, () => new Sgd(p, weight_decay: -1.0));
        var nesterov = Assert.Throws<ArgumentException>(() => new Sgd(p, momentum: 0.9, dampening: 0.1, nesterov: true));
        Assert.Equal("nesterov", nesterov.ParamName);
        using var adam = new Adam(p);
        Rejects("LearningRate", -2.0, () => adam.LearningRate = -2.0);
        Assert.Throws<ArgumentException>(() => new Adam(Array.Empty<Tensor>()));
        using Tensor nonLeaf = p[0] * Scalars.Of(2.0);
        Assert.Throws<ArgumentException>(() => new Sgd(new[] { nonLeaf }));
    }

    [Fact]
    public void Dispose_FreesTheStateAndFurtherStepsThrow()
    {
        TorchBackend.EnsureAvailable();
        using DisposeScope scope = NewDisposeScope();
        Parameter[] p = Start();
        var adam = new Adam(p, 0.05, amsgrad: true);
        Loss(p, 0, negate: false).backward();
        adam.step();
        Assert.Equal(1, adam.StepCount(0));
        adam.Dispose();
        adam.Dispose();
        Assert.Throws<ObjectDisposedException>(() => adam.step());
        Assert.Throws<ObjectDisposedException>(() => adam.zero_grad());
    }

    /// <summary>Adam with the bias correction of step t + 1: a plausible slip, used only to show that the comparison catches it.</summary>
    private sealed class AdamWithShiftedBiasCorrection : Optimizer
    {
        private readonly double beta1, beta2, eps;
        private readonly Tensor?[] m, v;
        private readonly long[] steps;

        public AdamWithShiftedBiasCorrection(Parameter[] parameters, double lr, double beta1, double beta2, double eps)
            : base(parameters, lr)
        {
            (this.beta1, this.beta2, this.eps) = (beta1, beta2, eps);
            m = new Tensor?[parameters.Length];
            v = new Tensor?[parameters.Length];
            steps = new long[parameters.Length];
        }

        private protected override void Update(int index, Tensor parameter, Tensor grad)
        {
            Tensor first = m[index] ??= NewState(parameter), second = v[index] ??= NewState(parameter);
            long t = ++steps[index] + 1;
            using Scalar b1 = beta1.ToScalar(), c1 = (1 - beta1).ToScalar(), b2 = beta2.ToScalar(), c2 = (1 - beta2).ToScalar(), e = eps.ToScalar();
            first.mul_(b1).add_(grad, c1);
            second.mul_(b2).addcmul_(grad, grad, c2);
            using Scalar sqrtCorrection = Math.Sqrt(1 - Math.Pow(beta2, t)).ToScalar();
            using Scalar negativeStep = (-(LearningRate / (1 - Math.Pow(beta1, t)))).ToScalar();
            parameter.addcdiv_(first, (second.sqrt() / sqrtCorrection).add_(e, Scalars.One), negativeStep);
        }

        private protected override void DisposeState()
        {
            DisposeAll(m);
            DisposeAll(v);
        }
    }
}
