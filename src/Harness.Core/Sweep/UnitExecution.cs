using Harness.Config;
using Harness.Results;
using Harness.Sweep.Execution;
using Harness.Training;

namespace Harness.Sweep;

/// <summary>How <see cref="UnitExecution.Execute"/> ended for one unit.</summary>
enum UnitExecutionStatus
{
    /// <summary>This process trained it (or recorded why it could not): <see cref="UnitExecutionOutcome.Row"/> is its row.</summary>
    Trained,
    /// <summary>It was already finished ok (before or right after the claim); nothing was done.</summary>
    AlreadyDone,
    /// <summary>Another live process holds its claim (<see cref="UnitExecutionOutcome.HeldBy"/> says who): try later.</summary>
    Busy,
    /// <summary>It failed in another process of this run (a "failed" claim): left for the next run.</summary>
    FailedElsewhere,
}

/// <param name="Row">The unit's row when this process trained it.</param>
/// <param name="Attempts">Set when internal errors made it retry (<see cref="UnitRetry"/>).</param>
/// <param name="HeldBy">Who holds the claim, when busy or failed elsewhere.</param>
sealed record UnitExecutionOutcome(UnitExecutionStatus Status, RunRow? Row = null, UnitAttemptRecord? Attempts = null, string? HeldBy = null);

/// <summary>
/// The one policy for a unit's life, used by every executor (in-process `run`, `run --jobs` workers, Slurm array
/// tasks): skip it when finished; claim it (claims/KEY.json, <see cref="UnitClaim"/>), or report who holds it; write
/// its heartbeat (units/KEY/worker.json, <see cref="UnitHeartbeat"/>) while it trains; train it with
/// <see cref="UnitJob"/>, retrying internal errors from the last checkpoint up to run.retries times
/// (<see cref="UnitRetry"/>); write its files, or, when the retries are spent, a failed row that keeps resume/ so the
/// next run retries it; mark a failed unit's claim "failed" so other processes of this run leave it alone.
/// A cancelled unit checkpoints, its heartbeat says "preempted", and the <see cref="TrainingInterruptedException"/>
/// goes to the executor.
/// </summary>
sealed class UnitExecution(ExperimentConfig config, SweepOptions options, UnitJob job, ISweepObserver? observer)
{
    /// <param name="position">The unit's place in this process's work (1-based) and <paramref name="count"/> its size, for the observer.</param>
    public UnitExecutionOutcome Execute(SweepUnit unit, int position, int count, SweepResources resources, TeacherSignals signals, WorkerContext worker,
                                        CancellationToken cancellation)
    {
        var folder = resources.Folder;
        if (folder.IsFinished(unit.Key)) return new UnitExecutionOutcome(UnitExecutionStatus.AlreadyDone);
        using var claim = UnitClaim.TryAcquire(folder.Directory, unit.Key, worker.ProcessStart);
        if (claim is null)
        {
            var held = UnitClaim.Read(UnitClaim.PathFor(folder.Directory, unit.Key));
            var status = held?.State == "failed" ? UnitExecutionStatus.FailedElsewhere : UnitExecutionStatus.Busy;
            return new UnitExecutionOutcome(status, HeldBy: UnitClaim.HeldBy(held, worker.ProcessStart));
        }
        if (folder.IsFinished(unit.Key)) return new UnitExecutionOutcome(UnitExecutionStatus.AlreadyDone);   // finished between the check and the claim
        using var heartbeat = UnitHeartbeat.Start(folder, unit.Key, options.RestartCount, worker.SlurmJobId);
        if (ResumeState.SavedStep(folder.ResumeDirectory(unit.Key)) is { } checkpointStep and > 0) heartbeat.Resumed(checkpointStep);
        var unitObserver = new HeartbeatObserver(heartbeat, observer);
        var retries = config.Run?.Retries ?? new RunSpec().Retries;
        try
        {
            observer?.UnitStarted(unit, position, count);
            var (row, record) = UnitRetry.Run(unit, retries, attempt =>
            {
                if (attempt > 0) observer?.Status($"unit {unit.Key}: retry {attempt} of {retries} from its last checkpoint (attempt {attempt + 1} of {retries + 1})");
                using var result = job.Train(unit, resources, signals, unitObserver, cancellation);
                result.WriteTo(folder, resources.Data);
                return result.Row;
            }, cancellation);
            if (record is { Exhausted: true })
            {
                row = row with { RestartCount = options.RestartCount };
                folder.WriteUnit(row, [], []);   // keeps resume/: a later run retries from the last checkpoint
            }
            if (row.Status != RunRowStatus.Ok) claim.ReleaseFailed();   // other processes of this run leave it; the next run retries it
            heartbeat.Finish(row.Status == RunRowStatus.Ok ? "done" : "failed", $"finished: {row.Status.OnDisk()} {row.FailureReason}".TrimEnd(),
                r => record is null ? r : r with { Failures = record.Errors.Count, LastFailure = record.Errors[^1] });
            return new UnitExecutionOutcome(UnitExecutionStatus.Trained, row, record);
        }
        catch (TrainingInterruptedException e)
        {
            var signal = worker.InterruptSignal?.Invoke() ?? "cancel";
            heartbeat.Finish("preempted", $"{signal}: checkpointed at step {e.Step}", r => r with { InterruptSignal = signal, CheckpointStep = e.Step, Step = e.Step });
            throw;
        }
    }

    /// <summary>Forwards to the caller's observer and feeds the unit's heartbeat.</summary>
    sealed class HeartbeatObserver(UnitHeartbeat heartbeat, ISweepObserver? inner) : ISweepObserver
    {
        public void Status(string message) => inner?.Status(message);
        public void UnitStarted(SweepUnit unit, int position, int count) => inner?.UnitStarted(unit, position, count);
        public void UnitFinished(SweepUnit unit, RunRow row, bool skipped) => inner?.UnitFinished(unit, row, skipped);
        public void UnitProgress(TrainingProgress p)
        {
            heartbeat.Progress(p.Step, p.TotalSteps, p.TokensPerSecond);
            inner?.UnitProgress(p);
        }
        public void UnitEvaluated(SweepUnit unit, EvalPoint point) => inner?.UnitEvaluated(unit, point);
        public void UnitResumed(SweepUnit unit, int step) => inner?.UnitResumed(unit, step);
    }
}
