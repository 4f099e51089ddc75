using Harness.Results;

namespace Harness.Sweep;

/// <summary>
/// The time a sweep still needs (<c>harness run --dry-run</c>), by <see cref="ComputeRate"/>: each unit's predicted FLOPs
/// (student training plus the teacher forwards of online KD and of the teacher-logit cache fill, <see cref="SweepCost"/>)
/// with +10 % for held-out and benchmark evaluation, plus the teacher's own training when its checkpoint is missing.
/// Finished units count as done.
/// </summary>
public sealed record SweepTimeEstimate
{
    /// <summary>Held-out and benchmark evaluation on top of training (README "Performance": scoring ≈ 10–20 %).</summary>
    public const double EvaluationOverhead = 1.10;

    public required ComputeRate Rate { get; init; }
    /// <summary>Finished scratch units the efficiency was measured on (0: the default efficiency).</summary>
    public required int EfficiencyMeasuredOnUnits { get; init; }
    /// <summary>Predicted FLOPs per unit key (student training + teacher forwards).</summary>
    public required IReadOnlyDictionary<string, double> UnitFlops { get; init; }
    public required IReadOnlySet<string> Finished { get; init; }
    public required int RemainingUnits { get; init; }
    public required double TeacherTrainFlops { get; init; }
    /// <summary>Teacher-forward FLOPs inside the remaining units (online KD and the logit-cache fill).</summary>
    public required double TeacherForwardFlopsInUnits { get; init; }
    public required double UnitSeconds { get; init; }
    public required double TeacherSeconds { get; init; }
    public double TotalSeconds => UnitSeconds + TeacherSeconds;

    /// <summary>Seconds left for one unit (0 when finished).</summary>
    public double SecondsFor(SweepUnit unit) => Finished.Contains(unit.Key) ? 0 : Rate.Seconds(UnitFlops[unit.Key]) * EvaluationOverhead;

    /// <param name="finishedRows">The rows of the finished units (they calibrate the efficiency).</param>
    public static SweepTimeEstimate For(IReadOnlyList<SweepUnit> units, IReadOnlyDictionary<string, double> predictedFlops, IReadOnlySet<string> finished,
                                        IEnumerable<RunRow> finishedRows, double teacherTrainFlops, double matmulGflops)
    {
        var rate = ComputeRate.Calibrated(matmulGflops, finishedRows, out int measured);
        var remaining = units.Where(u => !finished.Contains(u.Key)).ToList();
        return new SweepTimeEstimate
        {
            Rate = rate, EfficiencyMeasuredOnUnits = measured, UnitFlops = predictedFlops, Finished = finished, RemainingUnits = remaining.Count,
            TeacherTrainFlops = teacherTrainFlops,
            TeacherForwardFlopsInUnits = remaining.Sum(u => predictedFlops[u.Key] - u.PredictedTrainFlops),
            UnitSeconds = remaining.Sum(u => predictedFlops[u.Key]) / rate.FlopsPerSecond * EvaluationOverhead,
            TeacherSeconds = teacherTrainFlops / rate.FlopsPerSecond,
        };
    }
}
