using System.Text.Json;
using Harness.Results;
using Harness.Sweep.Execution;
using Harness.IO;

namespace Harness.Sweep.Slurm;

/// <summary>One `harness submit`, recorded in RUN/slurm/submissions.json (the job ids `status` and `cancel` use).</summary>
public sealed record SlurmSubmission
{
    public int Number { get; init; }
    public DateTime SubmittedUtc { get; init; }
    public string PrepareJob { get; init; } = "";
    public string UnitsJob { get; init; } = "";
    public string FinalizeJob { get; init; } = "";
    public List<int> UnitIndices { get; init; } = [];
    public string ArraySpec { get; init; } = "";
    public string ScriptDirectory { get; init; } = "";
    public IEnumerable<string> JobIds => new[] { PrepareJob, UnitsJob, FinalizeJob }.Where(j => j.Length > 0);

    public const string FileName = RunFolderLayout.SubmissionsFile;
    public static string PathIn(string runDirectory) => new RunFolderLayout(runDirectory).SlurmSubmissions;

    public static List<SlurmSubmission> ReadAll(string runDirectory)
    {
        var path = PathIn(runDirectory);
        return File.Exists(path) ? JsonSerializer.Deserialize<List<SlurmSubmission>>(File.ReadAllText(path), HarnessJson.Options) ?? [] : [];
    }

    public static void WriteAll(string runDirectory, IReadOnlyList<SlurmSubmission> all) =>
        AtomicFile.WriteAllText(PathIn(runDirectory), JsonSerializer.Serialize(all, HarnessJson.Options));
}

public sealed record SubmitRequest
{
    public required SlurmJobSet Jobs { get; init; }
    public required SlurmResources Resources { get; init; }
    /// <summary>Every unit index of the sweep (before excluding done / queued ones).</summary>
    public required IReadOnlyList<int> AllIndices { get; init; }
}

public sealed record SubmitResult(SlurmSubmission? Submission, string PrepareScript, string UnitsScript, string FinalizeScript,
                                  IReadOnlyList<int> Submitted, IReadOnlyList<int> SkippedDone, IReadOnlyList<int> SkippedActive);

/// <summary>Decides which units to submit, writes the scripts into the run folder and submits them all-or-nothing.</summary>
public static class SlurmSubmitter
{
    /// <summary>Units finished ok (from plan.json + row files) and units queued or running (squeue, live heartbeats).</summary>
    public static (List<int> Done, List<int> Active) Classify(string runDirectory, IReadOnlyList<int> indices, ISlurmCommands slurm)
    {
        var folder = new RunFolder(runDirectory);
        var plan = RunPlan.TryRead(runDirectory)?.ToDictionary(u => u.Index);
        var done = new List<int>();
        var active = new HashSet<int>();
        var now = DateTime.UtcNow;
        foreach (var i in indices)
        {
            if (plan is null || !plan.TryGetValue(i, out var u)) continue;
            if (folder.IsFinished(u.Key)) done.Add(i);
            else if (UnitHeartbeat.Read(folder, u.Key)?.IsLive(now) == true) active.Add(i);
        }
        var submissions = SlurmSubmission.ReadAll(runDirectory);
        if (submissions.Count > 0)
        {
            // An unanswered squeue is not an empty queue: submitting then would run units that are queued twice.
            if (!SlurmQueries.TryQueue(slurm, submissions.SelectMany(s => s.JobIds), out var queue, out var error))
                throw new UserInputException($"cannot tell which units of {runDirectory} are queued or running ({error}), so nothing was submitted; run `harness submit` again when `squeue` answers (`harness status {runDirectory}` shows what the run folder knows).");
            var arrays = submissions.Select(s => s.UnitsJob).ToHashSet();
            foreach (var j in queue.Where(j => j.IsQueuedOrRunning && arrays.Contains(j.JobId) && j.TaskId is not null))
                active.Add(j.TaskId!.Value);
        }
        return (done, active.Where(i => !done.Contains(i)).Order().ToList());
    }

    public static SubmitResult Submit(SubmitRequest request, ISlurmCommands slurm, bool dryRun)
    {
        var jobs = request.Jobs;
        if (!dryRun)
        {
            foreach (var tool in new[] { "sbatch", "scontrol", "squeue", "scancel" })
                if (!slurm.Has(tool))
                    throw new UserInputException($"{tool} not found on PATH: `harness submit --executor slurm` needs Slurm's client commands; run it on a login node of the cluster (or `module load slurm`), or run locally with `harness run CONFIG --jobs N`.");
            if (request.Resources.Partition is { } partition)
            {
                var r = slurm.Run("sinfo", "-h", "-o", "%R");
                var known = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
                if (r.ExitCode == 0 && !known.Contains(partition))
                    throw new UserInputException($"--partition: unknown partition '{partition}'; this cluster has {string.Join(", ", known.Order())} (see `sinfo`).");
            }
        }
        var (done, active) = dryRun && !slurm.Has("squeue") ? (new List<int>(), new List<int>()) : Classify(jobs.RunDirectory, request.AllIndices, slurm);
        var pending = request.AllIndices.Where(i => !done.Contains(i) && !active.Contains(i)).ToList();
        if (pending.Count == 0)
            throw new UserInputException($"nothing to submit: all {request.AllIndices.Count} units of {jobs.RunDirectory} are done ({done.Count}) or queued/running ({active.Count}); see `harness status {jobs.RunDirectory}`.");
        var set = jobs with { UnitIndices = pending };
        var prepare = SlurmScripts.Prepare(set, request.Resources);
        var units = SlurmScripts.Units(set, request.Resources);
        var finalize = SlurmScripts.Finalize(set, request.Resources);
        if (dryRun) return new SubmitResult(null, prepare, units, finalize, pending, done, active);

        var previous = SlurmSubmission.ReadAll(jobs.RunDirectory);
        int number = previous.Count == 0 ? 1 : previous.Max(s => s.Number) + 1;
        var dir = new RunFolderLayout(jobs.RunDirectory).SlurmSubmit(number);
        Directory.CreateDirectory(jobs.LogDirectory);
        AtomicFile.WriteAllText(Path.Combine(dir, "prepare.sbatch"), prepare);
        AtomicFile.WriteAllText(Path.Combine(dir, "units.sbatch"), units);
        AtomicFile.WriteAllText(Path.Combine(dir, "finalize.sbatch"), finalize);
        AtomicFile.WriteAllText(Path.Combine(dir, "submit.sh"), SlurmScripts.SubmitCommands(dir));

        // All three held until every submission is accepted, then released together: a rejection leaves nothing behind.
        var submitted = new List<string>();
        string Sbatch(params string[] args)
        {
            var r = slurm.Run("sbatch", ["--parsable", "--hold", .. args]);
            var id = r.StdOut.Trim().Split(';')[0];
            if (r.ExitCode != 0 || id.Length == 0 || !id.All(char.IsAsciiDigit))
            {
                var cancelled = CancelAll(slurm, submitted);
                throw new UserInputException($"sbatch rejected {Path.GetFileName(args[^1])}: {r.FirstError}; nothing was submitted{cancelled} — fix the option it names (partition, account, qos, --time, --mem, --gpus-per-unit) and run `harness submit` again.");
            }
            submitted.Add(id);
            return id;
        }
        var p = Sbatch(Path.Combine(dir, "prepare.sbatch"));
        var a = Sbatch($"--dependency=afterok:{p}", "--kill-on-invalid-dep=yes", Path.Combine(dir, "units.sbatch"));
        var f = Sbatch($"--dependency=afterany:{a}", Path.Combine(dir, "finalize.sbatch"));
        var release = slurm.Run("scontrol", "release", $"{p},{a},{f}");
        if (release.ExitCode != 0)
        {
            var cancelled = CancelAll(slurm, submitted);
            throw new UserInputException($"scontrol release failed: {release.FirstError}; nothing was submitted{cancelled}.");
        }
        var submission = new SlurmSubmission
        {
            Number = number, SubmittedUtc = DateTime.UtcNow, PrepareJob = p, UnitsJob = a, FinalizeJob = f, UnitIndices = pending,
            ArraySpec = SlurmScripts.ArraySpec(pending, request.Resources.MaxParallel), ScriptDirectory = dir,
        };
        SlurmSubmission.WriteAll(jobs.RunDirectory, [.. previous, submission]);
        return new SubmitResult(submission, prepare, units, finalize, pending, done, active);
    }

    static string CancelAll(ISlurmCommands slurm, List<string> ids)
    {
        if (ids.Count == 0) return "";
        slurm.Run("scancel", [.. ids]);
        return $" (the {ids.Count} job(s) already accepted, held, were cancelled: {string.Join(", ", ids)})";
    }

    /// <summary>scancel of this run's recorded jobs that are still queued or running; nothing else.</summary>
    public static IReadOnlyList<string> Cancel(string runDirectory, ISlurmCommands slurm)
    {
        var submissions = SlurmSubmission.ReadAll(runDirectory);
        if (submissions.Count == 0) return [];
        if (!slurm.Has("scancel"))
            throw new UserInputException("scancel not found on PATH: run `harness cancel` where Slurm's client commands are (a login node).");
        var ids = submissions.SelectMany(s => s.JobIds).ToList();
        var queue = SlurmQueries.Queue(slurm, ids);
        var live = queue is null ? ids : queue.Where(j => j.IsQueuedOrRunning).Select(j => j.JobId).Distinct().ToList();
        if (live.Count > 0)
        {
            var r = slurm.Run("scancel", [.. live]);
            if (r.ExitCode != 0) throw new UserInputException($"scancel failed: {r.FirstError}.");
        }
        return live;
    }
}
