using System;
using TorchSharp;

namespace StochasticBackprop.Samples.Experiments.Fourier;

/// <summary>
/// Runs libtorch single-threaded for the scope's lifetime, then restores the thread count. These
/// experiments work on small tensors ([50, 64] projections, d ≤ 100 parameters), where OpenMP's
/// thread hand-off costs more than it saves and, on a loaded 2-core machine, spinning worker threads
/// slowed a [50, 64] derivative pass from 0.1 ms to 50 ms (measured).
/// </summary>
internal sealed class IntraOpThreads : IDisposable
{
    private readonly int previous;

    private IntraOpThreads(int threads)
    {
        previous = torch.get_num_threads();
        torch.set_num_threads(threads);
    }

    public static IntraOpThreads Single() => new(1);

    public void Dispose() => torch.set_num_threads(previous);
}
