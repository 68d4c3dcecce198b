using System;
using System.Collections.Generic;
using System.Linq;
using StochasticBackprop.Distributions;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Policy;

/// <summary>Which per-episode gradients a rollout computes, and (for the tests) which deliberate mistakes it makes.</summary>
/// <param name="Pathwise">Backpropagate the discounted return through the reparameterised actions and the dynamics (BPTT).</param>
/// <param name="Score">The score-function (REINFORCE) estimate Σ_t γᵗ ∇log π(a_t|s_t)(G_t − V(s_t, t)).</param>
/// <param name="DetachStateBetweenSteps">Wrong on purpose: cut the graph between steps (pathwise then sees only each reward's immediate dependence on its action).</param>
/// <param name="ScoreWithoutSigmaFactor">Wrong on purpose: use (a − μ)/σ for ∂log π/∂μ instead of (a − μ)/σ² (the noise ε in place of the score).</param>
internal sealed record GradientRequest(bool Pathwise, bool Score, bool DetachStateBetweenSteps = false, bool ScoreWithoutSigmaFactor = false);

/// <summary>One batch of episodes: per-episode gradient samples (rows of D parameters), returns, and the baseline's training data.</summary>
internal sealed class EpisodeBatch
{
    public required double[][]? Pathwise { get; init; }
    public required double[][]? Score { get; init; }

    /// <summary>Σ_t r_t per episode (undiscounted, the return the tables report).</summary>
    public required double[] Returns { get; init; }

    /// <summary>Σ_t γᵗ r_t per episode.</summary>
    public required double[] DiscountedReturns { get; init; }

    /// <summary>Steps alive per episode.</summary>
    public required double[] Lengths { get; init; }

    /// <summary>The value baseline's inputs <c>[N, F]</c> (observation, t/T) and targets <c>[N]</c> (reward-to-go from t, discounted from t), alive steps only; owned by the caller's dispose scope.</summary>
    public required Tensor BaselineFeatures { get; init; }
    public required Tensor BaselineTargets { get; init; }
}

/// <summary>
/// Rolls out E episodes at once and computes every episode's own gradient of J = E[Σ_t γᵗ r_t] by pathwise
/// differentiation and/or the score function, with one backward pass each (per-episode parameter copies,
/// <see cref="GaussianPolicy.Replicate"/>). Call inside a dispose scope.
/// </summary>
internal static class EpisodeSampler
{
    public static EpisodeBatch Run(IControlTask task, GaussianPolicy policy, ValueBaseline? baseline, long episodes, double gamma, GradientRequest request, Generator generator)
    {
        Tensor[] pathReplica = request.Pathwise ? policy.Replicate(episodes) : policy.Broadcast(episodes);
        var observations = new List<Tensor>();
        var actions = new List<Tensor>();
        var rewards = new List<Tensor>();
        var alive = new List<Tensor>();
        Tensor discountedReturn = torch.zeros(episodes, dtype: ScalarType.Float64);
        using (request.Pathwise ? null : torch.no_grad())
        {
            Tensor state = task.Reset(episodes, generator);
            Tensor aliveSoFar = torch.ones(episodes, dtype: ScalarType.Float64);
            Tensor std = policy.LogStd(pathReplica).squeeze(1).exp();
            double discount = 1;
            for (int t = 0; t < task.Horizon; t++)
            {
                if (task.Terminates)
                {
                    aliveSoFar = aliveSoFar * task.Within(state);
                    if (aliveSoFar.sum().item<double>() == 0) break;
                }
                Tensor observation = task.Observe(state);
                Tensor mean = policy.Mean(pathReplica, observation.unsqueeze(1)).squeeze(1);
                Tensor noise = torch.randn(new[] { episodes, (long)task.ActionSize }, dtype: ScalarType.Float64, generator: generator);
                Tensor action = mean.add(std * noise, Scalars.One);
                (Tensor next, Tensor reward) = task.Step(state, action, generator);
                Tensor counted = reward * aliveSoFar;
                using (Scalar weight = discount.ToScalar())
                {
                    discountedReturn = discountedReturn.add(counted * weight, Scalars.One);
                }
                observations.Add(observation.detach());
                actions.Add(action.detach());
                rewards.Add(counted.detach());
                alive.Add(aliveSoFar);
                state = request.DetachStateBetweenSteps ? next.detach() : next;
                discount *= gamma;
            }
        }
        int steps = rewards.Count;
        double[][]? pathwise = null;
        if (request.Pathwise)
        {
            // Cart-pole's reward is an indicator: nothing reaches the parameters, and the pathwise estimate is exactly 0.
            if (discountedReturn.requires_grad) discountedReturn.sum().backward();
            pathwise = GaussianPolicy.PerEpisodeGradients(pathReplica, episodes);
        }

        Tensor observed = torch.stack(observations, 1);              // [E, T, O]
        Tensor taken = torch.stack(actions, 1);                      // [E, T, A]
        Tensor rewardTable = torch.stack(rewards, 1);                   // [E, T]
        Tensor mask = torch.stack(alive, 1);                         // [E, T]
        double[] powers = Enumerable.Range(0, steps).Select(t => Math.Pow(gamma, t)).ToArray();
        Tensor discounts = torch.tensor(powers, dtype: ScalarType.Float64);
        // Σ_{k≥t} γᵏ r_k, and the reward-to-go G_t = that / γᵗ.
        Tensor discountedToGo = (rewardTable * discounts).flip(1).cumsum(1).flip(1);
        Tensor toGo = discountedToGo / discounts;
        using Scalar stop = steps;   // a run-time value held for the call (TorchSharp 0.107 frees temporaries)
        Tensor time = (torch.arange(Scalars.Of(0), stop, Scalars.One, dtype: ScalarType.Float64) / Scalars.Of((double)Math.Max(1, task.Horizon))).expand(episodes, steps).unsqueeze(-1);
        Tensor features = torch.cat(new[] { observed, time }, -1);   // [E, T, O + 1]

        double[][]? score = null;
        if (request.Score)
        {
            Tensor value = baseline?.Predict(features) ?? torch.zeros(episodes, steps, dtype: ScalarType.Float64);
            // γᵗ (G_t − V(s_t, t)), zero after termination.
            Tensor coefficient = (discountedToGo - value * discounts) * mask;
            Tensor[] scoreReplica = policy.Replicate(episodes);
            Tensor mean = policy.Mean(scoreReplica, observed);
            Tensor std = policy.LogStd(scoreReplica).exp().expand(mean.shape);
            // Oden (2025), eq. 44: the Malliavin weight of a Gaussian action is the Normal score, taken from the generated distribution.
            IReadOnlyList<Tensor> normalScore = new Normal(mean, std).Score(taken);
            Tensor scoreMean = normalScore[0].detach(), scoreStd = normalScore[1].detach();
            if (request.ScoreWithoutSigmaFactor) scoreMean = scoreMean * std.detach();
            // Its gradient in θ is Σ ∇_θ log π(a|s)·coefficient: the chain rule through μ and σ.
            Tensor logDensityGradient = (scoreMean * mean).add(scoreStd * std, Scalars.One).sum(new long[] { 2 });
            (logDensityGradient * coefficient).sum().backward();
            score = GaussianPolicy.PerEpisodeGradients(scoreReplica, episodes);
        }

        Tensor rows = mask.flatten().gt(Scalars.Of(0.5));
        return new EpisodeBatch
        {
            Pathwise = pathwise,
            Score = score,
            Returns = rewardTable.sum(new long[] { 1 }).data<double>().ToArray(),
            DiscountedReturns = discountedReturn.detach().data<double>().ToArray(),
            Lengths = mask.sum(new long[] { 1 }).data<double>().ToArray(),
            BaselineFeatures = features.reshape(-1, features.shape[2])[rows],
            BaselineTargets = toGo.flatten()[rows],
        };
    }
}
