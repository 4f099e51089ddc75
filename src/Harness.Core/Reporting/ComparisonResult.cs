using System.Text.Json.Serialization;
using Harness.Results;

namespace Harness.Reporting;

/// <summary>How much a manifest difference matters for comparing numbers across runs.</summary>
public enum DifferenceSeverity
{
    /// <summary>A design or treatment choice (KD settings, sizes, budgets): the point of comparing, numbers stay comparable.</summary>
    Info,
    /// <summary>Numbers remain comparable but may differ for this reason (seeds, device, software versions, code).</summary>
    Warning,
    /// <summary>Numbers are not comparable (corpus, tokenizer, data mix or split, FLOP formula, task versions, evaluation).</summary>
    Breaking,
}

/// <summary>One manifest field whose value differs between runs; <see cref="Values"/> is per run, null where absent.</summary>
public sealed record ConfigDifference(string Field, string Category, DifferenceSeverity Severity, IReadOnlyList<string?> Values, string Why);

public sealed record ComparedRun(string Name, string Directory, string? Experiment, string? ConfigHash, string? GitCommit, string? Device,
                                 int Units, int FailedUnits, bool HasManifest);

/// <summary>A final metric of one unit key present in every run; per-run values, deltas from the first run, CI overlap.</summary>
public sealed record MetricComparison(string UnitKey, string Method, string Student, string Budget, int Seed, string Metric,
                                      IReadOnlyList<double?> Values, IReadOnlyList<double?> StdErrs, IReadOnlyList<double?> Deltas, bool? CisOverlap);

/// <summary>One run's multiplier with its interval (NaN where the estimator left them out); <paramref name="Bound"/>: lower/upper when M is a bound.</summary>
public sealed record MultiplierValue(double Multiplier, double Ci95Low, double Ci95High, bool Extrapolated,
                                     [property: JsonConverter(typeof(OnDiskEnumJsonConverter<MultiplierBound>))] MultiplierBound Bound, MultiplierStatus Status);

/// <summary>
/// A multiplier matched across runs by kind, estimand, treatment, metric, student, budget, seed and accounting (unit keys change with
/// the config, these names do not); per-run values (null where the run has no such row), deltas from the first run,
/// and whether the 95% intervals share a point.
/// </summary>
public sealed record MultiplierComparison(Harness.Results.MultiplierKind Kind, Harness.Results.Estimand Estimand, string Treatment, string Metric, string Student, string Budget, string Seed, string Accounting,
                                          IReadOnlyList<MultiplierValue?> Values, IReadOnlyList<double?> Deltas, bool? CisOverlap);

/// <summary>A unit key found in some runs but not all.</summary>
public sealed record UnitPresence(string UnitKey, string Method, string Student, string Budget, int Seed, IReadOnlyList<bool> Present);

/// <summary>What <see cref="RunComparer.Compare"/> found, run A (index 0) being the reference for deltas.</summary>
public sealed record ComparisonResult(
    IReadOnlyList<ComparedRun> Runs,
    IReadOnlyList<ConfigDifference> Differences,
    IReadOnlyList<MetricComparison> Metrics,
    IReadOnlyList<MultiplierComparison> Multipliers,
    IReadOnlyList<UnitPresence> UnmatchedUnits)
{
    /// <summary>False when any difference makes the runs' numbers non-comparable.</summary>
    public bool Comparable => Differences.All(d => d.Severity != DifferenceSeverity.Breaking);

    public IEnumerable<ConfigDifference> Breaking => Differences.Where(d => d.Severity == DifferenceSeverity.Breaking);
}
