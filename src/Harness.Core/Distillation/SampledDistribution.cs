using Harness.Modeling;
using Harness.Training;
using static TorchSharp.torch;

namespace Harness.Distillation;

/// <summary>
/// A sparse, unbiased KD target: the random-sampling estimator of Anshumann et al. 2025 ("Sparse Logit Sampling:
/// Accelerating Knowledge Distillation in LLMs", ACL 2025).  Per position n tokens x_1..x_n are drawn with replacement
/// from the proposal q = p (the teacher at the KD temperature); the target puts weight count_i/n on each sampled id
/// (each draw carries 1/n, so repeated ids add up).  E[count_i/n] = p_i, so the expected forward-KL / cross-entropy
/// gradient w.r.t. the student logits, softmax(s) − target, equals the dense gradient softmax(s) − p (tested by
/// Monte-Carlo in KdTargetsTests).  Rows are positions (…, n); no gradient.
/// </summary>
/// <param name="Ids">Sampled token ids (…, n), int64; an id may repeat.</param>
/// <param name="Weights">Weight of each entry (…, n), float32; every row sums to 1.</param>
public sealed record SampledDistribution(Tensor Ids, Tensor Weights)
{
    /// <summary>Draws <paramref name="samples"/> ids per row of <paramref name="logProbs"/> (…, V), each weighted 1/n.</summary>
    public static SampledDistribution Draw(Tensor logProbs, int samples, Generator generator)
    {
        using var _ = no_grad();
        long v = logProbs.shape[^1];
        var shape = logProbs.shape.Take((int)logProbs.dim() - 1).Append(samples).ToArray();
        var ids = multinomial(logProbs.reshape(-1, v).exp(), samples, replacement: true, generator: generator);   // (N, n)
        var weights = ones(shape, ScalarType.Float32, logProbs.device).DividedBy(samples);
        return new SampledDistribution(ids.reshape(shape), weights);
    }

    /// <summary>The target as a dense distribution (…, V): count_i/n at each sampled id, 0 elsewhere.</summary>
    public Tensor Dense(long vocabSize)
    {
        var shape = Ids.shape.Take((int)Ids.dim() - 1).Append(vocabSize).ToArray();
        return zeros(shape, ScalarType.Float32, Ids.device).scatter_add_(-1, Ids, Weights);
    }

    /// <summary>Flattens the leading dimensions: (…, n) → (N, n).</summary>
    public SampledDistribution Flatten() => new(Ids.reshape(-1, Ids.shape[^1]), Weights.reshape(-1, Weights.shape[^1]));
}

/// <summary>A teacher signal that serves the sampled sparse target (<c>kd.targets: sampled</c>).</summary>
public interface ISampledTeacherSignal : ITeacherSignal
{
    /// <summary>The sampled target drawn from the teacher at temperature τ, (B, T, n), without grad.</summary>
    SampledDistribution Sampled(TrainingBatch batch, double temperature);
}
