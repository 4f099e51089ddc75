using System.Text.Json.Serialization;

namespace Harness.Results;

/// <summary>
/// One slope or crossover of summary.json (issue 23), the same numbers as its multipliers.csv row: a treatment (or the
/// placebo) × metric × accounting (× student for crossovers), the quantity (<see cref="MultiplierRow.Quantity"/>), its
/// value, 95% interval, and for slopes the p-value of slope = 0.
/// </summary>
public sealed record TrendHeadline
{
    public string Treatment { get; init; } = "";
    public string Metric { get; init; } = "";
    public string Accounting { get; init; } = "";
    public string Student { get; init; } = "*";
    public string Quantity { get; init; } = "";
    public double? Value { get; init; }
    [JsonConverter(typeof(OnDiskEnumJsonConverter<MultiplierBound>))] public MultiplierBound Bound { get; init; }
    public bool Extrapolated { get; init; }
    public double? Ci95Low { get; init; }
    public double? Ci95High { get; init; }
    public double? P { get; init; }
    public string Interval { get; init; } = "";
    public int Replicates { get; init; }
    public int FailedReplicates { get; init; }
    /// <summary>The failed replicates by class (multipliers.csv failed_reasons).</summary>
    public string FailedReasons { get; init; } = "";
    public string Note { get; init; } = "";
}

/// <summary>One headline of summary.json: a treatment × metric × estimand × accounting, with the placebo beside it.</summary>
public sealed record SummaryHeadline
{
    public string Treatment { get; init; } = "";
    public string Metric { get; init; } = "";
    public Estimand Estimand { get; init; }
    public string Accounting { get; init; } = "";
    public double? M { get; init; }
    public double? Ci95Low { get; init; }
    public double? Ci95High { get; init; }
    /// <summary>Property converter: see <see cref="MultiplierBound"/> for why.</summary>
    [JsonConverter(typeof(OnDiskEnumJsonConverter<MultiplierBound>))] public MultiplierBound Bound { get; init; }
    public MultiplierStatus Status { get; init; }
    public int Pairs { get; init; }
    public int PairsWon { get; init; }
    public int Censored { get; init; }
    public int Extrapolated { get; init; }
    public int Replicates { get; init; }
    public int FailedReplicates { get; init; }
    /// <summary>The failed replicates by class (multipliers.csv failed_reasons).</summary>
    public string FailedReasons { get; init; } = "";
    public double? Mde { get; init; }
    public double? PlaceboM { get; init; }
    public double? PlaceboCi95Low { get; init; }
    public double? PlaceboCi95High { get; init; }
    public string Note { get; init; } = "";
}

/// <summary>The placebo of one metric and estimand (scratch seed <see cref="TreatmentSeed"/> vs the other seeds' scratch runs).</summary>
public sealed record PlaceboResult
{
    public string Metric { get; init; } = "";
    public Estimand Estimand { get; init; }
    public string TreatmentSeed { get; init; } = "";
    public double? M { get; init; }
    public double? Ci95Low { get; init; }
    public double? Ci95High { get; init; }
    /// <summary>True when the interval excludes 1: the estimator finds an effect where there is none (a red warning).</summary>
    public bool ExcludesOne { get; init; }
    public MultiplierStatus Status { get; init; }
}

/// <summary>summary.json: the headline per treatment × metric × estimand × accounting, the placebo and the design's counts.</summary>
public sealed record EstimateSummary
{
    public int SchemaVersion { get; init; } = ResultSchema.SummaryVersion;
    public string Source { get; init; } = "";
    public string Baseline { get; init; } = "";
    public IReadOnlyList<string> Treatments { get; init; } = [];
    /// <summary>The metric the first sentence of a report quotes (val_loss when present).</summary>
    public string HeadlineMetric { get; init; } = "";
    public int Seeds { get; init; }
    public int Replicates { get; init; }
    /// <summary>False when intermediate checkpoints entered the fits (--all-checkpoints); the report says so.</summary>
    public bool FinishedRunsOnly { get; init; } = true;
    public int ExcludedFailedUnits { get; init; }
    public IReadOnlyList<SummaryHeadline> Headlines { get; init; } = [];
    public IReadOnlyList<PlaceboResult> Placebo { get; init; } = [];
    /// <summary>Every slope row of multipliers.csv (issue 23), the placebo's included.</summary>
    public IReadOnlyList<TrendHeadline> Slopes { get; init; } = [];
    /// <summary>Every crossover row of multipliers.csv (issue 23).</summary>
    public IReadOnlyList<TrendHeadline> Crossovers { get; init; } = [];
    /// <summary>One row per claim (issue 23, README "Claims"): the estimate that tests it, its interval, MDE and verdict.</summary>
    public IReadOnlyList<ClaimRow> Claims { get; init; } = [];
    public IReadOnlyList<string> Warnings { get; init; } = [];
    public IReadOnlyList<string> Notes { get; init; } = [];
}
