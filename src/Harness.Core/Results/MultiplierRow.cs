using System.Text.Json.Serialization;
using CsvHelper.Configuration.Attributes;

namespace Harness.Results;

/// <summary>
/// One row of multipliers.csv, the only definition: the estimator writes it, the report and compare read it
/// (<see cref="ResultTables"/>).  M &gt; 1: the treatment reaches the same result with less compute.  Accounting scenarios:
/// Estimation/AccountingScenario.cs.  Empty numbers are null.
/// </summary>
public sealed record MultiplierRow
{
    [Name("schema_version")] public int SchemaVersion { get; init; } = ResultSchema.MultipliersVersion;
    /// <summary><see cref="MultiplierKind"/>.</summary>
    [Name("kind"), TypeConverter(typeof(OnDiskEnumCsvConverter<MultiplierKind>))] public MultiplierKind Kind { get; init; } = MultiplierKind.Summary;
    [Name("estimand"), TypeConverter(typeof(OnDiskEnumCsvConverter<Estimand>))] public Estimand Estimand { get; init; }
    [Name("treatment")] public string Treatment { get; init; } = "";
    [Name("metric")] public string Metric { get; init; } = "";
    [Name("accounting")] public string Accounting { get; init; } = "";
    /// <summary>Student size name; "*" for rows over sizes.</summary>
    [Name("student")] public string Student { get; init; } = "*";
    [Name("budget")] public string Budget { get; init; } = "*";
    [Name("seed")] public string Seed { get; init; } = "*";
    /// <summary>Non-embedding parameters of the row's size (cell, by_student).</summary>
    [Name("params")] public double? Params { get; init; }
    /// <summary>The treatment's value (cell) or the grid value y (curve).</summary>
    [Name("y")] public double? Y { get; init; }
    /// <summary>Treatment tokens (cell).</summary>
    [Name("tokens")] public double? Tokens { get; init; }
    /// <summary>Treatment compute under the row's accounting (cell: the run's; curve: C*_treatment(y)).</summary>
    [Name("compute")] public double? Compute { get; init; }
    /// <summary>Scratch tokens needed (cell).</summary>
    [Name("baseline_tokens")] public double? BaselineTokens { get; init; }
    /// <summary>Scratch compute needed (cell: c(N)·baseline_tokens; curve: C*_scratch(y)).</summary>
    [Name("baseline_compute")] public double? BaselineCompute { get; init; }
    [Name("m")] public double? M { get; init; }
    [Name("m_ci95_low")] public double? MCi95Low { get; init; }
    [Name("m_ci95_high")] public double? MCi95High { get; init; }
    /// <summary>Whether M is a value (<see cref="MultiplierBound.None"/>, written empty) or a bound.</summary>
    [Name("bound"), TypeConverter(typeof(OnDiskEnumCsvConverter<MultiplierBound>)), JsonConverter(typeof(OnDiskEnumJsonConverter<MultiplierBound>))]
    public MultiplierBound Bound { get; init; } = MultiplierBound.None;
    [Name("status"), TypeConverter(typeof(OnDiskEnumCsvConverter<MultiplierStatus>))] public MultiplierStatus Status { get; init; } = MultiplierStatus.Ok;
    /// <summary>True when the row lies outside the data's support (kept out of summaries).</summary>
    [Name("extrapolated")] public bool Extrapolated { get; init; }
    /// <summary>Where the row leaves the data: any of "y", "N", "D" joined by ';' (empty: inside), or "model" for (c).</summary>
    [Name("support")] public string Support { get; init; } = "";
    /// <summary>Pairs (cells) behind a summary; treatment runs for (a) and (c).</summary>
    [Name("n_pairs")] public int Pairs { get; init; }
    /// <summary>Pairs whose treatment run beat its scratch twin (same size, budget, seed) on the metric.</summary>
    [Name("n_won")] public int Won { get; init; }
    [Name("n_censored")] public int Censored { get; init; }
    /// <summary>Rows (curve points or cells) left out of this summary because they extrapolate.</summary>
    [Name("n_extrapolated")] public int ExtrapolatedCount { get; init; }
    /// <summary>Seeds (bootstrap clusters).</summary>
    [Name("n_seeds")] public int Seeds { get; init; }
    /// <summary>How the interval was made: cluster_seed_t (seed cluster bootstrap, t with G−1 df) or parametric_residual.</summary>
    [Name("interval")] public string Interval { get; init; } = "";
    [Name("replicates")] public int Replicates { get; init; }
    /// <summary>Replicates whose refit failed or gave no finite value; never dropped silently, always counted here.</summary>
    [Name("failed_replicates")] public int FailedReplicates { get; init; }
    /// <summary>failed_replicates / replicates (empty without replicates; issue 23).  Optional when read: older files lack it.</summary>
    [Name("failed_rate"), Optional] public double? FailedRate { get; init; }
    /// <summary>The failed replicates by class, most frequent first, e.g. "law_fit 3; no_crossing 12" (README "Failed replicates").  Optional when read.</summary>
    [Name("failed_reasons"), Optional] public string FailedReasons { get; init; } = "";
    /// <summary>Minimum detectable effect (two-sided 5%, 80% power) from the seeds' spread: multipliers within [1/mde, mde] cannot be told from 1.</summary>
    [Name("mde")] public double? Mde { get; init; }
    /// <summary>The placebo's M and interval for the same metric and estimand (summary rows).</summary>
    [Name("placebo_m")] public double? PlaceboM { get; init; }
    [Name("placebo_ci95_low")] public double? PlaceboCi95Low { get; init; }
    [Name("placebo_ci95_high")] public double? PlaceboCi95High { get; init; }
    /// <summary>
    /// Slope and crossover rows (issue 23): what <see cref="Value"/> is.  slope_ln_n: b = d ln M / d ln N; slope_ln_d:
    /// d ln M / d ln D; crossover_compute: the student compute (FLOPs) at which M crosses 1; payoff_students: the number
    /// of students K over which the teacher's pre-training must be shared for M = 1.  Empty on other rows.
    /// </summary>
    [Name("quantity")] public string Quantity { get; init; } = "";
    [Name("value")] public double? Value { get; init; }
    [Name("value_ci95_low")] public double? ValueCi95Low { get; init; }
    [Name("value_ci95_high")] public double? ValueCi95High { get; init; }
    /// <summary>Slope rows: the two-sided p-value of the test of slope = 0.</summary>
    [Name("value_p")] public double? ValueP { get; init; }
    [Name("note")] public string Note { get; init; } = "";

    /// <summary>Identity used to match rows across runs (unit keys change with the config; these names do not).  Not a
    /// column: multipliers.csv holds only the documented columns (README "Estimation", Files).</summary>
    [Ignore] public string MatchKey => string.Join("|", Kind.OnDisk(), Estimand.OnDisk(), Treatment, Metric, Student, Budget, Seed, Accounting, Y is { } y && Kind == MultiplierKind.Curve ? y.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "")
                              + (Kind is MultiplierKind.Slope or MultiplierKind.Crossover ? "|" + Quantity : "");

    /// <summary>A summary over units (anything but a cell).  Not a column.</summary>
    [Ignore] public bool IsAggregate => Kind != MultiplierKind.Cell;
}
