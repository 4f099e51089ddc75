using System.Globalization;
using System.Net;
using System.Text;
using Harness.Results;

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
/// Sections: run summary (manifest), warnings (failed units, extrapolation, missing inputs), capability vs compute per
/// metric, compute multipliers (table for every accounting scenario, vs size, vs budget), per-benchmark bars.
/// </summary>
public static class ReportWriter
{
    public const string HtmlFile = ResultSchema.ReportFile;
    public const string MarkdownFile = "report.md";
    public const string FiguresFolder = "report_files";

    public static ReportPaths Write(string resultsDir)
    {
        var folder = ResultsFolder.Load(resultsDir);
        var report = Build(folder);
        var figuresDir = Path.Combine(resultsDir, FiguresFolder);
        Directory.CreateDirectory(figuresDir);
        var files = new List<string>();
        var svgs = new Dictionary<string, string>();
        foreach (var section in report.Sections)
            foreach (var figure in section.Figures)
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
        var html = Path.Combine(resultsDir, HtmlFile);
        var md = Path.Combine(resultsDir, MarkdownFile);
        AtomicFile.WriteAllText(html, RenderHtml(report, svgs));
        AtomicFile.WriteAllText(md, RenderMarkdown(report));
        foreach (var section in report.Sections)
            foreach (var figure in section.Figures) figure.Plot.Dispose();
        return new ReportPaths(html, md, figuresDir, files);
    }

    // ---- the report's content, independent of its format -------------------------------------------------------------

    internal sealed record Table(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows);
    internal sealed record Section(string Title, IReadOnlyList<string> Paragraphs, IReadOnlyList<Table> Tables, IReadOnlyList<ReportFigure> Figures,
                                   IReadOnlyList<string>? Warnings = null);
    internal sealed record Report(string Title, IReadOnlyList<Section> Sections);

    internal static Report Build(ResultsFolder folder)
    {
        var m = folder.Manifest;
        var sections = new List<Section>();
        var title = $"Distillation report — {m.Experiment ?? folder.Name} / {folder.Name}";

        // Summary.
        var summary = new List<IReadOnlyList<string>>();
        void Row(string name, string? value) { if (!string.IsNullOrEmpty(value)) summary.Add([name, value]); }
        Row("experiment", m.Experiment);
        Row("results folder", Path.GetFullPath(folder.Directory));
        Row("config hash", m.ConfigHash);
        Row("git commit", m.GitCommit);
        Row("device", m.Device);
        Row("threads", m.Threads);
        foreach (var (name, value) in m.Versions) Row($"version: {name}", value);
        Row("corpus", m.GetText("config.data.corpus"));
        Row("corpus hash", m.CorpusHash);
        Row("tokenizer", Join(m.GetText("config.data.tokenizer.kind"), m.GetText("config.data.tokenizer.vocab_size") is { } v ? $"vocab {v}" : null));
        Row("tokenizer hash", m.TokenizerHash);
        Row("data mix", m.GetText("config.data.mix"));
        Row("teacher", Join(m.TeacherPath, m.TeacherParams is { } tp ? $"{ReportFigures.Flops(tp)} params" : null,
                            m.TeacherFlops is { } tf ? $"{ReportFigures.Flops(tf)} pre-training FLOPs" : null));
        Row("teacher hash", m.TeacherHash);
        Row("FLOP formula", m.FlopFormula);
        Row("task versions", m.GetText("task_versions"));
        Row("methods", m.GetText("config.methods"));
        Row("seeds", m.GetText("config.seeds"));
        Row("kd", m.GetText("config.kd"));
        Row("evaluation", m.GetText("config.evaluation"));
        Row("started (UTC)", m.StartedUtc);
        Row("finished (UTC)", m.FinishedUtc);
        var ok = folder.Runs.Count(r => string.Equals(r.Status, "ok", StringComparison.OrdinalIgnoreCase));
        Row("units", $"{folder.Runs.Count} in runs.csv: {ok} ok, {folder.Runs.Count - ok} failed");
        sections.Add(new Section("Run summary", m.Exists ? [] : ["manifest.json is missing: provenance below is incomplete."], [new Table(["field", "value"], summary)], []));

        // Warnings: failed units, extrapolation, missing inputs.
        var warnings = new List<string>();
        foreach (var missing in folder.Missing) warnings.Add($"{missing} is missing from the results folder.");
        warnings.AddRange(folder.Fits.Problems);
        var extrapolated = folder.Multipliers.Where(r => r.Extrapolated && !r.IsAggregate).ToList();
        var beyond = folder.Multipliers.Where(r => r.BeyondAsymptote && !r.IsAggregate).ToList();
        foreach (var g in extrapolated.GroupBy(r => (r.Treatment, r.Metric, r.Student, r.Budget, r.Seed)))
            warnings.Add($"extrapolated: {g.Key.Treatment} {g.Key.Student} {g.Key.Budget} seed {g.Key.Seed} on {g.Key.Metric} — the scratch compute needed lies beyond " +
                         $"the largest scratch run, so the multiplier ({string.Join(", ", g.OrderBy(r => ReportFigures.AccountingRank(r.Accounting)).Select(r => $"{r.Accounting} {Num(r.Multiplier)}"))}) rests on the fitted frontier's extrapolation.");
        foreach (var g in beyond.GroupBy(r => (r.Treatment, r.Metric, r.Student, r.Budget, r.Seed)))
            warnings.Add($"beyond asymptote: {g.Key.Treatment} {g.Key.Student} {g.Key.Budget} seed {g.Key.Seed} on {g.Key.Metric} — the treatment's score is " +
                         "better than the scratch frontier ever reaches; the multiplier is unbounded (shown as ∞).");
        var failed = folder.FailedUnits.ToList();
        var failedTable = new Table(["unit", "method", "student", "budget", "seed", "reason"],
            failed.Select(r => (IReadOnlyList<string>)[r.UnitKey, r.Method, r.Student, r.Budget, r.Seed.ToString(CultureInfo.InvariantCulture), r.FailureReason]).ToList());
        sections.Add(new Section("Failed units and warnings",
            [failed.Count == 0 ? "No unit failed." : $"{failed.Count} unit(s) failed; they have no final point and no multiplier."],
            failed.Count > 0 ? [failedTable] : [], [], warnings.Count == 0 ? ["No extrapolation or input warnings."] : warnings));

        // Capability vs compute.
        var capability = new List<ReportFigure>();
        var notes = new List<string>();
        foreach (var metric in CapabilityPoints.Metrics(folder))
        {
            var lower = MetricNames.LowerIsBetter(metric) ||
                        folder.Evals.Where(e => MetricNames.ForTask(e.Task, e.Metric) == metric).Select(e => !e.HigherIsBetter).FirstOrDefault();
            if (CapabilityPoints.For(folder, metric, out var unplaced).Count == 0) continue;
            capability.Add(ReportFigures.Capability(folder, metric, lower, out _));
            if (unplaced > 0) notes.Add($"{metric}: {unplaced} evaluation(s) had no matching step in curves.csv and are not drawn.");
        }
        sections.Add(new Section("Capability vs compute",
            ["x: student training FLOPs on a log scale (the baseline's whole cost; what treatments pay on top enters the multipliers' accounting scenarios)."
             + (notes.Count > 0 ? " " + string.Join(" ", notes) : "")], [], capability));

        // Multipliers.
        var kindOrder = new[] { "point", "by_student", "by_budget", "metric_mean", "treatment_mean" };
        var mrows = folder.Multipliers
            .OrderBy(r => r.Metric == "*" ? 1 : 0).ThenBy(r => r.Metric, StringComparer.Ordinal).ThenBy(r => r.Treatment, StringComparer.Ordinal)
            .ThenBy(r => r.IsAggregate ? 1 : 0).ThenBy(r => Array.IndexOf(kindOrder, r.Kind)).ThenBy(r => r.Student == "*" ? 1 : 0).ThenBy(r => double.IsFinite(r.Params) ? r.Params : folder.StudentParams().GetValueOrDefault(r.Student, double.MaxValue))
            .ThenBy(r => r.Budget == "*" ? double.MaxValue : ReportFigures.BudgetOrder(r.Budget, folder)).ThenBy(r => r.Seed, StringComparer.Ordinal)
            .ThenBy(r => ReportFigures.AccountingRank(r.Accounting)).ThenBy(r => r.Accounting, StringComparer.Ordinal).ToList();
        var sameSize = folder.Multipliers.Any(r => double.IsFinite(r.SameSizeMultiplier));
        var multiplierTable = new Table(["treatment", "metric", "row", "student", "budget", "seed", "accounting", "compute", "multiplier", "90% CI", "95% CI",
                                         .. sameSize ? new[] { "same-size M [95% CI]" } : [], "notes"],
            mrows.Select(r => (IReadOnlyList<string>)[r.Treatment, r.Metric, r.Kind.Length > 0 ? r.Kind : r.IsAggregate ? "geo. mean" : "point",
                r.Student, r.Budget, r.Seed, r.Accounting,
                double.IsFinite(r.Compute) ? ReportFigures.Flops(r.Compute) : "", r.BeyondAsymptote && !double.IsFinite(r.Multiplier) ? "∞" : Num(r.Multiplier),
                Ci(r.Ci90Low, r.Ci90High), Ci(r.Ci95Low, r.Ci95High),
                .. sameSize ? new[] { double.IsFinite(r.SameSizeMultiplier) ? $"{Num(r.SameSizeMultiplier)} {Ci(r.SameSizeCi95Low, r.SameSizeCi95High)}" : "" } : [],
                Join(r.Extrapolated ? "extrapolated" : null, r.BeyondAsymptote ? "beyond asymptote" : null,
                     r.Status.Length > 0 && r.Status != "ok" && !r.Status.Contains("beyond", StringComparison.OrdinalIgnoreCase) ? r.Status : null) ?? ""]).ToList());
        var multiplierFigures = new List<ReportFigure>();
        foreach (var (treatment, metric) in folder.Multipliers.Where(r => r.Metric != "*").Select(r => (r.Treatment, r.Metric)).Distinct()
                                                  .OrderBy(x => x.Metric, StringComparer.Ordinal).ThenBy(x => x.Treatment, StringComparer.Ordinal))
        {
            if (folder.Multipliers.Any(r => r.Treatment == treatment && r.Metric == metric && !r.IsAggregate && r.Multiplier > 0))
                multiplierFigures.Add(ReportFigures.MultiplierVsSize(folder, treatment, metric));
            if (folder.Multipliers.Any(r => r.Treatment == treatment && r.Metric == metric && ReportFigures.IsPerBudget(r) && r.Multiplier > 0))
                multiplierFigures.Add(ReportFigures.MultiplierVsBudget(folder, treatment, metric));
        }
        sections.Add(new Section("Compute multipliers",
            [folder.Multipliers.Count == 0 ? "No multipliers.csv: run the estimator to get multipliers."
             : "Multiplier = scratch compute the frontier needs to reach the treatment's result ÷ the treatment's compute under each accounting scenario " +
               "(student: student training only; +inference: plus teacher inference and logit-cache share; +teacher: plus the teacher's pre-training; " +
               "amortised:K: teacher pre-training shared by K students). Above 1 the treatment is cheaper. Rows other than point are geometric means " +
               "(by_student: over budgets, by_budget: over sizes, metric_mean: over all points of a metric, treatment_mean: over metrics)."],
            folder.Multipliers.Count > 0 ? [multiplierTable] : [], multiplierFigures));

        // Benchmarks.
        var bench = folder.Evals.Where(e => e.IsFinal).Select(e => (e.Task, e.Metric)).Distinct()
                          .OrderBy(x => x.Task, StringComparer.Ordinal).ThenBy(x => x.Metric, StringComparer.Ordinal)
                          .Select(x => ReportFigures.BenchmarkBars(folder, x.Task, x.Metric)).ToList();
        var benchRows = folder.Evals.Where(e => e.IsFinal && (!e.Subset || e.UnitKey == ResultSchema.TeacherUnitKey)).ToList();
        var runs = folder.Runs.GroupBy(r => r.UnitKey).ToDictionary(g => g.Key, g => g.First());
        var benchTable = new Table(["task", "metric", "unit", "method", "student", "budget", "value", "± s.e.", "chance"],
            benchRows.OrderBy(e => e.Task, StringComparer.Ordinal).ThenBy(e => e.Metric, StringComparer.Ordinal).ThenBy(e => e.UnitKey == ResultSchema.TeacherUnitKey ? 0 : 1)
                     .ThenBy(e => runs.TryGetValue(e.UnitKey, out var r) ? folder.StudentParams().GetValueOrDefault(r.Student, double.MaxValue) : 0)
                     .ThenBy(e => e.Method, StringComparer.Ordinal).ThenBy(e => runs.TryGetValue(e.UnitKey, out var r) ? r.Tokens : 0)
                     .Select(e => (IReadOnlyList<string>)[e.Task, e.Metric, e.UnitKey, e.Method, runs.TryGetValue(e.UnitKey, out var r) ? r.Student : "",
                         runs.TryGetValue(e.UnitKey, out var r2) ? r2.Budget : "", Num(e.Value), Num(e.StdErr), Num(e.Chance)]).ToList());
        sections.Add(new Section("Benchmarks", bench.Count == 0 ? ["No final evaluations in evals.csv."] : [],
            benchRows.Count > 0 ? [benchTable] : [], bench));

        return new Report(title, sections);
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
        body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 24px auto; max-width: 1300px; color: #222; }
        h1 { font-size: 1.6em; } h2 { border-bottom: 2px solid #ddd; padding-bottom: 4px; margin-top: 2em; }
        table { border-collapse: collapse; margin: 12px 0; font-size: 0.85em; }
        th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
        th { background: #f2f2f2; } tr:nth-child(even) td { background: #fafafa; }
        td { max-width: 640px; overflow-wrap: anywhere; }
        figure { margin: 18px 0; } figcaption { font-size: 0.85em; color: #555; max-width: 960px; }
        .warn { background: #fff4e5; border-left: 4px solid #f0a020; padding: 6px 10px; margin: 4px 0; }
        .ok { color: #2a7a2a; } nav a { margin-right: 12px; }
        """;

    static string H(string s) => WebUtility.HtmlEncode(s);

    internal static string RenderHtml(Report report, IReadOnlyDictionary<string, string> svgs)
    {
        var b = new StringBuilder();
        b.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(H(report.Title)).Append("</title>\n<style>\n")
         .Append(Css).Append("</style>\n</head>\n<body>\n<h1>").Append(H(report.Title)).Append("</h1>\n<nav>");
        for (var i = 0; i < report.Sections.Count; i++) b.Append($"<a href=\"#s{i}\">").Append(H(report.Sections[i].Title)).Append("</a>");
        b.Append("</nav>\n");
        for (var i = 0; i < report.Sections.Count; i++)
        {
            var s = report.Sections[i];
            b.Append($"<h2 id=\"s{i}\">").Append(H(s.Title)).Append("</h2>\n");
            foreach (var p in s.Paragraphs) b.Append("<p>").Append(H(p)).Append("</p>\n");
            if (s.Warnings is { } warnings)
                foreach (var w in warnings) b.Append(w.StartsWith("No ", StringComparison.Ordinal) ? "<p class=\"ok\">" : "<div class=\"warn\">").Append(H(w))
                                             .Append(w.StartsWith("No ", StringComparison.Ordinal) ? "</p>\n" : "</div>\n");
            foreach (var t in s.Tables)
            {
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
            }
            foreach (var f in s.Figures)
                b.Append($"<figure id=\"{f.Id}\">\n").Append(StripXmlDeclaration(svgs[f.Id])).Append("\n<figcaption>").Append(H(f.Caption)).Append("</figcaption>\n</figure>\n");
        }
        b.Append("</body>\n</html>\n");
        return b.ToString();
    }

    static string StripXmlDeclaration(string svg)
    {
        var t = svg.TrimStart();
        if (t.StartsWith("<?xml", StringComparison.Ordinal)) t = t[(t.IndexOf("?>", StringComparison.Ordinal) + 2)..].TrimStart();
        return t;
    }

    // ---- Markdown ------------------------------------------------------------------------------------------------------

    static string Md(string s) => s.Replace("|", "\\|").Replace("\n", " ");

    internal static string RenderMarkdown(Report report)
    {
        var b = new StringBuilder();
        b.Append("# ").Append(report.Title).Append("\n\n");
        foreach (var s in report.Sections)
        {
            b.Append("## ").Append(s.Title).Append("\n\n");
            foreach (var p in s.Paragraphs) b.Append(p).Append("\n\n");
            if (s.Warnings is { } warnings)
            {
                foreach (var w in warnings) b.Append(w.StartsWith("No ", StringComparison.Ordinal) ? "" : "- **warning:** ").Append(w).Append('\n');
                b.Append('\n');
            }
            foreach (var t in s.Tables)
            {
                b.Append("| ").Append(string.Join(" | ", t.Header.Select(Md))).Append(" |\n|").Append(string.Concat(t.Header.Select(_ => "---|"))).Append('\n');
                foreach (var row in t.Rows) b.Append("| ").Append(string.Join(" | ", row.Select(Md))).Append(" |\n");
                b.Append('\n');
            }
            foreach (var f in s.Figures)
                b.Append($"![{Md(f.Title)}]({FiguresFolder}/{f.Id}.png)\n\n*{f.Caption}* ([SVG]({FiguresFolder}/{f.Id}.svg))\n\n");
        }
        return b.ToString();
    }
}
