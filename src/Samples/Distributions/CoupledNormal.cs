namespace StochasticBackprop.Samples.Distributions;

/// <summary>
/// The coupled Gaussian of the hybrid paper's synthetic study (Oden 2026, §7.2 eq. 41, Appendix C.2):
/// q_θ = N(μ = θ, σ = exp(α θ)), where exp(α θ) is the <b>standard deviation</b> (the paper writes
/// σ = exp(αθ), and Appendix A's weight is the score of exactly this law). The parameter θ is the
/// paper's θ, so every generated estimator returns per-sample dθ gradients directly; α is a second
/// parameter (its gradients are computed but unused by the experiments).
/// </summary>
[Distribution(FourierOrder = 2)]
[Parameter("theta")]
[Parameter("alpha")]
[CharacteristicFunction("exp(i*theta*w - exp(2*alpha*theta)*w^2/2)")]
[LogDensity("-(z - theta)^2/(2*exp(2*alpha*theta)) - alpha*theta - log(2*pi)/2")]
[Reparameterization("theta + exp(alpha*theta)*eps", Noise = NoiseKind.StandardNormal)]
public sealed partial class CoupledNormal
{
}

/// <summary>
/// The other reading of "N(θ, e^{αθ})": exp(α θ) as the <b>variance</b> (σ = exp(α θ / 2)). Not the
/// paper's setup; declared so the experiments can show how much the reading matters.
/// </summary>
[Distribution(FourierOrder = 2)]
[Parameter("theta")]
[Parameter("alpha")]
[CharacteristicFunction("exp(i*theta*w - exp(alpha*theta)*w^2/2)")]
[LogDensity("-(z - theta)^2/(2*exp(alpha*theta)) - alpha*theta/2 - log(2*pi)/2")]
[Reparameterization("theta + exp(alpha*theta/2)*eps", Noise = NoiseKind.StandardNormal)]
public sealed partial class CoupledNormalVarianceReading
{
}

/// <summary>
/// The "normalized Malliavin weight" of Oden (2026, Appendix A): the coupled Gaussian of <see cref="CoupledNormal"/>
/// with the θ-score replaced by Ξ/√(1 + α²), Ξ the true score. The division changes the
/// expectation, so its score-function estimator is <b>biased</b> (it estimates ∇θL/√(1 + α²)).
/// Declared only to show that bias; never use it as an estimator of the gradient.
/// </summary>
[Distribution]
[Parameter("theta")]
[Parameter("alpha")]
[LogDensity("-(z - theta)^2/(2*exp(2*alpha*theta)) - alpha*theta - log(2*pi)/2")]
[Score("theta", "((z - theta)/exp(2*alpha*theta) + alpha*((z - theta)^2/exp(2*alpha*theta) - 1))/sqrt(1 + alpha^2)")]
[Reparameterization("theta + exp(alpha*theta)*eps", Noise = NoiseKind.StandardNormal)]
public sealed partial class NormalizedMalliavinNormal
{
}
