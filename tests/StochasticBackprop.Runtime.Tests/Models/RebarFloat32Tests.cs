using System;
using StochasticBackprop.Distributions;
using StochasticBackprop.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.Models;

/// <summary>
/// REBAR and RELAX in float32: the clamps of u and ũ before their logits must lie strictly inside (0, 1) in the dtype
/// (1 − 1e-12, the float64 margin, is 1 in float32, which left ũ's logit and its derivative unbounded), and confident units
/// give finite gradients.
/// </summary>
public sealed class RebarFloat32Tests
{
    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void LogitMargins_AreStrictlyInsideTheUnitIntervalInTheDtype(ScalarType dtype)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        double margin = RebarEstimator.Margin(dtype);
        using Scalar low = margin.ToScalar(), high = (1 - margin).ToScalar();
        Assert.True(torch.full(new long[] { 1 }, low, dtype: dtype).to(ScalarType.Float64).item<double>() > 0);
        Assert.True(torch.full(new long[] { 1 }, high, dtype: dtype).to(ScalarType.Float64).item<double>() < 1, $"1 − {margin} rounds to 1 in {dtype}");
        // The float64 margin fails the same check in float32: the defect this guards against.
        if (dtype == ScalarType.Float32)
        {
            using Scalar old = (1 - 1e-12).ToScalar();
            Assert.Equal(1.0, torch.full(new long[] { 1 }, old, dtype: dtype).to(ScalarType.Float64).item<double>());
        }
    }

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
