namespace Harness.Sweep.Slurm;

/// <summary>
/// `--time auto`: each unit's time by the harness's one time model (<see cref="ComputeRate"/> at its default
/// efficiency: train FLOPs ÷ (30% of the measured matmul FLOP/s)), ×1.4 for methods that run a teacher (submit knows
/// the config, not the teacher's size), times a safety factor, plus a fixed allowance for start-up, data loading and
/// evaluation, rounded up to whole minutes.  The matmul rate is measured where `submit` runs; on a GPU node the
/// units run faster than this CPU estimate, so the limit errs long.
/// </summary>
public static class TimeEstimate
{
    public const double SafetyFactor = 3;
    public static readonly TimeSpan Allowance = TimeSpan.FromMinutes(10);

    public static double UnitSeconds(SweepUnit unit, double matmulGflops) =>
        ComputeRate.Default(matmulGflops).Seconds(unit.PredictedTrainFlops) * unit.TrainingMethod.PredictedCostFactor;

    public static TimeSpan UnitLimit(IEnumerable<SweepUnit> units, double matmulGflops)
    {
        double worst = units.Select(u => UnitSeconds(u, matmulGflops)).DefaultIfEmpty(0).Max();
        var limit = TimeSpan.FromSeconds(worst * SafetyFactor) + Allowance;
        return TimeSpan.FromMinutes(Math.Ceiling(limit.TotalMinutes));
    }

    /// <summary>USR1 lead time: 10% of the limit, at least 2 min (Slurm checks signal times about every 30–60 s) and at most 10 min.</summary>
    public static int SignalMarginSeconds(TimeSpan unitLimit) =>
        (int)Math.Clamp(unitLimit.TotalSeconds * 0.1, 120, 600);
}
