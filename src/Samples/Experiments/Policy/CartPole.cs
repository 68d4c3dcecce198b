using System;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Policy;

/// <summary>
/// Cart-pole after gym's CartPole (Barto, Sutton and Anderson 1983): masses 1 and 0.1, half-length 0.5,
/// g = 9.8, Euler steps of 0.02 s, state (x, ẋ, θ, θ̇) from U(−0.05, 0.05)⁴; a continuous force F = 10·tanh(a)
/// (gym's is ±10 by a binary action). The episode ends when |x| &gt; 2.4 or |θ| &gt; 12°; reward 1 per step alive.
/// The reward is an indicator of the state, so its derivative is zero wherever it exists: pathwise
/// differentiation through these dynamics sees nothing of the termination and returns a zero gradient.
/// </summary>
internal sealed class CartPole : IControlTask
{
    private const double Gravity = 9.8, CartMass = 1.0, PoleMass = 0.1, HalfLength = 0.5, ForceScale = 10.0, TimeStep = 0.02;
    private const double TotalMass = CartMass + PoleMass, PoleMassLength = PoleMass * HalfLength;
    internal const double PositionLimit = 2.4;
    internal static readonly double AngleLimit = 12 * Math.PI / 180;

    public CartPole(int horizon) => Horizon = horizon;

    public string Name => "CartPole";
    public int StateSize => 4;
    public int ObservationSize => 4;
    public int ActionSize => 1;
    public int Horizon { get; }
    public bool Terminates => true;

    public Tensor Reset(long episodes, Generator generator) =>
        (torch.rand(new[] { episodes, 4L }, dtype: ScalarType.Float64, generator: generator) * Scalars.Of(2.0) - Scalars.Of(1.0)) * Scalars.Of(0.05);

    public Tensor Observe(Tensor state) => state;

    public Tensor Within(Tensor state)
    {
        using IDisposable noGrad = torch.no_grad();
        Tensor inside = state.select(1, 0).abs().le(Scalars.Of(PositionLimit)).logical_and(state.select(1, 2).abs().le(Scalars.Of(AngleLimit)));
        return inside.to_type(ScalarType.Float64);
    }

    public (Tensor Next, Tensor Reward) Step(Tensor state, Tensor action, Generator generator)
    {
        Tensor x = state.select(1, 0), speed = state.select(1, 1), theta = state.select(1, 2), spin = state.select(1, 3);
        Tensor force = action.select(1, 0).tanh() * Scalars.Of(ForceScale);
        Tensor cos = theta.cos(), sin = theta.sin();
        Tensor temp = force.add(spin * spin * sin * Scalars.Of(PoleMassLength), Scalars.One) / Scalars.Of(TotalMass);
        Tensor angular = (sin * Scalars.Of(Gravity)).sub(cos * temp)
            / ((cos * cos * Scalars.Of(-PoleMass / TotalMass)).add(Scalars.Of(4.0 / 3.0), Scalars.One) * Scalars.Of(HalfLength));
        Tensor linear = temp.sub(angular * cos * Scalars.Of(PoleMassLength / TotalMass));
        Tensor next = torch.stack(new[]
        {
            x.add(speed * Scalars.Of(TimeStep), Scalars.One),
            speed.add(linear * Scalars.Of(TimeStep), Scalars.One),
            theta.add(spin * Scalars.Of(TimeStep), Scalars.One),
            spin.add(angular * Scalars.Of(TimeStep), Scalars.One),
        }, 1);
        // One per step alive: the sampler multiplies by the (detached) alive indicator.
        return (next, torch.ones(state.shape[0], dtype: ScalarType.Float64));
    }
}
