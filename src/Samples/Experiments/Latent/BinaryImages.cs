using System;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Latent;

/// <summary>A binarised image data set for the latent-variable experiments: float32 {0, 1} tensors [N, pixels].</summary>
/// <param name="Name">Short name for tables and plots.</param>
/// <param name="Description">Where it comes from and how it was binarised, for the report.</param>
/// <param name="Train">Training images.</param>
/// <param name="Test">Test images.</param>
internal sealed record BinaryImages(string Name, string Description, Tensor Train, Tensor Test)
{
    public int Pixels => (int)Train.shape[1];

    /// <summary>
    /// Synthetic binary "images": each a noisy copy of one of <paramref name="prototypes"/> random binary prototypes
    /// (each pixel flipped with probability 0.1), so that a latent code explains most of the structure. For tests and
    /// for runs where the real data is not installed.
    /// </summary>
    public static BinaryImages Synthetic(int train, int test, int pixels, ulong seed, int prototypes = 10)
    {
        var generator = new Generator(seed, torch.CPU);
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor centres = torch.rand(new long[] { prototypes, pixels }, dtype: ScalarType.Float32, generator: generator).lt(Scalars.Of(0.3)).to_type(ScalarType.Float32);
        Tensor Draw(int n)
        {
            Tensor which = torch.randint(prototypes, new long[] { n }, dtype: ScalarType.Int64, generator: generator);
            Tensor flip = torch.rand(new long[] { n, pixels }, dtype: ScalarType.Float32, generator: generator).lt(Scalars.Of(0.1)).to_type(ScalarType.Float32);
            Tensor chosen = centres.index_select(0, which);
            return (chosen - flip).abs().MoveToOuterDisposeScope();
        }
        return new BinaryImages("synthetic", $"synthetic: {prototypes} random binary prototypes of {pixels} pixels (30% ones), each pixel flipped with probability 0.1; {train} training and {test} test images", Draw(train), Draw(test));
    }
}
