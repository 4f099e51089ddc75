using System.Globalization;
using System.Text;
using Harness.IO;
using Harness.Results;

namespace Harness.Reporting;

/// <summary>report_files/final_scores.csv: the per-unit final scores the report's task table summarises.</summary>
internal static class FinalScoresCsv
{
    /// <summary>Every unit's final score per task and metric, with its identifying columns (invariant culture, CsvHelper).</summary>
    public static void Write(ResultsFolder folder, string path)
    {
        var runs = folder.Runs.GroupBy(r => r.UnitKey).ToDictionary(g => g.Key, g => g.First());
        var rows = folder.Evals.Where(e => e.IsFinal).OrderBy(e => e.Task, StringComparer.Ordinal).ThenBy(e => e.Metric, StringComparer.Ordinal)
            .ThenBy(e => e.UnitKey == ResultSchema.TeacherUnitKey ? 0 : 1).ThenBy(e => e.Method, StringComparer.Ordinal).ThenBy(e => e.UnitKey, StringComparer.Ordinal).ToList();
        var b = new StringBuilder();
        using (var w = new StringWriter(b, CultureInfo.InvariantCulture))
        using (var csv = new CsvHelper.CsvWriter(w, CultureInfo.InvariantCulture))
        {
            foreach (var h in new[] { "schema_version", "task", "metric", "unit_key", "method", "student", "budget", "seed", "tokens", "value", "stderr", "n_items", "chance", "higher_is_better", "subset" })
                csv.WriteField(h);
            csv.NextRecord();
            foreach (var e in rows)
            {
                runs.TryGetValue(e.UnitKey, out var r);
                csv.WriteField(1);
                csv.WriteField(e.Task); csv.WriteField(e.Metric); csv.WriteField(e.UnitKey); csv.WriteField(e.Method);
                csv.WriteField(r?.Student ?? e.Student); csv.WriteField(r?.Budget ?? e.Budget);
                csv.WriteField(r?.Seed ?? e.Seed); csv.WriteField(e.Tokens);
                csv.WriteField(e.Value.ToString("R", CultureInfo.InvariantCulture)); csv.WriteField(e.StdErr.ToString("R", CultureInfo.InvariantCulture));
                csv.WriteField(e.Items); csv.WriteField(e.Chance.ToString("R", CultureInfo.InvariantCulture));
                csv.WriteField(e.HigherIsBetter ? "true" : "false"); csv.WriteField(e.Subset ? "true" : "false");
                csv.NextRecord();
            }
        }
        AtomicFile.WriteAllText(path, b.ToString());
    }
}
