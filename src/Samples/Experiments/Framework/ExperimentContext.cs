using System;
using System.Diagnostics;
using System.IO;

namespace StochasticBackprop.Samples.Experiments;

/// <summary>
/// Everything an experiment run needs from the runner: its sizes (full or <c>--quick</c>), its seed,
/// where its files go, and where progress and log lines go.
/// </summary>
public sealed class ExperimentContext
{
    public ExperimentContext(string outputDirectory, long seed, bool quick, TextWriter log, bool showProgress)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        OutputDirectory = Path.GetFullPath(outputDirectory);
        Directory.CreateDirectory(OutputDirectory);
        Seed = seed;
        Quick = quick;
        Log = log;
        ShowProgress = showProgress;
    }

    /// <summary>The experiment's own directory: its CSV, PNG and report files go here.</summary>
    public string OutputDirectory { get; }

    /// <summary>The base seed; an experiment derives every generator it uses from it.</summary>
    public long Seed { get; }

    /// <summary>Smoke-test sizes (the whole quick suite runs in CI in well under two minutes).</summary>
    public bool Quick { get; }

    /// <summary>Human-readable log lines (stdout of the command; <see cref="TextWriter.Null"/> in tests).</summary>
    public TextWriter Log { get; }

    /// <summary>Whether to draw progress bars (only on an interactive terminal).</summary>
    public bool ShowProgress { get; }

    /// <summary>The full size, or the quick one under <c>--quick</c>.</summary>
    public int Size(int full, int quick) => Quick ? quick : full;

    /// <inheritdoc cref="Size(int,int)"/>
    public long Size(long full, long quick) => Quick ? quick : full;

    /// <summary>The path of a file in the experiment's directory.</summary>
    public string PathOf(string fileName) => Path.Combine(OutputDirectory, fileName);

    /// <summary>A seed for the <paramref name="stream"/>-th independent random stream of this run.</summary>
    /// <remarks>Replicate r of a study uses <c>StreamSeed(r)</c>, so any replicate can be rerun alone.</remarks>
    public ulong StreamSeed(long stream) => unchecked((ulong)(Seed * 1_000_003L + stream * 7_919L + 1));

    /// <summary>A progress bar over <paramref name="total"/> steps, drawn on stderr when interactive.</summary>
    public ProgressBar Progress(string label, long total) => new(label, total, ShowProgress ? Console.Error : null);

    /// <summary>Writes a log line.</summary>
    public void Info(string message) => Log.WriteLine(message);
}

/// <summary>A text progress bar with rate and time left; silent when not attached to a terminal.</summary>
public sealed class ProgressBar : IDisposable
{
    private const int Width = 30;
    private readonly string label;
    private readonly long total;
    private readonly TextWriter? output;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private long done;
    private long lastDrawnMs = -1000;

    internal ProgressBar(string label, long total, TextWriter? output)
    {
        this.label = label;
        this.total = Math.Max(1, total);
        this.output = output;
    }

    /// <summary>Marks <paramref name="steps"/> more steps done.</summary>
    public void Tick(long steps = 1)
    {
        done = Math.Min(total, done + steps);
        if (output is null) return;
        long now = clock.ElapsedMilliseconds;
        if (done < total && now - lastDrawnMs < 200) return;
        lastDrawnMs = now;
        double fraction = (double)done / total;
        int filled = (int)Math.Round(fraction * Width);
        double seconds = clock.Elapsed.TotalSeconds;
        string left = done > 0 ? $"{seconds * (total - done) / done:F0}s left" : "";
        output.Write($"\r  {label} [{new string('#', filled)}{new string('.', Width - filled)}] {done}/{total} {seconds:F0}s {left}   ");
    }

    public void Dispose()
    {
        if (output is null) return;
        output.Write('\r');
        output.Write(new string(' ', Width + label.Length + 40));
        output.Write('\r');
    }
}
