using System;
using StandardNormal = MathNet.Numerics.Distributions.Normal;
using MathNet.Numerics.Integration;
using StochasticBackprop.Distributions;
using StochasticBackprop.Samples.Distributions;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Hybrid;

/// <summary>A European payoff on S_T: the tensor form the estimators use and the scalar form for quadrature.</summary>
internal sealed record Payoff(string Name, string Formula, Func<Tensor, Tensor> Elementwise, Func<double, double, double> Value)
{
    public Objective Objective { get; } = Objective.Separable(Elementwise);

    /// <summary>max(S − K, 0).</summary>
    /// <remarks>The strike is a constant of the experiment, so <see cref="Scalars.Of(double)"/> may keep it for the process (see Loss).</remarks>
    public static Payoff Call(double strike)
    {
        Scalar k = Scalars.Of(strike);
        return new("call", $"max(S_T − {strike}, 0)", s => s.sub(k).clamp_min(Scalars.Of(0.0)), (s, x) => Math.Max(s - x, 0.0));
    }

    /// <summary>
    /// 1{S > K} (cash-or-nothing, pays 1), with f′ = 0 wherever it exists: the step plus 0·S, a graph whose derivative is that 0,
    /// so the pathwise estimator runs and returns what differentiating the step gives (Appendix D's point). The bare step
    /// (no graph) is refused by the estimators' dependence check, which is what a user writing it would meet.
    /// </summary>
    public static Payoff Digital(double strike)
    {
        Scalar k = Scalars.Of(strike);
        return new("digital", $"1{{S_T > {strike}}}", s => s.gt(k).to_type(ScalarType.Float64).add(s * Scalars.Of(0.0), Scalars.One), (s, x) => s > x ? 1.0 : 0.0);
    }
}

/// <summary>
/// The market of Oden (2025), Appendix D: S_T of geometric Brownian motion under the risk-neutral drift,
/// closed-form Black–Scholes Greeks, and the same Greeks by quadrature (a second method).
/// </summary>
internal sealed record BlackScholes(double Spot, double Strike, double Rate, double Volatility, double Maturity)
{
    public static BlackScholes Standard { get; } = new(100, 100, 0.05, 0.2, 1.0);

    public double Discount => Math.Exp(-Rate * Maturity);

    public GbmTerminalPrice Create(double? spot = null) =>
        new(tensor(spot ?? Spot, float64), tensor(Rate, float64), tensor(Volatility, float64), tensor(Maturity, float64));

    private double D1 => (Math.Log(Spot / Strike) + (Rate + Volatility * Volatility / 2) * Maturity) / (Volatility * Math.Sqrt(Maturity));
    private double D2 => D1 - Volatility * Math.Sqrt(Maturity);

    /// <summary>Closed-form (Delta, Vega, Gamma) of the discounted price.</summary>
    public (double Delta, double Vega, double Gamma) ClosedForm(string payoff)
    {
        double sqrtT = Math.Sqrt(Maturity);
        return payoff switch
        {
            "call" => (StandardNormal.CDF(0, 1, D1), Spot * StandardNormal.PDF(0, 1, D1) * sqrtT, StandardNormal.PDF(0, 1, D1) / (Spot * Volatility * sqrtT)),
            "digital" => (Discount * StandardNormal.PDF(0, 1, D2) / (Spot * Volatility * sqrtT),
                          -Discount * StandardNormal.PDF(0, 1, D2) * D1 / Volatility,
                          -Discount * StandardNormal.PDF(0, 1, D2) * D1 / (Spot * Spot * Volatility * Volatility * Maturity)),
            _ => throw new ArgumentException(payoff),
        };
    }

    /// <summary>
    /// The discounted price e^{−rT}∫ payoff(S(ε)) φ(ε) dε by Gauss–Legendre (order 64 on unit pieces, split where S crosses K).
    /// </summary>
    public double Price(Payoff payoff, double spot, double volatility)
    {
        double drift = (Rate - volatility * volatility / 2) * Maturity, scale = volatility * Math.Sqrt(Maturity);
        double kink = (Math.Log(Strike / spot) - drift) / scale;
        double Integrand(double e) => payoff.Value(spot * Math.Exp(drift + scale * e), Strike) * Math.Exp(-e * e / 2) / Math.Sqrt(2 * Math.PI);
        double total = 0;
        for (int i = -12; i < 12; i++)
        {
            double a = i, b = i + 1;
            if (kink > a && kink < b)
            {
                total += GaussLegendreRule.Integrate(Integrand, a, kink, 64) + GaussLegendreRule.Integrate(Integrand, kink, b, 64);
            }
            else
            {
                total += GaussLegendreRule.Integrate(Integrand, a, b, 64);
            }
        }
        return Discount * total;
    }

    /// <summary>(Delta, Vega, Gamma) by 5-point differences of the quadrature price (steps 0.01·S₀ and 10⁻³ in σ).</summary>
    public (double Delta, double Vega, double Gamma) ByQuadrature(Payoff payoff)
    {
        double h = 0.01 * Spot, k = 1e-3;
        double P(double s) => Price(payoff, s, Volatility);
        double V(double v) => Price(payoff, Spot, v);
        double delta = (P(Spot - 2 * h) - 8 * P(Spot - h) + 8 * P(Spot + h) - P(Spot + 2 * h)) / (12 * h);
        double vega = (V(Volatility - 2 * k) - 8 * V(Volatility - k) + 8 * V(Volatility + k) - V(Volatility + 2 * k)) / (12 * k);
        double gamma = (-P(Spot - 2 * h) + 16 * P(Spot - h) - 30 * P(Spot) + 16 * P(Spot + h) - P(Spot + 2 * h)) / (12 * h * h);
        return (delta, vega, gamma);
    }
}
