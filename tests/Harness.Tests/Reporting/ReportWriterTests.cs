using System.Net;
using System.Text.RegularExpressions;
using Harness.Results;
using Harness.Reporting;
using Harness.Tests.Results;

namespace Harness.Tests.Reporting;

public class ReportWriterTests
{
    /// <summary>The fixture's files as the report reads them, and what the tests derive from them.</summary>
    sealed record Produced(ResultsFolder Folder)
    {
        public static Produced Load(string dir) => new(ResultsFolder.Load(dir));

        /// <summary>The (task/metric) names some student lifts above chance, by the report's own rule.</summary>
        public IReadOnlyList<TaskSection.TaskMetric> TaskMetrics { get; } = TaskSection.TaskMetrics(Folder);
        public IEnumerable<TaskSection.TaskMetric> Informative => TaskMetrics.Where(t => t.Informative);

        /// <summary>The student-accounting summary row of logit-kd on <paramref name="metric"/> for <paramref name="estimand"/>.</summary>
        public MultiplierRow Summary(string metric, Estimand estimand, string accounting = "student") =>
            Folder.Multipliers.Single(r => r.Kind == MultiplierKind.Summary && r.Treatment == "logit-kd" && r.Metric == metric && r.Estimand == estimand && r.Accounting == accounting);

        /// <summary>The figures a report draws: the headline, the two loss capability plots, same-size gain vs size
        /// for those two, and a capability plot and a benchmark plot per informative task metric.</summary>
        public int ExpectedFigures => 1 + 2 + 2 + 2 * Informative.Count();
    }

    /// <summary>"≤ 0.997× [0.955×, 1.04×]", as the multiplier tables print a row (README "Estimation").</summary>
    static string MText(MultiplierRow r, string times = "×") =>
        (r.Bound == MultiplierBound.Lower ? "≥ " : r.Bound == MultiplierBound.Upper ? "≤ " : "") +
        $"{ReportFigures.Times(r.M!.Value)} [{ReportFigures.Times(r.MCi95Low!.Value)}, {ReportFigures.Times(r.MCi95High!.Value)}]".Replace("×", times);

    /// <summary>The file name of a metric's figure: "grammar/acc_irregular_past" → "grammar-acc-irregular-past".</summary>
    static string FigureId(string metric) => metric.Replace('/', '-').Replace('_', '-');

    /// <summary>Summary rows of shown metrics (losses, informative task metrics) without a value are collapsed, counted by status.</summary>
    static void AssertWithoutAValueBlock(Produced produced, string multipliersSection)
    {
        var noValue = produced.Folder.Multipliers.Where(r => r.Kind == MultiplierKind.Summary && r.Accounting == "student" && r.M is null
                                                           && (ResultMetrics.LowerIsBetter(r.Metric) || produced.Informative.Any(t => $"{t.Task}/{t.Metric}" == r.Metric))).ToList();
        if (noValue.Count == 0) Assert.DoesNotContain("<summary>Without a value (", multipliersSection);
        else Assert.Contains($"<details><summary>Without a value ({noValue.Count}: {string.Join(", ", noValue.GroupBy(r => r.Status).Select(g => $"{g.Count()} {g.Key.OnDisk()}"))})</summary>", multipliersSection);
    }

    [Fact]
    public void Writes_self_contained_html_and_markdown_with_every_figure()
    {
        using var fixtureTmp = new TempDirectory();
        var dir = ReportFixtures.Copy(fixtureTmp);
        var produced = Produced.Load(dir);

        var paths = ReportWriter.Write(dir);

        Assert.True(File.Exists(paths.Html));
        Assert.True(File.Exists(paths.Markdown));
        var html = File.ReadAllText(paths.Html);
        Assert.NotEmpty(produced.Informative); // the fixture has a task metric to plot
        Assert.Equal(produced.ExpectedFigures, paths.FigureCount);
        Assert.Equal(paths.FigureCount, Regex.Matches(html, "<svg[\\s>]").Count);
        Assert.DoesNotMatch("(src|href)=\"https?:", html);
        Assert.DoesNotContain("<script", html);
        // Every inline figure scales to the page (a viewBox), so print does not cut it at the paper's edge.
        Assert.Equal(paths.FigureCount, Regex.Matches(html, "<svg [^>]*viewBox=\"0 0 \\d+ \\d+\"").Count);
        foreach (var figure in paths.Figures)
            Assert.True(new FileInfo(figure).Length > 1000, figure);
        Assert.All(paths.Figures.Where(f => f.EndsWith(".png")), f => Assert.Equal(0x89, File.ReadAllBytes(f)[0]));

        // Manifest summary, failed unit, extrapolation warning, fitted frontier.
        var manifest = produced.Folder.Manifest!;
        Assert.Equal(ReportFixtures.GitCommit, manifest.GitCommit);
        Assert.Contains(manifest.CorpusHash![..12], html);
        Assert.Contains(ReportFixtures.GitCommit, html);
        var failed = Assert.Single(produced.Folder.Runs, r => r.Status == RunRowStatus.Failed);
        Assert.Contains(WebUtility.HtmlEncode(failed.FailureReason), html);
        Assert.Contains("logit-kd: scratch needs ", html);
        Assert.Contains("the student compute to reach the same val_loss (M, estimand frontier, 95% CI); no placebo", html);
        Assert.Contains("pairs", html);
        // Each plotted frontier's title follows fits.json: the form fitted to both arms, else the empirical envelopes.
        Assert.Equal("chinchilla", Assert.Single(produced.Folder.Fits!.Metrics, m => m.Metric == "val_loss").Arms[0].Law!.Form);
        Assert.Contains("val_loss vs compute — fitted chinchilla frontiers of both arms", html);
        foreach (var metric in produced.Informative.Select(t => $"{t.Task}/{t.Metric}"))
        {
            var law = produced.Folder.Fits!.Metrics.FirstOrDefault(m => m.Metric == metric)?.Arms.FirstOrDefault()?.Law;
            Assert.Contains(law is null ? $"{metric} vs compute — no fit in fits.json: empirical upper envelopes of both arms"
                                        : $"{metric} vs compute — fitted {law.Form} frontiers of both arms", html);
        }

        var md = File.ReadAllText(paths.Markdown);
        foreach (Match m in Regex.Matches(md, @"\]\((report_files/[^)]+)\)"))
            Assert.True(File.Exists(Path.Combine(dir, m.Groups[1].Value)), m.Groups[1].Value);
        Assert.StartsWith("# Distillation report", md);
        Assert.StartsWith("**logit-kd: scratch needs ", md[(md.IndexOf("\n\n", StringComparison.Ordinal) + 2)..]);
        foreach (var estimand in new[] { Estimand.Frontier, Estimand.SameSize, Estimand.EffectiveData })
            Assert.Contains($"| logit-kd | val_loss | {estimand.OnDisk()} | {MText(produced.Summary("val_loss", estimand))} |", md);
        // The other accounting scenarios get their own rows (multipliers.csv: frontier, +inference).
        Assert.Contains($"| logit-kd | val_loss | frontier | +inference | {MText(produced.Summary("val_loss", Estimand.Frontier, "+inference"))} |", md);
    }

    [Fact]
    public void The_page_opens_with_the_headline_then_the_contents_then_val_loss_vs_compute_and_the_task_table()
    {
        using var fixtureTmp = new TempDirectory();
        var dir = ReportFixtures.Copy(fixtureTmp);
        var produced = Produced.Load(dir);

        var html = File.ReadAllText(ReportWriter.Write(dir).Html);
        var body = html[html.IndexOf("<body>", StringComparison.Ordinal)..];

        int At(string s) { var i = body.IndexOf(s, StringComparison.Ordinal); Assert.True(i >= 0, $"missing: {s}"); return i; }
        var headline = At($"<p class=\"lead\">logit-kd: scratch needs {MText(produced.Summary("val_loss", Estimand.Frontier), "&#215;")}");
        var figure = At("<figure id=\"headline\">");
        var contents = At("<nav class=\"toc\"");
        var capability = At("<section id=\"capability\">");
        var tasks = At("<section id=\"tasks\">");
        var multipliers = At("<section id=\"multipliers\">");
        var provenance = At("<section id=\"provenance\">");
        Assert.True(At("<h1>") < headline && headline < figure && figure < contents && contents < capability && capability < tasks && tasks < multipliers && multipliers < provenance);
        Assert.Empty(Regex.Matches(body[..capability], "<h2")); // nothing (no provenance, no warning box) before the answer
        Assert.Empty(Regex.Matches(body[..capability], "class=\"warn\""));
        // The capability figure right after the contents is val_loss, with both arms' frontiers and a unit.
        Assert.Equal(capability, body.IndexOf("<section", contents, StringComparison.Ordinal));
        Assert.Contains("id=\"capability-val-loss\"", body[capability..tasks]);
        Assert.Contains("nats/token", body[capability..tasks]);
        Assert.Contains("scratch frontier", body[capability..tasks]);
        Assert.Contains("logit-kd frontier", body[capability..tasks]);

        // The contents list links every section, and every link lands.
        var links = Regex.Matches(body[contents..capability], "href=\"#([a-z]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["capability", "tasks", "multipliers", "claims", "figures", "repetition", "warnings", "provenance"], links);
        Assert.All(links, id => Assert.Contains($"<section id=\"{id}\">", body));

        // One row per task with a chance column (an informative task on its informative metric); provenance and secondary tables are collapsed.
        Assert.Matches("<th>task</th><th>metric</th><th>items</th><th>chance</th>", body[tasks..multipliers]);
        var taskNames = produced.Folder.Evals.Select(e => e.Task).Distinct().ToList();
        Assert.Equal(ReportFixtures.Tasks.Split(','), taskNames.Order(StringComparer.Ordinal));
        foreach (var task in taskNames)
            Assert.Contains($"<tr><td>{task}</td><td>", body[tasks..multipliers]);
        foreach (var t in produced.Informative)
            Assert.Contains($"<td>{t.Task}</td><td>{t.Metric} ↑</td><td>{t.Items}</td><td>{ReportText.Num(t.Chance)}</td>", body[tasks..multipliers]);
        Assert.Contains("<details><summary>Run summary (", body[provenance..]);
        Assert.Contains("<details><summary>Other accounting scenarios (", body[multipliers..]);
        Assert.Contains("<details><summary>Per student size (", body[multipliers..]);
        AssertWithoutAValueBlock(produced, body[multipliers..]);
        Assert.Equal(1, produced.Folder.Manifest!.Config!.Value.GetProperty("seeds").GetArrayLength());
        Assert.DoesNotContain("<summary>Placebo rows (", body); // one seed: no placebo


        // Point rows live in the CSVs the page links to, not in the page.
        Assert.Contains("href=\"multipliers.csv\"", body);
        Assert.Contains("href=\"report_files/final_scores.csv\"", body);
        Assert.DoesNotContain("<td>cell</td>", body);
        Assert.DoesNotContain("<td>curve</td>", body);
        var scores = File.ReadAllLines(Path.Combine(dir, "report_files", "final_scores.csv"));
        Assert.StartsWith("schema_version,task,metric,unit_key,method,student,budget,seed,", scores[0]);
        var finals = ResultTables.ReadAll<EvalRow>(Path.Combine(dir, ResultSchema.EvalsFile)).Count(e => e.IsFinal);
        Assert.Equal(finals, scores.Length - 1);
    }

    [Fact]
    public void Metrics_at_chance_are_collapsed_as_not_informative_with_the_reason_and_get_no_figures()
    {
        using var fixtureTmp = new TempDirectory();
        var dir = ReportFixtures.Copy(fixtureTmp);
        // Every student's arithmetic_1d score at chance; every student's grammar score well clear of it (1 where higher
        // is better, 0 where lower, with no s.e.); the teacher keeps its scores.
        const string atChance = "arithmetic_1d", clear = "grammar";
        var evalsFile = Path.Combine(dir, ResultSchema.EvalsFile);
        var evals = ResultTables.ReadAll<EvalRow>(evalsFile).Select(e => e.UnitKey == ResultSchema.TeacherUnitKey ? e
            : e.Task == atChance ? e with { Value = e.Chance }
            : e.Task == clear ? e with { Value = e.HigherIsBetter ? 1 : 0, StdErr = 0 } : e).ToList();
        ResultTables.WriteAll(evalsFile, evals);
        var metricsOf = evals.GroupBy(e => e.Task).ToDictionary(g => g.Key, g => g.Select(e => e.Metric).Distinct().Count());

        var paths = ReportWriter.Write(dir);
        var html = File.ReadAllText(paths.Html);
        // grammar's metrics are informative now, so its withheld accuracy multipliers are listed without a value.
        var produced = Produced.Load(dir);
        Assert.Contains(produced.Folder.Multipliers, r => r.Metric.StartsWith(clear + "/", StringComparison.Ordinal) && r.Kind == MultiplierKind.Summary && r.M is null);
        AssertWithoutAValueBlock(produced, html[html.IndexOf("<section id=\"multipliers\">", StringComparison.Ordinal)..]);

        var quiet = html.IndexOf($"<details><summary>Not informative at this scale ({metricsOf[atChance]} metric(s) of 1 task(s) never clear chance; no figures drawn)</summary>", StringComparison.Ordinal);
        Assert.True(quiet > 0);
        var quietBlock = html[quiet..html.IndexOf("</details>", quiet, StringComparison.Ordinal)];
        Assert.Contains($"<td>{atChance}</td>", quietBlock);
        var chance = evals.First(e => e.Task == atChance && e.Metric == "acc").Chance;
        Assert.Contains($"no student&#39;s final score clears chance by 2 s.e.: best {ReportText.Num(chance)}", quietBlock);
        Assert.DoesNotContain($"<td>{clear}</td>", quietBlock);
        // The task keeps its row in the per-task table, marked.
        Assert.Matches($"<td>{atChance}</td><td>acc ↑</td>.*<td>no: at chance</td></tr>", html[..quiet]);
        Assert.Matches($"<td>{clear}</td><td>acc ↑</td>.*<td>yes \\({metricsOf[clear]} of {metricsOf[clear]} metrics\\)</td></tr>", html[..quiet]);
        Assert.DoesNotContain(paths.Figures, f => f.Contains(FigureId(atChance)));
        Assert.Contains(paths.Figures, f => f.EndsWith($"bench-{FigureId(clear)}-acc.svg"));
        Assert.Equal(1 + 2 + 2 + 2 * metricsOf[clear], paths.FigureCount);
        // The metric's rows are still in the files: final_scores.csv and multipliers.csv.
        Assert.Contains(File.ReadAllLines(Path.Combine(paths.FiguresDirectory, "final_scores.csv")), l => l.StartsWith($"1,{atChance},acc,"));
    }

    [Fact]
    public void Warnings_are_deduplicated_and_those_with_empty_values_dropped()
    {
        Assert.Equal(["extrapolated: logit-kd on val_loss", "a full one (x = 1, y = 2)"],
            ReportText.CleanWarnings(["extrapolated: logit-kd on val_loss", "the multiplier (student , +inference , …) is odd", "extrapolated: logit-kd on val_loss",
                                        "a full one (x = 1, y = 2)", "value ()", "y = , z", "  "]));

        using var fixtureTmp = new TempDirectory();
        var dir = ReportFixtures.Copy(fixtureTmp);
        var summary = Path.Combine(dir, "summary.json");
        Assert.Contains("\"warnings\": []", File.ReadAllText(summary));
        File.WriteAllText(summary, File.ReadAllText(summary).Replace("\"warnings\": []",
            "\"warnings\": [\"the multiplier (student , +inference , …) could not be read\", \"twice said\", \"twice said\"]"));

        var html = File.ReadAllText(ReportWriter.Write(dir).Html);

        Assert.DoesNotContain("the multiplier (student ,", html);
        Assert.Single(Regex.Matches(html, "twice said"));
    }

    [Theory]
    [InlineData(-4.2, 0.4)]   // multipliers from 0.00006× to 2.5×
    [InlineData(-0.05, 0.05)] // a narrow CI around 1×
    [InlineData(-0.037, 0.072)] // the quickstart headline: 0.918× to 1.18×
    [InlineData(0.0, 0.004)]
    [InlineData(0.0, 0.33)]
    [InlineData(0.1, 0.7)]
    [InlineData(12.3, 13.9)]  // FLOPs over 1.6 decades
    [InlineData(12.0, 14.4)]
    [InlineData(9.0, 17.0)]
    [InlineData(1.0, 40.0)]
    public void Log_axes_get_at_least_three_labels_and_never_a_zero_times_label(double lo, double hi)
    {
        foreach (var format in new Func<double, string>[] { ReportFigures.Times, ReportFigures.Flops })
        {
            var ticks = ReportFigures.LogTicks([lo, hi], format);

            Assert.InRange(ticks.Count, 3, 20);
            Assert.DoesNotContain(ticks, t => t.Label is "0×" or "0" or "");
            Assert.Equal(ticks.Count, ticks.Select(t => t.Label).Distinct().Count());
            Assert.All(ticks, t => Assert.InRange(t.Position, lo - 0.011, hi + 0.011)); // inside the data, so the plot's limits never clip a label
        }
    }

    [Fact]
    public void Figures_have_units_chance_lines_and_no_zero_times_ticks()
    {
        using var fixtureTmp = new TempDirectory();
        var dir = ReportFixtures.Copy(fixtureTmp);
        var informative = Produced.Load(dir).Informative.First(t => double.IsFinite(t.Chance));

        var paths = ReportWriter.Write(dir);

        string Svg(string id) => File.ReadAllText(Path.Combine(paths.FiguresDirectory, id + ".svg"));
        var metric = FigureId($"{informative.Task}/{informative.Metric}");
        Assert.Contains("val_loss (nats/token)", Svg("capability-val-loss"));
        Assert.Contains("val_bpb (bits/byte)", Svg("capability-val-bpb"));
        Assert.Contains($"chance ({ReportText.Num(informative.Chance)})", Svg("bench-" + metric));
        Assert.Contains($"chance ({ReportText.Num(informative.Chance)})", Svg("capability-" + metric));
        Assert.DoesNotContain("chance", Svg("capability-val-loss"));
        foreach (var svg in paths.Figures.Where(f => f.EndsWith(".svg")))
            Assert.DoesNotMatch(">\\s*0×\\s*<", File.ReadAllText(svg));
        Assert.Equal("0.000123×", ReportFigures.Times(0.000123));
        Assert.Equal("0.0312×", ReportFigures.Times(0.03123));
        Assert.Equal("1.55×", ReportFigures.Times(1.5468));
    }

    [Fact]
    public void Without_fits_json_every_frontier_is_the_empirical_envelope_and_the_title_says_so()
    {
        using var fixtureTmp = new TempDirectory();
        var dir = PipelineFixture.Copy(fixtureTmp);
        File.Delete(Path.Combine(dir, "fits.json"));

        var html = File.ReadAllText(ReportWriter.Write(dir).Html);

        Assert.Contains("val_loss vs compute — no fit in fits.json: empirical lower envelopes of both arms", html);
        Assert.Contains("fits.json is missing", html);
        Assert.Contains("censored: logit-kd on val_loss:", html);
        Assert.Contains("logit-kd frontier (empirical envelope of finished runs)", html);
        Assert.DoesNotContain("fitted chinchilla frontiers", html);
    }

    [Fact]
    public void A_folder_with_only_runs_and_curves_still_reports_and_lists_what_is_missing()
    {
        using var fixtureTmp = new TempDirectory();
        var dir = PipelineFixture.Copy(fixtureTmp);
        foreach (var file in new[] { "evals.csv", "multipliers.csv", "fits.json", "manifest.json" })
            File.Delete(Path.Combine(dir, file));

        var paths = ReportWriter.Write(dir);
        var html = File.ReadAllText(paths.Html);

        Assert.Equal(2, paths.FigureCount); // val_loss and val_bpb
        Assert.Contains("manifest.json is missing", html);
        Assert.Contains("multipliers.csv is missing", html);
        Assert.Contains("No multipliers.csv", html);
    }

    [Fact]
    public void Envelope_is_the_running_best_as_a_step_line()
    {
        CapabilityPoint P(double c, double v) => new("u", "scratch", "s1", "b", 0, 0, c, v, false);

        var lower = CapabilityPoints.Envelope([P(10, 5), P(1, 6), P(100, 5.5), P(1000, 4)], lowerIsBetter: true);

        Assert.Equal([(1.0, 6.0), (10.0, 6.0), (10.0, 5.0), (1000.0, 5.0), (1000.0, 4.0)], lower);

        var upper = CapabilityPoints.Envelope([P(1, 0.3), P(10, 0.5), P(100, 0.4)], lowerIsBetter: false);

        Assert.Equal([(1.0, 0.3), (10.0, 0.3), (10.0, 0.5), (100.0, 0.5)], upper);
    }

    [Fact]
    public void Unreadable_fits_json_is_reported_not_thrown()
    {
        using var fixtureTmp = new TempDirectory();
        var dir = PipelineFixture.Copy(fixtureTmp);
        File.WriteAllText(Path.Combine(dir, "fits.json"), "{\"frontiers\": {\"val_loss\": {\"form\": \"spline\", \"knots\": 3}}}");

        var fits = FrontierFits.Load(dir);

        Assert.Null(fits.For("val_loss"));
        Assert.Contains(fits.Problems, p => p.Contains("no schema_version") && p.Contains("spline"));
    }

    [Fact]
    public void Missing_folder_is_a_user_error()
    {
        using var tmp = new TempDirectory();
        var e = Assert.Throws<UserInputException>(() => ReportWriter.Write(Path.Combine(tmp.Path, "nope")));
        Assert.Contains("no such results folder", e.Message);
    }
}
