using Harness.Distillation;
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
/// arrays): <see cref="Prepare"/> once, <see cref="OpenWorker"/> in each worker process (which then trains one launch
/// after another, writing only their units/KEY/ folders), <see cref="Finalize"/> once at the end (tables and manifest
/// from the unit files).
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
        using var signals = new TeacherSignals(config, options, loaded, data, observer);
        if (teacher is not null && units.Any(u => u.TrainingMethod.TrainsOnSyntheticCorpus))
            signals.Synthetic(cancellation);
        if (teacher is not null && fillCache && TeacherSignals.UsedBy(config))
            FillCache(signals.Cache()!, data, teacher.Config.ContextLength, cancellation);
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
    /// Trains the one unit with expanded index <paramref name="unitIndex"/> (its Slurm array index) in this process
    /// (<see cref="UnitWorker.Run"/>).
    /// </summary>
    public UnitWorkerResult RunSingleUnit(int unitIndex, string? slurmJobId = null, Func<string>? interruptSignal = null, CancellationToken cancellation = default)
    {
        using var worker = OpenWorker(slurmJobId, interruptSignal);
        return worker.Run([unitIndex], cancellation, (_, _) => { });
    }

    /// <summary>
    /// A worker of this sweep in this process: data, teacher, byte lengths, the evaluator and the teacher signals are
    /// prepared now, once, and shared by every unit it then trains (<see cref="UnitWorker.Run"/>, one launch after
    /// another).  The caller disposes it (the teacher and the logit cache).
    /// </summary>
    public UnitWorker OpenWorker(string? slurmJobId = null, Func<string>? interruptSignal = null)
    {
        var processStart = DateTime.UtcNow;
        var data = PrepareData();
        var loaded = LoadTeacher(data);
        try
        {
            var units = Units(data, loaded.Hash);
            var folder = new RunFolder(RunDirectory);
            var byteLengths = TokenByteLengths.For(data.TokenizerPath, data.Tokenizer, data.VocabSize);
            var resources = new SweepResources(data, byteLengths, loaded, folder, EvaluatorFactory?.Invoke(data));
            return new UnitWorker(units, resources, new TeacherSignals(config, options, loaded, data, observer), execution,
                new WorkerContext(processStart, slurmJobId, interruptSignal), observer);
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    /// <summary>Collects: runs.csv / curves.csv / evals.csv from the unit files and the finished manifest; lists failed and missing units.</summary>
    public FinalizeOutcome Finalize()
    {
        var data = PrepareData();
        // The teacher's identity (hash → unit keys, info → manifest) is enough here; the model itself is loaded (and
        // checked) only to open the logit cache for its statistics.
        var teacherPath = teachers.CheckpointPath;
        bool usesCache = TeacherSignals.UsedBy(config);
        bool needModel = teacherPath is null || TeacherNeedsTraining || usesCache;
        using var loaded = needModel ? LoadTeacher(data) : teachers.Identify();
        var (teacher, teacherInfo, teacherHash, _) = loaded;
        var units = Units(data, teacherHash);
        var folder = new RunFolder(RunDirectory);
        Directory.CreateDirectory(folder.Directory);
        folder.RewriteTables(units.Select(u => u.Key).ToList());
        using var signals = new TeacherSignals(config, options, loaded, data, observer);
        var cache = teacher is not null && usesCache && File.Exists(TeacherSignals.CachePath(config, options, teacher, data, teacherHash!)) ? signals.Cache() : null;
        WriteManifest(folder, data, teacherInfo, teacherHash, teacherPath, TaskVersions(data), finished: true, cache);
        RunPlan.Write(folder.Directory, units);
        var failed = units.Where(u => folder.HasRow(u.Key)).Select(u => folder.ReadUnitRow(u.Key)).Where(r => r.Status != RunRowStatus.Ok).ToList();
        var missing = units.Where(u => !folder.HasRow(u.Key)).ToList();
        return new FinalizeOutcome(folder.Directory, units, failed, missing);
    }
}
