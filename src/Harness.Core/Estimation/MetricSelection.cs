using System.Globalization;

namespace Harness.Estimation;

/// <summary>Which metrics the estimator runs on, and which of them get no multiplier on purpose.</summary>
internal static class MetricSelection
{
    /// <summary>A benchmark accuracy is estimated only when the baseline's best run beats chance by this many binomial standard errors.</summary>
    public const double ChanceSeparation = 4;

    /// <summary>
    /// The metrics estimated by default: every loss-type metric (val_loss, val_bpb, each task's task_loss) and each task's
    /// main score (exact_match when the task has it, else acc); per-relation sub-metrics only when asked for by name.
    /// </summary>
    public static List<MetricSeries> Select(EstimationInput input, EstimateOptions options)
    {
        var wanted = (options.Metrics ?? []).SelectMany(m => m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (wanted.Count == 0)
        {
            var byTask = input.Metrics.Where(m => m.Metric.Contains('/')).GroupBy(m => m.Metric[..m.Metric.IndexOf('/')]).ToList();
            if (byTask.Count == 0) return input.Metrics.ToList();
            var keep = new HashSet<string>(input.Metrics.Where(m => !m.Metric.Contains('/')).Select(m => m.Metric), StringComparer.Ordinal);
            foreach (var task in byTask)
            {
                foreach (var m in task.Where(m => m.Kind == MetricKind.Loss)) keep.Add(m.Metric);
                var main = task.FirstOrDefault(m => m.Metric.EndsWith("/exact_match", StringComparison.Ordinal))
                           ?? task.FirstOrDefault(m => m.Metric.EndsWith("/acc", StringComparison.Ordinal));
                if (main is not null) keep.Add(main.Metric);
            }
            return input.Metrics.Where(m => keep.Contains(m.Metric)).OrderBy(m => m.Kind == MetricKind.Loss ? 0 : 1).ToList();
        }
        var available = input.Metrics.Select(m => m.Metric).ToList();
        var unknown = wanted.Where(w => !available.Contains(w, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
            throw new UserInputException($"--metric: value '{unknown[0]}' is not in {input.Source}; metrics present: {string.Join(", ", available)}.");
        return input.Metrics.Where(m => wanted.Contains(m.Metric, StringComparer.Ordinal)).ToList();
    }

    /// <summary>
    /// Why a score metric gets no multiplier: its baseline's best finished run is within <see cref="ChanceSeparation"/>
    /// binomial standard errors √(p₀(1−p₀)/n) of chance p₀ (n: items scored), so what the fit would invert is noise.
    /// </summary>
    public static string? WithheldReason(MetricSeries series, IReadOnlyList<MetricPoint> baseline)
    {
        if (series.Kind != MetricKind.Score) return null;
        var finals = baseline.Where(p => p.IsFinal).ToList();
        if (finals.Count == 0 || !double.IsFinite(series.Chance)) return null;
        var best = finals.MaxBy(p => p.Value)!;
        var n = best.Items > 0 ? best.Items : 100;
        var p0 = Math.Max(series.Chance, 1.0 / n);
        var se = Math.Sqrt(p0 * (1 - p0) / n);
        if (best.Value >= series.Chance + ChanceSeparation * se) return null;
        var task = series.Metric.Contains('/') ? series.Metric[..series.Metric.IndexOf('/')] : series.Metric;
        return string.Create(CultureInfo.InvariantCulture,
            $"accuracy multiplier withheld: the best scratch run scores {best.Value:0.###}, less than {ChanceSeparation} binomial standard errors ({se:0.###}, n = {n}) above chance {series.Chance:0.###}; see {task}/{ResultsFolderLoader.TaskLoss}");
    }
}
