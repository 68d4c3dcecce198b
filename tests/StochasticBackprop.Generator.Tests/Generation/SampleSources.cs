using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;

namespace StochasticBackprop.Generator.Tests.Generation;

/// <summary>
/// The declarations of the package's standard distributions (src/Runtime/Distributions/Standard) and of the
/// samples (src/Samples/Distributions), read from those files so the snapshots follow the real declarations.
/// </summary>
internal static class SampleSources
{
    /// <summary>
    /// The declaration of <paramref name="name"/>. A standard distribution is moved into the namespace
    /// <see cref="StandardNamespace"/>: the runtime the test compilations reference already holds its generated type
    /// under <c>StochasticBackprop.Distributions</c>, and the same full name twice would be warning CS0436.
    /// </summary>
    public static string Read(string name, [CallerFilePath] string thisFile = "")
    {
        string path = Directories(thisFile).Select(directory => Path.Combine(directory, name + ".cs")).First(File.Exists);
        return File.ReadAllText(path).Replace("namespace StochasticBackprop.Distributions;", "namespace " + StandardNamespace + ";", StringComparison.Ordinal);
    }

    /// <summary>Where the tests compile the standard declarations (see <see cref="Read"/>).</summary>
    public const string StandardNamespace = "StochasticBackprop.Distributions.Standard";

    /// <summary>The folders holding declarations: the standard distributions', then the samples'.</summary>
    public static IReadOnlyList<string> Directories([CallerFilePath] string thisFile = "")
    {
        string root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));
        return new[]
        {
            Path.Combine(root, "src", "Runtime", "Distributions", "Standard"),
            Path.Combine(root, "src", "Samples", "Distributions"),
        };
    }

    public static readonly string[] Names = { "Normal", "Laplace", "Gamma", "Exponential", "Dirac", "Bernoulli", "Categorical", "CategoricalLogits", "Poisson", "Beta", "Dirichlet", "LogNormal" };

    /// <summary>A distribution a user declares in their own project: nothing but attributes.</summary>
    public const string ChiSquared = """
        using StochasticBackprop;

        namespace UserProject;

        /// <summary>Chi-squared with k degrees of freedom: Gamma(k/2, scale 2).</summary>
        [Distribution]
        [Parameter("k", ParameterDomain.Positive)]
        [CharacteristicFunction("(1 - 2*i*w)^(-k/2)")]
        [LogDensity("(k/2 - 1)*log(z) - z/2 - lgamma(k/2) - k/2*log(2)")]
        [Reparameterization("2*eps", Noise = NoiseKind.StandardGamma, NoiseShape = "k/2")]
        public partial class ChiSquared
        {
        }
        """;
}
