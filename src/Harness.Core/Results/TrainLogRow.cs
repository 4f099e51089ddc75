using CsvHelper.Configuration.Attributes;

namespace Harness.Results;

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
