using Harness.Modeling;
using Harness.Training;
using static TorchSharp.torch;

namespace Harness.Distillation;

/// <summary>
/// <c>kd.targets: sampled</c> (Anshumann et al. 2025, "Sparse Logit Sampling"): wraps a dense teacher signal and, per
/// position, draws n tokens with replacement from the teacher at the KD temperature (<see cref="SampledDistribution"/>).
/// Seeded: the k-th call of a teacher built with seed s draws the same ids on the same device.
/// </summary>
public sealed class SampledTeacher : ISampledTeacherSignal, IDisposable
{
    readonly ITeacherSignal inner;
    readonly int samples;
    readonly ulong seed;
    Generator? generator;

    public SampledTeacher(ITeacherSignal inner, int samples, int seed)
    {
        if (samples <= 0) throw new ArgumentOutOfRangeException(nameof(samples), samples, "samples per position must be positive");
        this.inner = inner;
        this.samples = samples;
        this.seed = unchecked((ulong)seed);
    }

    public int Samples => samples;
    public double OnlineFlopsPerToken => inner.OnlineFlopsPerToken;

    public Tensor LogProbs(TrainingBatch batch, double temperature) => inner.LogProbs(batch, temperature);

    public SampledDistribution Sampled(TrainingBatch batch, double temperature)
    {
        using var _ = no_grad();
        generator ??= new Generator(seed, batch.X.device);
        using var scope = NewDisposeScope();
        var logProbs = inner.LogProbs(batch, temperature);                                           // (B, T, V)
        var drawn = SampledDistribution.Draw(logProbs, samples, generator);
        return new SampledDistribution(drawn.Ids.MoveToOuterDisposeScope(), drawn.Weights.MoveToOuterDisposeScope());
    }

    public void Dispose() => generator?.Dispose();
}
