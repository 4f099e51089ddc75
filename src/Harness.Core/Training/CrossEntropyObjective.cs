using static TorchSharp.torch;

namespace Harness.Training;

/// <summary>Next-token cross-entropy on the data: the from-scratch baseline (Radford et al. 2018).</summary>
public sealed class CrossEntropyObjective : ITrainingObjective
{
    public string Name => "scratch";
    public double OnlineTeacherFlopsPerToken => 0;

    public Tensor? LastCrossEntropy { get; private set; }

    public Tensor Loss(Tensor studentLogits, TrainingBatch batch) =>
        LastCrossEntropy = nn.functional.cross_entropy(studentLogits.view(-1, studentLogits.shape[2]), batch.Y.view(-1));
}
