using Harness.Training;
using static TorchSharp.torch;

namespace Harness.Distillation;

/// <summary>Where a KD student gets the teacher's distribution: a live forward pass, or the top-k logit cache.</summary>
public interface ITeacherSignal
{
    /// <summary>Teacher log-probabilities at temperature τ for the batch's positions, (B, T, V), without grad.</summary>
    Tensor LogProbs(TrainingBatch batch, double temperature);

    /// <summary>Teacher FLOPs per training token spent during training (0 for the cache).</summary>
    double OnlineFlopsPerToken { get; }
}

/// <summary>
/// A teacher signal that is sparse by construction (the top-k cache): divergences that have a closed form over a
/// top-k-plus-uniform-tail distribution use it and never build the dense (B, T, V) teacher tensor.
/// </summary>
public interface ITopKTeacherSignal : ITeacherSignal
{
    /// <summary>Teacher distribution at temperature τ, (B, T, k) plus the tail, without grad.</summary>
    TopKDistribution TopK(TrainingBatch batch, double temperature);
}
