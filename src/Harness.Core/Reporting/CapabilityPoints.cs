using Harness.Results;

namespace Harness.Reporting;

/// <summary>One capability-vs-compute observation: a unit's score on a metric after some training.</summary>
public sealed record CapabilityPoint(string UnitKey, string Method, string Student, string Budget, int Seed, long Tokens,
                                     double StudentCompute, double Value, bool IsFinal);

/// <summary>
/// Capability-vs-compute points per metric, as drawn: exactly the points the estimator fits
/// (<see cref="ResultsFolder.Observations"/>), at student training FLOPs (the baseline's only cost; treatments' extra
/// costs enter through the accounting scenarios).
/// </summary>
public static class CapabilityPoints
{
    public const string ValLoss = ResultMetrics.ValLoss;
    public const string ValBpb = ResultMetrics.ValBpb;

    /// <summary>Metrics with at least one point, validation losses first, then task metrics in ordinal order.</summary>
    public static IReadOnlyList<string> Metrics(ResultsFolder folder) =>
        folder.Observations().Where(o => o.Points.Count > 0).Select(o => o.Metric).ToList();

    /// <summary>The points of <paramref name="metric"/>; <paramref name="unplaced"/> counts the rows the rule left out
    /// (an evaluation without a curve step, an unusable value).</summary>
    public static IReadOnlyList<CapabilityPoint> For(ResultsFolder folder, string metric, out int unplaced)
    {
        var observed = folder.Observations().FirstOrDefault(o => o.Metric == metric);
        unplaced = observed?.LeftOut ?? 0;
        return observed is null ? []
            : observed.Points.Select(p => new CapabilityPoint(p.Run.UnitKey, p.Run.Method, p.Run.Student, p.Run.Budget, p.Run.Seed, p.Tokens,
                                                              p.Flops.StudentTrain, p.Value, p.IsFinal)).ToList();
    }

    /// <summary>
    /// The empirical frontier: walking up in compute, the running best baseline value (lowest loss, highest score), as
    /// the corner points of a step line.
    /// </summary>
    public static IReadOnlyList<(double Compute, double Value)> Envelope(IEnumerable<CapabilityPoint> baseline, bool lowerIsBetter)
    {
        var result = new List<(double, double)>();
        double? best = null;
        var ordered = baseline.OrderBy(p => p.StudentCompute).ToList();
        foreach (var p in ordered)
        {
            if (best is { } b && (lowerIsBetter ? p.Value >= b : p.Value <= b)) continue;
            if (best is { } prev) result.Add((p.StudentCompute, prev));
            best = p.Value;
            result.Add((p.StudentCompute, p.Value));
        }
        // Hold the best value out to the largest baseline compute, so the line spans the data.
        if (best is { } last && ordered[^1].StudentCompute > result[^1].Item1) result.Add((ordered[^1].StudentCompute, last));
        return result;
    }
}
