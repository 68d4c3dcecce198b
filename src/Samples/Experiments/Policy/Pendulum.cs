using System;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Policy;

/// <summary>
/// Pendulum swing-up after gym's Pendulum: θ = 0 upright, θ̈ = (3g/(2l)) sin θ + 3u/(ml²), semi-implicit Euler
/// with dt = 0.05, g = 10, m = l = 1; the torque is the action squashed smoothly, u = 2·tanh(a) (gym clips at ±2
/// instead), and the speed is not clipped (gym clips it at ±8, which the dynamics barely reach with |u| ≤ 2);
/// reward −(angle² + 0.1 θ̇² + 0.001 u²), angle = atan2(sin θ, cos θ) ∈ (−π, π]; θ₀ ~ U(−π, π), θ̇₀ ~ U(−1, 1);
/// the policy sees (cos θ, sin θ, θ̇). Everything is smooth except the angle's wrap at ±π (measure zero).
/// </summary>
internal sealed class Pendulum : IControlTask
{
    internal const double MaxTorque = 2.0;
    private const double Gravity = 10.0, Mass = 1.0, Length = 1.0, TimeStep = 0.05;

    public Pendulum(int horizon) => Horizon = horizon;

    public string Name => "Pendulum";
    public int StateSize => 2;
    public int ObservationSize => 3;
    public int ActionSize => 1;
    public int Horizon { get; }
    public bool Terminates => false;

    public Tensor Reset(long episodes, Generator generator)
    {
        Tensor u = torch.rand(new[] { episodes, 2L }, dtype: ScalarType.Float64, generator: generator) * Scalars.Of(2.0) - Scalars.Of(1.0);
        Tensor scale = torch.tensor(new[] { Math.PI, 1.0 }, dtype: ScalarType.Float64);
        return u * scale;
    }

    public Tensor Observe(Tensor state)
    {
        Tensor theta = state.select(1, 0), speed = state.select(1, 1);
        return torch.stack(new[] { theta.cos(), theta.sin(), speed }, 1);
    }

    public Tensor Within(Tensor state) => torch.ones(state.shape[0], dtype: ScalarType.Float64);

    public (Tensor Next, Tensor Reward) Step(Tensor state, Tensor action, Generator generator)
    {
        Tensor theta = state.select(1, 0), speed = state.select(1, 1);
        Tensor torque = action.select(1, 0).tanh() * Scalars.Of(MaxTorque);
        Tensor angle = torch.atan2(theta.sin(), theta.cos());
        Tensor cost = (angle * angle).add(speed * speed * Scalars.Of(0.1), Scalars.One).add(torque * torque * Scalars.Of(0.001), Scalars.One);
        Tensor acceleration = (theta.sin() * Scalars.Of(3 * Gravity / (2 * Length))).add(torque * Scalars.Of(3 / (Mass * Length * Length)), Scalars.One);
        Tensor nextSpeed = speed.add(acceleration * Scalars.Of(TimeStep), Scalars.One);
        Tensor nextTheta = theta.add(nextSpeed * Scalars.Of(TimeStep), Scalars.One);
        return (torch.stack(new[] { nextTheta, nextSpeed }, 1), -cost);
    }
}
