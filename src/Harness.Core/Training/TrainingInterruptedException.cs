namespace Harness.Training;

/// <summary>Training stopped at a step boundary because cancellation was requested; <see cref="Step"/> steps are checkpointed.</summary>
public sealed class TrainingInterruptedException(int step, CancellationToken token)
    : OperationCanceledException($"training interrupted at step {step}; its checkpoint is written", token)
{
    public int Step { get; } = step;
}
