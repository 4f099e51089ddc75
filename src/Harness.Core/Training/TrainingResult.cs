using System.Text.Json.Serialization;

namespace Harness.Training;

/// <summary>Live numbers for a progress display.</summary>
/// <param name="Loss">The training objective (for KD: α·CE + (1−α)·τ²·D), mean over the log interval.</param>
public sealed record TrainingProgress(int Step, int TotalSteps, long Tokens, double Loss, double TokensPerSecond, double LearningRate)
{
    /// <summary>The next-token cross-entropy part of the objective over the log interval (equals Loss for scratch; NaN when the objective has none).</summary>
    public double CrossEntropy { get; init; } = double.NaN;
    /// <summary>The latest held-out validation loss (nats/token) so far; NaN before the first evaluation.</summary>
    public double ValLoss { get; init; } = double.NaN;
    /// <summary>Step this run resumed from (0 when it started fresh).</summary>
    public int ResumedFromStep { get; init; }
}

/// <summary>One held-out evaluation along a run: a capability-vs-compute point.</summary>
public sealed record EvalPoint(int Step, long Tokens, double ValLoss, [property: JsonPropertyName("val_bpb")] double ValBitsPerByte, bool IsFinal);

public sealed record TrainingResult(int Steps, long Tokens, IReadOnlyList<EvalPoint> Curve, double WallSeconds, double TokensPerSecond, bool Resumed)
{
    /// <summary>The step this run resumed from (0 for a fresh start).</summary>
    public int StartStep { get; init; }
}
