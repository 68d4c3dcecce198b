using System;

namespace StochasticBackprop.Runtime.Tests.Support;

public enum TestFunction
{
    /// <summary>(z − c)², c = <see cref="ClosedForms.Shift"/>.</summary>
    Square,

    /// <summary>z³.</summary>
    Cube,

    /// <summary>exp(−εz), ε = <see cref="ClosedForms.Rate"/>.</summary>
    Exponential,
}

/// <summary>
/// Hand-derived truths: ∇ of E f for the Normal and the Gamma, E f⁽ⁿ⁾, and the cumulant
/// gradients, written independently of the distribution classes under test.
/// </summary>
public static class ClosedForms
{
    public const double Shift = 1.0;
    public const double Rate = 0.7;

    public static TorchSharp.torch.Tensor Apply(TestFunction function, TorchSharp.torch.Tensor z) => function switch
    {
        TestFunction.Square => (z - Scalars.Of(Shift)).pow(Scalars.Of(2)),
        TestFunction.Cube => z.pow(Scalars.Of(3)),
        _ => (z * Scalars.Of(-Rate)).exp(),
    };

    public static int Degree(TestFunction function) => function switch
    {
        TestFunction.Square => 2,
        TestFunction.Cube => 3,
        _ => int.MaxValue,
    };

    /// <summary>(∂μ, ∂σ) of E f for z ~ N(μ, σ²).</summary>
    public static (double Mu, double Sigma) NormalGradient(TestFunction function, double mu, double sigma)
    {
        switch (function)
        {
            case TestFunction.Square: // E = (μ − c)² + σ²
                return (2 * (mu - Shift), 2 * sigma);
            case TestFunction.Cube: // E = μ³ + 3μσ²
                return (3 * mu * mu + 3 * sigma * sigma, 6 * mu * sigma);
            default: // E = exp(−εμ + ε²σ²/2)
                double e = Math.Exp(-Rate * mu + Rate * Rate * sigma * sigma / 2);
                return (-Rate * e, Rate * Rate * sigma * e);
        }
    }

    /// <summary>(∂k, ∂θ) of E f for z ~ Gamma(shape k, scale θ).</summary>
    public static (double K, double Theta) GammaGradient(TestFunction function, double k, double theta)
    {
        switch (function)
        {
            case TestFunction.Square: // E = kθ²(k + 1) − 2ckθ + c²
                return (theta * theta * (2 * k + 1) - 2 * Shift * theta, 2 * k * theta * (k + 1) - 2 * Shift * k);
            case TestFunction.Cube: // E = θ³(k³ + 3k² + 2k)
                return (Math.Pow(theta, 3) * (3 * k * k + 6 * k + 2), 3 * theta * theta * k * (k + 1) * (k + 2));
            default: // E = (1 + εθ)^−k
                double m = Math.Pow(1 + Rate * theta, -k);
                return (-Math.Log(1 + Rate * theta) * m, -k * Rate * Math.Pow(1 + Rate * theta, -k - 1));
        }
    }

    /// <summary>E f⁽ⁿ⁾(z) for the Normal.</summary>
    public static double NormalDerivativeMoment(TestFunction function, int n, double mu, double sigma) =>
        DerivativeMoment(function, n, mu, mu * mu + sigma * sigma, Math.Exp(-Rate * mu + Rate * Rate * sigma * sigma / 2));

    /// <summary>E f⁽ⁿ⁾(z) for the Gamma.</summary>
    public static double GammaDerivativeMoment(TestFunction function, int n, double k, double theta) =>
        DerivativeMoment(function, n, k * theta, k * theta * theta * (k + 1), Math.Pow(1 + Rate * theta, -k));

    /// <summary>(∂κ_n/∂μ, ∂κ_n/∂σ) for the Normal: κ₁ = μ, κ₂ = σ².</summary>
    public static (double Mu, double Sigma) NormalCumulantGradient(int n, double mu, double sigma) => n switch
    {
        1 => (1, 0),
        2 => (0, 2 * sigma),
        _ => (0, 0),
    };

    /// <summary>(∂κ_n/∂k, ∂κ_n/∂θ) for the Gamma: κ_n = kθⁿ(n − 1)!.</summary>
    public static (double K, double Theta) GammaCumulantGradient(int n, double k, double theta) =>
        (Math.Pow(theta, n) * Factorial(n - 1), n * k * Math.Pow(theta, n - 1) * Factorial(n - 1));

    /// <summary>The mean of the Fourier estimator truncated at N: Σ_{n ≤ N} ∂κ_n/n! · E f⁽ⁿ⁾.</summary>
    public static (double First, double Second) NormalFourierMean(TestFunction function, int order, double mu, double sigma)
    {
        double first = 0, second = 0;
        for (int n = 1; n <= order; n++)
        {
            (double a, double b) = NormalCumulantGradient(n, mu, sigma);
            double moment = NormalDerivativeMoment(function, n, mu, sigma) / Factorial(n);
            first += a * moment;
            second += b * moment;
        }
        return (first, second);
    }

    /// <summary>The mean of the Fourier estimator truncated at N for the Gamma.</summary>
    public static (double First, double Second) GammaFourierMean(TestFunction function, int order, double k, double theta)
    {
        double first = 0, second = 0;
        for (int n = 1; n <= order; n++)
        {
            (double a, double b) = GammaCumulantGradient(n, k, theta);
            double moment = GammaDerivativeMoment(function, n, k, theta) / Factorial(n);
            first += a * moment;
            second += b * moment;
        }
        return (first, second);
    }

    public static double Factorial(int n)
    {
        double result = 1;
        for (int i = 2; i <= n; i++)
        {
            result *= i;
        }
        return result;
    }

    private static double DerivativeMoment(TestFunction function, int n, double mean, double secondMoment, double laplace) => function switch
    {
        TestFunction.Square => n switch { 1 => 2 * (mean - Shift), 2 => 2, _ => 0 },
        TestFunction.Cube => n switch { 1 => 3 * secondMoment, 2 => 6 * mean, 3 => 6, _ => 0 },
        _ => Math.Pow(-Rate, n) * laplace,
    };
}
