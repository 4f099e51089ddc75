using Harness.Results;
using Harness.Sweep.Slurm;

namespace Harness.Sweep.Execution;

/// <summary>One unit's line in `harness status`.</summary>
public sealed record UnitStatus(int Index, string Key, string Label, string State, string Host, int Step, int TotalSteps, double TokensPerSecond,
                                int Restarts, string Detail);

public sealed record RunStatusReport(string Directory, IReadOnlyList<UnitStatus> Units, IReadOnlyList<string> Notes)
{
    public IReadOnlyDictionary<string, int> Counts => Units.GroupBy(u => u.State).ToDictionary(g => g.Key, g => g.Count());
}

/// <summary>
/// What `harness status RUN_DIR` shows: per unit done | running | requeued | pending | failed, from the run folder
/// (plan.json, unit rows, worker heartbeats) plus squeue/sacct when Slurm's commands are on PATH.  Works without Slurm.
/// </summary>
public static class RunStatusReader
{
    static int Starts(WorkerRecord? w) => w?.Attempts.Count(a => a.Contains(" start on ", StringComparison.Ordinal)) ?? 0;

    public static RunStatusReport Read(string runDirectory, ISlurmCommands? slurm)
    {
        var notes = new List<string>();
        var folder = new RunFolder(runDirectory);
        var plan = RunPlan.TryRead(runDirectory);
        var submissions = SlurmSubmission.ReadAll(runDirectory);
        List<SlurmJobState>? queue = null, accounting = null;
        if (submissions.Count > 0 && slurm is not null)
        {
            var ids = submissions.SelectMany(s => s.JobIds).ToList();
            queue = SlurmQueries.Queue(slurm, ids);
            accounting = SlurmQueries.Accounting(slurm, ids);
            if (queue is null) notes.Add("squeue not available: queue states come from the run folder only");
            if (accounting is null) notes.Add("sacct not available (no accounting storage): failures are read from the run folder only");
            foreach (var s in submissions)
            {
                string Job(string id, string what)
                {
                    var q = queue?.FirstOrDefault(j => j.JobId == id && j.TaskId is null);
                    var a = accounting?.FirstOrDefault(j => j.JobId == id && j.TaskId is null);
                    return $"{what} {id}: {q?.State ?? a?.State ?? (queue is null ? "?" : "not queued")}{(q?.Reason is { Length: > 0 } r && r != "None" ? $" ({r})" : "")}";
                }
                notes.Add($"submission {s.Number} ({s.SubmittedUtc:u}): {Job(s.PrepareJob, "prepare")}; array {s.UnitsJob} [{s.ArraySpec}]; {Job(s.FinalizeJob, "finalize")}");
            }
        }
        var latestArray = new Dictionary<int, string>();
        foreach (var s in submissions) foreach (var i in s.UnitIndices) latestArray[i] = s.UnitsJob;

        if (plan is null)
        {
            notes.Add($"no {RunPlan.FileName} yet: the prepare stage has not run (units are listed by array index only)");
            var indices = submissions.SelectMany(s => s.UnitIndices).Distinct().Order().ToList();
            return new RunStatusReport(runDirectory, indices.Select(i => new UnitStatus(i, "", "", Queued(i) ?? "pending", "", 0, 0, 0, 0, QueueDetail(i))).ToList(), notes);
        }

        SlurmJobState? InQueue(int index) =>
            latestArray.TryGetValue(index, out var job) ? queue?.FirstOrDefault(j => j.JobId == job && j.TaskId == index) : null;
        SlurmJobState? InAccounting(int index) =>
            latestArray.TryGetValue(index, out var job) ? accounting?.LastOrDefault(j => j.JobId == job && j.TaskId == index) : null;
        string? Queued(int index) => InQueue(index) is { } q ? (q.State == "RUNNING" ? "running" : "pending") : null;
        string QueueDetail(int index) => InQueue(index) is { } q ? $"slurm {q.State}{(q.Reason is { Length: > 0 } r && r != "None" ? $" ({r})" : "")}" : "";

        var now = DateTime.UtcNow;
        var rows = new List<UnitStatus>();
        foreach (var u in plan)
        {
            var worker = UnitHeartbeat.Read(folder, u.Key);
            int restarts = worker?.RestartCount ?? 0;
            if (folder.HasRow(u.Key))
            {
                var row = folder.ReadUnitRow(u.Key);
                rows.Add(row.Status == RunRowStatus.Ok
                    ? new UnitStatus(u.Index, u.Key, u.Label, "done", worker?.Host ?? "", worker?.TotalSteps ?? 0, worker?.TotalSteps ?? 0, row.TokensPerSecond, row.RestartCount,
                        $"val_loss {row.ValLoss:F4}{(Starts(worker) > 1 ? $", {Starts(worker)} attempts, resumed from step {worker!.ResumedFromStep}" : "")}")
                    : new UnitStatus(u.Index, u.Key, u.Label, "failed", worker?.Host ?? "", worker?.Step ?? 0, worker?.TotalSteps ?? 0, 0, row.RestartCount, row.FailureReason));
                continue;
            }
            var q = InQueue(u.Index);
            var a = InAccounting(u.Index);
            if (worker is not null && worker.IsLive(now) && q?.State is null or "RUNNING")
            {
                rows.Add(new UnitStatus(u.Index, u.Key, u.Label, restarts > 0 || worker.ResumedFromStep > 0 ? "running (resumed)" : "running", worker.Host, worker.Step, worker.TotalSteps,
                    worker.TokensPerSecond, restarts, worker.ResumedFromStep > 0 ? $"resumed from step {worker.ResumedFromStep}" : ""));
                continue;
            }
            if (q is not null)
            {
                bool requeued = restarts > 0 || worker?.State is "preempted" or "retrying" || q.State.StartsWith("REQUEUE", StringComparison.Ordinal);
                var detail = QueueDetail(u.Index);
                if (worker?.State == "preempted") detail += $"; checkpoint at step {worker.CheckpointStep} after {worker.InterruptSignal}";
                if (worker?.State == "retrying") detail += $"; attempt {worker.Failures} failed: {worker.LastFailure}";
                rows.Add(new UnitStatus(u.Index, u.Key, u.Label, q.State == "RUNNING" ? "running" : requeued ? "requeued" : "pending", q.Nodes, worker?.Step ?? 0, worker?.TotalSteps ?? 0, 0, restarts, detail.Trim(' ', ';')));
                continue;
            }
            // `harness run` (one process) trains under claims without a worker heartbeat: a live claim is a running unit.
            var claim = UnitClaim.Read(UnitClaim.PathFor(runDirectory, u.Key));
            if (claim is { State: "running" } && UnitClaim.HeldBy(claim, DateTime.MinValue) is not null && worker?.IsLive(now) != true)
            {
                rows.Add(new UnitStatus(u.Index, u.Key, u.Label, "running", claim.Host, 0, 0, 0, restarts, $"claimed by pid {claim.Pid} since {claim.StartedUtc:u}"));
                continue;
            }
            if (a is not null && a.IsFailure)
            {
                rows.Add(new UnitStatus(u.Index, u.Key, u.Label, "failed", a.Nodes, worker?.Step ?? 0, worker?.TotalSteps ?? 0, 0, restarts,
                    $"slurm {a.State} exit {a.ExitCode}{(a.Reason is { Length: > 0 } r && r != "None" ? $" ({r})" : "")}{(worker?.LastFailure is { } lf ? $"; {lf}" : "")}"));
                continue;
            }
            if (worker is not null)
            {
                var detail = worker.State switch
                {
                    "preempted" => $"checkpoint at step {worker.CheckpointStep} after {worker.InterruptSignal}; not queued (resubmit to resume)",
                    "retrying" => $"attempt {worker.Failures} failed: {worker.LastFailure}",
                    "running" => $"heartbeat stale since {worker.UpdatedUtc:u} (worker died?)",
                    _ => worker.State,
                };
                rows.Add(new UnitStatus(u.Index, u.Key, u.Label, worker.State is "preempted" or "retrying" ? "requeued" : "pending", worker.Host, worker.Step, worker.TotalSteps, 0, restarts, detail));
                continue;
            }
            rows.Add(new UnitStatus(u.Index, u.Key, u.Label, "pending", "", 0, 0, 0, 0, ""));
        }
        return new RunStatusReport(runDirectory, rows, notes);
    }
}
