using System;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Policy;

/// <summary>
/// A discrete-time double integrator under quadratic cost: x_{t+1} = A x_t + B u_t + w_t, w_t ~ N(0, W),
/// x_0 ~ N(μ₀, Σ₀), reward r_t = −(x_tᵀ Q x_t + u_tᵀ R u_t), finite horizon. With the linear Gaussian policy
/// u = Kᵀx + σ⊙ε its expected discounted return is a deterministic function of (K, log σ)
/// (<see cref="ExpectedReturn"/>), so its gradient is the exact policy gradient every estimator must match.
/// </summary>
internal sealed class LinearQuadraticRegulator : IControlTask, IDisposable
{
    internal const double TimeStep = 0.1;
    private static readonly double[] InitialMean = { 1.0, 0.0 };
    private static readonly double[] InitialStd = { 0.1, 0.1 };
    private static readonly double[] ProcessStd = { 0.01, 0.03 };
    private static readonly double[] StateWeights = { 1.0, 0.1 };
    internal const double ActionWeight = 0.01;

    private readonly Tensor transitionT, inputT, stateWeights, processStd, initialMean, initialStd;

    public LinearQuadraticRegulator(int horizon)
    {
        Horizon = horizon;
        using (torch.no_grad())
        {
            transitionT = Matrix(new[,] { { 1.0, TimeStep }, { 0.0, 1.0 } }).t().contiguous().DetachFromDisposeScope();
            inputT = Matrix(new[,] { { 0.5 * TimeStep * TimeStep }, { TimeStep } }).t().contiguous().DetachFromDisposeScope();
            stateWeights = torch.tensor(StateWeights, dtype: ScalarType.Float64).DetachFromDisposeScope();
            processStd = torch.tensor(ProcessStd, dtype: ScalarType.Float64).DetachFromDisposeScope();
            initialMean = torch.tensor(InitialMean, dtype: ScalarType.Float64).DetachFromDisposeScope();
            initialStd = torch.tensor(InitialStd, dtype: ScalarType.Float64).DetachFromDisposeScope();
        }
    }

    public string Name => "LQR";
    public int StateSize => 2;
    public int ObservationSize => 2;
    public int ActionSize => 1;
    public int Horizon { get; }
    public bool Terminates => false;

    public Tensor Reset(long episodes, Generator generator) =>
        initialMean.add(torch.randn(new[] { episodes, 2L }, dtype: ScalarType.Float64, generator: generator) * initialStd, Scalars.One);

    public Tensor Observe(Tensor state) => state;

    public Tensor Within(Tensor state) => torch.ones(state.shape[0], dtype: ScalarType.Float64);

    public (Tensor Next, Tensor Reward) Step(Tensor state, Tensor action, Generator generator)
    {
        Tensor cost = (state * state * stateWeights).sum(new long[] { 1 }).add((action * action).sum(new long[] { 1 }) * Scalars.Of(ActionWeight), Scalars.One);
        Tensor noise = torch.randn(new[] { state.shape[0], 2L }, dtype: ScalarType.Float64, generator: generator) * processStd;
        Tensor next = state.matmul(transitionT).add(action.matmul(inputT), Scalars.One).add(noise, Scalars.One);
        return (next, -cost);
    }

    /// <summary>
    /// E[Σ_{t&lt;T} γᵗ r_t] under u = Kᵀx + σ⊙ε, from the moment recursion μ_{t+1} = Mμ_t,
    /// Σ_{t+1} = MΣ_tMᵀ + B diag(σ²) Bᵀ + W with M = A + BKᵀ, and E[xᵀQx] = tr(QΣ) + μᵀQμ,
    /// E[uᵀRu] = tr(R(KᵀΣK + diag σ²)) + μᵀKRKᵀμ. Differentiable in <paramref name="gain"/> <c>[2, 1]</c>
    /// and <paramref name="logStd"/> <c>[1, 1]</c>: its autograd gradient is the exact policy gradient.
    /// </summary>
    public Tensor ExpectedReturn(Tensor gain, Tensor logStd, double gamma)
    {
        Tensor closedLoop = transitionT.t().add(inputT.t().matmul(gain.t()), Scalars.One);
        Tensor variance = (logStd * Scalars.Of(2.0)).exp().reshape(1);
        Tensor actionNoise = inputT.t().matmul(torch.diag(variance)).matmul(inputT);
        Tensor processCovariance = torch.diag(processStd * processStd);
        Tensor q = torch.diag(stateWeights);
        Tensor mean = initialMean.reshape(2, 1);
        Tensor covariance = torch.diag(initialStd * initialStd);
        Tensor total = torch.zeros(1, 1, dtype: ScalarType.Float64);
        double discount = 1;
        for (int t = 0; t < Horizon; t++)
        {
            Tensor meanAction = gain.t().matmul(mean);
            Tensor stateCost = (q * covariance).sum().add(mean.t().matmul(q).matmul(mean), Scalars.One);
            Tensor actionSecondMoment = gain.t().matmul(covariance).matmul(gain).add(variance, Scalars.One).add(meanAction * meanAction, Scalars.One);
            Tensor stepCost = stateCost.add(actionSecondMoment * Scalars.Of(ActionWeight), Scalars.One);
            using (Scalar weight = discount.ToScalar())
            {
                total = total.sub(stepCost * weight);
            }
            mean = closedLoop.matmul(mean);
            covariance = closedLoop.matmul(covariance).matmul(closedLoop.t()).add(actionNoise, Scalars.One).add(processCovariance, Scalars.One);
            discount *= gamma;
        }
        return total.reshape(Array.Empty<long>());
    }

    private static Tensor Matrix(double[,] values)
    {
        int rows = values.GetLength(0), columns = values.GetLength(1);
        var flat = new double[rows * columns];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                flat[i * columns + j] = values[i, j];
        return torch.tensor(flat, new long[] { rows, columns }, dtype: ScalarType.Float64);
    }

    public void Dispose()
    {
        transitionT.Dispose();
        inputT.Dispose();
        stateWeights.Dispose();
        processStd.Dispose();
        initialMean.Dispose();
        initialStd.Dispose();
    }
}
