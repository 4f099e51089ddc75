using Harness.Modeling;
using Harness.Training;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

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

/// <summary>Runs the teacher (eval mode, no grad) on every batch.</summary>
public sealed class OnlineTeacher : ITeacherSignal
{
    readonly Gpt teacher;

    public OnlineTeacher(Gpt teacher)
    {
        this.teacher = teacher;
        teacher.eval();
        foreach (var p in teacher.parameters()) p.requires_grad = false;
    }

    public double OnlineFlopsPerToken => ModelMath.ForwardFlopsPerToken(teacher.Config);

    public Tensor LogProbs(TrainingBatch batch, double temperature)
    {
        using var _ = no_grad();
        return F.log_softmax(teacher.call(batch.X).DividedBy(temperature), -1);
    }
}
