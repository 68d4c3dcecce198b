using System;
using System.Collections.Generic;
using StochasticBackprop.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Latent;

/// <summary>
/// One estimator of a latent-variable experiment: its label in tables and plots, the particles per data point it
/// trains with, and a factory of a fresh <see cref="SiteEstimator"/> per site (REBAR and RELAX hold per-site state,
/// so every run and site gets its own instance). The experiments' estimator lists are arrays of these: adding an
/// estimator is one line.
/// </summary>
/// <param name="Label">The name in tables, plots and the CSV.</param>
/// <param name="Particles">Draws per data point in the training bound (2 for the leave-one-out baseline).</param>
/// <param name="Create">A new estimator for a site with the given number of coordinates.</param>
internal sealed record EstimatorChoice(string Label, int Particles, Func<long, SiteEstimator> Create)
{
    /// <summary>The parameters an estimator trains itself (REBAR's η and temperature, RELAX's network); none for the others.</summary>
    public static IReadOnlyList<Tensor> ControlParameters(SiteEstimator estimator)
        => estimator is RebarEstimator rebar ? rebar.ControlParameters : Array.Empty<Tensor>();
}
