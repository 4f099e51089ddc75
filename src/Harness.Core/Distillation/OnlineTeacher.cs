using Harness.Modeling;
using Harness.Training;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Harness.Distillation;

/// <summary>Runs the teacher (eval mode, no grad) on every batch; padding rows beyond the tokenizer's size are dropped
/// before the softmax (<see cref="TeacherVocabulary"/>).</summary>
public sealed class OnlineTeacher : ITeacherSignal
{
    readonly CausalLm teacher;
    readonly int vocabularySize;

    /// <param name="vocabularySize">The tokenizer's size V (default: the teacher's output rows).</param>
    public OnlineTeacher(CausalLm teacher, int? vocabularySize = null)
    {
        this.teacher = teacher;
        this.vocabularySize = vocabularySize ?? teacher.OutputSize;
        teacher.eval();
        foreach (var p in teacher.parameters()) p.requires_grad = false;
    }

    public double OnlineFlopsPerToken => teacher.ForwardFlopsPerToken;

    public Tensor LogProbs(TrainingBatch batch, double temperature)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var logits = TeacherVocabulary.Logits(teacher.call(batch.X), vocabularySize);
        if (logits.dtype != ScalarType.Float32) logits = logits.to_type(ScalarType.Float32);   // bf16/fp16 teachers: softmax in float32
        return F.log_softmax(logits.DividedBy(temperature), -1).MoveToOuterDisposeScope();
    }
}
