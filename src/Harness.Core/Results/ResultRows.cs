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
    public const string FitsFile = "fits.json";
    public const string SummaryFile = "summary.json";

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
    [Name("n_layer")] public int Layers { get; init; }
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
    [Name("val_bpb")] public double ValBitsPerByte { get; init; }
    /// <summary>ok | failed.</summary>
    [Name("status")] public string Status { get; init; } = "";
    [Name("failure_reason")] public string FailureReason { get; init; } = "";
    [Name("wall_seconds")] public double WallSeconds { get; init; }
    [Name("tokens_per_second")] public double TokensPerSecond { get; init; }
    /// <summary>Seconds spent on benchmark evaluation for this unit (curve subsets + final), outside <see cref="WallSeconds"/>.</summary>
    [Name("eval_seconds"), Optional] public double EvalSeconds { get; init; }
    [Name("device")] public string Device { get; init; } = "";
    [Name("threads")] public int Threads { get; init; }
}

/// <summary>One row per unit per evaluation step in curves.csv; every row is a capability-vs-compute point.</summary>
public sealed record CurveRow
{
    [Name("schema_version")] public int SchemaVersion { get; init; } = ResultSchema.Version;
    [Name("unit_key")] public string UnitKey { get; init; } = "";
    [Name("method")] public string Method { get; init; } = "";
    [Name("student")] public string Student { get; init; } = "";
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
    [Name("val_bpb")] public double ValBitsPerByte { get; init; }
    /// <summary>True for the unit's last evaluation (its final point).</summary>
    [Name("is_final")] public bool IsFinal { get; init; }
}

/// <summary>One row per unit × evaluation step × task × metric in evals.csv.</summary>
public sealed record EvalRow
{
    [Name("schema_version")] public int SchemaVersion { get; init; } = ResultSchema.Version;
    /// <summary>Unit key, or "teacher" for the teacher's own scores.</summary>
    [Name("unit_key")] public string UnitKey { get; init; } = "";
    [Name("method")] public string Method { get; init; } = "";
    [Name("step")] public int Step { get; init; }
    [Name("tokens")] public long Tokens { get; init; }
    [Name("is_final")] public bool IsFinal { get; init; }
    [Name("task")] public string Task { get; init; } = "";
    [Name("task_version")] public int TaskVersion { get; init; }
    /// <summary>acc | acc_norm | exact_match | ...</summary>
    [Name("metric")] public string Metric { get; init; } = "";
    [Name("value")] public double Value { get; init; }
    /// <summary>Bootstrap standard error of <see cref="Value"/>.</summary>
    [Name("stderr")] public double StdErr { get; init; }
    [Name("n_items")] public int Items { get; init; }
    /// <summary>Score of a uniform random guesser (NaN when not defined).</summary>
    [Name("chance")] public double Chance { get; init; }
    [Name("higher_is_better")] public bool HigherIsBetter { get; init; }
    /// <summary>True when scored on the cheap subset used along the training curve.</summary>
    [Name("subset")] public bool Subset { get; init; }
}
