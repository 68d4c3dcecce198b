using System;
using System.IO;

namespace StochasticBackprop.Samples.Experiments;

/// <summary>The load average of /proc/loadavg, 1/5/15 minutes.</summary>
internal static class LoadAverage
{
    public static string Read()
    {
        try
        {
            string[] parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{parts[0]}/{parts[1]}/{parts[2]}";
        }
        catch (IOException)
        {
            return "unavailable";
        }
        catch (UnauthorizedAccessException)
        {
            return "unavailable";
        }
    }
}
