using System.IO;
using System.Runtime.CompilerServices;

namespace StochasticBackprop.Generator.Tests.Generation;

/// <summary>The sample distributions' declarations, read from src/Samples so the snapshots follow the real files.</summary>
internal static class SampleSources
{
    public static string Read(string name, [CallerFilePath] string thisFile = "")
    {
        string root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));
        return File.ReadAllText(Path.Combine(root, "src", "Samples", "Distributions", name + ".cs"));
    }

    public static readonly string[] Names = { "Normal", "Laplace", "Gamma", "Exponential", "Dirac", "Bernoulli", "Categorical", "CategoricalLogits", "Poisson", "Beta", "Dirichlet" };

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
