using System.Text.Json.Serialization;
using CsvHelper.Configuration.Attributes;

namespace Harness.Results;

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
