using Harness.Results;

namespace Harness.Estimation;

/// <summary>Options of <see cref="MultiplierEstimator"/>.</summary>
public sealed record EstimateOptions
{
    /// <summary>Metrics to estimate (e.g. "val_loss", "hellaswag/acc"); null or empty: val_loss, val_bpb and per task its task_loss and main score.</summary>
    public IReadOnlyList<string>? Metrics { get; init; }
    /// <summary>Scenarios (see <see cref="AccountingScenario.Resolve"/>); null: student, +inference, +teacher, amortised:10.</summary>
    public IReadOnlyList<string>? Accounting { get; init; }
    /// <summary>Let intermediate checkpoints of both arms into the frontier and effective-data fits (default: finished runs only).</summary>
    public bool AllCheckpoints { get; init; }
    /// <summary>Bootstrap replicates (cluster or parametric); 0 skips intervals.</summary>
    public int Replicates { get; init; } = DefaultReplicates;
    public int Seed { get; init; }
    /// <summary>Run the built-in placebo (one seed's scratch runs as a treatment against the other seeds').</summary>
    public bool Placebo { get; init; } = true;

    public const int DefaultReplicates = 1000;
}

/// <summary>Everything <see cref="MultiplierEstimator"/> found; <see cref="EstimateWriter"/> writes it.</summary>
public sealed record EstimateResult
{
    public required string Source { get; init; }
    public required string Baseline { get; init; }
    public required IReadOnlyList<string> Treatments { get; init; }
    public required IReadOnlyList<AccountingScenario> Accounting { get; init; }
    public required IReadOnlyList<MultiplierRow> Rows { get; init; }
    public required EstimateSummary Summary { get; init; }
    public required FitsDocument Fits { get; init; }
    public required EstimateOptions Options { get; init; }
    public TimeSpan Elapsed { get; init; }

    /// <summary>The summary row of one treatment × metric × estimand × accounting (null when absent).</summary>
    public MultiplierRow? SummaryRow(string treatment, string metric, Estimand estimand, string accounting = "student") =>
        Rows.FirstOrDefault(r => r.Kind == MultiplierKind.Summary && r.Treatment == treatment && r.Metric == metric && r.Estimand == estimand && r.Accounting == accounting);

    public MultiplierRow? PlaceboRow(string metric, Estimand estimand) =>
        Rows.FirstOrDefault(r => r.Kind == MultiplierKind.Placebo && r.Metric == metric && r.Estimand == estimand);
}
