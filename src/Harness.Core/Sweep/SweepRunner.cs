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
    readonly string configJson;
    readonly SweepOptions options;
    readonly ISweepObserver? observer;
    readonly TeacherProvider teachers;
    readonly SyntheticCorpusCache syntheticCorpora;

    public SweepRunner(ExperimentConfig config, string configJson, SweepOptions options, ISweepObserver? observer = null)
    {
        this.config = config;
        this.configJson = configJson;
        this.options = options;
        this.observer = observer;
        teachers = new TeacherProvider(config.Teacher, options.RepositoryRoot, options.Device, observer);
        syntheticCorpora = new SyntheticCorpusCache(Path.Combine(options.RepositoryRoot, ".cache"));
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
        if (File.Exists(Path.Combine(folder.Directory, ResultSchema.TeacherEvalsFile))) return;
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
        if (teacher is not null && evaluator is not null && !File.Exists(Path.Combine(folder.Directory, ResultSchema.TeacherEvalsFile)))
        {
            using var claim = UnitClaim.TryAcquire(folder.Directory, "teacher-evals", processStart);
            if (claim is not null) EvaluateTeacherOnce(folder, evaluator, teacher, teacherInfo!);
        }

        TeacherLogitCache? cache = null;
        SyntheticCorpus.Result? synthetic = null;
        var retries = config.Run?.Retries ?? new RunSpec().Retries;
        var attempts = new List<UnitAttemptRecord>();
        int ran = 0, skipped = 0, doneElsewhere = 0;
        var ranHere = new HashSet<string>();
        var keys = units.Select(u => u.Key).ToList();
        try
        {
            if (teacher is not null && units.Any(u => u.TrainingMethod.LogitUse(config) == TeacherLogitUse.Cached && !folder.IsFinished(u.Key)))
            {
                // Keyed by the full training-stream hash (corpus, split, tokenizer, data mix), the teacher and the layout.
                cache = new TeacherLogitCache(CachePath(teacher, data, teacherHash!), teacher, data.Train.Count, config.Kd.TopK);
            }
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
                    var outcome = TrainClaimed(unit, position, units.Count, processStart, folder, () =>
                    {
                        if (unit.TrainingMethod.TrainsOnSyntheticCorpus && synthetic is null)
                            synthetic = LoadOrGenerateSynthetic(teacher!, data, teacherHash!);
                        var (row, record) = UnitRetry.Run(unit, retries, attempt =>
                        {
                            if (attempt > 0) observer?.Status($"unit {unit.Key}: retry {attempt} of {retries} from its last checkpoint");
                            return RunUnit(unit, resources, cache, synthetic, cancellation);
                        }, cancellation);
                        if (record is not null) attempts.Add(record);
                        if (record is { Exhausted: true }) folder.WriteUnit(row, [], []);   // keeps resume/: the next run retries from the last checkpoint
                        return row;
                    });
                    if (outcome.Busy) { busy.Add((unit, position)); continue; }
                    if (outcome.Row is not { } row) { doneElsewhere++; continue; }
                    ran++;
                    ranHere.Add(unit.Key);
                    folder.RewriteTables(keys);   // after the claim is released: a kill here leaves no claim behind
                    observer?.UnitFinished(unit, row, false);
                }
                pending = busy;
                if (pending.Count > 0)
                {
                    if (pass == 0) observer?.Status($"{pending.Count} unit(s) are being trained by other processes; waiting for them (a dead process's units are taken over)");
                    cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(pass == 0 ? 0.5 : 2));
                }
            }
        }
        finally
        {
            cache?.Dispose();
        }
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
    /// Claims a unit and trains it while the claim is held; the claim is released (deleted, or kept as "failed") as soon
    /// as the unit's files are written.  Busy: another live process holds it.  Row null: nothing to do here (finished
    /// meanwhile, or failed in another process of this run).
    /// </summary>
    (bool Busy, RunRow? Row) TrainClaimed(SweepUnit unit, int position, int count, DateTime processStart, RunFolder folder, Func<RunRow> train)
    {
        using var claim = UnitClaim.TryAcquire(folder.Directory, unit.Key, processStart);
        if (claim is null)
            return UnitClaim.Read(UnitClaim.PathFor(folder.Directory, unit.Key))?.State == "failed" ? (false, null) : (true, null);
        if (folder.IsFinished(unit.Key)) return (false, null);   // finished between our check and our claim
        observer?.UnitStarted(unit, position, count);
        var row = train();
        if (row.Status != RunRowStatus.Ok) claim.ReleaseFailed();   // other processes of this run leave it; the next run retries it
        return (false, row);
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
        keys.MaxBy(k => File.GetLastWriteTimeUtc(Path.Combine(folder.UnitDirectory(k), ResultSchema.UnitRowFile)))!;

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
        File.Exists(Path.Combine(folder.Directory, ResultSchema.MultipliersFile)) && File.Exists(Path.Combine(folder.Directory, ResultSchema.ReportFile))
        && RunManifestFile.IsFinished(folder.Directory);

    /// <summary>Trains one unit and writes its files; <paramref name="cache"/> and <paramref name="synthetic"/> are the
    /// teacher data its method may read (<see cref="IDistillationMethod"/>).</summary>
    RunRow RunUnit(SweepUnit unit, SweepResources resources, TeacherLogitCache? cache, SyntheticCorpus.Result? synthetic, CancellationToken cancellation)
    {
        var (data, byteLengths, loaded, folder, evaluator) = resources;
        var plan = UnitTrainingPlan.For(unit, config.Training, folder);
        var training = plan.Training;
        var method = unit.TrainingMethod;
        var inputs = new MethodInputs(config, data.VocabSize, data.Train.Tokens, loaded.Model, method.NeedsTeacher ? loaded.Info?.TrainingFlops ?? 0 : 0, cache, synthetic, unit.Seed);
        var stream = method.TrainingStream(inputs);
        var sampler = new BatchSampler(stream, training.BatchSize, unit.Model.ContextLength, unit.Seed, alignToContext: true);
        var objective = method.Objective(inputs);
        var accounting = new UnitAccounting(unit, method.Flops(inputs), sampler, training.GradAccum);
        var curve = new List<CurveRow>();
        var evals = new List<EvalRow>();
        torch.manual_seed(unit.Seed);
        using var student = StudentModel.Create(unit.Model, options.Device);
        var trainer = new Trainer(student, training, sampler,
            new LossEvaluator(data.Validation.Tokens, byteLengths, unit.Model.ContextLength, training.EvalTokens), objective, options.Device, plan.Schedule);

        EvalRow Identify(EvalRow r) => r with { Student = unit.Student, Budget = unit.Budget, Seed = unit.Seed };
        var trainLog = new List<TrainLogRow>();
        using var board = config.Tracking?.Tensorboard == true
            ? new TensorBoardLog(PathNames.Child(Path.Combine(folder.Directory, "tensorboard"), $"{unit.Method}-{unit.Student}-{unit.Budget}-seed{unit.Seed}")) : null;
        void Logged(TrainingProgress p)
        {
            board?.Training(p);
            trainLog.Add(new TrainLogRow
            {
                UnitKey = unit.Key, Method = unit.Method, Student = unit.Student, Budget = unit.Budget, Seed = unit.Seed,
                Step = p.Step, Tokens = p.Tokens, TrainLoss = p.Loss, TrainCe = p.CrossEntropy, LearningRate = p.LearningRate, TokensPerSecond = p.TokensPerSecond,
            });
            observer?.UnitProgress(p);
        }

        CurveRow Point(EvalPoint p)
        {
            var flops = accounting.At(p.Step, p.Tokens);
            return new CurveRow
            {
                UnitKey = unit.Key, Method = unit.Method, Student = unit.Student, Budget = unit.Budget, Seed = unit.Seed,
                ParamsNonEmbedding = ModelMath.NonEmbeddingParams(unit.Model), Step = p.Step, Tokens = p.Tokens,
                FlopsStudentTrain = flops.StudentTrain,
                FlopsTeacherInference = flops.TeacherInference,
                FlopsTeacherCacheShare = flops.TeacherCacheShare,
                FlopsSyntheticGeneration = flops.SyntheticGeneration,
                FlopsTeacherPretrain = flops.TeacherPretrain,
                ValLoss = p.ValLoss, ValBitsPerByte = p.ValBitsPerByte, IsFinal = plan.IsFinal(p),
            };
        }

        var clock = Stopwatch.StartNew();
        var evalClock = new Stopwatch();       // curve-subset scoring, inside the trainer's wall time
        var finalEvalClock = new Stopwatch();  // final scoring, after it
        TrainingResult? result = null;
        string failure = plan.Failure ?? "";
        try
        {
            if (plan.Failure is null)
            {
                if (ResumeState.SavedStep(folder.ResumeDirectory(unit.Key)) is { } resumeStep)
                    observer?.UnitResumed(unit, resumeStep);
                result = trainer.Run(folder.ResumeDirectory(unit.Key), new CallbackProgress<TrainingProgress>(Logged), point =>
                {
                    observer?.UnitEvaluated(unit, point);
                    board?.Validation(point);
                    bool curvePoint = point.Step / training.EvalInterval % config.Evaluation.CurveEvery == 0;
                    if (evaluator is not null && config.Evaluation.CurveSubset > 0 && !plan.IsFinal(point) && curvePoint)
                    {
                        evalClock.Start();
                        evals.AddRange(evaluator(student, unit.Key, unit.Method, EvaluationPoint.Curve(point.Step, point.Tokens)).Select(Identify));
                        evalClock.Stop();
                    }
                }, cancellation, plan.StartFrom, plan.Snapshots, new CurveEvalExtras(evals));
            }
        }
        catch (TrainingDivergedException e)
        {
            failure = e.Message;
        }
        if (result is not null)
        {
            curve.AddRange(result.Curve.Select(Point));
            if (evaluator is not null && unit.IsFinishedRun)
            {
                // Curve-subset scores from before a resume were restored from the checkpoint (CurveEvalExtras).
                finalEvalClock.Start();
                evals.AddRange(evaluator(student, unit.Key, unit.Method, EvaluationPoint.Final(result.Steps, result.Tokens)).Select(Identify));
                finalEvalClock.Stop();
            }
        }
        var last = curve.LastOrDefault();
        var row = new RunRow
        {
            UnitKey = unit.Key, Method = unit.Method, Student = unit.Student, Budget = unit.Budget, Seed = unit.Seed,
            Layers = unit.Model.Layers, DModel = unit.Model.DModel,
            ParamsTotal = ModelMath.TotalParams(unit.Model), ParamsNonEmbedding = ModelMath.NonEmbeddingParams(unit.Model),
            Tokens = result?.Tokens ?? 0,
            FlopsStudentTrain = last?.FlopsStudentTrain ?? 0, FlopsTeacherInference = last?.FlopsTeacherInference ?? 0,
            FlopsTeacherCacheShare = last?.FlopsTeacherCacheShare ?? 0, FlopsSyntheticGeneration = last?.FlopsSyntheticGeneration ?? 0,
            FlopsTeacherPretrain = accounting.TeacherPretrain,
            ValLoss = last?.ValLoss ?? double.NaN, ValBitsPerByte = last?.ValBitsPerByte ?? double.NaN,
            Status = result is null ? RunRowStatus.Failed : RunRowStatus.Ok, FailureReason = failure,
            WallSeconds = (result?.WallSeconds ?? clock.Elapsed.TotalSeconds) - (result is null ? 0 : evalClock.Elapsed.TotalSeconds),
            TokensPerSecond = result?.TokensPerSecond ?? 0, EvalSeconds = evalClock.Elapsed.TotalSeconds + finalEvalClock.Elapsed.TotalSeconds,
            Device = options.Device.type == DeviceType.CUDA ? $"cuda:{options.Device.index}" : "cpu", Threads = torch.get_num_threads(),
            RestartCount = options.RestartCount,
            UniqueTrainTokens = stream.Length,
            Epochs = stream.Length == 0 ? -1 : (double)(result?.Tokens ?? 0) / stream.Length,
        };
        row = plan.Describe(row, accounting.OnlineTeacherPerToken);
        if (result is not null && unit.IsFinishedRun)
        {
            // The student itself, so `harness eval` can score it later on other tasks.
            var modelDir = folder.ModelDirectory(unit.Key);
            data.CopyTokenizerTo(modelDir);
            Checkpoint.Save(student, modelDir, new CheckpointInfo
            {
                Model = unit.Model, TokenizerFile = data.TokenizerFileName, TokenizerKind = data.TokenizerSpec.Kind,
                CorpusHash = data.CorpusHash, TokenizerHash = data.TokenizerHash, TrainingTokens = result.Tokens, TrainingFlops = row.FlopsStudentTrain,
                FinalValLoss = row.ValLoss, FinalValBitsPerByte = row.ValBitsPerByte,
            });
        }
        // Training loss per logged step (rows from before a resume are not kept: they lived in the interrupted process).
        ResultTables.WriteAll(Path.Combine(folder.UnitDirectory(unit.Key), ResultSchema.TrainLogFile), trainLog);
        folder.WriteUnit(row, curve, evals);
        ResumeState.Clear(folder.ResumeDirectory(unit.Key));
        return row;
    }

    /// <summary>A unit's benchmark curve rows, saved inside each checkpoint so a resumed unit has all of them.</summary>
    sealed class CurveEvalExtras(List<EvalRow> evals) : IResumeExtras
    {
        const string File = "curve-evals.json";

        public void Write(string checkpointFolder) =>
            AtomicFile.WriteAllText(Path.Combine(checkpointFolder, File), JsonSerializer.Serialize(evals, HarnessJson.Options));

        public void Read(string checkpointFolder)
        {
            var path = Path.Combine(checkpointFolder, File);
            evals.Clear();
            if (System.IO.File.Exists(path))
                evals.AddRange(JsonSerializer.Deserialize<List<EvalRow>>(System.IO.File.ReadAllText(path), HarnessJson.Options)!);
        }
    }

    string CachePath(Gpt teacher, PreparedData data, string teacherHash)
    {
        // Keyed by the full training-stream hash (corpus, split, tokenizer, data mix), the teacher and the layout.
        var cacheKey = SweepPlan.Hash(new { teacherHash, stream = data.TrainStreamHash, k = config.Kd.TopK, t = teacher.Config.ContextLength, layout = TeacherLogitCache.LayoutVersion });
        return Path.Combine(options.RepositoryRoot, ".cache", "teacher-logits", $"{cacheKey}.bin");
    }

    SyntheticCorpus.Result LoadOrGenerateSynthetic(Gpt teacher, PreparedData data, string teacherHash) =>
        syntheticCorpora.LoadOrGenerate(teacher, data.Train.Tokens, new SyntheticCorpusCache.Request(config.SeqKd, teacherHash, data.TokenizerHash, data.TrainStreamHash),
            message => observer?.Status(message));

    /// <summary>True when some method of the experiment reads the teacher-logit cache.</summary>
    bool UsesLogitCache => config.Methods.Any(m => MethodRegistry.Get(m).LogitUse(config) == TeacherLogitUse.Cached);

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
                Libtorch = "2.10.0",
                Dotnet = Environment.Version.ToString(),
            },
            Device = options.Device.type == DeviceType.CUDA ? $"cuda:{options.Device.index}" : "cpu",
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
            FlopFormula = "train = 6·(N_nonembedding + V·d) + 12·L·T·d per token; forward = one third (Kaplan et al. 2020 Table 1; PaLM App. B)",
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
        var path = Path.Combine(folder.Directory, ResultSchema.ManifestFile);
        return Math.Max(64 << 10, File.Exists(path) ? 2 * new FileInfo(path).Length : 0);
    }

}
