using CsvHelper.Configuration.Attributes;

namespace Harness.Results;

/// <summary>Row kinds of table_multipliers.csv.</summary>
public static class TableRowKind
{
    public const string Point = "point";
    /// <summary>Geometric mean over one treatment group's models on one benchmark.</summary>
    public const string GroupMean = "group_mean";
}

/// <summary>
/// One row of table_multipliers.csv: a treatment model (or its group's geometric mean) on one benchmark against one
/// baseline family, with one control.  M = C_B(y_T) / C_T (compute-equivalent gain, Davidson et al. 2023).  When
/// <see cref="Bound"/> is "lower", M is "≥ m" (the treatment beats every baseline model; m = the compute of the family's most expensive model
/// / C_T); "upper" is "≤ m".  Bounds are kept, never dropped.
/// </summary>
public sealed record TableMultiplierRow
{
    [Name("schema_version")] public int SchemaVersion { get; init; } = ResultSchema.Version;
    [Name("kind")] public string Kind { get; init; } = TableRowKind.Point;
    [Name("baseline")] public string Baseline { get; init; } = "";
    [Name("treatment")] public string Treatment { get; init; } = "";
    [Name("benchmark")] public string Benchmark { get; init; } = "";
    /// <summary>"none", or "date" (the date covariate is in the frontier).</summary>
    [Name("control")] public string Control { get; init; } = "none";
    [Name("frontier")] public string Frontier { get; init; } = "";
    [Name("model")] public string Model { get; init; } = "";
    [Name("params")] public double? Params { get; init; }
    [Name("release_date")] public string ReleaseDate { get; init; } = "";
    [Name("compute")] public double Compute { get; init; }
    [Name("score")] public double Score { get; init; }
    /// <summary>C_B(y_T), or the compute of the bound.</summary>
    [Name("baseline_compute")] public double? BaselineCompute { get; init; }
    [Name("m")] public double? M { get; init; }
    [Name("m_ci95_low")] public double? MCi95Low { get; init; }
    [Name("m_ci95_high")] public double? MCi95High { get; init; }
    /// <summary>Group rows: the median of the models' M (robust to one odd model), with its bootstrap interval.</summary>
    [Name("m_median")] public double? MMedian { get; init; }
    [Name("m_median_ci95_low")] public double? MMedianCi95Low { get; init; }
    [Name("m_median_ci95_high")] public double? MMedianCi95High { get; init; }
    [Name("bound")] public string Bound { get; init; } = "";
    [Name("status")] public string Status { get; init; } = "ok";
    /// <summary>Linear frontier: C_B outside the baseline's compute range.</summary>
    [Name("extrapolated")] public bool Extrapolated { get; init; }
    /// <summary>For a bound: the sigmoid frontier's extrapolation (Owen 2024 form), flagged as such; empty when it has none.</summary>
    [Name("m_sigmoid_extrapolation")] public double? MSigmoid { get; init; }
    [Name("frontier_below")] public string FrontierBelow { get; init; } = "";
    [Name("frontier_above")] public string FrontierAbove { get; init; } = "";
    /// <summary>ln M / ln G with G = exp(γ/b) from the date-covariate fit (same family and benchmark).</summary>
    [Name("years")] public double? Years { get; init; }
    [Name("n_baseline_models")] public int BaselineModels { get; init; }
    [Name("n_points")] public int Points { get; init; } = 1;
    [Name("note")] public string Note { get; init; } = "";
}
