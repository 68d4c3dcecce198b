using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests.TestDistributions;

/// <summary>
/// A generated distribution with one deliberate defect, for showing that a statistical test fails
/// on a subtly wrong formula (docs/ARCHITECTURE.md#testing). Everything not overridden is the generated code's own.
/// </summary>
public sealed class DefectiveDistribution : IHybridDistribution, ICumulantDistribution
{
    private readonly IHybridDistribution inner;
    private readonly ICumulantDistribution cumulants;
    private readonly Func<int, IReadOnlyList<Tensor>, IReadOnlyList<Tensor>>? cumulantGradient;
    private readonly Func<Tensor, IReadOnlyList<Tensor>, IReadOnlyList<Tensor>>? score;
    private readonly bool detachSamples;

    /// <param name="inner">A generated distribution with every estimator.</param>
    /// <param name="cumulantGradient">Replaces ∂κn/∂θ: given n and the correct gradients, returns wrong ones.</param>
    /// <param name="score">Replaces the score: given z and the correct scores, returns wrong ones.</param>
    /// <param name="detachSamples">Makes the pathwise map drop its gradient, as TorchSharp's Gamma.rsample does (docs/ARCHITECTURE.md#environment).</param>
    public DefectiveDistribution(
        IDistribution inner,
        Func<int, IReadOnlyList<Tensor>, IReadOnlyList<Tensor>>? cumulantGradient = null,
        Func<Tensor, IReadOnlyList<Tensor>, IReadOnlyList<Tensor>>? score = null,
        bool detachSamples = false)
    {
        this.inner = (IHybridDistribution)inner;
        cumulants = (ICumulantDistribution)inner;
        this.cumulantGradient = cumulantGradient;
        this.score = score;
        this.detachSamples = detachSamples;
    }

    public string Name => inner.Name;

    public IReadOnlyList<string> ParameterNames => inner.ParameterNames;

    public IReadOnlyList<Tensor> Parameters => inner.Parameters;

    public long[] BatchShape => inner.BatchShape;

    public bool IsImplicit => inner.IsImplicit;

    public int FourierOrder => cumulants.FourierOrder;

    public int CumulantOrder => cumulants.CumulantOrder;

    public Tensor Sample(long sampleCount, Generator? generator = null) => inner.Sample(sampleCount, generator);

    public Tensor Reparameterize(IReadOnlyList<Tensor> parameters, long sampleCount, Generator? generator = null)
    {
        Tensor z = inner.Reparameterize(parameters, sampleCount, generator);
        return detachSamples ? z.detach() : z;
    }

    public Tensor? LogDensity(Tensor z) => inner.LogDensity(z);

    public IReadOnlyList<Tensor> Score(Tensor z) => score is null ? inner.Score(z) : score(z, inner.Score(z));

    public bool CumulantVanishes(int order) => cumulants.CumulantVanishes(order);

    public Tensor Cumulant(int order) => cumulants.Cumulant(order);

    public IReadOnlyList<Tensor> CumulantGradient(int order)
        => cumulantGradient is null ? cumulants.CumulantGradient(order) : cumulantGradient(order, cumulants.CumulantGradient(order));

    /// <summary>Scales every ∂κn/∂θ of one order by a factor.</summary>
    public static Func<int, IReadOnlyList<Tensor>, IReadOnlyList<Tensor>> ScaleCumulantGradient(Func<int, double> factor)
        => (order, gradient) => gradient.Select(g => g * factor(order)).ToArray();
}
