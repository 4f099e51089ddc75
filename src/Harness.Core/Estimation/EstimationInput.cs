using Harness.Results;

namespace Harness.Estimation;

/// <summary>
/// How a metric's baseline frontier is modelled.  Loss: lower is better, power law in compute (and Chinchilla L(N, D)
/// when parameters and tokens are known).  Score: higher is better, sigmoid in log-compute from chance to a ceiling.
/// </summary>
public enum MetricKind { Loss, Score }

/// <summary>
/// One capability measurement: a run (unit) of a group (method, or table group) reaching <see cref="Value"/> after
/// spending <see cref="Flops"/>.  <see cref="Seed"/> is the bootstrap's cluster: the seed fixes initialisation and data
/// order for both arms, so a seed's runs of both arms are resampled together; for external tables every row is its own
/// cluster.  <see cref="Items"/>: benchmark items behind a score (0 when not a benchmark).
/// </summary>
public sealed record MetricPoint(
    string Group,
    string Unit,
    string Model,
    string Budget,
    double Params,
    double Tokens,
    FlopBreakdown Flops,
    double Value,
    bool IsFinal,
    string Seed = "",
    int Items = 0);

/// <summary>All points of one metric.  <see cref="Chance"/> is NaN when unknown (the sigmoid then fits its floor).</summary>
public sealed record MetricSeries(string Metric, MetricKind Kind, double Chance, IReadOnlyList<MetricPoint> Points);

/// <summary>What the estimator runs on: a baseline group, treatment groups and the metrics measured on both.</summary>
public sealed record EstimationInput
{
    /// <summary>Results folder or table path; used in messages.</summary>
    public required string Source { get; init; }
    public required string BaselineGroup { get; init; }
    public required IReadOnlyList<string> TreatmentGroups { get; init; }
    public required IReadOnlyList<MetricSeries> Metrics { get; init; }
    /// <summary>Units with status failed, left out of every fit.</summary>
    public int ExcludedFailedUnits { get; init; }
    /// <summary>
    /// When set, the only accounting scenarios that make sense (an external table has a single compute column, so
    /// every scenario would print the same number); otherwise the options' scenarios are used.
    /// </summary>
    public IReadOnlyList<AccountingScenario>? FixedAccounting { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];
}
