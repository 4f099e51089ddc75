using Harness.Distillation;
using Harness.Distillation.Methods;
using Harness.Results;
using Harness.Sweep.Execution;
using Harness.Training;
using static TorchSharp.torch;

namespace Harness.Sweep;

/// <summary>How a single-unit worker ended (the executors turn this into a process exit code).</summary>
public enum UnitWorkerResult
{
    /// <summary>The unit finished (ok, or failed for good with its reason in its row).</summary>
    Finished,
    /// <summary>It was already finished ok; nothing was done.</summary>
    AlreadyDone,
    /// <summary>A signal interrupted it at a step boundary; the checkpoint is written; run it again to resume.</summary>
    Interrupted,
}

public sealed record FinalizeOutcome(string Directory, IReadOnlyList<SweepUnit> Units, IReadOnlyList<RunRow> Failed, IReadOnlyList<SweepUnit> Missing);

/// <summary>
/// The sweep split into stages for executors that run units in separate processes (`harness run --jobs N`, Slurm job
/// arrays): <see cref="Prepare"/> once, <see cref="RunSingleUnit"/> once per unit (each in its own process, writing only
/// its own units/KEY/ folder), <see cref="Finalize"/> once at the end (tables and manifest from the unit files).
/// </summary>
public sealed partial class SweepRunner
{
    /// <summary>
    /// Data, tokenizer and token cache, the teacher (trained when missing), its benchmark scores, the seq-KD corpus and,
    /// with <paramref name="fillCache"/>, every window of the teacher-logit cache; then plan.json.  After this, unit
    /// workers only read shared files.
    /// </summary>
    public IReadOnlyList<SweepUnit> Prepare(bool fillCache = false, CancellationToken cancellation = default)
    {
        var (data, loaded, units) = PrepareCheckedUnits();
        using var _ = loaded;
        var (teacher, teacherInfo, teacherHash, teacherPath) = loaded;
        var folder = new RunFolder(RunDirectory);
        CreateRunFolder(folder);
        WriteManifest(folder, data, teacherInfo, teacherHash, teacherPath, TaskVersions(data), finished: false);
        var evaluator = EvaluatorFactory?.Invoke(data);
        if (teacher is not null && evaluator is not null) EvaluateTeacherOnce(folder, evaluator, teacher, teacherInfo!);
        if (teacher is not null && units.Any(u => u.TrainingMethod.TrainsOnSyntheticCorpus))
            LoadOrGenerateSynthetic(teacher, data, teacherHash!);
        if (teacher is not null && fillCache && UsesLogitCache)
        {
            using var cache = new TeacherLogitCache(CachePath(teacher, data, teacherHash!), teacher, data.Train.Count, config.Kd.TopK);
            FillCache(cache, data, teacher.Config.ContextLength, cancellation);
        }
        RunPlan.Write(folder.Directory, units);
        return units;
    }

    /// <summary>Reads every context-aligned window through the cache once, so array tasks find it complete.</summary>
    void FillCache(TeacherLogitCache cache, Data.PreparedData data, int context, CancellationToken cancellation)
    {
        observer?.Status($"filling the teacher-logit cache: {cache.Windows:N0} windows ({cache.FilledWindows:N0} already filled)");
        const int batch = 16;
        var tokens = data.Train.Tokens;
        for (long first = 0; first < cache.Windows; first += batch)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            int n = (int)Math.Min(batch, cache.Windows - first);
            var starts = Enumerable.Range(0, n).Select(i => (first + i) * context).ToArray();
            var x = new long[n * context];
            for (int b = 0; b < n; b++)
                for (int t = 0; t < context; t++) x[b * context + t] = tokens[starts[b] + t];
            var xt = tensor(x, [n, context], ScalarType.Int64, options.Device);
            cache.Lookup(new TrainingBatch(xt, xt, starts, first / batch), options.Device);
        }
        cache.Flush();
    }

    /// <summary>
    /// Trains the one unit with expanded index <paramref name="unitIndex"/> (its Slurm array index) in this process,
    /// under its claim (claims/KEY.json; <see cref="UnitBusyException"/> when a live process holds it).  Resumes from
    /// its checkpoint; on cancellation checkpoints at the next step boundary and returns
    /// <see cref="UnitWorkerResult.Interrupted"/>.  Internal errors are retried from the last checkpoint up to
    /// run.retries times (<see cref="UnitRetry"/>), then the unit gets a failed row with the reason.
    /// </summary>
    public UnitWorkerResult RunSingleUnit(int unitIndex, string? slurmJobId = null, Func<string>? interruptSignal = null, int stepDelayMs = 0,
                                         CancellationToken cancellation = default) =>
        RunUnits([unitIndex], slurmJobId, interruptSignal, stepDelayMs, cancellation, (_, _) => { });

    /// <summary>
    /// <see cref="RunSingleUnit"/> for several units in order (a WSD trunk and its branches), preparing data, teacher,
    /// byte lengths and the evaluator once for all of them.  Stops at the first interruption and returns it; reports each
    /// unit's outcome through <paramref name="onUnit"/>.
    /// </summary>
    public UnitWorkerResult RunUnits(IReadOnlyList<int> unitIndices, string? slurmJobId, Func<string>? interruptSignal, int stepDelayMs,
                                     CancellationToken cancellation, Action<int, UnitWorkerResult> onUnit)
    {
        var worker = new WorkerContext(DateTime.UtcNow, slurmJobId, interruptSignal, stepDelayMs);
        var data = PrepareData();
        using var loaded = LoadTeacher(data);
        var units = Units(data, loaded.Hash);
        var folder = new RunFolder(RunDirectory);
        var byteLengths = TokenByteLengths.For(data.TokenizerPath, data.Tokenizer, data.VocabSize);
        var evaluator = EvaluatorFactory?.Invoke(data);
        var resources = new SweepResources(data, byteLengths, loaded, folder, evaluator);
        var result = UnitWorkerResult.AlreadyDone;
        foreach (var unitIndex in unitIndices)
        {
            var unit = units.FirstOrDefault(u => u.Index == unitIndex)
                ?? throw new UserInputException($"unit index {unitIndex} is not in this sweep.", [$"--index: value {unitIndex} must be one of {string.Join(", ", units.Select(u => u.Index))} (see plan.json or `harness run CONFIG --dry-run`)."]);
            result = RunPreparedUnit(unit, resources, worker, cancellation);
            onUnit(unitIndex, result);
            if (result == UnitWorkerResult.Interrupted) break;
        }
        return result;
    }

    UnitWorkerResult RunPreparedUnit(SweepUnit unit, SweepResources resources, WorkerContext worker, CancellationToken cancellation)
    {
        var (data, folder, teacher, teacherHash) = (resources.Data, resources.Folder, resources.Teacher.Model, resources.Teacher.Hash);
        var (processStart, slurmJobId, interruptSignal, stepDelayMs) = worker;
        if (folder.IsFinished(unit.Key))
            return UnitWorkerResult.AlreadyDone;
        using var claim = UnitClaim.TryAcquire(folder.Directory, unit.Key, processStart)
            ?? throw new UnitBusyException($"unit {unit.Key} is claimed by another live process ({UnitClaim.HeldBy(UnitClaim.Read(UnitClaim.PathFor(folder.Directory, unit.Key)), processStart)}); not starting a second writer.");
        if (folder.IsFinished(unit.Key))
            return UnitWorkerResult.AlreadyDone;   // finished between the check and the claim
        using var heartbeat = UnitHeartbeat.Start(folder, unit.Key, options.RestartCount, slurmJobId, stepDelayMs);
        TeacherLogitCache? cache = teacher is not null && unit.TrainingMethod.LogitUse(config) == TeacherLogitUse.Cached
            ? new TeacherLogitCache(CachePath(teacher, data, teacherHash!), teacher, data.Train.Count, config.Kd.TopK) : null;
        int checkpointStep = ResumeState.SavedStep(folder.ResumeDirectory(unit.Key)) ?? 0;
        if (checkpointStep > 0) heartbeat.Resumed(checkpointStep);
        var relay = new SweepRunner(config, configJson, options, new HeartbeatObserver(heartbeat, observer)) { EvaluatorFactory = EvaluatorFactory };
        var retries = config.Run?.Retries ?? new Config.RunSpec().Retries;
        try
        {
            observer?.UnitStarted(unit, 1, 1);
            var synthetic = unit.TrainingMethod.TrainsOnSyntheticCorpus ? LoadOrGenerateSynthetic(teacher!, data, teacherHash!) : null;
            var (row, record) = UnitRetry.Run(unit, retries, attempt =>
            {
                if (attempt > 0) observer?.Status($"unit {unit.Key}: retry {attempt} of {retries} from its last checkpoint (attempt {attempt + 1} of {retries + 1})");
                return relay.RunUnit(unit, resources, cache, synthetic, cancellation);
            }, cancellation);
            if (record is { Exhausted: true })
            {
                row = row with { RestartCount = options.RestartCount };
                folder.WriteUnit(row, [], []);   // keeps resume/: a later run retries from the last checkpoint
            }
            if (row.Status != RunRowStatus.Ok) claim.ReleaseFailed();
            heartbeat.Finish(row.Status == RunRowStatus.Ok ? "done" : "failed", $"finished: {row.Status.OnDisk()} {row.FailureReason}".TrimEnd(),
                r => record is null ? r : r with { Failures = record.Errors.Count, LastFailure = record.Errors[^1] });
            observer?.UnitFinished(unit, row, false);
            return UnitWorkerResult.Finished;
        }
        catch (TrainingInterruptedException e)
        {
            var signal = interruptSignal?.Invoke() ?? "cancel";
            heartbeat.Finish("preempted", $"{signal}: checkpointed at step {e.Step}", r => r with { InterruptSignal = signal, CheckpointStep = e.Step, Step = e.Step });
            return UnitWorkerResult.Interrupted;
        }
        finally
        {
            cache?.Dispose();
        }
    }

    /// <summary>Collects: runs.csv / curves.csv / evals.csv from the unit files and the finished manifest; lists failed and missing units.</summary>
    public FinalizeOutcome Finalize()
    {
        var data = PrepareData();
        // The teacher's identity (hash → unit keys, info → manifest) is enough here; the model itself is loaded (and
        // checked) only to open the logit cache for its statistics.
        var teacherPath = teachers.CheckpointPath;
        bool needModel = teacherPath is null || TeacherNeedsTraining || UsesLogitCache;
        using var loaded = needModel ? LoadTeacher(data) : teachers.Identify();
        var (teacher, teacherInfo, teacherHash, _) = loaded;
        var units = Units(data, teacherHash);
        var folder = new RunFolder(RunDirectory);
        Directory.CreateDirectory(folder.Directory);
        folder.RewriteTables(units.Select(u => u.Key).ToList());
        TeacherLogitCache? cache = null;
        if (teacher is not null && UsesLogitCache && File.Exists(CachePath(teacher, data, teacherHash!)))
            cache = new TeacherLogitCache(CachePath(teacher, data, teacherHash!), teacher, data.Train.Count, config.Kd.TopK);
        using (cache)
            WriteManifest(folder, data, teacherInfo, teacherHash, teacherPath, TaskVersions(data), finished: true, cache);
        RunPlan.Write(folder.Directory, units);
        var failed = units.Where(u => folder.HasRow(u.Key)).Select(u => folder.ReadUnitRow(u.Key)).Where(r => r.Status != RunRowStatus.Ok).ToList();
        var missing = units.Where(u => !folder.HasRow(u.Key)).ToList();
        return new FinalizeOutcome(folder.Directory, units, failed, missing);
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
    }
}
