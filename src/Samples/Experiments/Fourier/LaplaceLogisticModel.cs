using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Distributions;
using TorchSharp;
using StochasticBackprop.Optim;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Fourier;

/// <summary>
/// Echraibi et al. (2020), §6.2: Bayesian logistic regression p(y | x, w) = σ(y xᵀw) with Laplace(0, 1) priors on the
/// weights and a factorised Laplace(μ_j, b_j) variational posterior. The ELBO is
/// E_q[Σ_i log σ(a_iᵀw)] − KL(q ‖ p), a_i = y_i x_i: the expected log-likelihood, a sum of ridge
/// functions, is what the estimators estimate; the KL is closed form (Echraibi et al. 2020, v2, eq. 27) and differentiated exactly.
/// </summary>
internal sealed class LaplaceLogisticModel
{
    public LaplaceLogisticModel(BreastCancerData data)
    {
        Directions = data.Directions().MoveToOuterDisposeScope();
        Count = data.Count;
        Dimension = data.Dimension;
    }

    /// <summary>a_i = y_i x_i, [n, d].</summary>
    public Tensor Directions { get; }

    public int Count { get; }

    public int Dimension { get; }

    /// <summary>(n/B)·Σ_{i∈batch} log σ(a_iᵀw): the minibatch's unbiased estimate of the full log-likelihood, as a sum of ridges.</summary>
    public Objective MinibatchLikelihood(Tensor batchDirections)
    {
        double scale = (double)Count / batchDirections.shape[0];
        // log σ with closed-form derivatives: nested autograd would cost a graph growing with every order.
        return Objective.SumOfRidges((u, n) =>
        {
            using Scalar factor = scale.ToScalar();   // a run-time value: held for the native call, not a temporary
            return ScalarFunctions.LogSigmoid(u, n) * factor;
        }, batchDirections);
    }

    /// <summary>KL(Laplace(μ, b) ‖ Laplace(0, 1)) = Σ_j |μ_j| + b_j e^{−|μ_j|/b_j} − log b_j − 1 (Echraibi et al. 2020, v2, eq. 27).</summary>
    public static Tensor KullbackLeibler(Tensor mu, Tensor b) => (mu.abs().add(b * (-mu.abs() / b).exp(), Scalars.One) - b.log() - Scalars.Of(1)).sum();

    /// <summary>The ELBO on the whole data set, E_q[Σ_i log σ(a_iᵀw)] by <paramref name="samples"/> draws, minus the exact KL.</summary>
    public double Elbo(Tensor mu, Tensor b, long samples, Generator generator)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable noGrad = torch.no_grad();
        var q = new Laplace(mu.detach(), b.detach());
        Tensor w = q.Sample(samples, generator);
        Tensor likelihood = torch.nn.functional.logsigmoid(w.matmul(Directions.t())).sum(new long[] { 1 }).mean();
        return (likelihood - KullbackLeibler(mu.detach(), b.detach())).item<double>();
    }

    /// <summary>Accuracy on the whole data set of the classifier sign(xᵀμ) (the posterior mean's prediction).</summary>
    public double Accuracy(Tensor mu)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable noGrad = torch.no_grad();
        return Directions.matmul(mu.detach()).gt(Scalars.Of(0)).to_type(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>Minibatches of one epoch: a random permutation cut into batches of <paramref name="batchSize"/> (the last one shorter).</summary>
    public IEnumerable<Tensor> Epoch(int batchSize, Generator generator)
    {
        long[] order;
        using (torch.NewDisposeScope()) order = torch.randperm(Count, generator: generator).data<long>().ToArray();
        for (int start = 0; start < Count; start += batchSize)
        {
            long[] indices = order.Skip(start).Take(batchSize).ToArray();
            yield return Directions.index_select(0, torch.tensor(indices));
        }
    }
}

/// <summary>The variational parameters θ = (μ, b), with b = exp(β) so Adam works on unconstrained (μ, β).</summary>
internal sealed class LaplacePosterior
{
    public LaplacePosterior(int dimension, double initialScale)
    {
        Mu = new TorchSharp.Modules.Parameter(torch.zeros(dimension, dtype: ScalarType.Float64));
        using (Scalar logScale = Math.Log(initialScale).ToScalar())
        {
            LogScale = new TorchSharp.Modules.Parameter(torch.full(new long[] { dimension }, logScale, dtype: ScalarType.Float64));
        }
        Optimizer = new Adam(new[] { Mu, LogScale }, lr: 1e-3);
    }

    public TorchSharp.Modules.Parameter Mu { get; }

    public TorchSharp.Modules.Parameter LogScale { get; }

    public Adam Optimizer { get; }

    /// <summary>b = exp(β), with its graph to β.</summary>
    public Tensor Scale() => LogScale.exp();

    /// <summary>
    /// One Adam step on −ELBO: −(the estimator's surrogate of the expected log-likelihood) + KL, so the
    /// likelihood's gradient is the estimator's and the KL's is exact.
    /// </summary>
    public void Step(GradientEstimate likelihood, Tensor b)
    {
        Optimizer.zero_grad();
        Tensor loss = (-likelihood.Surrogate).add(LaplaceLogisticModel.KullbackLeibler(Mu, b), Scalars.One);
        loss.backward();
        Optimizer.step();
    }
}
