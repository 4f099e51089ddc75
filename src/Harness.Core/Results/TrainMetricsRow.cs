using CsvHelper.Configuration.Attributes;

namespace Harness.Results;

/// <summary>One row of a checkpoint's metrics.csv (validation curve) and test.csv (final test loss); same names as curves.csv.</summary>
public sealed record TrainMetricsRow
{
    [Name("schema_version")] public int SchemaVersion { get; init; } = ResultSchema.Version;
    [Name("step")] public int Step { get; init; }
    [Name("tokens")] public long Tokens { get; init; }
    [Name("flops_student_train")] public double Flops { get; init; }
    [Name("val_loss")] public double ValLoss { get; init; }
    [Name("val_bpb")] public double ValBitsPerByte { get; init; }
}
