using Harness.Distillation;

namespace Harness.Sweep;

public sealed record SweepOutcome(string Directory, IReadOnlyList<SweepUnit> Units, int Ran, int Skipped, int Failed, double WallSeconds, TeacherLogitCache? CacheInfo)
{
    /// <summary>Every unit was finished and the manifest closed before this call: nothing was written.</summary>
    public bool AlreadyComplete { get; init; }
    /// <summary>Units that hit an internal error and were retried (key, attempts beyond the first, final status).</summary>
    public IReadOnlyList<UnitAttemptRecord> Retried { get; init; } = [];
    /// <summary>Units whose row says failed after this run (key, reason).</summary>
    public IReadOnlyList<(string Key, string Reason)> FailedUnits { get; init; } = [];
    /// <summary>Units another process trained while this one waited for them.</summary>
    public int DoneElsewhere { get; init; }
    /// <summary>True when every unit of the plan has a row, so the results can be estimated.</summary>
    public bool Complete { get; init; }
    /// <summary>True when this process should run the estimator: the plan is complete and the last unit was not
    /// finished by another process (that one estimates), and this is not one shard of several (merge estimates).</summary>
    public bool ShouldEstimate { get; init; }
}
