using Harness.Results;
using Harness.Training;
using Harness.Config;

namespace Harness.Sweep;

/// <summary>
/// How the trainer runs one sweep unit: its budget, learning-rate schedule, where it starts (a WSD branch: its trunk's
/// fork checkpoint) and which fork checkpoints it writes (a WSD trunk).  Also turns the unit's own compute into the
/// "spent" columns of its row, so the sweep's actual total is Σ of them (a shared trunk counted once).
/// </summary>
public sealed class UnitTrainingPlan
{
    UnitTrainingPlan(SweepUnit unit, TrainingConfig training) { Unit = unit; Training = training; }

    public SweepUnit Unit { get; }
    public TrainingConfig Training { get; }
    /// <summary>Null = the schedule <see cref="Training"/> describes (cosine, or a whole WSD run).</summary>
    public LearningRateSchedule? Schedule { get; private init; }
    public string? StartFrom { get; private init; }
    public IReadOnlyDictionary<int, string>? Snapshots { get; private init; }
    /// <summary>Set when the unit cannot run (its trunk failed or its fork checkpoint is gone); the unit is recorded as failed.</summary>
    public string? Failure { get; private init; }

    public static UnitTrainingPlan For(SweepUnit unit, TrainingConfig baseTraining, RunFolder folder)
    {
        var training = baseTraining with { MaxTokens = null, MaxSteps = unit.Steps, Seed = unit.Seed };
        switch (unit.Role)
        {
            case UnitRole.Trunk:
                return new UnitTrainingPlan(unit, training)
                {
                    Schedule = LearningRateSchedule.Trunk(training, unit.Steps),
                    Snapshots = unit.ForkSteps.ToDictionary(s => s, s => WsdDesign.ForkDirectory(folder, unit.Key, s)),
                };
            case UnitRole.Branch:
            {
                var trunk = unit.TrunkKey!;
                var fork = WsdDesign.ForkDirectory(folder, trunk, unit.StartStep);
                string? failure = null;
                if (folder.TryReadRow(trunk) is not { } trunkRow)
                    failure = $"its WSD trunk {trunk} has not finished (it runs first in the same group; run the whole group, not this branch alone).";
                else if (trunkRow.Status != RunRowStatus.Ok)
                    failure = $"its WSD trunk {trunk} failed: {trunkRow.FailureReason}";
                else if (ResumeState.SavedStep(fork) is null)
                    failure = $"the fork checkpoint {fork} of its WSD trunk is missing; delete {folder.UnitDirectory(trunk)} so the trunk is trained again.";
                return new UnitTrainingPlan(unit, training) { StartFrom = fork, Failure = failure };
            }
            default:
                return new UnitTrainingPlan(unit, baseTraining with { MaxTokens = unit.Tokens, MaxSteps = null, Seed = unit.Seed });
        }
    }

    /// <summary>A curve point's is_final: only the last point of a finished run (never a trunk's).</summary>
    public bool IsFinal(EvalPoint point) => point.IsFinal && Unit.IsFinishedRun;

    /// <summary>Fills the row's design and "spent" columns: what this unit itself trained (a branch: its cooldown only).</summary>
    public RunRow Describe(RunRow row, double teacherForwardPerTokenOnline)
    {
        long startTokens = Unit.StartStep * Unit.TokensPerStep;
        long own = row.Status == RunRowStatus.Ok ? Math.Max(0, row.Tokens - startTokens) : 0;
        return row with
        {
            Schedule = Unit.Schedule,
            Role = Unit.Role.ToString().ToLowerInvariant(),
            IsFinal = Unit.IsFinishedRun,
            TrunkKey = Unit.TrunkKey ?? "",
            ForkTokens = startTokens,
            TokensSpent = own,
            FlopsStudentTrainSpent = own * Modeling.ModelMath.TrainFlopsPerToken(Unit.Model),
            FlopsTeacherInferenceSpent = own * teacherForwardPerTokenOnline,
        };
    }
}
