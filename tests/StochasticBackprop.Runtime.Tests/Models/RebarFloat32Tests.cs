using System;
using StochasticBackprop.Models;
using StochasticBackprop.Samples.Distributions;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Models;

/// <summary>
/// REBAR and RELAX in float32 with confident units (σ(α) down to 1e-7, where the conditional uniform ũ = σ(−α) + v·σ(α)
/// rounds to 1): the gradients stay finite. A guard for the margins of logit u and logit ũ, which are 1e-6 in float32
/// (1 − 1e-12 is 1 in float32). The divergence of some float32 belief-net runs seen in the sbn-mnist experiment is not
/// reproduced by this case and remains open.
/// </summary>
public sealed class RebarFloat32Tests
{
    [Theory]
    [InlineData("rebar")]
    [InlineData("relax")]
    public void ConfidentFloat32Units_GiveFiniteGradients(string name)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        torch.manual_seed(4);
        const int units = 64;
        // Logits from −16 to 16: σ(α) down to 1e-7, so that σ(−α) + v·σ(α) rounds to 1 in float32 for many draws.
        Tensor logits = torch.linspace(-16, 16, units, dtype: ScalarType.Float32).requires_grad_(true);
        SiteEstimator estimator = name == "rebar" ? SiteEstimator.Rebar() : SiteEstimator.Relax(units);
        var model = new LatentModel(
            (q, x) => q.Sample("b", new Bernoulli(logits.sigmoid().expand(q.Rows, units)), estimator),
            (p, x) =>
            {
                Tensor b = p.Sample("b", new Bernoulli(torch.full(new long[] { p.Rows, units }, 0.5f, dtype: ScalarType.Float32)));
                p.Observe("x", new Bernoulli((b * Scalars.Of(0.8)).add(Scalars.Of(0.1), Scalars.One)), x);
            });
        Tensor data = torch.ones(4000, units, dtype: ScalarType.Float32);
        using ElboEstimate estimate = model.Elbo(data, 1, new Generator(8));
        estimate.Loss.backward();
        Assert.True(torch.isfinite(logits.grad!).all().item<bool>(), $"{name}: non-finite gradient w.r.t. the logits");
        foreach (Tensor control in ((RebarEstimator)estimator).ControlParameters)
        {
            Assert.True(control.grad is null || torch.isfinite(control.grad).all().item<bool>(), $"{name}: non-finite gradient of a control parameter");
        }
    }
}
