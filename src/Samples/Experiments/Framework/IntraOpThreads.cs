using System;
using TorchSharp;

namespace StochasticBackprop.Samples.Experiments;

/// <summary>
/// Sets libtorch's intra-op thread count for a scope and restores it afterwards. The runner runs
/// every experiment under it (<c>--threads</c>, default 1): the experiments work on small tensors
/// (at most about 10⁶ doubles), where OpenMP's hand-off costs more than a second thread saves, and
/// on a loaded 2-core machine spinning worker threads slowed runs eightfold (measured while two
/// experiment suites were being developed side by side on one machine).
/// </summary>
public sealed class IntraOpThreads : IDisposable
{
    private readonly int previous;

    private IntraOpThreads(int count)
    {
        previous = torch.get_num_threads();
        torch.set_num_threads(count);
    }

    /// <summary>Uses <paramref name="count"/> intra-op threads until disposed.</summary>
    public static IntraOpThreads Use(int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "The intra-op thread count must be at least 1.");
        return new IntraOpThreads(count);
    }

    public void Dispose() => torch.set_num_threads(previous);
}
