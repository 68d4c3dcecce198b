using Xunit;

namespace StochasticBackprop.Runtime.Tests.Models;

/// <summary>
/// Test classes that seed or draw from libtorch's global generator (<c>torch.manual_seed</c>, networks' initialisation,
/// estimates without a generator): run one after another, so that no other class of the collection draws in between.
/// </summary>
[CollectionDefinition(Name)]
public sealed class GlobalGeneratorCollection
{
    public const string Name = "global torch generator";
}
