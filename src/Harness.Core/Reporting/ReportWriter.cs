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
        sections.Add(HeadlineSection(folder));

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
        if (folder.Summary is { } est)
        {
            warnings.AddRange(est.Warnings);
            if (!est.FinishedRunsOnly) warnings.Add("intermediate checkpoints entered the fits (--all-checkpoints): the frontiers mix finished and unfinished runs.");
        }
        foreach (var g in folder.Multipliers.Where(r => r.Kind == MultiplierKind.Curve && r.Extrapolated && r.Accounting == "student").GroupBy(r => (r.Treatment, r.Metric)))
            warnings.Add($"extrapolated: {g.Key.Treatment} on {g.Key.Metric}: {g.Count()} y value(s) of the frontier curve need a frontier outside its runs' tokens " +
                         $"(y = {string.Join(", ", g.Select(r => Num(r.Y ?? double.NaN)))}); they are listed in multipliers.csv and left out of the frontier summary.");
        foreach (var r in folder.Multipliers.Where(r => r.Kind == MultiplierKind.Summary && r.Accounting == "student" && r.Censored > 0))
            warnings.Add($"censored: {r.Treatment} on {r.Metric}: {r.Censored} of {r.Pairs} pair(s) lie beyond the scratch runs' budgets of their size; " +
                         $"they enter the same-size mean at their bounds, so it is a {(r.Bound == MultiplierBound.Mixed ? "mixed bound" : r.Bound + " bound")}.");
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
        var summaries = folder.Multipliers.Where(r => r.Kind is MultiplierKind.Summary or MultiplierKind.Placebo)
            .OrderBy(r => r.Kind == MultiplierKind.Placebo ? 1 : 0).ThenBy(r => MetricNames.LowerIsBetter(r.Metric) || r.Metric.EndsWith("task_loss", StringComparison.Ordinal) ? 0 : 1)
            .ThenBy(r => r.Metric, StringComparer.Ordinal).ThenBy(r => r.Treatment, StringComparer.Ordinal)
            .ThenBy(r => Array.IndexOf(EstimandOrder, r.Estimand)).ThenBy(r => ReportFigures.AccountingRank(r.Accounting)).ToList();
        var multiplierTable = new Table(["treatment", "metric", "estimand", "accounting", "M [95% CI]", "placebo M [95% CI]", "pairs won", "MDE", "status", "notes"],
            summaries.Select(r => (IReadOnlyList<string>)[r.Treatment, r.Metric, r.Estimand, r.Accounting, MText(r), PlaceboText(r),
                r.Pairs > 0 && r.Kind == MultiplierKind.Summary ? $"{r.Won}/{r.Pairs}" : "", r.Mde is { } mde ? Num(mde) : "",
                r.Status, Join(r.Note, r.FailedReplicates > 0 ? $"{r.FailedReplicates} of {r.Replicates} replicates failed" : null) ?? ""]).ToList());
        var bySize = folder.Multipliers.Where(r => r.Kind == MultiplierKind.ByStudent && r.Accounting == "student")
            .OrderBy(r => r.Metric, StringComparer.Ordinal).ThenBy(r => r.Treatment, StringComparer.Ordinal).ThenBy(r => r.Estimand, StringComparer.Ordinal).ThenBy(r => r.Params ?? 0).ToList();
        var bySizeTable = new Table(["treatment", "metric", "estimand", "student", "M [95% CI] (student accounting)", "pairs won", "censored"],
            bySize.Select(r => (IReadOnlyList<string>)[r.Treatment, r.Metric, r.Estimand, r.Student, MText(r), r.Estimand == Estimand.SameSize ? $"{r.Won}/{r.Pairs}" : "",
                r.Censored > 0 ? r.Censored.ToString(CultureInfo.InvariantCulture) : ""]).ToList());
        var multiplierFigures = new List<ReportFigure>();
        foreach (var (treatment, metric) in folder.Multipliers.Where(r => r.Kind == MultiplierKind.ByStudent && r.Estimand == Estimand.SameSize && r.M > 0)
                                                  .Select(r => (r.Treatment, r.Metric)).Distinct()
                                                  .OrderBy(x => x.Metric, StringComparer.Ordinal).ThenBy(x => x.Treatment, StringComparer.Ordinal))
            multiplierFigures.Add(ReportFigures.MultiplierVsSize(folder, treatment, metric));
        sections.Add(new Section("Compute multipliers",
            [folder.Multipliers.Count == 0 ? "No multipliers.csv: run the estimator to get multipliers."
             : "Three estimands, never averaged together (README \"Estimation\"): frontier = C*_scratch(y) / C*_treatment(y) with each arm's compute frontier fitted on its finished runs by the same rule, " +
               "geometric mean over the y range both arms cover; same_size = per (size, budget, seed) pair, scratch tokens of that size needed to reach the treatment's value ÷ the treatment's, geometric mean over pairs (≥: censored at the scratch runs' largest budget); " +
               "effective_data = e^τ of a joint L(N, D) in which the treatment's data count e^τ times (Ho et al. 2024), model-based. Above 1 the treatment is cheaper. " +
               "Accounting: student = student training only; +inference adds teacher inference and logit-cache share; +teacher adds the teacher's pre-training; amortised:K shares it over K students. " +
               "Intervals: seed-cluster bootstrap; placebo = one scratch seed scored as a treatment against the others (truth 1); MDE = smallest multiplier this design can detect."],
            folder.Multipliers.Count > 0 ? [multiplierTable, .. bySize.Count > 0 ? new[] { bySizeTable } : []] : [], multiplierFigures));

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

    static readonly string[] EstimandOrder = [Estimand.Frontier, Estimand.SameSize, Estimand.EffectiveData];

    static string Bound(string bound) => bound == MultiplierBound.Lower ? "≥ " : bound == MultiplierBound.Upper ? "≤ " : bound == MultiplierBound.Mixed ? "~ " : "";

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
            var text = $"{treatment}: scratch needs {MText(head)} the student compute to reach the same {metric} (M, estimand {head.Estimand}, 95% CI)";
            text += head.PlaceboM is not null
                ? $"; the placebo (a scratch seed scored as a treatment, truth 1) gives {PlaceboText(head)}"
                : "; no placebo (it needs at least 2 seeds)";
            if (b is not null && b.Pairs > 0)
                text += $"; it won {b.Won} of {b.Pairs} same-size, same-budget, same-seed pairs" + (b.M is not null ? $" (same-size gain {MText(b)})" : "");
            parts.Add(text + ".");
        }
        return parts.Count == 0 ? $"No headline: no estimand has a value for {metric}." : string.Join(" ", parts);
    }

    static Section HeadlineSection(ResultsFolder folder)
    {
        var warnings = folder.Summary?.Warnings.Where(w => w.StartsWith("PLACEBO", StringComparison.Ordinal)).ToList() ?? [];
        return new Section("Headline", [HeadlineSentence(folder)], [], [], warnings.Count > 0 ? warnings : null);
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
