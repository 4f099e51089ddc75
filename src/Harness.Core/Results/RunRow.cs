using System.Text.Json.Serialization;
using CsvHelper.Configuration.Attributes;

namespace Harness.Results;

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
    /// <summary>Distinct tokens of the stream the unit trained on: the corpus train split (with any data mix), or for
    /// seq-KD the teacher's synthetic corpus; -1 in files written before this column.  <c>tokens</c> is the tokens seen.</summary>
    [Name("unique_train_tokens"), Optional, Default(-1L)] public long UniqueTrainTokens { get; init; } = -1;
    /// <summary>Passes over those tokens: tokens / unique_train_tokens (Muennighoff et al. 2023 put the useful limit
    /// near 4; see data.max_epochs); -1 when unknown.</summary>
    [Name("epochs"), Optional, Default(-1.0)] public double Epochs { get; init; } = -1;

    /// <summary>This run row with its five FLOP columns set from <paramref name="flops"/>.</summary>
    public RunRow WithFlops(FlopBreakdown flops) => this with
    {
        FlopsStudentTrain = flops.StudentTrain, FlopsTeacherInference = flops.TeacherInference, FlopsTeacherCacheShare = flops.TeacherCacheShare,
        FlopsSyntheticGeneration = flops.SyntheticGeneration, FlopsTeacherPretrain = flops.TeacherPretrain,
    };
}
