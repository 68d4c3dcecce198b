using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace StochasticBackprop.Benchmarks;

/// <summary>The PyTorch twin as a long-lived subprocess: one command line in, one JSON line out.</summary>
public sealed class TwinClient : IDisposable
{
    private readonly Process process;

    public TwinClient(string python, string script)
    {
        if (!File.Exists(script))
        {
            throw new FileNotFoundException($"The PyTorch twin is not at {script}.", script);
        }
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-u");
        start.ArgumentList.Add(script);
        start.Environment["OMP_NUM_THREADS"] = "1";
        start.Environment["MKL_NUM_THREADS"] = "1";
        process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {python}.");
        using JsonDocument ready = ReadReply();
        Banner = ready.RootElement.GetRawText();
    }

    /// <summary>The twin's first line: its torch version and thread count.</summary>
    public string Banner { get; }

    /// <summary>Runs workload <paramref name="id"/> K times in the twin; per-estimate process CPU and wall milliseconds.</summary>
    public (double[] CpuMs, double[] WallMs) Run(string id, int k)
    {
        using JsonDocument reply = Ask($"run {id} {k}");
        return (Doubles(reply.RootElement.GetProperty("cpu_ms")), Doubles(reply.RootElement.GetProperty("wall_ms")));
    }

    /// <summary>One estimate's statistics in the twin, as in <see cref="Workloads.Statistics"/>.</summary>
    public ((string Name, double Mean, double StandardError)[] Stats, double? Lambda) Statistics(string id)
    {
        using JsonDocument reply = Ask($"stats {id}");
        var stats = reply.RootElement.GetProperty("stats").EnumerateArray()
            .Select(s => (s[0].GetString() ?? "", s[1].GetDouble(), s[2].GetDouble())).ToArray();
        JsonElement lambda = reply.RootElement.GetProperty("lambda");
        return (stats, lambda.ValueKind == JsonValueKind.Null ? null : lambda.GetDouble());
    }

    /// <summary>The twin's resident set size in MiB.</summary>
    public double ResidentMegabytes()
    {
        using JsonDocument reply = Ask("rss");
        return reply.RootElement.GetProperty("rss_mb").GetDouble();
    }

    private JsonDocument Ask(string command)
    {
        process.StandardInput.WriteLine(command);
        process.StandardInput.Flush();
        JsonDocument reply = ReadReply();
        if (reply.RootElement.TryGetProperty("error", out JsonElement error))
        {
            string message = error.GetString() ?? "?";
            reply.Dispose();
            throw new InvalidOperationException($"The PyTorch twin failed on '{command}': {message}");
        }
        return reply;
    }

    private JsonDocument ReadReply()
    {
        string? line = process.StandardOutput.ReadLine();
        if (line is null)
        {
            throw new InvalidOperationException("The PyTorch twin exited (is python3-torch installed? try: /usr/bin/python3 -c 'import torch').");
        }
        return JsonDocument.Parse(line);
    }

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.StandardInput.WriteLine("quit");
                process.StandardInput.Flush();
                if (!process.WaitForExit(5000))
                {
                    process.Kill();
                }
            }
        }
        catch (IOException)
        {
            // already gone
        }
        process.Dispose();
    }
}
