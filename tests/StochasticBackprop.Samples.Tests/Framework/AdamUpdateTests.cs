using System;
using System.Linq;
using StochasticBackprop.Samples.Experiments;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace StochasticBackprop.Samples.Tests.Framework;

public sealed class AdamUpdateTests
{
    /// <summary>
    /// The experiments' Adam against torch.optim.Adam (TorchSharp's, whose step() makes temporary Scalars;
    /// called here for a few steps only, as the reference): same start, same gradients, same parameters
    /// after every step to 1e-12, including a step where one parameter has no gradient.
    /// </summary>
    [Theory]
    [InlineData(1e-3, 0.9, 0.999, 1e-8)]
    [InlineData(0.05, 0.8, 0.99, 1e-6)]
    public void Step_MatchesTorchAdam(double learningRate, double beta1, double beta2, double epsilon)
    {
        TorchBackend.EnsureAvailable();
        using DisposeScope scope = NewDisposeScope();
        Parameter[] Start() => new[]
        {
            new Parameter(tensor(new[] { 0.3, -1.2, 2.0 }, float64)),
            new Parameter(tensor(new[] { 0.7, -0.1 }, float64)),
        };
        Parameter[] ours = Start(), theirs = Start();
        var adam = new AdamUpdate(ours, learningRate, beta1, beta2, epsilon);
        var reference = optim.Adam(theirs, lr: learningRate, beta1: beta1, beta2: beta2, eps: epsilon);

        // A loss whose gradient changes with the parameters and the step; at step 2 only a has a gradient.
        Tensor Loss(Parameter[] p, int step)
        {
            Tensor a = p[0], b = p[1];
            Tensor quartic = (a - Scalars.Of(0.5)).pow(Scalars.Of(4)).sum();
            if (step == 2) return quartic;
            Tensor coupling = (a[..2] * b.exp()).sum() * Scalars.Of((double)step);
            return quartic.add(coupling, Scalars.One);
        }

        for (int step = 0; step < 6; step++)
        {
            adam.ZeroGrad();
            reference.zero_grad();
            if (step == 2)
            {
                // No gradient at all for b at this step in either optimizer.
                foreach (Parameter p in ours.Concat(theirs)) p.grad = null;
            }
            Loss(ours, step).backward();
            Loss(theirs, step).backward();
            adam.Step();
            reference.step();
            for (int i = 0; i < ours.Length; i++)
            {
                double[] x = ours[i].data<double>().ToArray(), y = theirs[i].data<double>().ToArray();
                for (int j = 0; j < x.Length; j++) Assert.True(Math.Abs(x[j] - y[j]) <= 1e-12, $"step {step}, parameter {i}[{j}]: {x[j]:R} vs torch {y[j]:R}");
            }
        }
        // The update moved the parameters (the comparison is not vacuous).
        Assert.True(Math.Abs(ours[0].data<double>()[0] - 0.3) > 1e-4);
    }
}
