using System.Diagnostics;
using System.Text.Json;
using Harness.Config;
using Harness.Data;
using Harness.Distillation;
using Harness.Evaluation;
using Harness.Distillation.Methods;
using Harness.Modeling;
using Harness.Results;
using Harness.Training;
using TorchSharp;
using Harness.Data.Mixes;
using Harness.IO;

namespace Harness.Sweep;

/// <summary>
/// Runs an experiment: data → teacher → every unit (student × budget × method × seed), each trained, evaluated and
/// written atomically; finished units are skipped on re-run and an interrupted unit resumes from its last checkpoint.
/// </summary>
public sealed partial class SweepRunner
{
    readonly ExperimentConfig config;
    readonly SweepOptions options;
    readonly ISweepObserver? observer;
    readonly TeacherProvider teachers;
    readonly UnitExecution execution;

    public SweepRunner(ExperimentConfig config, SweepOptions options, ISweepObserver? observer = null)
    {
        this.config = config;
        this.options = options;
        this.observer = observer;
        teachers = new TeacherProvider(config.Teacher, options.RepositoryRoot, options.Device, observer);
        execution = new UnitExecution(config, options, new UnitJob(config, options), observer);
    }

    /// <summary>Hash of everything in the config that can change results (tracking output and the `run` fault-handling
    /// section are left out).</summary>
    public string ConfigHash => SweepPlan.Hash(config with { Tracking = null, Run = null });
    public string RunDirectory => PathNames.Child(options.ResultsRoot ?? Path.Combine(options.RepositoryRoot, "results"), config.Name, ConfigHash);

    /// <summary>Optional benchmark hook, installed by the caller (Evaluation stage).</summary>
    public Func<PreparedData, UnitEvaluator>? EvaluatorFactory { get; init; }

    public PreparedData PrepareData() =>
        TrainingMixBuilder.Prepare(config.Data, options.RepositoryRoot, new CallbackProgress<string>(s => observer?.Status(s)));

    /// <summary>True when the teacher checkpoint is missing and <see cref="LoadTeacher"/> would train it first.</summary>
    public bool TeacherNeedsTraining => teachers.NeedsTraining;

    /// <summary>The experiment's teacher (<see cref="TeacherProvider"/>): trained first when missing, then checked.</summary>
    public LoadedTeacher LoadTeacher(PreparedData data) => teachers.Load(data);

    /// <summary>Data, the teacher (trained when missing) and this process's units, checked by the preflight.
    /// The caller disposes the teacher.</summary>
    (PreparedData Data, LoadedTeacher Teacher, IReadOnlyList<SweepUnit> Units) PrepareCheckedUnits()
    {
        var data = PrepareData();
        var loaded = LoadTeacher(data);
        try
        {
            var units = Units(data, loaded.Hash);
            SweepPreflight.ThrowIfProblems(config, units, data, loaded.Info, options.Device);
            return (data, loaded, units);
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    /// <summary>The teacher's benchmark scores (teacher-evals.json, student "teacher"), unless a run already wrote them;
    /// one method for the in-process and the worker paths, so both write the same rows.</summary>
    void EvaluateTeacherOnce(RunFolder folder, UnitEvaluator evaluator, Gpt teacher, CheckpointInfo teacherInfo)
    {
        if (File.Exists(folder.Layout.TeacherEvals)) return;
        observer?.Status("evaluating the teacher on the benchmark tasks");
        folder.WriteTeacherEvals(evaluator(teacher, ResultSchema.TeacherUnitKey, ResultSchema.TeacherUnitKey, EvaluationPoint.Final(0, teacherInfo.TrainingTokens))
            .Select(r => r with { Student = ResultSchema.TeacherUnitKey }).ToList());
    }

    /// <summary>The run folder, with temp files of killed runs (here and in the shared caches) removed.</summary>
    void CreateRunFolder(RunFolder folder)
    {
        Directory.CreateDirectory(folder.Directory);
        int removed = folder.RemoveStaleTemps() + TempFiles.RemoveStale(Path.Combine(options.RepositoryRoot, ".cache"));
        if (removed > 0) observer?.Status($"removed {removed} temp file(s) left by killed runs");
    }

    public IReadOnlyList<SweepUnit> Units(PreparedData data, string? teacherHash) =>
        SweepPlan.Only(SweepPlan.Shard(SweepPlan.Expand(config, data.VocabSize, data.CorpusHash + data.TokenizerHash, teacherHash), options.Shard), options.Only);

    public SweepOutcome Run(CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var processStart = DateTime.UtcNow;
        var (data, loaded, units) = PrepareCheckedUnits();
        using var _ = loaded;
        var (teacher, teacherInfo, teacherHash, teacherPath) = loaded;
        var folder = new RunFolder(RunDirectory);
        if (!options.ForceReport && units.All(u => folder.IsFinished(u.Key)) && ManifestFinished(folder))
            return new SweepOutcome(folder.Directory, units, 0, units.Count, units.Count(u => folder.ReadUnitRow(u.Key).Status != RunRowStatus.Ok), clock.Elapsed.TotalSeconds, null) { AlreadyComplete = true };
        observer?.SweepPlanned(units, units.Where(u => folder.IsFinished(u.Key)).Select(u => u.Key).ToHashSet(),
            SweepCost.Flops(units, config, teacher is null ? 0 : ModelMath.ForwardFlopsPerToken(teacher.Config)));
        CreateRunFolder(folder);
        var taskVersions = TaskVersions(data);
        WriteManifest(folder, data, teacherInfo, teacherHash, teacherPath, taskVersions, finished: false);
        var byteLengths = TokenByteLengths.For(data.TokenizerPath, data.Tokenizer, data.VocabSize);
        var evaluator = EvaluatorFactory?.Invoke(data);
        var resources = new SweepResources(data, byteLengths, loaded, folder, evaluator);
        if (teacher is not null && evaluator is not null && !File.Exists(folder.Layout.TeacherEvals))
        {
            using var claim = UnitClaim.TryAcquire(folder.Directory, "teacher-evals", processStart);
            if (claim is not null) EvaluateTeacherOnce(folder, evaluator, teacher, teacherInfo!);
        }

        // The in-process executor: every unit here, in plan order, through the one unit policy (UnitExecution).
        var worker = new WorkerContext(processStart, null, null);
        using var signals = new TeacherSignals(config, options, loaded, data, observer);
        var attempts = new List<UnitAttemptRecord>();
        int ran = 0, skipped = 0, doneElsewhere = 0;
        var ranHere = new HashSet<string>();
        var keys = units.Select(u => u.Key).ToList();
        // Opened before the first unit (its statistics go into the manifest) when an unfinished unit reads it.
        if (teacher is not null && units.Any(u => u.TrainingMethod.LogitUse(config) == TeacherLogitUse.Cached && !folder.IsFinished(u.Key)))
            signals.Cache();
        var pending = units.Select((u, i) => (Unit: u, Position: i + 1)).ToList();
        // Pass 1 trains every unit nobody else holds; later passes wait for units other processes hold, and take
        // over any whose process died, until every unit has a row.
        for (int pass = 0; pending.Count > 0; pass++)
        {
            var busy = new List<(SweepUnit Unit, int Position)>();
            foreach (var (unit, position) in pending)
            {
                cancellation.ThrowIfCancellationRequested();
                if (folder.IsFinished(unit.Key))
                {
                    if (pass == 0) skipped++; else doneElsewhere++;
                    UnitClaim.RemoveIfDead(folder.Directory, unit.Key, processStart);
                    observer?.UnitFinished(unit, folder.ReadUnitRow(unit.Key), true);
                    continue;
                }
                if (TrunkInProgress(unit, folder, processStart, busy))
                {
                    // Its trunk is being trained (by another process, or it waits on one): wait for it like a
                    // busy unit, never record the branch as failed (issue 24, concurrent WSD runs).
                    busy.Add((unit, position));
                    continue;
                }
                var outcome = execution.Execute(unit, position, units.Count, resources, signals, worker, cancellation);
                if (outcome.Attempts is { } record) attempts.Add(record);
                if (outcome.Status == UnitExecutionStatus.Busy) { busy.Add((unit, position)); continue; }
                if (outcome.Status != UnitExecutionStatus.Trained) { doneElsewhere++; continue; }   // finished meanwhile, or failed in another process of this run
                ran++;
                ranHere.Add(unit.Key);
                folder.RewriteTables(keys);   // after the claim is released: a kill here leaves no claim behind
                observer?.UnitFinished(unit, outcome.Row!, false);
            }
            pending = busy;
            if (pending.Count > 0)
            {
                if (pass == 0) observer?.Status($"{pending.Count} unit(s) are being trained by other processes; waiting for them (a dead process's units are taken over)");
                cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(pass == 0 ? 0.5 : 2));
            }
        }
        var cache = signals.OpenCache;
        // The tables and the manifest are one set: room for all of them is checked before the first is replaced.
        folder.RewriteTables(keys, alsoWriting: ManifestReserve(folder));
        var failedUnits = units.Select(u => folder.TryReadRow(u.Key)).Where(r => r is not null && r.Status != RunRowStatus.Ok).Select(r => (r!.UnitKey, r.FailureReason)).ToList();
        bool complete = units.All(u => folder.HasRow(u.Key));
        WriteManifest(folder, data, teacherInfo, teacherHash, teacherPath, taskVersions, finished: complete, cache,
            ComputeTotals.From(units.Where(u => folder.IsFinished(u.Key)).Select(u => folder.ReadUnitRow(u.Key)).ToList()));
        return new SweepOutcome(folder.Directory, units, ran, skipped, failedUnits.Count, clock.Elapsed.TotalSeconds, cache)
        {
            Retried = attempts, FailedUnits = failedUnits, DoneElsewhere = doneElsewhere, Complete = complete,
            ShouldEstimate = complete && string.IsNullOrEmpty(options.Shard) && (ranHere.Count == 0 ? doneElsewhere == 0 : ranHere.Contains(NewestRow(folder, keys))),
        };
    }

    /// <summary>
    /// A WSD branch whose trunk has no row yet while the trunk waits in this pass (<paramref name="busy"/>) or is claimed
    /// by a live process: the branch cannot start, and it has not failed either.  A trunk with a row (ok or failed), or one
    /// nobody is training, lets the branch go ahead (it then runs, or records why it cannot).
    /// </summary>
    static bool TrunkInProgress(SweepUnit unit, RunFolder folder, DateTime processStart, List<(SweepUnit Unit, int Position)> busy)
    {
        if (unit.Role != UnitRole.Branch || unit.TrunkKey is not { } trunk || folder.HasRow(trunk)) return false;
        if (busy.Any(b => b.Unit.Key == trunk)) return true;
        var claim = UnitClaim.Read(UnitClaim.PathFor(folder.Directory, trunk));
        return claim is { State: "running" } && claim.Pid != Environment.ProcessId && UnitClaim.HeldBy(claim, processStart) is not null;
    }

    /// <summary>The unit whose row was written last: the process that wrote it runs the estimator (concurrent runs).</summary>
    static string NewestRow(RunFolder folder, IReadOnlyList<string> keys) =>
        keys.MaxBy(k => File.GetLastWriteTimeUtc(folder.Layout.Unit(k).Row))!;

    /// <summary>{task: version} of the configured benchmark tasks: `compare` treats a difference as breaking.</summary>
    IReadOnlyDictionary<string, int> TaskVersions(PreparedData data)
    {
        var versions = new SortedDictionary<string, int>(StringComparer.Ordinal);
        if (EvaluatorFactory is null || config.Evaluation.Tasks.Equals("none", StringComparison.OrdinalIgnoreCase)) return versions;
        foreach (var task in Evaluation.TaskRegistry.Parse(config.Evaluation.Tasks, data.Split.Validation.Select(d => d.Text).ToList(),
                                                            standard: Evaluation.EvaluationOptions.Standard(config.Evaluation)))
            versions[task.Name] = task.Version;
        return versions;
    }

    /// <summary>The manifest is closed and the run's multipliers and report exist (a kill during estimate or report
    /// leaves them missing: the next run then writes them).</summary>
    static bool ManifestFinished(RunFolder folder) =>
        File.Exists(folder.Layout.Multipliers) && File.Exists(folder.Layout.ReportHtml)
        && RunManifestFile.IsFinished(folder.Directory);

    /// <summary>"cuda:N" or "cpu", as rows and the manifest record it.</summary>
    internal static string DeviceName(torch.Device device) => device.type == DeviceType.CUDA ? $"cuda:{device.index}" : "cpu";

    void WriteManifest(RunFolder folder, PreparedData data, CheckpointInfo? teacherInfo, string? teacherHash, string? teacherPath, IReadOnlyDictionary<string, int> taskVersions, bool finished,
                       TeacherLogitCache? cache = null, ComputeTotals? compute = null)
    {
        using var tableLock = folder.LockTables();
        var existing = RunManifestFile.Read(folder.Directory);
        RunManifestFile.Write(folder.Directory, new RunManifest
        {
            SchemaVersion = ResultSchema.Version,
            Experiment = config.Name,
            ConfigHash = ConfigHash,
            Config = JsonSerializer.Deserialize<JsonElement>(JsonConfigReader.Serialize(config)),
            GitCommit = GitCommit(options.RepositoryRoot),
            Versions = new SoftwareVersions
            {
                Harness = typeof(SweepRunner).Assembly.GetName().Version?.ToString(3),
                Torchsharp = typeof(torch).Assembly.GetName().Version?.ToString(),
                // TorchSharp's libtorch package version ("2.10.0.0"), written as libtorch names its releases ("2.10.0").
                Libtorch = Version.TryParse(torch.__version__, out var libtorch) ? libtorch.ToString(3) : torch.__version__,
                Dotnet = Environment.Version.ToString(),
            },
            Device = DeviceName(options.Device),
            Threads = torch.get_num_threads(),
            CorpusHash = data.CorpusHash,
            TokenizerHash = data.TokenizerHash,
            Tokenizer = new TokenizerSummary { Kind = data.TokenizerSpec.Kind, VocabSize = data.VocabSize },
            SplitTokens = new SplitTokenCounts { Train = data.Train.Count, Validation = data.Validation.Count, Test = data.Test.Count },
            Teacher = teacherInfo is null ? null : new TeacherProvenance
            {
                Path = Path.GetRelativePath(options.RepositoryRoot, teacherPath!), Hash = teacherHash,
                Params = ModelMath.TotalParams(teacherInfo.Model), ParamsNonEmbedding = ModelMath.NonEmbeddingParams(teacherInfo.Model),
                Flops = teacherInfo.TrainingFlops, Tokens = teacherInfo.TrainingTokens, ValLoss = teacherInfo.FinalValLoss,
                ValBpb = teacherInfo.FinalValBitsPerByte,
                Model = JsonSerializer.Deserialize<JsonElement>(JsonConfigReader.Serialize(teacherInfo.Model)),
            },
            // A rerun never loses a field (issue 24): what this write does not know (no cache opened, compute not yet
            // totalled, not finished yet) keeps the value the last complete write recorded.
            TeacherLogitCache = cache is null ? existing?.TeacherLogitCache : new TeacherLogitCacheSummary
            {
                TopK = cache.TopK, BytesPerToken = cache.BytesPerToken, WindowsFilled = cache.FilledWindows,
                WindowsTotal = cache.Windows, BuildFlopsThisProcess = cache.BuildFlops,
            },
            Schedule = config.Training.ScheduleShape,
            Compute = compute?.ToManifest() ?? existing?.Compute,
            TaskVersions = taskVersions,
            TrainStreamHash = data.TrainStreamHash,
            FlopFormula = ModelMath.Formula,
            StartedUtc = existing?.StartedUtc ?? DateTime.UtcNow.ToString("O"),
            FinishedUtc = finished ? DateTime.UtcNow.ToString("O") : existing?.FinishedUtc,
            Shard = options.Shard,
            Only = options.Only,
            Overrides = options.Overrides,
        });
    }

    static string GitCommit(string root) => Provenance.GitCommit(root);

    /// <summary>Bytes to keep free for the manifest written after the tables: its current size twice, at least 64 KiB.</summary>
    static long ManifestReserve(RunFolder folder)
    {
        var path = folder.Layout.Manifest;
        return Math.Max(64 << 10, File.Exists(path) ? 2 * new FileInfo(path).Length : 0);
    }

}
