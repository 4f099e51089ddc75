using Harness.Results;
using Harness.IO;

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
    public const string MarkdownFile = RunFolderLayout.ReportMarkdownFile;
    public const string FiguresFolder = RunFolderLayout.FiguresFolder;

    /// <summary>The per-unit final scores the page summarises, beside the figures (one row per unit × task × metric).</summary>
    public const string FinalScoresFile = RunFolderLayout.FinalScoresFile;

    public static ReportPaths Write(string resultsDir)
    {
        var folder = ResultsFolder.Load(resultsDir);
        var report = Build(folder);
        var layout = new RunFolderLayout(resultsDir);
        var figuresDir = layout.Figures;
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
        var scores = layout.FinalScores;
        FinalScoresCsv.Write(folder, scores);
        files.Add(scores);
        var html = layout.ReportHtml;
        var md = layout.ReportMarkdown;
        AtomicFile.WriteAllText(html, HtmlRenderer.RenderHtml(report, svgs));
        AtomicFile.WriteAllText(md, MarkdownRenderer.RenderMarkdown(report));
        foreach (var figure in report.Figures) figure.Plot.Dispose();
        return new ReportPaths(html, md, figuresDir, files);
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
        var taskMetrics = TaskSection.TaskMetrics(folder);
        var informative = taskMetrics.Where(t => t.Informative).Select(t => ResultMetrics.ForTask(t.Task, t.Metric)).ToHashSet(StringComparer.Ordinal);
        // Shown on the page: the validation losses and the task metrics some student learned; the rest stay in the CSVs.
        bool Shown(string metric) => ResultMetrics.LowerIsBetter(metric) || informative.Contains(metric);

        var headline = HeadlineSection.Build(folder, headlineMetric);

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

        sections.Add(TaskSection.Build(taskMetrics, methods));
        sections.Add(MultiplierSection.Build(folder, headlineMetric, Shown));
        if (ClaimsSection.Build(folder) is { } claims) sections.Add(claims);

        // More figures: the other capability plots and the benchmark bars, informative metrics only.
        var more = new List<Block>();
        foreach (var metric in capabilityMetrics.Where(x => x != headlineMetric && Shown(x)))
            more.Add(new FigureBlock(ReportFigures.Capability(folder, metric, lowerOf(metric), out _)));
        foreach (var t in taskMetrics.Where(t => t.Informative))
            more.Add(new FigureBlock(ReportFigures.BenchmarkBars(folder, t.Task, t.Metric)));
        if (notes.Count > 0) more.Add(new Para(string.Join(" ", notes)));
        if (more.Count > 0)
            sections.Add(new Section("figures", "More figures", [new Details($"{more.OfType<FigureBlock>().Count()} figure(s): other metrics vs compute and final scores per task (informative metrics only)", more)]));

        if (RepetitionSection.Build(folder, m) is { } repetition) sections.Add(repetition);
        sections.Add(WarningsSection.Build(folder, Shown));
        sections.Add(ProvenanceSection.Build(folder, m));
        return new Report(title, headline, sections);
    }
}
