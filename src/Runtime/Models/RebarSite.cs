using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Models;

/// <summary>
/// REBAR (Tucker et al. 2017) and RELAX (Grathwohl et al. 2018) for a binary site: the score function with a control
/// variate built from the concrete relaxation, its temperature λ and scale η (and for RELAX a network r_φ) trained to
/// minimise the estimator's variance by a second-order backward pass.
/// </summary>
/// <remarks>
/// <para>
/// With α the site's log-odds, u, v uniform, z = α + logit u (so b = H(z) is the site's value) and z̃ = α + logit ũ with
/// ũ = v·σ(−α) when b = 0 and σ(−α) + v·σ(α) when b = 1 (z̃ ~ p(z | b)), the estimate w.r.t. α is
/// ĝ = [F(b) − c(z̃)]·(b − σ(α)) + ∂_α c(z) − ∂_α c(z̃), with c(z) = η·F(σ(z/λ)) for REBAR and
/// η·F(σ(z/λ)) + r_φ(z) for RELAX. F is the site's downstream costs, re-evaluated at the relaxed values with the other
/// sites' random numbers held fixed (two batched replays, differentiable in the relaxed value). Later binary sites are
/// relaxed too, σ((α_j + logit u_j)/λ) from their own uniforms, so that c is smooth in z (the identity behind the control
/// variate needs E[∇c] = ∇E[c], which a hard threshold downstream would break); later categorical sites are refused.
/// </para>
/// <para>
/// The surrogate of the estimate carries ĝ into the networks through α, and −∇ E‖ĝ‖² (the squared norm of the estimate
/// w.r.t. the site's log-odds, averaged over rows) into <see cref="ControlParameters"/>: a minimiser of the estimate's
/// <see cref="ElboEstimate.Loss"/> over all parameters, these included, trains the control variate to lower the variance.
/// The variance minimised is that of the log-odds gradient, not of every network weight's gradient (Tucker et al. use the
/// latter); it is cheaper and the same up to the networks' Jacobian.
/// </para>
/// </remarks>
public sealed class RebarEstimator : SiteEstimator
{
    private readonly Tensor eta;
    private readonly Tensor logTemperature;
    private readonly torch.nn.Module<Tensor, Tensor>? network;

    internal RebarEstimator(double temperature, double scale, int? relaxCoordinates, int hidden)
    {
        if (!(temperature > 0) || double.IsInfinity(temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The initial temperature must be positive and finite.");
        }
        if (!double.IsFinite(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The initial control-variate scale η must be finite.");
        }
        if (relaxCoordinates is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(relaxCoordinates), relaxCoordinates, "RELAX's network needs the site's number of coordinates, at least 1.");
        }
        if (hidden < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(hidden), hidden, "RELAX's network needs at least one hidden unit.");
        }
        using (torch.no_grad())
        {
            eta = torch.tensor(scale, dtype: ScalarType.Float64).requires_grad_(true).DetachFromDisposeScope();
            logTemperature = torch.tensor(Math.Log(temperature), dtype: ScalarType.Float64).requires_grad_(true).DetachFromDisposeScope();
        }
        if (relaxCoordinates is int coordinates)
        {
            Coordinates = coordinates;
            network = torch.nn.Sequential(
                ("hidden", torch.nn.Linear(coordinates, hidden, dtype: ScalarType.Float64)),
                ("relu", torch.nn.ReLU()),
                ("out", torch.nn.Linear(hidden, 1, dtype: ScalarType.Float64)));
        }
    }

    /// <summary>Test seam: the defect of dropping the conditional sample's correction −∂_α c(z̃).</summary>
    internal bool OmitConditionalCorrection { get; init; }

    /// <summary><c>rebar</c> or <c>relax</c>.</summary>
    public override string Name => network is null ? "rebar" : "relax";

    /// <summary>For RELAX, the site's number of coordinates the network r_φ reads.</summary>
    public int? Coordinates { get; }

    /// <summary>η, log λ and, for RELAX, the network's weights: give them to the optimiser with the model's.</summary>
    public IReadOnlyList<Tensor> ControlParameters
        => new[] { eta, logTemperature }.Concat(network?.parameters() ?? Enumerable.Empty<Tensor>()).ToArray();

    /// <summary>The current temperature λ.</summary>
    public double Temperature => Math.Exp(logTemperature.item<double>());

    /// <summary>The current control-variate scale η.</summary>
    public double Scale => eta.item<double>();

    internal override void Validate(SiteRecord site)
    {
        RequireBinary(site, Name);
        if (Coordinates is int coordinates && site.CoordinateCount != coordinates)
        {
            throw new ArgumentException($"Site '{site.Name}': RELAX's network was built for {coordinates} coordinates; the site has {site.CoordinateCount}.");
        }
        if (site.Finite!.SupportValues[0] != 0 || site.Finite.SupportValues[1] != 1)
        {
            throw new ArgumentException($"Site '{site.Name}': {Name} relaxes values in [0, 1]; the site's support is {{{string.Join(", ", site.Finite.SupportValues)}}}.");
        }
    }

    internal override SiteDraw Draw(Trace trace, SiteRecord site)
    {
        Tensor value = FiniteDraw(trace, site);
        trace.Uniform(site, 1, site.Coordinates, value);
        return new SiteDraw(value, value);
    }

    internal override Tensor? Surrogate(EstimationContext context, SiteRecord site)
    {
        if (context.ImportanceWeighted)
        {
            throw new InvalidOperationException($"Site '{site.Name}': {Name} is defined for the evidence lower bound, not the importance-weighted bound.");
        }
        Tensor logits = Logits(site);                                   // α with its graph to the networks
        Tensor alpha = logits.detach().requires_grad_(true);            // the leaf ĝ is taken w.r.t.
        long rows = alpha.shape[0];
        Tensor u = site.Uniforms[0];
        Tensor v = site.Uniforms[1];
        Tensor b = site.Value;
        Tensor etaHere = eta.to(alpha.dtype, alpha.device);
        Tensor temperature = logTemperature.to(alpha.dtype, alpha.device).exp();
        // Keep u and ũ inside (ε, 1 − ε) with ε representable next to 1 in the dtype (1 − 1e-12 is 1 in float32).
        using Scalar tiny = Margin(alpha.dtype).ToScalar(), high = (1 - Margin(alpha.dtype)).ToScalar(); // held for the call: see Scalars
        Tensor z = alpha.add(Logit(u, tiny, high), Scalars.One);
        Tensor p1 = alpha.sigmoid();
        Tensor p0 = alpha.neg().sigmoid();
        // ũ: uniform on (0, σ(−α)) when b = 0 and on (σ(−α), 1) when b = 1, so that z̃ = α + logit ũ ~ p(z | b).
        Tensor conditional = torch.where(b.gt(Scalars.Of(0.5)), p0.add(v * p1, Scalars.One), v * p0);
        Tensor zTilde = alpha.add(Logit(conditional, tiny, high), Scalars.One);
        Tensor relaxed = torch.cat(new[] { (z / temperature).sigmoid(), (zTilde / temperature).sigmoid() }, 0);
        (Tensor nonLocal, Tensor own) = context.Replay(site, 2, relaxed, withGraph: true, relaxTemperature: temperature);
        Tensor f = nonLocal.add(Trace.PerRow(own), Scalars.One).reshape(2, rows);
        Tensor cZ = etaHere * f[0];
        Tensor cZTilde = etaHere * f[1];
        if (network is not null)
        {
            cZ = cZ.add(Network(z), Scalars.One);
            cZTilde = cZTilde.add(Network(zTilde), Scalars.One);
        }
        Tensor dZ = torch.autograd.grad(new[] { cZ.sum() }, new[] { alpha }, retain_graph: true, create_graph: true)[0];
        Tensor dZTilde = torch.autograd.grad(new[] { cZTilde.sum() }, new[] { alpha }, retain_graph: true, create_graph: true)[0];
        (Tensor baseNonLocal, Tensor baseOwn) = context.Downstream(site);
        Tensor fBase = baseNonLocal.add(Trace.PerRow(baseOwn), Scalars.One);
        Tensor shape = fBase.view(new[] { rows }.Concat(Enumerable.Repeat(1L, site.Coordinates.Length)).ToArray());
        Tensor cTildeColumn = cZTilde.view(shape.shape);
        Tensor score = b - p1.detach();
        Tensor gradient = ((shape - cTildeColumn) * score).add(dZ, Scalars.One); // ĝ w.r.t. α, [rows, ...coordinates]
        if (!OmitConditionalCorrection)
        {
            gradient = gradient - dZTilde;
        }
        Tensor variance = gradient.pow(Scalars.Of(2.0)).sum() / Scalars.Of((double)rows);
        IReadOnlyList<Tensor> controls = ControlParameters;
        IList<Tensor> varianceGradient = torch.autograd.grad(new[] { variance }, controls.ToArray(), retain_graph: false, allow_unused: true);
        Tensor control = torch.zeros(new long[0], dtype: ScalarType.Float64);
        for (int i = 0; i < controls.Count; i++)
        {
            if (varianceGradient[i] is { IsInvalid: false } g)
            {
                // Maximising the surrogate descends the variance: −Σ θ_c·∂V/∂θ_c (zero-valued once centred by the caller).
                control = control.add((controls[i] * g.detach()).sum(), Scalars.Of(-1.0));
            }
        }
        Tensor carried = (logits * gradient.detach()).sum() / Scalars.Of((double)rows);
        return carried.add(control.to(carried.dtype, carried.device), Scalars.One);
    }

    private Tensor Network(Tensor z)
    {
        Tensor flat = z.reshape(z.shape[0], -1);
        return network!.call(flat.to(ScalarType.Float64)).squeeze(-1).to(z.dtype);
    }

    /// <summary>A margin from 0 and 1 that the dtype can tell apart from 1.</summary>
    internal static double Margin(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 => 1e-12,
        ScalarType.Float32 => 1e-6,
        ScalarType.BFloat16 => 1e-2,
        _ => 1e-3,
    };

    private static Tensor Logit(Tensor u, Scalar tiny, Scalar high)
    {
        Tensor clamped = u.clamp(tiny, high);
        return clamped.log() - (-(clamped - Scalars.Of(1.0))).log();
    }
}
