using System.Globalization;
using System.Net;
using System.Text;
using Harness.Results;
using Harness.IO;
using Harness.Estimation;

namespace Harness.Reporting;

/// <summary>Where a report was written: the HTML, the Markdown, and the figure files beside the Markdown.</summary>
public sealed record ReportPaths(string Html, string Markdown, string FiguresDirectory, IReadOnlyList<string> Figures)
{
    /// <summary>How many figures (and so inline &lt;svg&gt; elements) the HTML holds.</summary>
    public int FigureCount => Figures.Count(f => f.EndsWith(".svg", StringComparison.Ordinal));
}

/// <summary>
/// Writes a results folder's report: <c>report.html</c> (self-contained: inline SVG figures, inline CSS, no scripts or
/// network fetches) and <c>report.md</c> with the same figures as PNG and SVG files in <c>report_files/</c>.
/// The answer first (issue 13): the headline sentence and figure (M per treatment and estimand, with the placebo), a
/// contents list, val_loss vs compute with both arms and both frontiers, one row per task with its chance level (metrics
/// no student lifts above chance collapsed as "not informative at this scale", with the reason), the multiplier
/// summaries; then, collapsed in &lt;details&gt;, the other figures, warnings (deduplicated) and provenance.  Point rows
/// stay in the CSVs the page links to (multipliers.csv, evals.csv, report_files/final_scores.csv), so a printed report
/// stays short and nothing is lost from the files.
/// </summary>
public static class ReportWriter
{
    public const string HtmlFile = ResultSchema.ReportFile;
    public const string MarkdownFile = "report.md";
    public const string FiguresFolder = "report_files";

    /// <summary>The per-unit final scores the page summarises, beside the figures (one row per unit × task × metric).</summary>
    public const string FinalScoresFile = "final_scores.csv";

    public static ReportPaths Write(string resultsDir)
    {
        var folder = ResultsFolder.Load(resultsDir);
        var report = Build(folder);
        var figuresDir = Path.Combine(resultsDir, FiguresFolder);
        Directory.CreateDirectory(figuresDir);
        var files = new List<string>();
        var svgs = new Dictionary<string, string>();
        foreach (var figure in report.Figures)
        {
            var svg = figure.Plot.GetSvgXml(figure.Width, figure.Height);
            svgs[figure.Id] = svg;
            var svgPath = Path.Combine(figuresDir, figure.Id + ".svg");
            AtomicFile.WriteAllText(svgPath, svg);
            var pngPath = Path.Combine(figuresDir, figure.Id + ".png");
            AtomicFile.WriteAllBytes(pngPath, figure.Plot.GetImageBytes(figure.Width, figure.Height, ScottPlot.ImageFormat.Png));
            files.Add(svgPath);
            files.Add(pngPath);
        }
        var scores = Path.Combine(figuresDir, FinalScoresFile);
        WriteFinalScores(folder, scores);
        files.Add(scores);
        var html = Path.Combine(resultsDir, HtmlFile);
        var md = Path.Combine(resultsDir, MarkdownFile);
        AtomicFile.WriteAllText(html, RenderHtml(report, svgs));
        AtomicFile.WriteAllText(md, RenderMarkdown(report));
        foreach (var figure in report.Figures) figure.Plot.Dispose();
        return new ReportPaths(html, md, figuresDir, files);
    }

    // ---- the report's content, independent of its format -------------------------------------------------------------

    internal sealed record Table(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows);

    /// <summary>A piece of a section: text, a warning, a table, a figure, a link to a file, or a collapsed group.</summary>
    internal abstract record Block;
    internal sealed record Para(string Text, bool Lead = false) : Block;
    internal sealed record Warn(string Text) : Block;
    internal sealed record TableBlock(Table Table) : Block;
    internal sealed record FigureBlock(ReportFigure Figure) : Block;
    internal sealed record FileLink(string File, string Text) : Block;
    /// <summary>Collapsed (&lt;details&gt;) unless <see cref="Open"/>; printed closed, so the page count stays small.</summary>
    internal sealed record Details(string Summary, IReadOnlyList<Block> Blocks, bool Open = false) : Block;

    internal sealed record Section(string Id, string Title, IReadOnlyList<Block> Blocks);

    /// <summary>The report: a title, the headline (no heading of its own, first on the page), then the listed sections.</summary>
    internal sealed record Report(string Title, Section Headline, IReadOnlyList<Section> Sections)
    {
        public IEnumerable<ReportFigure> Figures => new[] { Headline }.Concat(Sections).SelectMany(s => FiguresOf(s.Blocks));

        static IEnumerable<ReportFigure> FiguresOf(IEnumerable<Block> blocks) =>
            blocks.SelectMany(b => b switch
            {
                FigureBlock f => [f.Figure],
                Details d => FiguresOf(d.Blocks),
                _ => Array.Empty<ReportFigure>(),
            });
    }

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

    /// <summary>Drops warnings with an empty slot (", ,", "( ,", "=," …) — a formatting defect, not information — and repeats.</summary>
    internal static IReadOnlyList<string> CleanWarnings(IEnumerable<string> warnings)
    {
        var empty = new System.Text.RegularExpressions.Regex(@"\(\s*[,)]|\s,|,\s*[,)]|=\s*[,;)]|:\s*[,;)]|=\s*$");
        return warnings.Select(w => w.Trim()).Where(w => w.Length > 0 && !empty.IsMatch(w)).Distinct(StringComparer.Ordinal).ToList();
    }

    internal static Report Build(ResultsFolder folder)
    {
        var m = folder.Manifest ?? new RunManifest();
        // The run id (config hash) names the run, also when the report was written into another folder (--out).
        var runId = m.ConfigHash is { Length: > 0 } hash ? hash.Replace("sha256:", "", StringComparison.Ordinal) : folder.Name;
        var title = $"Distillation report — {m.ExperimentName ?? folder.Name} / {runId[..Math.Min(12, runId.Length)]}";
        var headlineMetric = folder.Summary?.HeadlineMetric is { Length: > 0 } hm ? hm : CapabilityPoints.ValLoss;
        var methods = folder.Evals.Where(e => e.UnitKey != ResultSchema.TeacherUnitKey).Select(e => e.Method).Distinct()
                            .OrderBy(x => x == ResultSchema.ScratchMethod ? 0 : 1).ThenBy(x => x, StringComparer.Ordinal).ToList();
        var taskMetrics = TaskMetrics(folder);
        var informative = taskMetrics.Where(t => t.Informative).Select(t => ResultMetrics.ForTask(t.Task, t.Metric)).ToHashSet(StringComparer.Ordinal);
        // Shown on the page: the validation losses and the task metrics some student learned; the rest stay in the CSVs.
        bool Shown(string metric) => ResultMetrics.LowerIsBetter(metric) || informative.Contains(metric);

        // Headline: the sentence, placebo alarms, the figure.
        var headlineBlocks = new List<Block> { new Para(HeadlineSentence(folder), Lead: true) };
        headlineBlocks.AddRange(CleanWarnings(folder.Summary?.Warnings.Where(w => w.StartsWith("PLACEBO", StringComparison.Ordinal)) ?? []).Select(w => new Warn(w)));
        if (folder.Multipliers.Any(r => r.Kind is MultiplierKind.Summary && r.Metric == headlineMetric && r.Accounting == "student" && r.M is > 0))
            headlineBlocks.Add(new FigureBlock(ReportFigures.Headline(folder, headlineMetric)));
        var headline = new Section("headline", "Headline", headlineBlocks);

        var sections = new List<Section>();

        // Capability vs compute for the headline metric: both arms, both frontiers.
        var lowerOf = (string metric) => ResultMetrics.LowerIsBetter(metric) ||
                                         folder.Evals.Where(e => ResultMetrics.ForTask(e.Task, e.Metric) == metric).Select(e => !e.HigherIsBetter).FirstOrDefault();
        var capabilityMetrics = CapabilityPoints.Metrics(folder).Where(x => CapabilityPoints.For(folder, x, out _).Count > 0).ToList();
        var notes = new List<string>();
        foreach (var metric in capabilityMetrics)
            if (CapabilityPoints.For(folder, metric, out var unplaced) is { } _ && unplaced > 0)
                notes.Add($"{metric}: {unplaced} evaluation(s) had no matching step in curves.csv and are not drawn.");
        if (capabilityMetrics.Contains(headlineMetric))
            sections.Add(new Section("capability", $"{headlineMetric} vs compute",
                [new FigureBlock(ReportFigures.Capability(folder, headlineMetric, lowerOf(headlineMetric), out _)),
                 new Para("x: student training FLOPs on a log scale (the baseline's whole cost; what treatments pay on top enters the multipliers' accounting scenarios).")]));

        // Per-task summary.
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
            taskBlocks.Add(new FileLink($"{FiguresFolder}/{FinalScoresFile}", "every unit's final score per task and metric (CSV)"));
            taskBlocks.Add(new FileLink(ResultSchema.EvalsFile, "every evaluation, every step (evals.csv)"));
        }
        sections.Add(new Section("tasks", "Tasks", taskBlocks));

        // Multipliers.
        var multiplierBlocks = new List<Block>();
        if (folder.Multipliers.Count == 0) multiplierBlocks.Add(new Para("No multipliers.csv: run the estimator to get multipliers."));
        else
        {
            var summaries = folder.Multipliers.Where(r => r.Kind is MultiplierKind.Summary or MultiplierKind.Placebo && Shown(r.Metric))
                .OrderBy(r => r.Metric == headlineMetric ? 0 : ResultMetrics.LowerIsBetter(r.Metric) || r.Metric.EndsWith("task_loss", StringComparison.Ordinal) ? 1 : 2)
                .ThenBy(r => r.Metric, StringComparer.Ordinal).ThenBy(r => r.Kind == MultiplierKind.Placebo ? 1 : 0).ThenBy(r => r.Treatment, StringComparer.Ordinal)
                .ThenBy(r => Array.IndexOf(EstimandOrder, r.Estimand)).ThenBy(r => AccountingScenario.Rank(r.Accounting)).ToList();
            Table SummaryTable(IEnumerable<MultiplierRow> rows, bool withAccounting) => new(
                withAccounting ? ["treatment", "metric", "estimand", "accounting", "M [95% CI]", "placebo", "pairs won", "MDE", "status", "notes"]
                               : ["treatment", "metric", "estimand", "M [95% CI]", "placebo", "pairs won", "MDE", "status", "notes"],
                rows.Select(r => (IReadOnlyList<string>)(withAccounting ? [r.Treatment, r.Metric, r.Estimand.OnDisk(), r.Accounting, .. Cells(r)] : [r.Treatment, r.Metric, r.Estimand.OnDisk(), .. Cells(r)])).ToList());
            var student = summaries.Where(r => r.Accounting == "student" && r.Kind == MultiplierKind.Summary && r.M is not null).ToList();
            var noValue = summaries.Where(r => r.Accounting == "student" && r.Kind == MultiplierKind.Summary && r.M is null).ToList();
            var placebo = summaries.Where(r => r.Kind == MultiplierKind.Placebo).ToList();
            multiplierBlocks.Add(new Para($"Student-only accounting, for the loss metrics and the informative task metrics. Above 1× the treatment is cheaper; ≥ / ≤: a bound (censored pairs)."));
            multiplierBlocks.Add(new TableBlock(SummaryTable(student, withAccounting: false)));
            if (noValue.Count > 0)
                multiplierBlocks.Add(new Details($"Without a value ({noValue.Count}: {string.Join(", ", noValue.GroupBy(r => r.Status).Select(g => $"{g.Count()} {g.Key.OnDisk()}"))})",
                    [new TableBlock(SummaryTable(noValue, withAccounting: false))]));
            if (placebo.Count > 0)
                multiplierBlocks.Add(new Details($"Placebo rows ({placebo.Count}; each summary row's placebo column repeats its metric and estimand's)",
                    [new TableBlock(SummaryTable(placebo, withAccounting: true))]));
            var otherAccounting = summaries.Where(r => r.Accounting != "student" && r.Kind == MultiplierKind.Summary).ToList();
            if (otherAccounting.Count > 0)
                multiplierBlocks.Add(new Details($"Other accounting scenarios ({otherAccounting.Select(r => r.Accounting).Distinct().Count()}: {string.Join(", ", otherAccounting.Select(r => r.Accounting).Distinct().OrderBy(AccountingScenario.Rank))})",
                    [new TableBlock(SummaryTable(otherAccounting, withAccounting: true))]));
            var bySize = folder.Multipliers.Where(r => r.Kind == MultiplierKind.ByStudent && r.Accounting == "student" && Shown(r.Metric))
                .OrderBy(r => r.Metric == headlineMetric ? 0 : 1).ThenBy(r => r.Metric, StringComparer.Ordinal).ThenBy(r => r.Treatment, StringComparer.Ordinal)
                .ThenBy(r => Array.IndexOf(EstimandOrder, r.Estimand)).ThenBy(r => r.Params ?? 0).ToList();
            var sizeFigures = folder.Multipliers.Where(r => r.Kind == MultiplierKind.ByStudent && r.Estimand == Estimand.SameSize && r.M > 0 && Shown(r.Metric))
                .Select(r => (r.Treatment, r.Metric)).Distinct().OrderBy(x => x.Metric == headlineMetric ? 0 : 1).ThenBy(x => x.Metric, StringComparer.Ordinal).ThenBy(x => x.Treatment, StringComparer.Ordinal)
                .Select(x => ReportFigures.MultiplierVsSize(folder, x.Treatment, x.Metric)).ToList();
            if (bySize.Count > 0 || sizeFigures.Count > 0)
            {
                var blocks = new List<Block>();
                blocks.AddRange(sizeFigures.Select(f => new FigureBlock(f)));
                if (bySize.Count > 0)
                    blocks.Add(new TableBlock(new Table(["treatment", "metric", "estimand", "student", "M [95% CI]", "pairs won", "censored"],
                        bySize.Select(r => (IReadOnlyList<string>)[r.Treatment, r.Metric, r.Estimand.OnDisk(), r.Student, MText(r), r.Estimand == Estimand.SameSize ? $"{r.Won}/{r.Pairs}" : "",
                            r.Censored > 0 ? r.Censored.ToString(CultureInfo.InvariantCulture) : ""]).ToList())));
                multiplierBlocks.Add(new Details($"Per student size ({sizeFigures.Count} figure(s), {bySize.Count} row(s), student accounting)", blocks));
            }
            multiplierBlocks.Add(new Details("How to read the estimands, accounting and intervals",
                [new Para("Three estimands, never averaged together (README \"Estimation\"): frontier = C*_scratch(y) / C*_treatment(y) with each arm's compute frontier fitted on its finished runs by the same rule, " +
                    "geometric mean over the y range both arms cover; same_size = per (size, budget, seed) pair, scratch tokens of that size needed to reach the treatment's value ÷ the treatment's, geometric mean over pairs (≥: censored at the scratch runs' largest budget); " +
                    "effective_data = e^τ of a joint L(N, D) in which the treatment's data count e^τ times (Ho et al. 2024), model-based."),
                 new Para("Accounting: student = student training only; +inference adds teacher inference and logit-cache share; +teacher adds the teacher's pre-training; amortised:K shares it over K students. " +
                    "Intervals: seed-cluster bootstrap; placebo = one scratch seed scored as a treatment against the others (truth 1); MDE = smallest multiplier this design can detect.")]));
            var hidden = folder.Multipliers.Count(r => r.Kind is MultiplierKind.Summary or MultiplierKind.Placebo && !Shown(r.Metric));
            multiplierBlocks.Add(new FileLink(ResultSchema.MultipliersFile,
                $"all {folder.Multipliers.Count} multiplier rows (CSV): kind = summary | placebo | by_student | cell (one per pair) | curve (one per y of the frontier estimand)" +
                (hidden > 0 ? $"; {hidden} summary row(s) of non-informative metrics are only there" : "")));
            multiplierBlocks.Add(new FileLink(ResultSchema.SummaryFile, "the headlines, placebo and counts for machines (summary.json)"));
        }
        sections.Add(new Section("multipliers", "Compute multipliers", multiplierBlocks));

        // More figures: the other capability plots and the benchmark bars, informative metrics only.
        var more = new List<Block>();
        foreach (var metric in capabilityMetrics.Where(x => x != headlineMetric && Shown(x)))
            more.Add(new FigureBlock(ReportFigures.Capability(folder, metric, lowerOf(metric), out _)));
        foreach (var t in taskMetrics.Where(t => t.Informative))
            more.Add(new FigureBlock(ReportFigures.BenchmarkBars(folder, t.Task, t.Metric)));
        if (notes.Count > 0) more.Add(new Para(string.Join(" ", notes)));
        if (more.Count > 0)
            sections.Add(new Section("figures", "More figures", [new Details($"{more.OfType<FigureBlock>().Count()} figure(s): other metrics vs compute and final scores per task (informative metrics only)", more)]));

        // Warnings: failed units, extrapolation, missing inputs — deduplicated, compact.
        var warnings = new List<string>();
        foreach (var missing in folder.Missing) warnings.Add($"{missing} is missing from the results folder.");
        warnings.AddRange(FrontierFits.Of(folder).Problems);
        if (folder.Manifest is null) warnings.Add("manifest.json is missing: provenance is incomplete.");
        if (folder.Summary is { } est)
        {
            warnings.AddRange(est.Warnings.Where(w => !w.StartsWith("PLACEBO", StringComparison.Ordinal)));
            if (!est.FinishedRunsOnly) warnings.Add("intermediate checkpoints entered the fits (--all-checkpoints): the frontiers mix finished and unfinished runs.");
        }
        foreach (var g in folder.Multipliers.Where(r => r.Kind == MultiplierKind.Curve && r.Extrapolated && r.Accounting == "student" && Shown(r.Metric)).GroupBy(r => (r.Treatment, r.Metric)))
            warnings.Add($"extrapolated: {g.Key.Treatment} on {g.Key.Metric}: {g.Count()} y value(s) of the frontier curve need a frontier outside its runs' tokens; " +
                         "they are listed in multipliers.csv (kind curve, extrapolated true) and left out of the frontier summary.");
        foreach (var r in folder.Multipliers.Where(r => r.Kind == MultiplierKind.Summary && r.Accounting == "student" && r.Censored > 0 && Shown(r.Metric)))
            warnings.Add($"censored: {r.Treatment} on {r.Metric}: {r.Censored} of {r.Pairs} pair(s) lie beyond the scratch runs' budgets of their size; " +
                         $"they enter the same-size mean at their bounds, so it is a {(r.Bound == MultiplierBound.Mixed ? "mixed bound" : r.Bound.OnDisk() + " bound")}.");
        var cleaned = CleanWarnings(warnings);
        var failed = folder.FailedUnits.ToList();
        var warnBlocks = new List<Block>
        {
            new Para((failed.Count == 0 ? "No unit failed." : $"{failed.Count} unit(s) failed; they have no final point and no multiplier.") + " " +
                     (cleaned.Count == 0 ? "No extrapolation or input warnings." : $"{cleaned.Count} warning(s)."))
        };
        if (failed.Count > 0)
            warnBlocks.Add(new Details($"Failed units ({failed.Count})", [new TableBlock(new Table(["unit", "method", "student", "budget", "seed", "reason"],
                failed.Select(r => (IReadOnlyList<string>)[r.UnitKey, r.Method, r.Student, r.Budget, r.Seed.ToString(CultureInfo.InvariantCulture), r.FailureReason]).ToList()))],
                Open: failed.Count <= 3));
        if (cleaned.Count > 0)
            warnBlocks.Add(new Details($"Warnings ({cleaned.Count})", cleaned.Select(w => (Block)new Warn(w)).ToList(), Open: cleaned.Count <= 3));
        sections.Add(new Section("warnings", "Failed units and warnings", warnBlocks));

        // Provenance, collapsed.
        var summary = new List<IReadOnlyList<string>>();
        void Row(string name, string? value) { if (!string.IsNullOrWhiteSpace(value)) summary.Add([name, value]); }
        Row("experiment", m.ExperimentName);
        Row("results folder", Path.GetFullPath(folder.Directory));
        Row("config hash", m.ConfigHash);
        Row("git commit", m.GitCommit);
        Row("device", m.Device);
        Row("threads", m.Threads?.ToString(CultureInfo.InvariantCulture));
        if (m.Versions is { } versions)
            foreach (var (name, value) in new[] { ("harness", versions.Harness), ("torchsharp", versions.Torchsharp), ("libtorch", versions.Libtorch), ("dotnet", versions.Dotnet) })
                Row($"version: {name}", value);
        Row("corpus", m.ConfigText("data.corpus"));
        Row("corpus hash", m.CorpusHash);
        Row("tokenizer", Join(m.ConfigText("data.tokenizer.kind"), m.ConfigText("data.tokenizer.vocab_size") is { } v ? $"vocab {v}" : null));
        Row("tokenizer hash", m.TokenizerHash);
        Row("data mix", m.ConfigText("data.mix"));
        Row("teacher", Join(m.Teacher?.Path, m.Teacher?.Params is { } tp ? $"{ReportFigures.Flops(tp)} params" : null,
                            m.Teacher?.Flops is { } tf ? $"{ReportFigures.Flops(tf)} pre-training FLOPs" : null));
        Row("teacher hash", m.Teacher?.Hash);
        Row("FLOP formula", m.FlopFormula);
        Row("task versions", m.TaskVersions.Count == 0 ? null : System.Text.Json.JsonSerializer.Serialize(m.TaskVersions));
        Row("methods", m.ConfigText("methods"));
        Row("seeds", m.ConfigText("seeds"));
        Row("kd", m.ConfigText("kd"));
        Row("evaluation", m.ConfigText("evaluation"));
        Row("started (UTC)", m.StartedUtc);
        Row("finished (UTC)", m.FinishedUtc);
        var ok = folder.Runs.Count(r => r.Status == RunRowStatus.Ok);
        Row("units", $"{folder.Runs.Count} in runs.csv: {ok} ok, {folder.Runs.Count - ok} failed");
        sections.Add(new Section("provenance", "Provenance",
            [new Para(Join(m.ConfigHash is { Length: > 0 } ch ? $"config {ch}" : null, m.GitCommit is { Length: > 0 } gc ? $"commit {gc}" : null, m.Device, $"{folder.Runs.Count} units ({ok} ok)") ?? ""),
             new Details($"Run summary ({summary.Count} fields)", [new TableBlock(new Table(["field", "value"], summary))]),
             new FileLink(ResultSchema.ManifestFile, "full provenance (manifest.json)")]));

        return new Report(title, headline, sections);
    }

    static IReadOnlyList<string> Cells(MultiplierRow r) =>
        [MText(r), PlaceboText(r), r.Pairs > 0 && r.Kind == MultiplierKind.Summary ? $"{r.Won}/{r.Pairs}" : "", r.Mde is { } mde ? ReportFigures.Times(mde) : "",
         r.Kind == MultiplierKind.Placebo ? "placebo" : r.Status.OnDisk(), Join(r.Note, r.FailedReplicates > 0 ? $"{r.FailedReplicates} of {r.Replicates} replicates failed" : null) ?? ""];

    /// <summary>Every unit's final score per task and metric, with its identifying columns (invariant culture, CsvHelper).</summary>
    static void WriteFinalScores(ResultsFolder folder, string path)
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

    static readonly Estimand[] EstimandOrder = [Estimand.Frontier, Estimand.SameSize, Estimand.EffectiveData];

    static string Bound(MultiplierBound bound) => bound == MultiplierBound.Lower ? "≥ " : bound == MultiplierBound.Upper ? "≤ " : bound == MultiplierBound.Mixed ? "~ " : "";

    static string MText(MultiplierRow r) => r.M is not { } m ? "" :
        Bound(r.Bound) + ReportFigures.Times(m) + (r.MCi95Low is { } lo && r.MCi95High is { } hi ? $" [{ReportFigures.Times(lo)}, {ReportFigures.Times(hi)}]" : "");

    static string PlaceboText(MultiplierRow r) => r.Kind == MultiplierKind.Placebo ? "" : r.PlaceboM is not { } m ? "" :
        ReportFigures.Times(m) + (r.PlaceboCi95Low is { } lo && r.PlaceboCi95High is { } hi ? $" [{ReportFigures.Times(lo)}, {ReportFigures.Times(hi)}]" : "");

    /// <summary>
    /// The sentence a reader can quote: treatment, estimand, M with its 95% CI, the placebo, and how many pairs the
    /// treatment won, for the headline metric (val_loss) and student-only accounting.
    /// </summary>
    internal static string HeadlineSentence(ResultsFolder folder)
    {
        var summary = folder.Summary;
        var metric = summary?.HeadlineMetric is { Length: > 0 } hm ? hm : CapabilityPoints.ValLoss;
        var rows = folder.Multipliers.Where(r => r.Kind == MultiplierKind.Summary && r.Metric == metric && r.Accounting == "student").ToList();
        if (rows.Count == 0) return "No headline: multipliers.csv has no summary for " + metric + " (run `harness estimate` on this folder).";
        var parts = new List<string>();
        foreach (var treatment in rows.Select(r => r.Treatment).Distinct())
        {
            var a = rows.FirstOrDefault(r => r.Treatment == treatment && r.Estimand == Estimand.Frontier);
            var b = rows.FirstOrDefault(r => r.Treatment == treatment && r.Estimand == Estimand.SameSize);
            var head = a is { M: not null } ? a : b;
            if (head is null) continue;
            var text = $"{treatment}: scratch needs {MText(head)} the student compute to reach the same {metric} (M, estimand {head.Estimand.OnDisk()}, 95% CI)";
            text += head.PlaceboM is not null
                ? $"; the placebo (a scratch seed scored as a treatment, truth 1) gives {PlaceboText(head)}"
                : "; no placebo (it needs at least 2 seeds)";
            if (b is not null && b.Pairs > 0)
                text += $"; it won {b.Won} of {b.Pairs} same-size, same-budget, same-seed pairs" + (b.M is not null ? $" (same-size gain {MText(b)})" : "");
            parts.Add(text + ".");
        }
        return parts.Count == 0 ? $"No headline: no estimand has a value for {metric}." : string.Join(" ", parts);
    }

    static string? Join(params string?[] parts)
    {
        var present = parts.Where(p => !string.IsNullOrEmpty(p)).ToList();
        return present.Count == 0 ? null : string.Join(", ", present);
    }

    internal static string Num(double v) =>
        double.IsNaN(v) ? "" : double.IsPositiveInfinity(v) ? "∞" : Math.Abs(v) >= 1e5 || (v != 0 && Math.Abs(v) < 1e-3)
            ? v.ToString("0.###e0", CultureInfo.InvariantCulture) : v.ToString("0.####", CultureInfo.InvariantCulture);

    static string Ci(double lo, double hi) => double.IsNaN(lo) && double.IsNaN(hi) ? "" : $"[{Num(lo)}, {Num(hi)}]";

    // ---- HTML ----------------------------------------------------------------------------------------------------------

    const string Css = """
        body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 24px auto; max-width: 1200px; color: #222; padding: 0 16px; }
        h1 { font-size: 1.5em; margin-bottom: 0.3em; } h2 { border-bottom: 2px solid #ddd; padding-bottom: 4px; margin-top: 1.6em; }
        p.lead { font-size: 1.15em; line-height: 1.45; background: #eef5ff; border-left: 5px solid #2a6ebb; padding: 10px 14px; }
        table { border-collapse: collapse; margin: 10px 0; font-size: 0.82em; }
        th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: left; vertical-align: top; }
        th { background: #f2f2f2; } tr:nth-child(even) td { background: #fafafa; }
        td { max-width: 520px; overflow-wrap: anywhere; }
        figure { margin: 12px 0; } figcaption { font-size: 0.82em; color: #555; max-width: 960px; }
        svg { max-width: 100%; height: auto; }
        details { margin: 8px 0; } summary { cursor: pointer; font-weight: 600; color: #2a4a7a; }
        .warn { background: #fff4e5; border-left: 4px solid #f0a020; padding: 4px 10px; margin: 3px 0; font-size: 0.9em; }
        nav.toc { font-size: 0.92em; } nav.toc ol { margin: 4px 0; padding-left: 1.4em; columns: 2; }
        p.file { font-size: 0.9em; margin: 4px 0; }
        @media print { body { margin: 0; max-width: none; } figure, table, tr { break-inside: avoid; } h2 { break-after: avoid; } }
        """;

    static string H(string s) => WebUtility.HtmlEncode(s);

    internal static string RenderHtml(Report report, IReadOnlyDictionary<string, string> svgs)
    {
        var b = new StringBuilder();
        b.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(H(report.Title)).Append("</title>\n<style>\n")
         .Append(Css).Append("</style>\n</head>\n<body>\n<h1>").Append(H(report.Title)).Append("</h1>\n");
        b.Append("<section id=\"headline\">\n");
        foreach (var block in report.Headline.Blocks) RenderBlock(b, block, svgs);
        b.Append("</section>\n<nav class=\"toc\" id=\"contents\"><strong>Contents</strong><ol>");
        foreach (var s in report.Sections) b.Append($"<li><a href=\"#{s.Id}\">").Append(H(s.Title)).Append("</a></li>");
        b.Append("</ol></nav>\n");
        foreach (var s in report.Sections)
        {
            b.Append($"<section id=\"{s.Id}\">\n<h2>").Append(H(s.Title)).Append("</h2>\n");
            foreach (var block in s.Blocks) RenderBlock(b, block, svgs);
            b.Append("</section>\n");
        }
        b.Append("</body>\n</html>\n");
        return b.ToString();
    }

    static void RenderBlock(StringBuilder b, Block block, IReadOnlyDictionary<string, string> svgs)
    {
        switch (block)
        {
            case Para p:
                b.Append(p.Lead ? "<p class=\"lead\">" : "<p>").Append(H(p.Text)).Append("</p>\n");
                break;
            case Warn w:
                b.Append("<div class=\"warn\">").Append(H(w.Text)).Append("</div>\n");
                break;
            case FileLink f:
                b.Append("<p class=\"file\">→ <a href=\"").Append(H(f.File)).Append("\">").Append(H(f.File)).Append("</a>: ").Append(H(f.Text)).Append("</p>\n");
                break;
            case TableBlock { Table: var t }:
                b.Append("<table>\n<tr>");
                foreach (var h in t.Header) b.Append("<th>").Append(H(h)).Append("</th>");
                b.Append("</tr>\n");
                foreach (var row in t.Rows)
                {
                    b.Append("<tr>");
                    foreach (var cell in row) b.Append("<td>").Append(H(cell)).Append("</td>");
                    b.Append("</tr>\n");
                }
                b.Append("</table>\n");
                break;
            case FigureBlock { Figure: var f }:
                b.Append($"<figure id=\"{f.Id}\">\n").Append(InlineSvg(svgs[f.Id], f.Width, f.Height)).Append("\n<figcaption>").Append(H(f.Caption)).Append("</figcaption>\n</figure>\n");
                break;
            case Details d:
                b.Append(d.Open ? "<details open>" : "<details>").Append("<summary>").Append(H(d.Summary)).Append("</summary>\n");
                foreach (var inner in d.Blocks) RenderBlock(b, inner, svgs);
                b.Append("</details>\n");
                break;
        }
    }

    /// <summary>
    /// The SVG for inlining: no XML declaration, and a viewBox from its width and height, so CSS can scale it to the
    /// page (without one a printed 960-px figure is cut at the paper's edge).
    /// </summary>
    internal static string InlineSvg(string svg, int width, int height)
    {
        var t = svg.TrimStart();
        if (t.StartsWith("<?xml", StringComparison.Ordinal)) t = t[(t.IndexOf("?>", StringComparison.Ordinal) + 2)..].TrimStart();
        var open = t.IndexOf('>');
        if (t.StartsWith("<svg", StringComparison.Ordinal) && open > 0 && !t[..open].Contains("viewBox", StringComparison.Ordinal))
            t = t[..open] + FormattableString.Invariant($" viewBox=\"0 0 {width} {height}\" preserveAspectRatio=\"xMinYMin meet\"") + t[open..];
        return t;
    }

    // ---- Markdown ------------------------------------------------------------------------------------------------------

    static string Md(string s) => s.Replace("|", "\\|").Replace("\n", " ");

    internal static string RenderMarkdown(Report report)
    {
        var b = new StringBuilder();
        b.Append("# ").Append(report.Title).Append("\n\n");
        foreach (var block in report.Headline.Blocks) RenderMarkdownBlock(b, block);
        b.Append("**Contents:** ").Append(string.Join(" · ", report.Sections.Select(s => $"[{s.Title}](#{s.Id})"))).Append("\n\n");
        foreach (var s in report.Sections)
        {
            b.Append($"<a id=\"{s.Id}\"></a>\n\n## ").Append(s.Title).Append("\n\n");
            foreach (var block in s.Blocks) RenderMarkdownBlock(b, block);
        }
        return b.ToString();
    }

    static void RenderMarkdownBlock(StringBuilder b, Block block)
    {
        switch (block)
        {
            case Para p:
                b.Append(p.Lead ? "**" + p.Text + "**" : p.Text).Append("\n\n");
                break;
            case Warn w:
                b.Append("- **warning:** ").Append(w.Text).Append("\n\n");
                break;
            case FileLink f:
                b.Append($"→ [{f.File}]({f.File}): {f.Text}\n\n");
                break;
            case TableBlock { Table: var t }:
                b.Append("| ").Append(string.Join(" | ", t.Header.Select(Md))).Append(" |\n|").Append(string.Concat(t.Header.Select(_ => "---|"))).Append('\n');
                foreach (var row in t.Rows) b.Append("| ").Append(string.Join(" | ", row.Select(Md))).Append(" |\n");
                b.Append('\n');
                break;
            case FigureBlock { Figure: var f }:
                b.Append($"![{Md(f.Title)}]({FiguresFolder}/{f.Id}.png)\n\n*{f.Caption}* ([SVG]({FiguresFolder}/{f.Id}.svg))\n\n");
                break;
            case Details d:
                b.Append(d.Open ? "<details open>" : "<details>").Append("<summary>").Append(WebUtility.HtmlEncode(d.Summary)).Append("</summary>\n\n");
                foreach (var inner in d.Blocks) RenderMarkdownBlock(b, inner);
                b.Append("</details>\n\n");
                break;
        }
    }
}
