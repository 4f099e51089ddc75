using Harness.Results;

namespace Harness.Reporting;

/// <summary>One task × metric across lm-eval-shaped results files: values in file order (NaN where a file lacks it)
/// and whether the files agree on the task's version and few-shot count (otherwise the numbers are not comparable).</summary>
public sealed record LmEvalComparisonRow(string Task, string Metric, IReadOnlyList<double> Values, IReadOnlyList<double> StdErrs, bool HigherIsBetter, bool Comparable, string Note);

/// <summary>
/// `harness compare` over results.json files in lm-evaluation-harness's shape (<see cref="LmEvalResults"/>): a harness
/// eval set beside an lm-eval run of the same model.  Rows are the tasks and metrics present in the first file;
/// a task whose version or n-shot differs between files is flagged, as a task-version change is for results folders.
/// </summary>
public static class LmEvalComparison
{
    public static IReadOnlyList<LmEvalComparisonRow> Compare(IReadOnlyList<string> files)
    {
        var results = files.Select(LmEvalResults.Read).ToList();
        var first = results[0];
        var rows = new List<LmEvalComparisonRow>();
        foreach (var (task, metrics) in first.Results.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var notes = new List<string>();
            var versions = results.Select(r => r.Versions.GetValueOrDefault(task, "?")).Distinct().ToList();
            var shots = results.Select(r => r.NShot.TryGetValue(task, out var n) ? n : -1).Distinct().ToList();
            if (versions.Count > 1) notes.Add($"versions differ ({string.Join(" / ", results.Select(r => r.Versions.GetValueOrDefault(task, "?")))})");
            if (shots.Count > 1) notes.Add($"n-shot differs ({string.Join(" / ", results.Select(r => r.NShot.TryGetValue(task, out var n) ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?"))})");
            var missing = results.Select((r, i) => (r, i)).Where(x => !x.r.Results.ContainsKey(task)).Select(x => files[x.i]).ToList();
            if (missing.Count > 0) notes.Add($"missing in {string.Join(", ", missing.Select(Path.GetFileName))}");
            foreach (var metric in metrics.Keys)
            {
                var values = results.Select(r => r.Results.TryGetValue(task, out var m) && m.TryGetValue(metric, out var v) ? v : double.NaN).ToList();
                var errors = results.Select(r => r.StdErrs.TryGetValue(task, out var m) && m.TryGetValue(metric, out var v) ? v : double.NaN).ToList();
                bool higher = first.HigherIsBetter.TryGetValue(task, out var h) && h.TryGetValue(metric, out var hb) ? hb : !metric.Contains("perplexity") && metric != "bits_per_byte";
                rows.Add(new LmEvalComparisonRow(task, metric, values, errors, higher, notes.Count == 0, string.Join("; ", notes)));
            }
        }
        return rows;
    }
}
