using System.Text.Json.Serialization;
using CsvHelper.Configuration.Attributes;

namespace Harness.Results;

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

    /// <summary>This curve point with its five FLOP columns set from <paramref name="flops"/>.</summary>
    public CurveRow WithFlops(FlopBreakdown flops) => this with
    {
        FlopsStudentTrain = flops.StudentTrain, FlopsTeacherInference = flops.TeacherInference, FlopsTeacherCacheShare = flops.TeacherCacheShare,
        FlopsSyntheticGeneration = flops.SyntheticGeneration, FlopsTeacherPretrain = flops.TeacherPretrain,
    };
}
