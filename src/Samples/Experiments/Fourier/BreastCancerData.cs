using System;
using System.Globalization;
using System.IO;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Fourier;

/// <summary>
/// The UCI Breast Cancer Wisconsin (Diagnostic) table (569 × 30, CC BY 4.0; source and licence in
/// src/Samples/Data/README.md), embedded in the assembly: features standardised to mean 0 and
/// standard deviation 1 (population), labels y = +1 benign, −1 malignant.
/// </summary>
internal sealed class BreastCancerData
{
    private const string Resource = "StochasticBackprop.Samples.Data.breast_cancer.csv";

    private BreastCancerData(double[,] features, double[] labels)
    {
        Features = features;
        Labels = labels;
    }

    /// <summary>Standardised features, [n, d].</summary>
    public double[,] Features { get; }

    /// <summary>±1 labels, [n].</summary>
    public double[] Labels { get; }

    public int Count => Labels.Length;

    public int Dimension => Features.GetLength(1);

    public static BreastCancerData Load()
    {
        using Stream stream = typeof(BreastCancerData).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"The embedded resource {Resource} is missing.");
        using var reader = new StreamReader(stream);
        string[] header = reader.ReadLine()!.Split(',');
        int rows = int.Parse(header[0], CultureInfo.InvariantCulture), columns = int.Parse(header[1], CultureInfo.InvariantCulture);
        var features = new double[rows, columns];
        var labels = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            string[] cells = reader.ReadLine()!.Split(',');
            for (int j = 0; j < columns; j++) features[i, j] = double.Parse(cells[j], CultureInfo.InvariantCulture);
            labels[i] = int.Parse(cells[columns], CultureInfo.InvariantCulture) == 1 ? 1.0 : -1.0;
        }
        for (int j = 0; j < columns; j++)
        {
            double mean = Enumerable.Range(0, rows).Average(i => features[i, j]);
            double sd = Math.Sqrt(Enumerable.Range(0, rows).Average(i => (features[i, j] - mean) * (features[i, j] - mean)));
            for (int i = 0; i < rows; i++) features[i, j] = (features[i, j] - mean) / sd;
        }
        return new BreastCancerData(features, labels);
    }

    /// <summary>The ridge directions a_i = y_i x_i, [n, d]: log p(y_i | x_i, w) = log σ(a_iᵀ w).</summary>
    public Tensor Directions()
    {
        var a = new double[Count, Dimension];
        for (int i = 0; i < Count; i++)
            for (int j = 0; j < Dimension; j++) a[i, j] = Labels[i] * Features[i, j];
        return torch.tensor(a, dtype: ScalarType.Float64);
    }
}
