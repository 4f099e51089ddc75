using Harness.Modeling;
using Harness.Training;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Harness.Distillation;

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
