using Harness.Results;

namespace Harness.Reporting;

/// <summary>One capability-vs-compute observation: a unit's score on a metric after some training.</summary>
public sealed record CapabilityPoint(string UnitKey, string Method, string Student, string Budget, int Seed, long Tokens,
                                     double StudentCompute, double Value, bool IsFinal);

/// <summary>
/// Capability-vs-compute points per metric: <c>val_loss</c> and <c>val_bpb</c> from curves.csv, and every
/// <c>task/metric</c> in evals.csv placed at the compute of the same unit and step in curves.csv.  Compute is student
/// training FLOPs (the baseline's only cost; treatments' extra costs enter through the accounting scenarios).
/// </summary>
public static class CapabilityPoints
{
    public const string ValLoss = "val_loss";
    public const string ValBpb = "val_bpb";

    public static IReadOnlyList<string> Metrics(ResultsFolder folder)
    {
        var metrics = new List<string>();
        if (folder.Curves.Count > 0) metrics.AddRange([ValLoss, ValBpb]);
        metrics.AddRange(folder.Evals.Where(e => e.UnitKey != ResultSchema.TeacherUnitKey)
                               .Select(e => MetricNames.ForTask(e.Task, e.Metric)).Distinct().Order(StringComparer.Ordinal));
        return metrics;
    }

    public static IReadOnlyList<CapabilityPoint> For(ResultsFolder folder, string metric, out int unplaced)
    {
        unplaced = 0;
        var runs = folder.Runs.GroupBy(r => r.UnitKey).ToDictionary(g => g.Key, g => g.First());
        string BudgetOf(string key) => runs.TryGetValue(key, out var r) ? r.Budget : "";
        var points = new List<CapabilityPoint>();
        if (metric is ValLoss or ValBpb)
        {
            foreach (var c in folder.Curves)
            {
                var v = metric == ValLoss ? c.ValLoss : c.ValBitsPerByte;
                if (double.IsFinite(v) && c.FlopsStudentTrain > 0)
                    points.Add(new(c.UnitKey, c.Method, c.Student, BudgetOf(c.UnitKey), c.Seed, c.Tokens, c.FlopsStudentTrain, v, c.IsFinal));
            }
            return points;
        }
        var curveAt = folder.Curves.GroupBy(c => (c.UnitKey, c.Step)).ToDictionary(g => g.Key, g => g.First());
        var curveAtTokens = folder.Curves.GroupBy(c => (c.UnitKey, c.Tokens)).ToDictionary(g => g.Key, g => g.First());
        foreach (var e in folder.Evals)
        {
            if (e.UnitKey == ResultSchema.TeacherUnitKey || MetricNames.ForTask(e.Task, e.Metric) != metric || !double.IsFinite(e.Value)) continue;
            if (!curveAt.TryGetValue((e.UnitKey, e.Step), out var c) && !curveAtTokens.TryGetValue((e.UnitKey, e.Tokens), out c))
            {
                unplaced++;
                continue;
            }
            points.Add(new(e.UnitKey, e.Method, c.Student, BudgetOf(e.UnitKey), c.Seed, e.Tokens, c.FlopsStudentTrain, e.Value, e.IsFinal));
        }
        return points;
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
