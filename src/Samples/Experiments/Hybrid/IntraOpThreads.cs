using System;
using TorchSharp;

namespace StochasticBackprop.Samples.Experiments.Hybrid;

/// <summary>
/// Runs a block with libtorch's intra-op thread count set, restoring it afterwards. The hybrid
/// experiments work on tensors of at most 10⁶ doubles, where a second intra-op thread gains little;
/// on a shared machine (other processes busy on both cores) libtorch's spinning OpenMP workers made
/// the same run 7–8× slower in wall-clock time (measured: 64 s against 8 s for hybrid-table1).
/// </summary>
internal sealed class IntraOpThreads : IDisposable
{
    private readonly int previous;

    private IntraOpThreads(int count)
    {
        previous = torch.get_num_threads();
        torch.set_num_threads(count);
    }

    /// <summary>One intra-op thread until disposed.</summary>
    public static IntraOpThreads Single() => new(1);

    public void Dispose() => torch.set_num_threads(previous);
}
