using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>
/// What every estimator returns: the objective's values, the per-sample gradient w.r.t. each
/// distribution parameter, their means, and a surrogate whose <c>backward()</c> carries the
/// estimate into whatever produced the parameters.
/// </summary>
/// <remarks>
/// All tensors are owned by this object and are placed in the dispose scope that was current
/// when the estimator was called; <see cref="Dispose"/> releases them early. The distribution's
/// own parameter tensors are referenced, never disposed.
/// </remarks>
public sealed class GradientEstimate : IDisposable
{
    private readonly Tensor objectiveWithGraph;
    private readonly IReadOnlyList<Tensor> parameters;

    /// <summary>
    /// Assembles an estimate from per-sample gradients. Estimators call this; generated code and
    /// users may too, for an estimator of their own.
    /// </summary>
    /// <param name="estimator">A short name for the estimator, e.g. <c>pathwise</c>.</param>
    /// <param name="parameterNames">The distribution's parameter names, in declaration order.</param>
    /// <param name="parameters">The distribution's parameter tensors θ_p (possibly requiring grad); referenced, not copied.</param>
    /// <param name="samples">The samples z the estimate used, <c>[S, ...BatchShape]</c>.</param>
    /// <param name="objectiveValues">f(z), <c>[S]</c>, evaluated with z detached from θ but with f's own graph kept.</param>
    /// <param name="perSampleGradients">Per parameter, <c>[S, ...parameterShape]</c>.</param>
    /// <param name="lambdas">For a combined estimate, the weight of the first estimator per parameter tensor.</param>
    /// <param name="lambdaTensors">For a combined estimate, the weight of the first estimator per parameter, shaped like the parameter.</param>
    public GradientEstimate(
        string estimator,
        IReadOnlyList<string> parameterNames,
        IReadOnlyList<Tensor> parameters,
        Tensor samples,
        Tensor objectiveValues,
        IReadOnlyList<Tensor> perSampleGradients,
        IReadOnlyList<double>? lambdas = null,
        IReadOnlyList<Tensor>? lambdaTensors = null)
        : this(estimator, parameterNames, parameters, samples, objectiveValues, perSampleGradients, lambdas, lambdaTensors, meanGradients: null)
    {
    }

    /// <summary>
    /// As the public constructor, with the mean gradients already known (a fused kernel produced them in
    /// the pass that wrote the per-sample gradients); a null entry is computed as usual.
    /// </summary>
    private GradientEstimate(
        string estimator,
        IReadOnlyList<string> parameterNames,
        IReadOnlyList<Tensor> parameters,
        Tensor samples,
        Tensor objectiveValues,
        IReadOnlyList<Tensor> perSampleGradients,
        IReadOnlyList<double>? lambdas,
        IReadOnlyList<Tensor>? lambdaTensors,
        IReadOnlyList<Tensor?>? meanGradients)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(parameterNames);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(objectiveValues);
        ArgumentNullException.ThrowIfNull(perSampleGradients);
        if (parameterNames.Count != parameters.Count || perSampleGradients.Count != parameters.Count)
        {
            throw new ArgumentException($"{parameterNames.Count} names, {parameters.Count} parameters and {perSampleGradients.Count} per-sample gradients: the counts must agree.", nameof(perSampleGradients));
        }
        if (objectiveValues.dim() != 1)
        {
            throw new ArgumentException("The objective values must have shape [S]; got " + Shapes.Format(objectiveValues.shape) + ".", nameof(objectiveValues));
        }
        long sampleCount = objectiveValues.shape[0];
        for (int p = 0; p < parameters.Count; p++)
        {
            long[] expected = Shapes.Sampled(sampleCount, parameters[p].shape);
            if (!perSampleGradients[p].shape.SequenceEqual(expected))
            {
                throw new ArgumentException($"The per-sample gradient for '{parameterNames[p]}' has shape {Shapes.Format(perSampleGradients[p].shape)}; expected {Shapes.Format(expected)}.", nameof(perSampleGradients));
            }
            Tensor? meanGradient = meanGradients?[p];
            if (meanGradient is not null && !meanGradient.shape.SequenceEqual(parameters[p].shape))
            {
                throw new ArgumentException($"The mean gradient for '{parameterNames[p]}' has shape {Shapes.Format(meanGradient.shape)}; expected {Shapes.Format(parameters[p].shape)}.", nameof(meanGradients));
            }
        }
        if (meanGradients is not null && meanGradients.Count != parameters.Count)
        {
            throw new ArgumentException($"{meanGradients.Count} mean gradients for {parameters.Count} parameters.", nameof(meanGradients));
        }

        Estimator = estimator;
        ParameterNames = parameterNames.ToArray();
        this.parameters = parameters.ToArray();
        Lambdas = lambdas?.ToArray();
        using (torch.NewDisposeScope())
        {
            objectiveWithGraph = objectiveValues.alias();
            using (torch.no_grad())
            {
                Samples = samples.detach();
                Values = objectiveValues.detach();
                Value = Values.mean();
                PerSampleGradients = perSampleGradients.Select(g => g.detach()).ToArray();
                Gradients = PerSampleGradients.Select((g, p) => meanGradients?[p]?.detach() ?? g.mean(new long[] { 0 })).ToArray();
                LambdaTensors = lambdaTensors?.Select(l => l.detach()).ToArray();
            }

            // Σ_p θ_p·stopgrad(ḡ_p) has gradient ḡ_p w.r.t. θ_p; subtracting its detached value leaves the
            // forward value at mean f, whose graph (f's own parameters only: z is detached from θ) is kept.
            Tensor linear = torch.zeros(Array.Empty<long>(), dtype: Values.dtype, device: Values.device);
            for (int p = 0; p < this.parameters.Count; p++)
            {
                linear = linear.add((this.parameters[p] * Gradients[p]).sum(), Scalars.One);
            }
            Surrogate = (linear - linear.detach()).add(objectiveWithGraph.mean(), Scalars.One);
            MoveToOuterDisposeScope();
        }
    }

    /// <summary>
    /// An estimate whose mean gradients were computed with the per-sample gradients (by a fused kernel), so
    /// they are not recomputed: <paramref name="meanGradients"/>[p] is the mean over samples of
    /// <paramref name="perSampleGradients"/>[p], shaped like parameter p, or null to compute it here.
    /// </summary>
    internal static GradientEstimate WithMeans(
        string estimator,
        IReadOnlyList<string> parameterNames,
        IReadOnlyList<Tensor> parameters,
        Tensor samples,
        Tensor objectiveValues,
        IReadOnlyList<Tensor> perSampleGradients,
        IReadOnlyList<Tensor?> meanGradients,
        IReadOnlyList<double>? lambdas = null,
        IReadOnlyList<Tensor>? lambdaTensors = null) =>
        new(estimator, parameterNames, parameters, samples, objectiveValues, perSampleGradients, lambdas, lambdaTensors, meanGradients);

    /// <summary>The estimator's name, e.g. <c>pathwise</c>, <c>score-function</c>, <c>fourier(N=2)</c>, <c>hybrid(pathwise, score-function)</c>.</summary>
    public string Estimator { get; }

    /// <summary>The samples z the estimate used, <c>[S, ...BatchShape]</c>, detached. Pass them to an <c>…At</c> estimator to evaluate another estimator on the same draws.</summary>
    public Tensor Samples { get; }

    /// <summary>f(z_i) per sample, <c>[S]</c>, detached.</summary>
    public Tensor Values { get; }

    /// <summary>The Monte Carlo estimate of E[f(z)]: the mean of <see cref="Values"/>, a scalar.</summary>
    public Tensor Value { get; }

    /// <summary>The distribution's parameter names, in declaration order.</summary>
    public IReadOnlyList<string> ParameterNames { get; }

    /// <summary>
    /// Per parameter, the per-sample gradient estimates <c>[S, ...parameterShape]</c>, detached.
    /// Where a parameter is broadcast to the batch shape, the coordinates it feeds are summed.
    /// Variance statistics and hybrid weights are computed from these.
    /// </summary>
    public IReadOnlyList<Tensor> PerSampleGradients { get; }

    /// <summary>Per parameter, the gradient estimate: the mean of the per-sample gradients, the parameter's shape.</summary>
    public IReadOnlyList<Tensor> Gradients { get; }

    /// <summary>
    /// A scalar whose value equals <see cref="Value"/> and whose <c>backward()</c> puts exactly
    /// <see cref="Gradients"/> into each parameter tensor's upstream graph (the network producing θ), and
    /// the gradient of mean f into f's own parameters when it has any. It requires grad only when
    /// one of those does; libtorch aborts the process on <c>backward()</c> of a tensor that does not.
    /// </summary>
    public Tensor Surrogate { get; }

    /// <summary>For a combined estimate, the weight λ of the first estimator per parameter tensor (the mean λ over coordinates when weights are per coordinate); otherwise null.</summary>
    public IReadOnlyList<double>? Lambdas { get; }

    /// <summary>For a combined estimate, the weight λ of the first estimator per parameter, shaped like the parameter; otherwise null.</summary>
    public IReadOnlyList<Tensor>? LambdaTensors { get; }

    /// <summary>The distribution parameter tensors θ the estimate refers to (not owned).</summary>
    internal IReadOnlyList<Tensor> Parameters => parameters;

    /// <summary>f(z) with f's own graph kept (z detached from θ), for surrogates of combined estimates.</summary>
    internal Tensor ObjectiveWithGraph => objectiveWithGraph;

    /// <summary>The per-sample gradient for the parameter named <paramref name="parameterName"/>.</summary>
    /// <exception cref="ArgumentException">No parameter has that name.</exception>
    public Tensor PerSampleGradient(string parameterName) => PerSampleGradients[IndexOf(parameterName)];

    /// <summary>The mean gradient for the parameter named <paramref name="parameterName"/>.</summary>
    /// <exception cref="ArgumentException">No parameter has that name.</exception>
    public Tensor Gradient(string parameterName) => Gradients[IndexOf(parameterName)];

    /// <summary>Releases the tensors this estimate owns (not the distribution's parameters).</summary>
    public void Dispose()
    {
        foreach (Tensor tensor in OwnedTensors())
        {
            tensor.Dispose();
        }
    }

    /// <summary>Moves every owned tensor to the dispose scope outside the current one, and returns this.</summary>
    internal GradientEstimate MoveToOuterDisposeScope()
    {
        foreach (Tensor tensor in OwnedTensors())
        {
            tensor.MoveToOuterDisposeScope();
        }
        return this;
    }

    private IEnumerable<Tensor> OwnedTensors()
    {
        yield return objectiveWithGraph;
        yield return Samples;
        yield return Values;
        yield return Value;
        yield return Surrogate;
        foreach (Tensor tensor in PerSampleGradients.Concat(Gradients).Concat(LambdaTensors ?? Array.Empty<Tensor>()))
        {
            yield return tensor;
        }
    }

    private int IndexOf(string parameterName)
    {
        for (int p = 0; p < ParameterNames.Count; p++)
        {
            if (string.Equals(ParameterNames[p], parameterName, StringComparison.Ordinal))
            {
                return p;
            }
        }
        throw new ArgumentException($"No parameter named '{parameterName}'; the parameters are {string.Join(", ", ParameterNames)}.", nameof(parameterName));
    }
}

/// <summary>
/// What an estimate is made of before it is one: the per-sample gradients with the samples and values they came
/// from. The hybrid combines the pathwise and score parts without building either estimate.
/// </summary>
internal sealed record EstimateParts(
    string Estimator,
    IReadOnlyList<string> ParameterNames,
    IReadOnlyList<Tensor> Parameters,
    Tensor Samples,
    Tensor ObjectiveValues,
    IReadOnlyList<Tensor> PerSample)
{
    public static EstimateParts Of(GradientEstimate estimate) =>
        new(estimate.Estimator, estimate.ParameterNames, estimate.Parameters, estimate.Samples, estimate.ObjectiveWithGraph, estimate.PerSampleGradients);

    public GradientEstimate ToEstimate() => new(Estimator, ParameterNames, Parameters, Samples, ObjectiveValues, PerSample);
}
