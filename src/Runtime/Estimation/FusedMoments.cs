using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop;

/// <summary>
/// Per-coordinate first and second moments of K per-sample estimates <c>[S, ...]</c> on the same
/// samples: means, and the co-moments Cov(ĝ_a,j, ĝ_b,j) with divisor S − 1, as host arrays of
/// coordinate size (the trailing axes flattened, row-major).
/// </summary>
internal sealed class CoordinateMoments
{
    private readonly double[][] coMoments;

    internal CoordinateMoments(double[][] means, double[][] coMoments)
    {
        Means = means;
        this.coMoments = coMoments;
    }

    /// <summary>The number of estimates K.</summary>
    internal int Count => Means.Length;

    /// <summary>Per estimate k, the per-coordinate mean.</summary>
    internal double[][] Means { get; }

    /// <summary>The per-coordinate sample covariance of estimates a and b (a variance when a = b).</summary>
    internal double[] Covariance(int a, int b) => coMoments[PairIndex(a, b)];

    /// <summary>Where the pair (a, b), in either order, sits in the packed upper triangle.</summary>
    internal static int PairIndex(int a, int b)
    {
        if (a > b)
        {
            (a, b) = (b, a);
        }
        return b * (b + 1) / 2 + a;
    }
}

/// <summary>
/// The hybrid's and the combiner's moments and weighted sums in single passes over CPU tensor
/// buffers, for contiguous float32/float64 per-sample gradients (the case that matters: S ≈ 10⁵ rows
/// of a few coordinates). The tensor-op path (<see cref="VarianceStatistics"/>) makes about ten
/// S-sized passes for the same numbers; here the moments take one pass and the combination one more.
/// </summary>
/// <remarks>
/// Numerics: everything accumulates in double. Each coordinate is shifted by its first sample (so a large
/// common offset such as 10⁶ + N(0, 1) cancels exactly: the difference of two nearby doubles is exact), and
/// the running means stay relative to that shift until the end (a mean of size 10⁶ would carry 10⁻¹⁰ of
/// rounding into every merge). Rows are taken in blocks whose shifted sums are merged with Chan, Golub and
/// LeVeque's pairwise update, so rounding grows with the block size and the number of blocks, not with S.
/// </remarks>
internal static class FusedMoments
{
    /// <summary>Rows per block when there is one coordinate (vectorised along the samples).</summary>
    private const int StreamBlock = 4096;

    /// <summary>Elements per block otherwise (a cache-sized block), but <see cref="MinimumRowsPerBlock"/> rows where that fits in <see cref="MaximumBlockElements"/>, so the per-block merge stays a small fraction of the work.</summary>
    private const int ElementsPerBlock = 8192;

    private const int MinimumRowsPerBlock = 64;

    /// <summary>The largest block (per estimate, in doubles: 2 MiB) of the scratch arrays, however many coordinates.</summary>
    private const int MaximumBlockElements = 1 << 18;

    /// <summary>
    /// Whether the tensors can be read through their buffers: at least two samples, all on the CPU, contiguous,
    /// of one shape and one dtype, float32 or float64, and small enough for a span.
    /// </summary>
    internal static bool Supports(IReadOnlyList<Tensor> perSample)
    {
        if (perSample.Count == 0)
        {
            return false;
        }
        Tensor first = perSample[0];
        if (first.dim() < 1 || first.shape[0] < 2 || (first.dtype != ScalarType.Float32 && first.dtype != ScalarType.Float64))
        {
            return false;
        }
        long bytes = first.numel() * (first.dtype == ScalarType.Float64 ? sizeof(double) : sizeof(float));
        if (bytes > int.MaxValue)
        {
            return false;
        }
        foreach (Tensor tensor in perSample)
        {
            if (tensor.device_type != DeviceType.CPU || tensor.dtype != first.dtype || !tensor.is_contiguous()
                || !SameShape(tensor.shape, first.shape))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The moments of K tensors that <see cref="Supports"/> accepts, in one pass over their buffers.</summary>
    internal static CoordinateMoments Compute(IReadOnlyList<Tensor> perSample)
    {
        int k = perSample.Count;
        long sampleCount = perSample[0].shape[0];
        int coordinates = checked((int)(perSample[0].numel() / sampleCount));
        int rows = checked((int)sampleCount);
        var accumulator = new Accumulator(k, coordinates);
        accumulator.Run(rows, perSample);
        return accumulator.Result(rows);
    }

    /// <summary>
    /// Σ_k w_k,j ĝ_k[s, j] into a new tensor of the inputs' shape and dtype (on the CPU), and its
    /// per-coordinate mean over the samples (accumulated in double, before a float32 result is rounded).
    /// </summary>
    /// <param name="perSample">K tensors that <see cref="Supports"/> accepts.</param>
    /// <param name="weights">Per estimate k, one weight per coordinate.</param>
    /// <param name="mean">The mean over samples of the combination, per coordinate.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // the loops run at full optimisation from the first call, not after tiering
    internal static Tensor Combine(IReadOnlyList<Tensor> perSample, IReadOnlyList<double[]> weights, out double[] mean)
    {
        int k = perSample.Count;
        Tensor template = perSample[0];
        int rows = checked((int)template.shape[0]);
        int coordinates = checked((int)(template.numel() / template.shape[0]));
        Tensor result = torch.empty(template.shape, dtype: template.dtype, device: template.device);
        var total = new double[coordinates];
        var blockSum = new double[coordinates];
        int rowsPerBlock = RowsPerBlock(coordinates, rows);
        int blockElements = rowsPerBlock * coordinates;
        bool isDouble = template.dtype == ScalarType.Float64;
        var inputs = new double[k][];
        for (int i = 0; i < k && !isDouble; i++)
        {
            inputs[i] = new double[blockElements];
        }
        var output = new double[blockElements];
        for (int start = 0; start < rows; start += rowsPerBlock)
        {
            int blockRows = Math.Min(rowsPerBlock, rows - start);
            int offset = start * coordinates, length = blockRows * coordinates;
            Span<double> combined = isDouble
                ? MemoryMarshal.Cast<byte, double>(result.bytes).Slice(offset, length)
                : output.AsSpan(0, length);
            for (int i = 0; i < k; i++)
            {
                ReadOnlySpan<double> input;
                if (isDouble)
                {
                    input = MemoryMarshal.Cast<byte, double>(perSample[i].bytes).Slice(offset, length);
                }
                else
                {
                    Widen(MemoryMarshal.Cast<byte, float>(perSample[i].bytes).Slice(offset, length), inputs[i]);
                    input = inputs[i].AsSpan(0, length);
                }
                AddWeighted(input, weights[i], coordinates, combined, overwrite: i == 0);
            }
            Array.Clear(blockSum);
            SumRows(combined, coordinates, blockSum);
            for (int j = 0; j < coordinates; j++)
            {
                total[j] += blockSum[j];
            }
            if (!isDouble)
            {
                Narrow(combined, MemoryMarshal.Cast<byte, float>(result.bytes).Slice(offset, length));
            }
        }
        mean = new double[coordinates];
        for (int j = 0; j < coordinates; j++)
        {
            mean[j] = total[j] / rows;
        }
        return result;
    }

    private static int RowsPerBlock(int coordinates, int rows)
    {
        if (coordinates == 1)
        {
            return Math.Min(rows, StreamBlock);
        }
        int forMerge = Math.Min(MinimumRowsPerBlock, MaximumBlockElements / coordinates);
        return Math.Min(rows, Math.Max(1, Math.Max(ElementsPerBlock / coordinates, forMerge)));
    }

    private static bool SameShape(long[] a, long[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>target[s, j] (+)= w_j · source[s, j] over the rows of a block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // the loops run at full optimisation from the first call, not after tiering
    private static void AddWeighted(ReadOnlySpan<double> source, double[] weight, int coordinates, Span<double> target, bool overwrite)
    {
        int width = Vector<double>.Count;
        if (coordinates == 1)
        {
            double w = weight[0];
            var wv = new Vector<double>(w);
            // Whole vectors through reinterpreted spans: no per-vector slicing or copying.
            ReadOnlySpan<Vector<double>> sourceVectors = MemoryMarshal.Cast<double, Vector<double>>(source);
            Span<Vector<double>> targetVectors = MemoryMarshal.Cast<double, Vector<double>>(target.Slice(0, source.Length));
            if (overwrite)
            {
                for (int b = 0; b < sourceVectors.Length; b++)
                {
                    targetVectors[b] = wv * sourceVectors[b];
                }
            }
            else
            {
                for (int b = 0; b < sourceVectors.Length; b++)
                {
                    targetVectors[b] += wv * sourceVectors[b];
                }
            }
            int i = sourceVectors.Length * width;
            for (; i < source.Length; i++)
            {
                target[i] = overwrite ? w * source[i] : target[i] + w * source[i];
            }
            return;
        }
        for (int row = 0; row < source.Length; row += coordinates)
        {
            ReadOnlySpan<double> x = source.Slice(row, coordinates);
            Span<double> y = target.Slice(row, coordinates);
            int j = 0;
            for (; j <= coordinates - width; j += width)
            {
                Vector<double> term = new Vector<double>(weight.AsSpan(j)) * new Vector<double>(x.Slice(j));
                (overwrite ? term : term + new Vector<double>(y.Slice(j))).CopyTo(y.Slice(j));
            }
            for (; j < coordinates; j++)
            {
                y[j] = overwrite ? weight[j] * x[j] : y[j] + weight[j] * x[j];
            }
        }
    }

    /// <summary>sum[j] += Σ_s values[s, j] over the rows of a block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // the loops run at full optimisation from the first call, not after tiering
    private static void SumRows(ReadOnlySpan<double> values, int coordinates, double[] sum)
    {
        int width = Vector<double>.Count;
        if (coordinates == 1)
        {
            Vector<double> acc = Vector<double>.Zero;
            int i = 0;
            for (; i <= values.Length - width; i += width)
            {
                acc += new Vector<double>(values.Slice(i));
            }
            double s = Vector.Sum(acc);
            for (; i < values.Length; i++)
            {
                s += values[i];
            }
            sum[0] += s;
            return;
        }
        Span<Vector<double>> sumVectors = MemoryMarshal.Cast<double, Vector<double>>(sum.AsSpan());
        int vectorized = sumVectors.Length * width;
        for (int row = 0; row < values.Length; row += coordinates)
        {
            ReadOnlySpan<double> x = values.Slice(row, coordinates);
            ReadOnlySpan<Vector<double>> xv = MemoryMarshal.Cast<double, Vector<double>>(x.Slice(0, vectorized));
            for (int v = 0; v < sumVectors.Length; v++)
            {
                sumVectors[v] += xv[v];
            }
            for (int j = vectorized; j < coordinates; j++)
            {
                sum[j] += x[j];
            }
        }
    }

    /// <summary>float32 → float64, vectorised.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // the loops run at full optimisation from the first call, not after tiering
    private static void Widen(ReadOnlySpan<float> source, Span<double> target)
    {
        int width = Vector<float>.Count;
        int i = 0;
        for (; i <= source.Length - width; i += width)
        {
            Vector.Widen(new Vector<float>(source.Slice(i)), out Vector<double> low, out Vector<double> high);
            low.CopyTo(target.Slice(i));
            high.CopyTo(target.Slice(i + Vector<double>.Count));
        }
        for (; i < source.Length; i++)
        {
            target[i] = source[i];
        }
    }

    /// <summary>float64 → float32 (round to nearest), vectorised.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // the loops run at full optimisation from the first call, not after tiering
    private static void Narrow(ReadOnlySpan<double> source, Span<float> target)
    {
        int width = Vector<float>.Count;
        int half = Vector<double>.Count;
        int i = 0;
        for (; i <= source.Length - width; i += width)
        {
            Vector.Narrow(new Vector<double>(source.Slice(i)), new Vector<double>(source.Slice(i + half))).CopyTo(target.Slice(i));
        }
        for (; i < source.Length; i++)
        {
            target[i] = (float)source[i];
        }
    }

    /// <summary>
    /// Elements [start, start + length) of a tensor's buffer as doubles in <paramref name="target"/>: a copy
    /// of a block that then stays in cache for float64, the conversion for float32. Spans cannot be kept in
    /// arrays, so K estimates are read through these block-sized arrays.
    /// </summary>
    private static void Load(Tensor tensor, int start, int length, double[] target)
    {
        if (tensor.dtype == ScalarType.Float64)
        {
            MemoryMarshal.Cast<byte, double>(tensor.bytes).Slice(start, length).CopyTo(target);
        }
        else
        {
            Widen(MemoryMarshal.Cast<byte, float>(tensor.bytes).Slice(start, length), target);
        }
    }

    /// <summary>Block-wise sums shifted by the first row, merged across blocks (Chan, Golub and LeVeque's pairwise update).</summary>
    private sealed class Accumulator
    {
        private readonly int k;
        private readonly int pairs;
        private readonly int coordinates;
        private readonly double[][] shift;
        private readonly double[][] blockSum;
        private readonly double[][] blockProduct;
        private readonly double[][] mean;
        private readonly double[][] coMoment;
        private readonly double[] blockMean;
        private readonly Vector<double>[] deltas;
        private long seen;

        internal Accumulator(int k, int coordinates)
        {
            this.k = k;
            this.coordinates = coordinates;
            pairs = k * (k + 1) / 2;
            shift = Jagged(k, coordinates);
            blockSum = Jagged(k, coordinates);
            blockProduct = Jagged(pairs, coordinates);
            mean = Jagged(k, coordinates);
            coMoment = Jagged(pairs, coordinates);
            blockMean = new double[k];
            deltas = new Vector<double>[k];
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // the loops run at full optimisation from the first call, not after tiering
        internal void Run(int rows, IReadOnlyList<Tensor> perSample)
        {
            int rowsPerBlock = RowsPerBlock(coordinates, rows);
            var scratch = new double[k][];
            for (int i = 0; i < k; i++)
            {
                scratch[i] = new double[rowsPerBlock * coordinates];
            }
            for (int start = 0; start < rows; start += rowsPerBlock)
            {
                int blockRows = Math.Min(rowsPerBlock, rows - start);
                for (int i = 0; i < k; i++)
                {
                    Array.Clear(blockSum[i]);
                }
                for (int p = 0; p < pairs; p++)
                {
                    Array.Clear(blockProduct[p]);
                }
                if (k == 2 && coordinates == 1)
                {
                    // The hybrid's common case (two estimates of one scalar parameter): straight over the buffers.
                    StreamPair(Block(perSample[0], start, blockRows, scratch[0]), Block(perSample[1], start, blockRows, scratch[1]));
                    Merge(blockRows);
                    continue;
                }
                for (int i = 0; i < k; i++)
                {
                    Load(perSample[i], start * coordinates, blockRows * coordinates, scratch[i]);
                    if (start == 0)
                    {
                        Array.Copy(scratch[i], 0, shift[i], 0, coordinates);
                    }
                }
                if (coordinates == 1)
                {
                    Stream(blockRows, scratch);
                }
                else
                {
                    Rows(blockRows, scratch);
                }
                Merge(blockRows);
            }
        }

        internal CoordinateMoments Result(long rows)
        {
            double degreesOfFreedom = rows - 1;
            for (int p = 0; p < pairs; p++)
            {
                for (int j = 0; j < coordinates; j++)
                {
                    coMoment[p][j] /= degreesOfFreedom;
                }
            }
            for (int i = 0; i < k; i++)
            {
                for (int j = 0; j < coordinates; j++)
                {
                    mean[i][j] += shift[i][j];
                }
            }
            return new CoordinateMoments(mean, coMoment);
        }

        /// <summary>A block of a one-coordinate estimate: the buffer itself for float64, converted into scratch for float32.</summary>
        private ReadOnlySpan<double> Block(Tensor tensor, int start, int length, double[] scratch)
        {
            if (tensor.dtype == ScalarType.Float64)
            {
                return MemoryMarshal.Cast<byte, double>(tensor.bytes).Slice(start, length);
            }
            Widen(MemoryMarshal.Cast<byte, float>(tensor.bytes).Slice(start, length), scratch);
            return scratch.AsSpan(0, length);
        }

        /// <summary>Two estimates, one coordinate: five vector accumulators in registers.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // the loops run at full optimisation from the first call, not after tiering
        private void StreamPair(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
        {
            if (seen == 0)
            {
                shift[0][0] = x[0];
                shift[1][0] = y[0];
            }
            double shiftX = shift[0][0], shiftY = shift[1][0];
            var vx = new Vector<double>(shiftX);
            var vy = new Vector<double>(shiftY);
            Vector<double> sumX = Vector<double>.Zero, sumY = Vector<double>.Zero;
            Vector<double> xx = Vector<double>.Zero, xy = Vector<double>.Zero, yy = Vector<double>.Zero;
            ReadOnlySpan<Vector<double>> xv = MemoryMarshal.Cast<double, Vector<double>>(x);
            ReadOnlySpan<Vector<double>> yv = MemoryMarshal.Cast<double, Vector<double>>(y);
            for (int i = 0; i < xv.Length; i++)
            {
                Vector<double> dx = xv[i] - vx;
                Vector<double> dy = yv[i] - vy;
                sumX += dx;
                sumY += dy;
                xx += dx * dx;
                xy += dx * dy;
                yy += dy * dy;
            }
            double sx = Vector.Sum(sumX), sy = Vector.Sum(sumY), pxx = Vector.Sum(xx), pxy = Vector.Sum(xy), pyy = Vector.Sum(yy);
            for (int i = xv.Length * Vector<double>.Count; i < x.Length; i++)
            {
                double dx = x[i] - shiftX, dy = y[i] - shiftY;
                sx += dx;
                sy += dy;
                pxx += dx * dx;
                pxy += dx * dy;
                pyy += dy * dy;
            }
            blockSum[0][0] = sx;
            blockSum[1][0] = sy;
            blockProduct[CoordinateMoments.PairIndex(0, 0)][0] = pxx;
            blockProduct[CoordinateMoments.PairIndex(0, 1)][0] = pxy;
            blockProduct[CoordinateMoments.PairIndex(1, 1)][0] = pyy;
        }

        /// <summary>One coordinate: vectorised along the samples of the block.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // the loops run at full optimisation from the first call, not after tiering
        private void Stream(int blockRows, double[][] values)
        {
            int width = Vector<double>.Count;
            var sums = new Vector<double>[k];
            var products = new Vector<double>[pairs];
            var tailSums = new double[k];
            var tailProducts = new double[pairs];
            var shifts = new Vector<double>[k];
            for (int i = 0; i < k; i++)
            {
                shifts[i] = new Vector<double>(shift[i][0]);
            }
            int s = 0;
            for (; s <= blockRows - width; s += width)
            {
                for (int a = 0; a < k; a++)
                {
                    deltas[a] = new Vector<double>(values[a].AsSpan(s)) - shifts[a];
                    sums[a] += deltas[a];
                }
                int p = 0;
                for (int b = 0; b < k; b++)
                {
                    for (int a = 0; a <= b; a++, p++)
                    {
                        products[p] += deltas[a] * deltas[b];
                    }
                }
            }
            for (; s < blockRows; s++)
            {
                int p = 0;
                for (int b = 0; b < k; b++)
                {
                    double db = values[b][s] - shift[b][0];
                    tailSums[b] += db;
                    for (int a = 0; a <= b; a++, p++)
                    {
                        tailProducts[p] += (values[a][s] - shift[a][0]) * db;
                    }
                }
            }
            for (int i = 0; i < k; i++)
            {
                blockSum[i][0] = Vector.Sum(sums[i]) + tailSums[i];
            }
            for (int p = 0; p < pairs; p++)
            {
                blockProduct[p][0] = Vector.Sum(products[p]) + tailProducts[p];
            }
        }

        /// <summary>Several coordinates: row by row, vectorised along the coordinates.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // the loops run at full optimisation from the first call, not after tiering
        private void Rows(int blockRows, double[][] values)
        {
            int width = Vector<double>.Count;
            int vectorCount = coordinates / width;
            int vectorized = vectorCount * width;
            for (int row = 0; row < blockRows; row++)
            {
                int offset = row * coordinates;
                for (int v = 0; v < vectorCount; v++)
                {
                    int j = v * width;
                    for (int a = 0; a < k; a++)
                    {
                        deltas[a] = new Vector<double>(values[a].AsSpan(offset + j)) - new Vector<double>(shift[a].AsSpan(j));
                        Span<double> sum = blockSum[a].AsSpan(j);
                        (new Vector<double>(sum) + deltas[a]).CopyTo(sum);
                    }
                    int p = 0;
                    for (int b = 0; b < k; b++)
                    {
                        for (int a = 0; a <= b; a++, p++)
                        {
                            Span<double> product = blockProduct[p].AsSpan(j);
                            (new Vector<double>(product) + deltas[a] * deltas[b]).CopyTo(product);
                        }
                    }
                }
                for (int j = vectorized; j < coordinates; j++)
                {
                    int p = 0;
                    for (int b = 0; b < k; b++)
                    {
                        double db = values[b][offset + j] - shift[b][j];
                        blockSum[b][j] += db;
                        for (int a = 0; a <= b; a++, p++)
                        {
                            blockProduct[p][j] += (values[a][offset + j] - shift[a][j]) * db;
                        }
                    }
                }
            }
        }

        /// <summary>Folds the block's (n, mean, co-moment) into the running ones, per coordinate.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // the loops run at full optimisation from the first call, not after tiering
        private void Merge(int blockRows)
        {
            double n = blockRows;
            double before = seen;
            double after = before + n;
            for (int j = 0; j < coordinates; j++)
            {
                for (int i = 0; i < k; i++)
                {
                    blockMean[i] = blockSum[i][j] / n;
                }
                int p = 0;
                for (int b = 0; b < k; b++)
                {
                    for (int a = 0; a <= b; a++, p++)
                    {
                        // The block's own co-moment about its mean, from the shifted sums.
                        double own = blockProduct[p][j] - blockSum[a][j] * blockMean[b];
                        double deltaA = blockMean[a] - mean[a][j];
                        double deltaB = blockMean[b] - mean[b][j];
                        coMoment[p][j] += own + (seen == 0 ? 0 : deltaA * deltaB * before * n / after);
                    }
                }
                for (int i = 0; i < k; i++)
                {
                    mean[i][j] = seen == 0 ? blockMean[i] : mean[i][j] + (blockMean[i] - mean[i][j]) * (n / after);
                }
            }
            seen += blockRows;
        }

        private static double[][] Jagged(int count, int length)
        {
            var result = new double[count][];
            for (int i = 0; i < count; i++)
            {
                result[i] = new double[length];
            }
            return result;
        }
    }
}
