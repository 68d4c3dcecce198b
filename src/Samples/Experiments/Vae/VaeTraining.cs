using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using StochasticBackprop.Models;
using StochasticBackprop.Samples.Experiments.Latent;
using TorchSharp;
using StochasticBackprop.Optim;
using static TorchSharp.torch;

namespace StochasticBackprop.Samples.Experiments.Vae;

/// <summary>An estimator of the VAE's encoder outputs, as a factory (each run gets a fresh, stateless or stateful, instance).</summary>
internal sealed record VaeEstimator(string Label, Func<SiteEstimator> Create)
{
    public bool IsHybrid => Label.StartsWith("hybrid", StringComparison.Ordinal);
}

/// <summary>The sizes of one architecture's runs.</summary>
internal sealed record VaeSizes(
    int Epochs, int TrainImages, int Batch, int EpochTestImages, int TestImages, int IwaeImages, int IwaeSamples,
    int VarianceDraws, int VarianceParticles, int Window, double LearningRate = 1e-3, double DecayEvery = 10, double Decay = 0.95, double ClipNorm = 1.0)
{
    public int StepsPerEpoch => TrainImages / Batch;
}

/// <summary>One window of training steps: means of the per-step numbers.</summary>
internal sealed record VaeWindow(int Step, int Epoch, double Elbo, double ElboStepSd, double GradientNorm, double GradientNormCv, double LambdaMean, double LambdaScale, double RatioMean, double RatioScale);

/// <summary>Per epoch: the training bound (mean over the epoch's steps), the bound on a test subset, CPU and wall seconds of the epoch's training steps, mean λ.</summary>
internal sealed record VaeEpoch(int Epoch, double TrainElbo, double TestElbo, double CpuSeconds, double WallSeconds, double LambdaMean, double LambdaScale, double RatioMean, double RatioScale);

/// <summary>
/// The gradient variances at one point of training, on a fixed minibatch: per sample at the latent level (the Monte Carlo
/// variance of each row's gradient w.r.t. μ and σ within a data point, pooled over the batch, averaged over the 128
/// coordinates) and of the encoder-parameter gradient across repeated draws (per weight, averaged over the weights).
/// </summary>
internal sealed record VaeVariance(string Phase, int Epoch, double LatentMean, double LatentScale, double EncoderGradient);

/// <summary>One training run.</summary>
internal sealed record VaeRun(
    VaeArchitecture Architecture, string Estimator, int Seed, IReadOnlyList<VaeEpoch> Epochs, IReadOnlyList<VaeWindow> Windows,
    IReadOnlyList<VaeVariance> Variances, double TestElbo, double TestIwae, int? DivergedAt);

/// <summary>Trains one VAE with one estimator and measures it.</summary>
internal static class VaeTraining
{
    public static VaeRun Run(VaeArchitecture architecture, VaeEstimator estimator, int seed, ulong streamSeed, VaeSizes sizes, Tensor train, Tensor test, Tensor trainMean, Action tick)
    {
        using var net = new GaussianVae(architecture, trainMean, new Generator(streamSeed));
        SiteEstimator site = estimator.Create();
        LatentModel model = net.Build(site);
        LatentModel evaluation = net.Build(SiteEstimator.Pathwise);
        var hybrid = site as HybridSite;
        using var adam = new Adam(net.Parameters, sizes.LearningRate);
        var generator = new Generator(streamSeed + 1);
        var order = new Random(unchecked((int)streamSeed));
        int[] permutation = Enumerable.Range(0, sizes.TrainImages).ToArray();
        var epochs = new List<VaeEpoch>();
        var windows = new List<VaeWindow>();
        var variances = new List<VaeVariance>();
        using Tensor fixedBatch = train.narrow(0, 0, sizes.Batch);
        using Tensor epochTest = test.narrow(0, 0, Math.Min(sizes.EpochTestImages, test.shape[0]));
        int step = 0;
        int? diverged = null;
        int[] varianceEpochs = VarianceEpochs(sizes.Epochs);
        var window = new List<(double Elbo, double Norm, double L0, double L1, double R0, double R1)>();

        for (int epoch = 1; epoch <= sizes.Epochs && diverged is null; epoch++)
        {
            adam.LearningRate = sizes.LearningRate * Math.Pow(sizes.Decay, Math.Floor((epoch - 1) / sizes.DecayEvery));
            order.Shuffle(permutation);
            double cpu = 0, wall = 0, elboSum = 0, l0 = 0, l1 = 0, r0 = 0, r1 = 0;
            int steps = 0;
            var batch = new int[sizes.Batch];
            for (int s = 0; s < sizes.StepsPerEpoch; s++)
            {
                Array.Copy(permutation, s * sizes.Batch, batch, 0, sizes.Batch);
                TimeSpan cpuBefore = CategoricalVaeTraining.ProcessCpu();
                long wallBefore = Stopwatch.GetTimestamp();
                double elbo, norm;
                try
                {
                    using DisposeScope scope = torch.NewDisposeScope();
                    Tensor x = train.index(torch.tensor(batch.Select(i => (long)i).ToArray(), ScalarType.Int64));
                    using ElboEstimate estimate = model.Elbo(x, 1, generator);
                    adam.zero_grad();
                    estimate.Loss.backward();
                    norm = ClipGradients(net.Parameters, sizes.ClipNorm);
                    adam.step();
                    elbo = estimate.Value.item<float>();
                }
                catch (InvalidOperationException e) when (e.Message.Contains("not finite", StringComparison.Ordinal))
                {
                    diverged = step + 1;
                    break;
                }
                wall += Stopwatch.GetElapsedTime(wallBefore).TotalSeconds;
                cpu += (CategoricalVaeTraining.ProcessCpu() - cpuBefore).TotalSeconds;
                step++;
                steps++;
                elboSum += elbo;
                (double lm, double ls, double rm, double rs) = hybrid is null ? (double.NaN, double.NaN, double.NaN, double.NaN) : Lambdas(hybrid);
                l0 += lm; l1 += ls; r0 += rm; r1 += rs;
                window.Add((elbo, norm, lm, ls, rm, rs));
                if (window.Count == sizes.Window)
                {
                    windows.Add(Summarise(step, epoch, window));
                    window.Clear();
                }
                tick();
            }
            if (steps == 0) break;
            double testElbo = diverged is null ? SingleSampleBound(evaluation, epochTest, new Generator(streamSeed + 2)) : double.NaN;
            epochs.Add(new VaeEpoch(epoch, elboSum / steps, testElbo, cpu, wall, l0 / steps, l1 / steps, r0 / steps, r1 / steps));
            if (diverged is null && varianceEpochs.Contains(epoch))
            {
                variances.Add(MeasureVariance(model, net, fixedBatch, sizes, PhaseOf(epoch, varianceEpochs), epoch, new Generator(streamSeed + 3 + (ulong)epoch)));
            }
        }
        double finalTest = double.NaN, finalIwae = double.NaN;
        if (diverged is null)
        {
            finalTest = SingleSampleBound(evaluation, test.narrow(0, 0, Math.Min(sizes.TestImages, test.shape[0])), new Generator(streamSeed + 4));
            using DisposeScope scope = torch.NewDisposeScope();
            finalIwae = evaluation.LogMarginal(test.narrow(0, 0, Math.Min(sizes.IwaeImages, test.shape[0])), sizes.IwaeSamples, new Generator(streamSeed + 5), maxRows: architecture == VaeArchitecture.Convolutional ? 1 << 11 : 1 << 13).mean().item<float>();
        }
        return new VaeRun(architecture, estimator.Label, seed, epochs, windows, variances, finalTest, finalIwae, diverged);
    }

    /// <summary>The epochs at which the variances are measured: the first ("early"), the middle and the last.</summary>
    internal static int[] VarianceEpochs(int epochs) => new[] { 1, (epochs + 1) / 2, epochs }.Distinct().ToArray();

    private static string PhaseOf(int epoch, int[] at) => epoch == at[^1] ? "late" : epoch == at[0] ? "early" : "mid";

    /// <summary>Mean λ over the coordinates of μ and of σ, and Cov/Var ĝ_P of each (from the moments λ came from).</summary>
    private static (double, double, double, double) Lambdas(HybridSite hybrid)
    {
        IReadOnlyList<double> lambdas = hybrid.LastLambdas("z");
        IReadOnlyList<HybridMoments> moments = hybrid.LastMoments("z");
        return (lambdas[0], lambdas[1], moments[0].CovarianceOverPathwiseVariance, moments[1].CovarianceOverPathwiseVariance);
    }

    private static VaeWindow Summarise(int step, int epoch, List<(double Elbo, double Norm, double L0, double L1, double R0, double R1)> w)
    {
        double[] differences = w.Zip(w.Skip(1), (a, b) => b.Elbo - a.Elbo).ToArray();
        Summary norms = Summary.Of(w.Select(v => v.Norm));
        return new VaeWindow(step, epoch, w.Average(v => v.Elbo), Summary.Of(differences).StandardDeviation, norms.Mean, norms.StandardDeviation / norms.Mean,
            w.Average(v => v.L0), w.Average(v => v.L1), w.Average(v => v.R0), w.Average(v => v.R1));
    }

    /// <summary>The mean over <paramref name="images"/> of the single-sample log weight log p(x, z) − log q(z | x): an unbiased estimate of the ELBO.</summary>
    internal static double SingleSampleBound(LatentModel model, Tensor images, Generator generator)
    {
        double sum = 0;
        long count = images.shape[0];
        for (long start = 0; start < count; start += 1000)
        {
            using DisposeScope scope = torch.NewDisposeScope();
            long n = Math.Min(1000, count - start);
            sum += model.LogMarginal(images.narrow(0, start, n), 1, generator).sum(ScalarType.Float64).item<double>();
        }
        return sum / count;
    }

    /// <summary>The variances of <see cref="VaeVariance"/> for <paramref name="model"/>'s estimator on <paramref name="batch"/>.</summary>
    private static VaeVariance MeasureVariance(LatentModel model, GaussianVae net, Tensor batch, VaeSizes sizes, string phase, int epoch, Generator generator)
    {
        double latentMean, latentScale;
        using (DisposeScope scope = torch.NewDisposeScope())
        {
            using ElboEstimate estimate = model.Elbo(batch, sizes.VarianceParticles, generator, new ElboOptions { SiteGradients = true });
            SiteEstimate site = estimate.Sites.Single(s => s.Name == "z");
            // Rows × the bound's gradient is each row's own estimate; the variance of one row's estimate, per coordinate, then averaged.
            latentMean = site.WithinPointVariance(0).to_type(ScalarType.Float64).mean().item<double>();
            latentScale = site.WithinPointVariance(1).to_type(ScalarType.Float64).mean().item<double>();
        }
        var draws = new List<Tensor>();
        try
        {
            for (int r = 0; r < sizes.VarianceDraws; r++)
            {
                using DisposeScope scope = torch.NewDisposeScope();
                foreach (Tensor p in net.EncoderParameters)
                {
                    using Tensor? g = p.grad;
                    g?.zero_();
                }
                using ElboEstimate estimate = model.Elbo(batch, 1, generator);
                estimate.Loss.backward();
                Tensor flat = torch.cat(net.EncoderParameters.Select(p => p.grad!.flatten()).ToArray(), 0).to_type(ScalarType.Float64);
                draws.Add(flat.DetachFromDisposeScope());
            }
            using DisposeScope final = torch.NewDisposeScope();
            double encoder = torch.stack(draws, 0).var(new long[] { 0 }, unbiased: true).mean().item<double>();
            foreach (Tensor p in net.Parameters)
            {
                using Tensor? g = p.grad;
                g?.zero_();
            }
            return new VaeVariance(phase, epoch, latentMean, latentScale, encoder);
        }
        finally
        {
            foreach (Tensor d in draws) d.Dispose();
        }
    }

    /// <summary>Scales the gradients so that their joint norm is at most <paramref name="maxNorm"/> (as <c>clip_grad_norm_</c>); returns the norm before clipping.</summary>
    internal static double ClipGradients(IReadOnlyList<Tensor> parameters, double maxNorm)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToArray();
        double squared = torch.stack(grads.Select(g => (g * g).sum(ScalarType.Float64)).ToArray(), 0).sum().item<double>();
        double norm = Math.Sqrt(squared);
        if (norm > maxNorm)
        {
            using Scalar factor = (maxNorm / (norm + 1e-6)).ToScalar(); // held for the call: see Scalars
            using (torch.no_grad())
            {
                foreach (Tensor g in grads) g.mul_(factor);
            }
        }
        return norm;
    }
}
