using System;
using System.Linq;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Runtime.Tests;

/// <summary>
/// The fused span kernels (FusedMoments) against the tensor-op path they replace on the CPU: moments,
/// hybrid mixes at every granularity, float32 against float64, views, and the same-samples check.
/// </summary>
public sealed class FusedMomentsTests
{
    private const long Rows = 10_001; // not a multiple of any block or vector width

    /// <summary>Two correlated per-sample estimates [S, ...tail]: offset + N(0, 1) and offset/2 + 0.6 x + 0.8 N(0, 1) (distinct scales per coordinate).</summary>
    private static (Tensor First, Tensor Second) Pair(long[] tail, double offset, ScalarType dtype, long seed)
    {
        var generator = new Generator((ulong)seed, torch.CPU);
        long[] shape = new[] { Rows }.Concat(tail).ToArray();
        Tensor scale = torch.rand(tail, float64, generator: generator).add(Scalars.Of(0.5), Scalars.One);
        Tensor x = torch.randn(shape, float64, generator: generator) * scale;
        Tensor y = (x * Scalars.Of(0.6)).add(torch.randn(shape, float64, generator: generator) * Scalars.Of(0.8), Scalars.One);
        using Scalar shift = offset.ToScalar();
        using Scalar halfShift = (offset / 2).ToScalar();
        return ((x + shift).to_type(dtype), (y + halfShift).to_type(dtype));
    }

    private static GradientEstimate Estimate(string name, params Tensor[] perSample)
    {
        ScalarType dtype = perSample[0].dtype;
        long rows = perSample[0].shape[0];
        Tensor[] parameters = perSample.Select(g => torch.zeros(g.shape.Skip(1).ToArray(), dtype)).ToArray();
        return new GradientEstimate(name, perSample.Select((_, p) => "p" + p).ToArray(), parameters,
            torch.zeros(new[] { rows }, dtype), torch.zeros(new[] { rows }, dtype), perSample);
    }

    /// <summary>|actual − expected| ≤ tolerance · scale, element by element.</summary>
    private static void Close(double[] expected, double[] actual, double tolerance, double[] scale, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int j = 0; j < expected.Length; j++)
        {
            double bound = tolerance * (Math.Abs(expected[j]) + scale[j]);
            Assert.True(Math.Abs(actual[j] - expected[j]) <= bound, $"{what}[{j}]: {actual[j]:R} vs {expected[j]:R} (bound {bound:G3})");
        }
    }

    private static void Close(Tensor expected, Tensor actual, double tolerance, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(expected.dtype, actual.dtype);
        double[] e = VarianceStatistics.ToArray(expected), a = VarianceStatistics.ToArray(actual);
        double scale = e.Select(Math.Abs).DefaultIfEmpty(0).Max();
        Close(e, a, tolerance, Enumerable.Repeat(scale, e.Length).ToArray(), what);
    }

    private static void MomentsClose(CoordinateMoments expected, CoordinateMoments actual, double tolerance)
    {
        int k = expected.Count;
        for (int b = 0; b < k; b++)
        {
            double[] sd = expected.Covariance(b, b).Select(Math.Sqrt).ToArray();
            Close(expected.Means[b], actual.Means[b], tolerance, sd, $"mean {b}");
            for (int a = 0; a <= b; a++)
            {
                // Covariances relative to √(Var a · Var b): a near-zero covariance has no relative precision of its own.
                double[] scale = expected.Covariance(a, a).Zip(expected.Covariance(b, b), (u, v) => Math.Sqrt(u * v)).ToArray();
                Close(expected.Covariance(a, b), actual.Covariance(a, b), tolerance, scale, $"cov({a}, {b})");
            }
        }
    }

    public static TheoryData<int[], double> Layouts() => new()
    {
        { Array.Empty<int>(), 0.0 },
        { Array.Empty<int>(), 1e6 },
        { new[] { 3 }, 1e6 },
        { new[] { 17 }, 2.5 },
        { new[] { 2, 5 }, 1e6 },
        { new[] { 300 }, -1e6 },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Moments_Float64_SpanPathAgreesWithTensorPath_EvenWithALargeOffset(int[] tail, double offset)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var (x, y) = Pair(tail.Select(t => (long)t).ToArray(), offset, float64, 31);
        Tensor z = (x - y).abs();
        Tensor[] estimates = { x, y, z };
        Assert.True(FusedMoments.Supports(estimates));

        CoordinateMoments fused = VarianceStatistics.CoordinateMoments(estimates);
        CoordinateMoments tensor = VarianceStatistics.CoordinateMoments(estimates, allowFused: false);

        // The reference: the tensor path on the data with the offset taken off again (exact: the values lie
        // within a factor 2 of it), where centring is well conditioned; the means get the offset back.
        using Scalar shift = offset.ToScalar();
        using Scalar halfShift = (offset / 2).ToScalar();
        CoordinateMoments centred = VarianceStatistics.CoordinateMoments(new[] { x - shift, y - halfShift, z }, allowFused: false);
        double[] offsets = { offset, offset / 2, 0 };
        var reference = new CoordinateMoments(
            centred.Means.Select((m, k) => m.Select(v => v + offsets[k]).ToArray()).ToArray(),
            Enumerable.Range(0, 3).SelectMany(b => Enumerable.Range(0, b + 1).Select(a => centred.Covariance(a, b))).ToArray());

        MomentsClose(reference, fused, 1e-12);
        // The tensor path sums 10⁶-sized values row after row in its mean (over a strided axis), so at this
        // offset its variances carry a relative error of about 10⁻¹²; the span path is the more accurate one.
        MomentsClose(tensor, fused, offset == 0 ? 1e-12 : 1e-10);
    }

    [Fact]
    public void Moments_ManyCoordinates_FewRowsPerBlock_AgreeWithTensorPath()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var generator = new Generator(34, torch.CPU);
        // 100,000 coordinates: blocks of 2 rows (the scratch stays bounded), merged 4 times.
        Tensor x = torch.randn(new long[] { 7, 100_000 }, float64, generator: generator).add(Scalars.Of(5.0), Scalars.One);
        Tensor y = (x * Scalars.Of(0.5)).add(torch.randn(new long[] { 7, 100_000 }, float64, generator: generator), Scalars.One);
        Tensor[] estimates = { x, y };
        MomentsClose(VarianceStatistics.CoordinateMoments(estimates, allowFused: false), VarianceStatistics.CoordinateMoments(estimates), 1e-12);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Moments_Float32_SpanPathAgreesWithFloat64TensorPathOnTheSameValues(int[] tail, double offset)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var (x, y) = Pair(tail.Select(t => (long)t).ToArray(), offset, float32, 32);
        Tensor[] single = { x, y };
        Tensor[] wide = { x.to_type(float64), y.to_type(float64) };
        // The span path accumulates in double, so it matches the float64 computation on the float32 values
        // (the float32 tensor path would lose about (offset·2⁻²⁴)²/Var to its float32 mean at 10⁶).
        MomentsClose(VarianceStatistics.CoordinateMoments(wide, allowFused: false), VarianceStatistics.CoordinateMoments(single), 1e-5);
    }

    [Fact]
    public void Moments_Float32_SpanPathAgreesWithFloat32TensorPath_WithoutOffset()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var (x, y) = Pair(new long[] { 4 }, 3.0, float32, 33);
        Tensor[] estimates = { x, y };
        MomentsClose(VarianceStatistics.CoordinateMoments(estimates, allowFused: false), VarianceStatistics.CoordinateMoments(estimates), 1e-5);
    }

    [Theory]
    [InlineData(LambdaGranularity.PerTensor, 0.0)]
    [InlineData(LambdaGranularity.PerTensor, 1e6)]
    [InlineData(LambdaGranularity.Scalar, 1e6)]
    [InlineData(LambdaGranularity.PerCoordinate, 1e6)]
    public void Mix_Float64_SpanPathAgreesWithTensorPath(LambdaGranularity granularity, double offset)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var (a0, b0) = Pair(Array.Empty<long>(), offset, float64, 41);
        var (a1, b1) = Pair(new long[] { 3 }, offset, float64, 42);
        var (a2, b2) = Pair(new long[] { 2, 5 }, offset, float64, 43);
        GradientEstimate first = Estimate("first", a0, a1, a2), second = Estimate("second", b0, b1, b2);
        var options = new HybridOptions { Granularity = granularity };

        GradientEstimate fused = new HybridEstimator(options).MixCore(first, second, allowFused: true);
        GradientEstimate tensor = new HybridEstimator(options).MixCore(first, second, allowFused: false);

        // At a 10⁶ offset the tensor path's own variances are good to about 10⁻¹² only (see the moments test).
        AssertMixesAgree(tensor, fused, offset == 0 ? 1e-12 : 1e-10);
        Assert.Equal(tensor.Estimator, fused.Estimator);
    }

    [Theory]
    [InlineData(LambdaGranularity.PerTensor)]
    [InlineData(LambdaGranularity.PerCoordinate)]
    public void Mix_Float32_SpanPathAgreesWithTensorPath_AndStaysFloat32(LambdaGranularity granularity)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var (a0, b0) = Pair(Array.Empty<long>(), 2.0, float32, 44);
        var (a1, b1) = Pair(new long[] { 9 }, -1.0, float32, 45);
        GradientEstimate first = Estimate("first", a0, a1), second = Estimate("second", b0, b1);
        var options = new HybridOptions { Granularity = granularity };

        GradientEstimate fused = new HybridEstimator(options).MixCore(first, second, allowFused: true);
        GradientEstimate tensor = new HybridEstimator(options).MixCore(first, second, allowFused: false);

        AssertMixesAgree(tensor, fused, 1e-5);
        foreach (Tensor t in fused.PerSampleGradients.Concat(fused.Gradients).Concat(fused.LambdaTensors!))
        {
            Assert.Equal(ScalarType.Float32, t.dtype);
        }
    }

    /// <summary>
    /// A float32 hybrid agrees with the float64 hybrid on the same (float32-representable) values: λ to 1e-6
    /// absolute (it is computed from double moments either way), the combinations and their means to 1e-6 of
    /// their scale (float32 rounding of the result, 2⁻²⁴ ≈ 6e-8, with room to spare).
    /// </summary>
    [Fact]
    public void Mix_Float32_AgreesWithFloat64OnTheSameData()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var (a0, b0) = Pair(Array.Empty<long>(), 1.0, float32, 46);
        var (a1, b1) = Pair(new long[] { 6 }, 0.5, float32, 47);
        GradientEstimate single = HybridEstimator.Combine(Estimate("first", a0, a1), Estimate("second", b0, b1));
        GradientEstimate wide = HybridEstimator.Combine(
            Estimate("first", a0.to_type(float64), a1.to_type(float64)), Estimate("second", b0.to_type(float64), b1.to_type(float64)));

        for (int p = 0; p < 2; p++)
        {
            Assert.Equal(ScalarType.Float32, single.PerSampleGradients[p].dtype);
            Assert.Equal(wide.Lambdas![p], single.Lambdas![p], 6);
            Close(wide.PerSampleGradients[p], single.PerSampleGradients[p].to_type(float64), 1e-6, $"per-sample {p}");
            Close(wide.Gradients[p], single.Gradients[p].to_type(float64), 1e-6, $"mean {p}");
            Close(wide.LambdaTensors![p], single.LambdaTensors![p].to_type(float64), 1e-6, $"lambda {p}");
        }
    }

    [Fact]
    public void Mix_NonContiguousGradients_TakeTheTensorPath_AndGiveTheSameResult()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var (a, b) = Pair(new long[] { 4 }, 10.0, float64, 48);
        // Transposed storage: the same values as a [S, 4] view that is not contiguous.
        Tensor aView = a.t().contiguous().t(), bView = b.t().contiguous().t();
        Assert.False(aView.is_contiguous());
        Assert.False(FusedMoments.Supports(new[] { aView, bView }));

        GradientEstimate viaViews = HybridEstimator.Combine(Estimate("first", aView), Estimate("second", bView), LambdaGranularity.PerCoordinate);
        GradientEstimate viaBuffers = HybridEstimator.Combine(Estimate("first", a), Estimate("second", b), LambdaGranularity.PerCoordinate);

        AssertMixesAgree(viaViews, viaBuffers, 1e-12);
    }

    [Fact]
    public void Combiner_ThreeEstimates_FusedWeightsAndSumsMatchTheTensorFormulas()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var (x, y) = Pair(new long[] { 3 }, 1e6, float64, 49);
        Tensor z = (x * Scalars.Of(0.3)).add(y * Scalars.Of(0.7), Scalars.One).add(torch.randn(x.shape, float64, generator: new Generator(50, torch.CPU)), Scalars.One);
        GradientEstimate[] estimates = { Estimate("x", x), Estimate("y", y), Estimate("z", z) };

        CombinedEstimate combined = MinimumVarianceCombiner.Combine(estimates, ridge: 0);

        double[] expectedWeights = VarianceStatistics.MinimumVarianceWeights(new[] { x, y, z }, ridge: 0);
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(expectedWeights[k], combined.Weights[0][k], 9);
        }
        using Scalar w0 = combined.Weights[0][0].ToScalar(), w1 = combined.Weights[0][1].ToScalar(), w2 = combined.Weights[0][2].ToScalar();
        Tensor expected = (x * w0).add(y * w1, Scalars.One).add(z * w2, Scalars.One);
        Close(expected, combined.Estimate.PerSampleGradients[0], 1e-12, "combination");
        Close(expected.mean(new long[] { 0 }), combined.Estimate.Gradients[0], 1e-12, "mean");
    }

    [Fact]
    public void SameSamples_ByIdentityFirst_ThenByValue()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor samples = torch.randn(new long[] { 1000, 3 }, float64, generator: new Generator(51, torch.CPU));
        samples[5, 1] = torch.tensor(double.NaN, float64); // NaN ≠ NaN: only identity can call these the same

        Assert.True(HybridEstimator.SameSamples(samples, samples));
        Assert.True(HybridEstimator.SameSamples(samples, samples.detach()));
        Assert.True(HybridEstimator.SameSamples(samples[TensorIndex.Slice(1)], samples.detach()[TensorIndex.Slice(1)]));
        Assert.False(HybridEstimator.SameSamples(samples, samples.clone())); // a copy: compared by value, and NaN differs

        Tensor finite = torch.nan_to_num(samples);
        Assert.True(HybridEstimator.SameSamples(finite, finite.clone())); // a user's copy is still the same samples
        Assert.False(HybridEstimator.SameSamples(finite, finite.add(Scalars.Of(1e-9), Scalars.One)));

        // Same first element, same shape, other strides: not the same samples.
        Tensor square = torch.randn(new long[] { 4, 4 }, float64, generator: new Generator(52, torch.CPU));
        Assert.False(HybridEstimator.SameSamples(square, square.t()));
    }

    [Fact]
    public void Mix_SecondEstimateOnTheFirstsSamples_IsAccepted_AndOnACopyToo()
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var (a, b) = Pair(Array.Empty<long>(), 0.0, float64, 53);
        Tensor samples = torch.randn(new[] { Rows }, float64, generator: new Generator(54, torch.CPU));
        Tensor values = torch.zeros(new[] { Rows }, float64);
        Tensor[] parameters = { torch.zeros(Array.Empty<long>(), float64) };
        var first = new GradientEstimate("first", new[] { "p0" }, parameters, samples, values, new[] { a });
        var onSamples = new GradientEstimate("second", new[] { "p0" }, parameters, first.Samples, values, new[] { b });
        var onCopy = new GradientEstimate("second", new[] { "p0" }, parameters, first.Samples.clone(), values, new[] { b });

        Close(HybridEstimator.Combine(first, onSamples).PerSampleGradients[0], HybridEstimator.Combine(first, onCopy).PerSampleGradients[0], 0, "same result");
    }

    private static void AssertMixesAgree(GradientEstimate expected, GradientEstimate actual, double tolerance)
    {
        Assert.Equal(expected.PerSampleGradients.Count, actual.PerSampleGradients.Count);
        for (int p = 0; p < expected.PerSampleGradients.Count; p++)
        {
            Assert.True(Math.Abs(expected.Lambdas![p] - actual.Lambdas![p]) <= tolerance, $"λ {p}: {actual.Lambdas![p]:R} vs {expected.Lambdas![p]:R}");
            Close(expected.LambdaTensors![p], actual.LambdaTensors![p], tolerance, $"λ tensor {p}");
            Close(expected.PerSampleGradients[p], actual.PerSampleGradients[p], tolerance, $"per-sample {p}");
            Close(expected.Gradients[p], actual.Gradients[p], tolerance, $"mean {p}");
        }
        Close(expected.Surrogate.reshape(1), actual.Surrogate.reshape(1), tolerance, "surrogate");
    }
}
