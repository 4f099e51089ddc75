using System.Globalization;
using Harness.Results;
using static Harness.Reporting.ReportText;

namespace Harness.Reporting;

/// <summary>
/// The "Tasks" section: one row per task on its main metric that some student lifts above chance (or marked at chance),
/// the other informative metrics, and the ones never informative at this scale, collapsed with the reason.
/// </summary>
internal static class TaskSection
{
    /// <summary>One (task, metric)'s final scores: chance, teacher, the best student of each method, and whether any student clears chance.</summary>
    internal sealed record TaskMetric(string Task, string Metric, bool HigherIsBetter, double Chance, EvalRow? Teacher,
                                      IReadOnlyDictionary<string, (EvalRow Row, RunRow? Run)> BestByMethod, bool Informative, string Reason, int Items);

    /// <summary>
    /// A metric is informative when some student's final full-set score beats chance by more than two standard errors
    /// (value − chance &gt; 2·s.e. when higher is better).  Metrics without a chance level are informative.
    /// </summary>
    internal static IReadOnlyList<TaskMetric> TaskMetrics(ResultsFolder folder)
    {
        var runs = folder.Runs.GroupBy(r => r.UnitKey).ToDictionary(g => g.Key, g => g.First());
        var result = new List<TaskMetric>();
        foreach (var g in folder.Evals.Where(e => e.IsFinal && double.IsFinite(e.Value)).GroupBy(e => (e.Task, e.Metric))
                                 .OrderBy(g => g.Key.Task, StringComparer.Ordinal).ThenBy(g => g.Key.Metric, StringComparer.Ordinal))
        {
            var rows = g.Where(e => !e.Subset || e.UnitKey == ResultSchema.TeacherUnitKey).ToList();
            if (rows.All(e => e.UnitKey == ResultSchema.TeacherUnitKey)) rows = g.ToList();
            var higher = rows[0].HigherIsBetter;
            var chance = rows.Select(e => e.Chance).FirstOrDefault(double.IsFinite, double.NaN);
            var teacher = rows.FirstOrDefault(e => e.UnitKey == ResultSchema.TeacherUnitKey);
            var students = rows.Where(e => e.UnitKey != ResultSchema.TeacherUnitKey).ToList();
            double Gain(EvalRow e) => higher ? e.Value - chance : chance - e.Value;
            // The larger of the bootstrap s.e. and the s.e. of a binomial proportion at chance, sqrt(c(1−c)/n): a perfect
            // score on 2 items has a bootstrap s.e. of 0 but is no evidence (a one-sided test of the score against chance).
            double Se(EvalRow e) => Math.Max(double.IsFinite(e.StdErr) ? e.StdErr : 0,
                                             chance is > 0 and < 1 && e.Items > 0 ? Math.Sqrt(chance * (1 - chance) / e.Items) : 0);
            double Z(EvalRow e) => Gain(e) / (Se(e) > 0 ? Se(e) : double.Epsilon);
            var best = students.GroupBy(e => e.Method)
                .ToDictionary(m => m.Key, m => { var top = higher ? m.MaxBy(e => e.Value)! : m.MinBy(e => e.Value)!; return (top, runs.GetValueOrDefault(top.UnitKey)); });
            bool informative;
            string reason;
            if (!double.IsFinite(chance)) { informative = true; reason = "no chance level"; }
            else if (students.Count == 0) { informative = false; reason = "no student was evaluated"; }
            else
            {
                var top = students.MaxBy(Z)!;
                informative = Z(top) > 2;
                reason = informative ? ""
                    : $"no student's final score clears chance by 2 s.e.: best {Num(top.Value)} ± {Num(top.StdErr)} ({top.Method}{(runs.TryGetValue(top.UnitKey, out var r) ? " " + r.Student + " " + r.Budget : "")}) vs chance {Num(chance)}";
            }
            result.Add(new TaskMetric(g.Key.Task, g.Key.Metric, higher, chance, teacher, best, informative, reason, rows.Max(e => e.Items)));
        }
        return result;
    }

    /// <summary>The metric a task's row shows when several clear chance: the task's own score before its sub-metrics.</summary>
    static readonly string[] MainMetrics = ["acc", "acc_norm", "exact_match", "f1"];

    static string Score(EvalRow? e) => e is null ? "" : Num(e.Value) + (double.IsFinite(e.StdErr) && e.StdErr > 0 ? " ± " + Num(e.StdErr) : "");

    static Table TaskTable(IReadOnlyList<TaskMetric> metrics, IReadOnlyList<string> methods, bool withReason)
    {
        var header = new List<string> { "task", "metric", "items", "chance", "teacher" };
        header.AddRange(methods.Select(m => $"best {m}"));
        if (withReason) header.Add("why not informative");
        var rows = metrics.Select(t =>
        {
            var row = new List<string> { t.Task, t.Metric + (t.HigherIsBetter ? " ↑" : " ↓"), t.Items > 0 ? t.Items.ToString(CultureInfo.InvariantCulture) : "", Num(t.Chance), Score(t.Teacher) };
            row.AddRange(methods.Select(m => t.BestByMethod.TryGetValue(m, out var b) ? Score(b.Row) + (b.Run is { } r ? $" ({r.Student} {r.Budget})" : "") : ""));
            if (withReason) row.Add(t.Reason);
            return (IReadOnlyList<string>)row;
        }).ToList();
        return new Table(header, rows);
    }

    public static Section Build(IReadOnlyList<TaskMetric> taskMetrics, IReadOnlyList<string> methods)
    {
        var taskBlocks = new List<Block>();
        if (taskMetrics.Count == 0) taskBlocks.Add(new Para("No final evaluations in evals.csv."));
        else
        {
            var byTask = taskMetrics.GroupBy(t => t.Task).ToList();
            int Rank(TaskMetric t) => Array.IndexOf(MainMetrics, t.Metric) is var i && i >= 0 ? i : MainMetrics.Length;
            // Each task's row: its main metric that clears chance, else its main metric (then marked as at chance).
            var primary = byTask.Select(g => g.Where(t => t.Informative).OrderBy(Rank).FirstOrDefault() ?? g.OrderBy(Rank).First()).ToList();
            var quiet = taskMetrics.Where(t => !t.Informative).ToList();
            taskBlocks.Add(new Para("Final full-set scores, one row per task, on its main metric that some student lifts above chance (acc, acc_norm, exact_match, then sub-metrics; ↑ higher is better), " +
                                    "or its main metric marked \"at chance\" when none does: the best unit of each method (value ± bootstrap s.e., student and budget). " +
                                    "Every unit's final score is in the linked CSV; every step's in evals.csv."));
            var table = TaskTable(primary, methods, withReason: false);
            taskBlocks.Add(new TableBlock(table with
            {
                Header = [.. table.Header, "clears chance"],
                Rows = table.Rows.Select((r, i) => (IReadOnlyList<string>)[.. r, primary[i].Informative
                    ? $"yes ({taskMetrics.Count(t => t.Task == primary[i].Task && t.Informative)} of {taskMetrics.Count(t => t.Task == primary[i].Task)} metrics)" : "no: at chance"]).ToList(),
            }));
            if (primary.All(t => !t.Informative)) taskBlocks.Add(new Para($"No task clears chance at this scale: all {taskMetrics.Count} metric(s) are below."));
            var others = taskMetrics.Where(t => t.Informative && !primary.Contains(t)).ToList();
            quiet = quiet.OrderBy(t => t.Task, StringComparer.Ordinal).ThenBy(Rank).ToList();
            if (others.Count > 0)
                taskBlocks.Add(new Details($"Other informative metrics ({others.Count})", [new TableBlock(TaskTable(others, methods, withReason: false))]));
            if (quiet.Count > 0)
                taskBlocks.Add(new Details($"Not informative at this scale ({quiet.Count} metric(s) of {quiet.Select(t => t.Task).Distinct().Count()} task(s) never clear chance; no figures drawn)",
                    [new Para("A metric is informative when some student's final score beats chance by more than 2 standard errors (the larger of its bootstrap s.e. and sqrt(c(1 − c)/n) at chance c over n items). These do not, so their multipliers and plots would measure noise."),
                     new TableBlock(TaskTable(quiet, methods, withReason: true))]));
            taskBlocks.Add(new FileLink($"{ReportWriter.FiguresFolder}/{ReportWriter.FinalScoresFile}", "every unit's final score per task and metric (CSV)"));
            taskBlocks.Add(new FileLink(ResultSchema.EvalsFile, "every evaluation, every step (evals.csv)"));
        }
        return new Section("tasks", "Tasks", taskBlocks);
    }
}
