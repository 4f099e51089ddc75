using System.Text.Json.Serialization;
using CsvHelper.Configuration.Attributes;

namespace Harness.Results;

/// <summary>
/// Result-file schema.  Bump <see cref="ResultSchema.Version"/> when a column changes meaning; readers refuse files
/// whose version they do not know (see <see cref="ResultTables"/>).  Column meanings and units are listed in README
/// "Result files".  All FLOP counts are analytic (see Modeling/FlopCounter), in floating-point operations.
/// </summary>
public static class ResultSchema
{
    public const int Version = 1;
    /// <summary>Version of multipliers.csv, summary.json and fits.json (2: estimands, censoring, placebo; issue 12).</summary>
    public const int MultipliersVersion = 2;
    public const string RunsFile = "runs.csv";
    public const string CurvesFile = "curves.csv";
    public const string EvalsFile = "evals.csv";
    public const string ManifestFile = "manifest.json";
    public const string MultipliersFile = "multipliers.csv";
    /// <summary>The report a finished run ends with (written by Reporting).</summary>
    public const string ReportFile = "report.html";
    public const string FitsFile = "fits.json";
    /// <summary>Per unit (units/KEY/train_log.csv): the training objective at every logged step.</summary>
    public const string TrainLogFile = "train_log.csv";
    public const string SummaryFile = "summary.json";
    /// <summary>The teacher's own benchmark rows (<see cref="EvalRow"/> list, JSON), merged into evals.csv.</summary>
    public const string TeacherEvalsFile = "teacher-evals.json";
    /// <summary>Per unit (units/KEY/): its <see cref="RunRow"/>, <see cref="CurveRow"/> list and <see cref="EvalRow"/> list
    /// as JSON (same keys as the CSV columns), from which the CSVs are regenerated.</summary>
    public const string UnitRowFile = "row.json";
    public const string UnitCurveFile = "curve.json";
    public const string UnitEvalsFile = "evals.json";

    /// <summary>The schema version a row type is written with.</summary>
    public static int VersionOf(Type rowType) => rowType == typeof(MultiplierRow) ? MultipliersVersion : Version;

    /// <summary>Method name of the from-scratch baseline.</summary>
    public const string ScratchMethod = "scratch";
    /// <summary>Pseudo unit key under which the teacher's own evaluations are recorded.</summary>
    public const string TeacherUnitKey = "teacher";
}

/// <summary>One row per unit (teacher, student size, budget, method, seed) in runs.csv.</summary>
public sealed record RunRow
{
    [Name("schema_version")] public int SchemaVersion { get; init; } = ResultSchema.Version;
    /// <summary>Stable hash of everything that affects the unit's result.</summary>
    [Name("unit_key")] public string UnitKey { get; init; } = "";
    /// <summary>scratch | logit-kd | seq-kd | teacher.</summary>
    [Name("method")] public string Method { get; init; } = "";
    /// <summary>Student size preset name (e.g. "s1").</summary>
    [Name("student")] public string Student { get; init; } = "";
    [Name("budget")] public string Budget { get; init; } = "";
    [Name("seed")] public int Seed { get; init; }
    [Name("n_layer"), JsonPropertyName("n_layer")] public int Layers { get; init; }
    [Name("d_model")] public int DModel { get; init; }
    [Name("params_total")] public long ParamsTotal { get; init; }
    /// <summary>Parameters excluding token and position embeddings (Kaplan et al. 2020's N).</summary>
    [Name("params_non_embedding")] public long ParamsNonEmbedding { get; init; }
    /// <summary>Training tokens the student consumed.</summary>
    [Name("tokens")] public long Tokens { get; init; }
    /// <summary>Student forward+backward FLOPs over training.</summary>
    [Name("flops_student_train")] public double FlopsStudentTrain { get; init; }
    /// <summary>Teacher forward FLOPs spent online for this unit (0 when served from the logit cache).</summary>
    [Name("flops_teacher_inference")] public double FlopsTeacherInference { get; init; }
    /// <summary>This unit's share of the one-off teacher-logit-cache build: cache FLOPs × min(1, tokens read / tokens cached).</summary>
    [Name("flops_teacher_cache_share")] public double FlopsTeacherCacheShare { get; init; }
    /// <summary>This unit's share of the one-off synthetic-corpus generation (seq-kd), pro-rated the same way.</summary>
    [Name("flops_synthetic_generation")] public double FlopsSyntheticGeneration { get; init; }
    /// <summary>Teacher pre-training FLOPs (whole, not divided); 0 for methods that use no teacher.</summary>
    [Name("flops_teacher_pretrain")] public double FlopsTeacherPretrain { get; init; }
    /// <summary>Final validation loss, nats per token.</summary>
    [Name("val_loss")] public double ValLoss { get; init; }
    /// <summary>Final validation bits per UTF-8 byte (tokenizer-independent).</summary>
    [Name("val_bpb"), JsonPropertyName("val_bpb")] public double ValBitsPerByte { get; init; }
    /// <summary>ok | failed; a row nobody marked is failed (it never enters an estimate by accident).</summary>
    [Name("status"), TypeConverter(typeof(OnDiskEnumCsvConverter<RunRowStatus>))] public RunRowStatus Status { get; init; } = RunRowStatus.Failed;
    [Name("failure_reason")] public string FailureReason { get; init; } = "";
    [Name("wall_seconds")] public double WallSeconds { get; init; }
    [Name("tokens_per_second")] public double TokensPerSecond { get; init; }
    /// <summary>Seconds spent on benchmark evaluation for this unit (curve subsets + final), outside <see cref="WallSeconds"/>.</summary>
    [Name("eval_seconds"), Optional] public double EvalSeconds { get; init; }
    [Name("device")] public string Device { get; init; } = "";
    [Name("threads")] public int Threads { get; init; }

    // Design columns (README "Result files"); optional so files written before them read as cosine runs.
    /// <summary>Learning-rate schedule: cosine | wsd.</summary>
    [Name("schedule"), Optional, Default("cosine")] public string Schedule { get; init; } = "cosine";
    /// <summary>run (a whole cosine run) | trunk (a WSD constant-LR trunk) | branch (a WSD cooldown branch).</summary>
    [Name("role"), Optional, Default("run")] public string Role { get; init; } = "run";
    /// <summary>True when the row is a finished run of its budget (run, branch); false for a WSD trunk, whose last point
    /// is a constant-LR checkpoint, not a finished run.  Only finished runs are comparable across arms.</summary>
    [Name("is_final"), Optional, Default(true)] public bool IsFinal { get; init; } = true;
    /// <summary>Branch: unit key of the trunk it forked from; empty otherwise.</summary>
    [Name("trunk_key"), Optional, Default("")] public string TrunkKey { get; init; } = "";
    /// <summary>Branch: tokens at the fork (trained by the trunk and shared with the other branches); 0 otherwise.</summary>
    [Name("fork_tokens"), Optional, Default(0L)] public long ForkTokens { get; init; }
    /// <summary>Tokens this unit trained itself (a branch: its cooldown only).  The FLOP columns above describe the
    /// finished run (a branch: trunk share up to the fork + cooldown); Σ of the *_spent columns over runs.csv is the
    /// compute the sweep actually spent, each trunk counted once.</summary>
    [Name("tokens_spent"), Optional, Default(-1L)] public long TokensSpent { get; init; } = -1;
    [Name("flops_student_train_spent"), Optional, Default(-1.0)] public double FlopsStudentTrainSpent { get; init; } = -1;
    /// <summary>Online teacher forward FLOPs this unit spent itself (0 with the logit cache).</summary>
    [Name("flops_teacher_inference_spent"), Optional, Default(-1.0)] public double FlopsTeacherInferenceSpent { get; init; } = -1;
    /// <summary>How often the scheduler restarted this unit (Slurm's SLURM_RESTART_COUNT: requeues after preemption, time limits, retries); 0 when run locally.</summary>
    [Name("restart_count"), Optional] public int RestartCount { get; init; }
}

/// <summary>One row per unit per evaluation step in curves.csv; every row is a capability-vs-compute point.</summary>
public sealed record CurveRow
{
    [Name("schema_version")] public int SchemaVersion { get; init; } = ResultSchema.Version;
    [Name("unit_key")] public string UnitKey { get; init; } = "";
    [Name("method")] public string Method { get; init; } = "";
    [Name("student")] public string Student { get; init; } = "";
    /// <summary>The unit's budget name as in runs.csv ("trunk" for a WSD trunk), so a point names its (student, budget,
    /// seed, method) cell; absent in files written before it was added.</summary>
    [Name("budget"), Optional, Default("")] public string Budget { get; init; } = "";
    [Name("seed")] public int Seed { get; init; }
    [Name("params_non_embedding")] public long ParamsNonEmbedding { get; init; }
    [Name("step")] public int Step { get; init; }
    [Name("tokens")] public long Tokens { get; init; }
    /// <summary>Cumulative FLOP columns up to this step, same meanings as in <see cref="RunRow"/>.</summary>
    [Name("flops_student_train")] public double FlopsStudentTrain { get; init; }
    [Name("flops_teacher_inference")] public double FlopsTeacherInference { get; init; }
    [Name("flops_teacher_cache_share")] public double FlopsTeacherCacheShare { get; init; }
    [Name("flops_synthetic_generation")] public double FlopsSyntheticGeneration { get; init; }
    [Name("flops_teacher_pretrain")] public double FlopsTeacherPretrain { get; init; }
    [Name("val_loss")] public double ValLoss { get; init; }
    [Name("val_bpb"), JsonPropertyName("val_bpb")] public double ValBitsPerByte { get; init; }
    /// <summary>True for the last point of a finished run (cosine run, WSD branch); never on a WSD trunk's rows.</summary>
    [Name("is_final")] public bool IsFinal { get; init; }
}

/// <summary>One row per unit × evaluation step × task × metric in evals.csv.</summary>
public sealed record EvalRow
{
    [Name("schema_version")] public int SchemaVersion { get; init; } = ResultSchema.Version;
    /// <summary>Unit key, or "teacher" for the teacher's own scores.</summary>
    [Name("unit_key")] public string UnitKey { get; init; } = "";
    [Name("method")] public string Method { get; init; } = "";
    /// <summary>Identifying columns of the unit (as in runs.csv; "teacher" for the teacher's rows, empty for a bare checkpoint).</summary>
    [Name("student"), Optional] public string Student { get; init; } = "";
    [Name("budget"), Optional] public string Budget { get; init; } = "";
    [Name("seed"), Optional] public int Seed { get; init; }
    [Name("step")] public int Step { get; init; }
    [Name("tokens")] public long Tokens { get; init; }
    [Name("is_final")] public bool IsFinal { get; init; }
    [Name("task")] public string Task { get; init; } = "";
    [Name("task_version")] public int TaskVersion { get; init; }
    /// <summary>acc | acc_norm | exact_match | ...</summary>
    [Name("metric")] public string Metric { get; init; } = "";
    [Name("value")] public double Value { get; init; }
    /// <summary>Bootstrap standard error of <see cref="Value"/>.</summary>
    [Name("stderr"), JsonPropertyName("stderr")] public double StdErr { get; init; }
    [Name("n_items"), JsonPropertyName("n_items")] public int Items { get; init; }
    /// <summary>Score of a uniform random guesser (NaN when not defined).</summary>
    [Name("chance")] public double Chance { get; init; }
    [Name("higher_is_better")] public bool HigherIsBetter { get; init; }
    /// <summary>True when scored on the cheap subset used along the training curve.</summary>
    [Name("subset")] public bool Subset { get; init; }
}

/// <summary>One row per logged training step of a unit (units/KEY/train_log.csv; every <c>training.log_interval</c> steps).</summary>
public sealed record TrainLogRow
{
    [Name("schema_version")] public int SchemaVersion { get; init; } = ResultSchema.Version;
    [Name("unit_key")] public string UnitKey { get; init; } = "";
    [Name("method")] public string Method { get; init; } = "";
    [Name("student")] public string Student { get; init; } = "";
    [Name("budget")] public string Budget { get; init; } = "";
    [Name("seed")] public int Seed { get; init; }
    [Name("step")] public int Step { get; init; }
    [Name("tokens")] public long Tokens { get; init; }
    /// <summary>The training objective, mean over the log interval, nats/token (KD: α·CE + (1−α)·τ²·D).</summary>
    [Name("train_loss")] public double TrainLoss { get; init; }
    /// <summary>Its next-token cross-entropy part, nats/token (equals train_loss for scratch): comparable across methods.</summary>
    [Name("train_ce")] public double TrainCe { get; init; }
    [Name("learning_rate")] public double LearningRate { get; init; }
    [Name("tokens_per_second")] public double TokensPerSecond { get; init; }
}
