using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Policy;

/// <summary>
/// A continuous-control task whose dynamics are TorchSharp operations batched over episodes (rows), so that
/// the discounted return is differentiable in the actions and pathwise gradients through the dynamics exist.
/// Every tensor is float64; a state is <c>[E, StateSize]</c>, an action <c>[E, ActionSize]</c>.
/// </summary>
internal interface IControlTask
{
    /// <summary>A short name for tables and file names.</summary>
    string Name { get; }

    int StateSize { get; }

    /// <summary>What the policy and the value baseline see of a state.</summary>
    int ObservationSize { get; }

    int ActionSize { get; }

    /// <summary>The number of steps of an episode that does not terminate.</summary>
    int Horizon { get; }

    /// <summary>Whether episodes can end early (<see cref="Within"/> is then meaningful).</summary>
    bool Terminates { get; }

    /// <summary>Initial states of <paramref name="episodes"/> episodes.</summary>
    Tensor Reset(long episodes, Generator generator);

    /// <summary>The policy's input for <paramref name="state"/>.</summary>
    Tensor Observe(Tensor state);

    /// <summary>1 where the state is inside the task's bounds, 0 where the episode has terminated (a detached indicator); all ones for a task that never terminates.</summary>
    Tensor Within(Tensor state);

    /// <summary>One step: the next state and the reward r(s_t, a_t) of the step, <c>[E]</c>, differentiable in both.</summary>
    (Tensor Next, Tensor Reward) Step(Tensor state, Tensor action, Generator generator);
}
