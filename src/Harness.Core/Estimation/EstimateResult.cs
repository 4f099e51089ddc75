using CsvHelper.Configuration.Attributes;

namespace Harness.Estimation;

/// <summary>Options of <see cref="MultiplierEstimator"/>.</summary>
public sealed record EstimateOptions
{
    /// <summary>Metrics to estimate (e.g. "val_loss", "hellaswag/acc"); null or empty: all.</summary>
    public IReadOnlyList<string>? Metrics { get; init; }
    /// <summary>Scenarios (see <see cref="AccountingScenario.Resolve"/>); null: student, +inference, +teacher, amortised:10.</summary>
    public IReadOnlyList<string>? Accounting { get; init; }
    /// <summary>Yearly growth factor G of effective compute; when set, years = ln M / ln G are reported.</summary>
    public double? GrowthPerYear { get; init; }
    /// <summary>Fit the baseline on each run's final point only (default: every evaluation point of every run).</summary>
    public bool FinalOnly { get; init; }
    public int Resamples { get; init; } = 200;
    public int Seed { get; init; }
    /// <summary>Screened grid starts that get an L-BFGS run in the full L(N, D) fit (int.MaxValue: Epoch's whole grid).</summary>
    public int GridKeep { get; init; } = ScalingLawFitter.DefaultGridKeep;
}

/// <summary>Row kinds of multipliers.csv.</summary>
public static class RowKind
{
    /// <summary>One treatment point (a run's final evaluation, or a table row).</summary>
    public const string Point = "point";
    /// <summary>Geometric mean over a treatment's points of one metric (model "*").</summary>
    public const string MetricMean = "metric_mean";
    public const string ByStudent = "by_student";
    public const string ByBudget = "by_budget";
    /// <summary>Cross-benchmark summary: geometric mean over metrics of the metric means (metric "*").</summary>
    public const string TreatmentMean = "treatment_mean";
}

/// <summary>Status of a multiplier.</summary>
public static class MultiplierStatus
{
    public const string Ok = "ok";
    /// <summary>The fitted baseline frontier never reaches y_T: no finite baseline compute matches it.</summary>
    public const string BeyondAsymptote = "beyond baseline asymptote";
    /// <summary>y_T at or below the score floor (chance): the baseline needs no compute, M is not meaningful.</summary>
    public const string BelowFloor = "at or below baseline floor";
    public const string NoFit = "no baseline fit";
    public const string NoPoints = "no points";
}

/// <summary>
/// One row of multipliers.csv.  M = C_B(y_T) / C_T (compute-equivalent gain); the same-size variant is
/// D_B(N_T, y_T) / D_T from the baseline's L(N, D).  Aggregate rows carry geometric means: compute and
/// baseline_compute are geometric means over the points, y_t the arithmetic mean.
/// </summary>
public sealed record MultiplierRow
{
    [Name("kind")] public string Kind { get; init; } = RowKind.Point;
    [Name("treatment")] public string Treatment { get; init; } = "";
    [Name("metric")] public string Metric { get; init; } = "";
    [Name("model")] public string Model { get; init; } = "";
    [Name("budget")] public string Budget { get; init; } = "";
    [Name("unit")] public string Unit { get; init; } = "";
    [Name("accounting")] public string Accounting { get; init; } = "";
    [Name("student_params")] public double? StudentParams { get; init; }
    [Name("tokens")] public double? Tokens { get; init; }
    [Name("compute")] public double Compute { get; init; }
    [Name("y_t")] public double YT { get; init; }
    [Name("baseline_compute")] public double? BaselineCompute { get; init; }
    [Name("m")] public double? M { get; init; }
    [Name("m_ci90_low")] public double? MCi90Low { get; init; }
    [Name("m_ci90_high")] public double? MCi90High { get; init; }
    [Name("m_ci95_low")] public double? MCi95Low { get; init; }
    [Name("m_ci95_high")] public double? MCi95High { get; init; }
    [Name("status")] public string Status { get; init; } = MultiplierStatus.Ok;
    /// <summary>y_T outside the range of the baseline's data: the frontier is extrapolated.</summary>
    [Name("extrapolated")] public bool Extrapolated { get; init; }
    [Name("n_points")] public int Points { get; init; } = 1;
    [Name("years")] public double? Years { get; init; }
    [Name("years_ci95_low")] public double? YearsCi95Low { get; init; }
    [Name("years_ci95_high")] public double? YearsCi95High { get; init; }
    [Name("same_size_baseline_tokens")] public double? SameSizeBaselineTokens { get; init; }
    [Name("same_size_m")] public double? SameSizeM { get; init; }
    [Name("same_size_ci95_low")] public double? SameSizeCi95Low { get; init; }
    [Name("same_size_ci95_high")] public double? SameSizeCi95High { get; init; }
}

/// <summary>The baseline fit of one metric with bootstrap intervals, as written to fits.json.</summary>
public sealed record MetricFitReport(
    string Metric,
    MetricKind Kind,
    double Chance,
    int BaselinePoints,
    int BaselineUnits,
    int FrontierPoints,
    double BaselineMin,
    double BaselineMax,
    string FrontierForm,
    IReadOnlyList<ParameterEstimate>? Frontier,
    IReadOnlyList<ParameterEstimate>? Chinchilla,
    int FailedReplicates,
    string? Note);

/// <summary>Everything <see cref="MultiplierEstimator"/> found; <see cref="EstimateWriter"/> writes it.</summary>
public sealed record EstimateResult
{
    public required string Source { get; init; }
    public required string Baseline { get; init; }
    public required IReadOnlyList<string> Treatments { get; init; }
    public required IReadOnlyList<AccountingScenario> Accounting { get; init; }
    public required IReadOnlyList<MultiplierRow> Rows { get; init; }
    public required IReadOnlyList<MetricFitReport> Fits { get; init; }
    public required EstimateOptions Options { get; init; }
    public int ExcludedFailedUnits { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];
    public TimeSpan Elapsed { get; init; }
}
