using static TorchSharp.torch;

namespace Harness.Training;

/// <summary>A micro-batch: inputs (B, T), next-token targets (B, T), and where its windows start in the training stream.</summary>
public sealed record TrainingBatch(Tensor X, Tensor Y, long[] Starts, long MicroBatchIndex);

/// <summary>
/// The loss a student minimises.  Implementations are small typed pieces (scratch cross-entropy, logit KD, …)
/// composed by config; each documents its maths and paper.
/// </summary>
public interface ITrainingObjective
{
    string Name { get; }

    /// <summary>Scalar training loss from the student's logits (B, T, V) for this batch.</summary>
    Tensor Loss(Tensor studentLogits, TrainingBatch batch);

    /// <summary>Teacher forward FLOPs spent online per training token (0 when none or when served from a cache).</summary>
    double OnlineTeacherFlopsPerToken { get; }

    /// <summary>
    /// The next-token cross-entropy on the data inside the last <see cref="Loss"/> (same dispose scope; null when the
    /// objective has none).  Logged next to the objective so a KD unit's numbers compare with a scratch unit's.
    /// </summary>
    Tensor? LastCrossEntropy => null;
}
