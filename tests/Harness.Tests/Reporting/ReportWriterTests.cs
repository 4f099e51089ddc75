using System.Text.RegularExpressions;
using Harness.Reporting;
using Harness.Tests.Results;

namespace Harness.Tests.Reporting;

public class ReportWriterTests
{
    [Fact]
    public void Writes_self_contained_html_and_markdown_with_every_figure()
    {
        using var fixtureTmp = new TempDirectory();
        var dir = ReportFixtures.Copy(fixtureTmp, "results-a");

        var paths = ReportWriter.Write(dir);

        Assert.True(File.Exists(paths.Html));
        Assert.True(File.Exists(paths.Markdown));
        var html = File.ReadAllText(paths.Html);
        // The headline, 4 capability plots (val_loss, val_bpb, arc_easy/acc, hellaswag/acc_norm), same-size gain vs size for the 2 loss metrics, 2 benchmarks.
        Assert.Equal(9, paths.FigureCount);
        Assert.Equal(paths.FigureCount, Regex.Matches(html, "<svg[\\s>]").Count);
        Assert.DoesNotMatch("(src|href)=\"https?:", html);
        Assert.DoesNotContain("<script", html);
        // Every inline figure scales to the page (a viewBox), so print does not cut it at the paper's edge.
        Assert.Equal(paths.FigureCount, Regex.Matches(html, "<svg [^>]*viewBox=\"0 0 \\d+ \\d+\"").Count);
        foreach (var figure in paths.Figures)
            Assert.True(new FileInfo(figure).Length > 1000, figure);
        Assert.All(paths.Figures.Where(f => f.EndsWith(".png")), f => Assert.Equal(0x89, File.ReadAllBytes(f)[0]));

        // Manifest summary, failed unit, extrapolation warning, fitted frontier.
        Assert.Contains("sha256:5f1c0d8e2b7a", html);
        Assert.Contains("83e6a23c41d0", html);
        Assert.Contains("CUDA out of memory", html);
        Assert.Contains("logit-kd: scratch needs ", html);
        Assert.Contains("the student compute to reach the same val_loss (M, estimand frontier, 95% CI); no placebo", html);
        Assert.Contains("pairs", html);
        Assert.Contains("val_loss vs compute — fitted chinchilla frontiers of both arms", html);
        Assert.Contains("arc_easy/acc vs compute — fitted sigmoid frontiers of both arms", html);

        var md = File.ReadAllText(paths.Markdown);
        foreach (Match m in Regex.Matches(md, @"\]\((report_files/[^)]+)\)"))
            Assert.True(File.Exists(Path.Combine(dir, m.Groups[1].Value)), m.Groups[1].Value);
        Assert.StartsWith("# Distillation report", md);
        Assert.StartsWith("**logit-kd: scratch needs ", md[(md.IndexOf("\n\n", StringComparison.Ordinal) + 2)..]);
        Assert.Contains("| logit-kd | val_loss | frontier | 1.55× [1.41×, 1.7×] |", md);
        Assert.Contains("| logit-kd | val_loss | same_size | ≥ 1.4× [1.36×, 1.45×] |", md);
        Assert.Contains("| logit-kd | val_loss | effective_data | 2.07× [1.99×, 2.17×] |", md);
        // The other accounting scenarios get their own rows (multipliers.csv: frontier, +inference, M 0.748 [0.681, 0.822]).
        Assert.Contains("| logit-kd | val_loss | frontier | +inference | 0.748× [0.681×, 0.822×] |", md);
    }

    [Fact]
    public void The_page_opens_with_the_headline_then_the_contents_then_val_loss_vs_compute_and_the_task_table()
    {
        using var fixtureTmp = new TempDirectory();
        var dir = ReportFixtures.Copy(fixtureTmp, "results-a");

        var html = File.ReadAllText(ReportWriter.Write(dir).Html);
        var body = html[html.IndexOf("<body>", StringComparison.Ordinal)..];

        int At(string s) { var i = body.IndexOf(s, StringComparison.Ordinal); Assert.True(i >= 0, $"missing: {s}"); return i; }
        var headline = At("<p class=\"lead\">logit-kd: scratch needs 1.55&#215; [1.41&#215;, 1.7&#215;]");
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
        Assert.Equal(["capability", "tasks", "multipliers", "figures", "warnings", "provenance"], links);
        Assert.All(links, id => Assert.Contains($"<section id=\"{id}\">", body));

        // One row per task with a chance column; provenance and secondary tables are collapsed.
        Assert.Matches("<th>task</th><th>metric</th><th>items</th><th>chance</th>", body[tasks..multipliers]);
        Assert.Matches("<td>arc_easy</td><td>acc ↑</td><td>500</td><td>0.25</td>", body[tasks..multipliers]);
        Assert.Matches("<td>hellaswag</td><td>acc_norm ↑</td><td>1000</td><td>0.25</td>", body[tasks..multipliers]);
        Assert.Contains("<details><summary>Run summary (", body[provenance..]);
        Assert.Contains("<details><summary>Other accounting scenarios (", body[multipliers..]);
        Assert.Contains("<details><summary>Per student size (", body[multipliers..]);
        Assert.Contains("<details><summary>Without a value (2: 2 withheld)</summary>", body[multipliers..]);
        Assert.DoesNotContain("<summary>Placebo rows (", body); // one seed: no placebo


        // Point rows live in the CSVs the page links to, not in the page.
        Assert.Contains("href=\"multipliers.csv\"", body);
        Assert.Contains("href=\"report_files/final_scores.csv\"", body);
        Assert.DoesNotContain("<td>cell</td>", body);
        Assert.DoesNotContain("<td>curve</td>", body);
        var scores = File.ReadAllLines(Path.Combine(dir, "report_files", "final_scores.csv"));
        Assert.StartsWith("schema_version,task,metric,unit_key,method,student,budget,seed,", scores[0]);
        var finals = File.ReadAllLines(Path.Combine(dir, "evals.csv")).Skip(1).Count(l => l.Split(',')[5] == "true");
        Assert.Equal(finals, scores.Length - 1);
    }

    [Fact]
    public void Metrics_at_chance_are_collapsed_as_not_informative_with_the_reason_and_get_no_figures()
    {
        using var fixtureTmp = new TempDirectory();
        var dir = ReportFixtures.Copy(fixtureTmp, "results-a");
        // Every student's hellaswag score at chance (0.25); the teacher keeps its score.
        var evals = File.ReadAllLines(Path.Combine(dir, "evals.csv"));
        var header = evals[0].Split(',');
        int task = Array.IndexOf(header, "task"), value = Array.IndexOf(header, "value"), unit = Array.IndexOf(header, "unit_key");
        File.WriteAllLines(Path.Combine(dir, "evals.csv"), evals.Select((l, i) =>
        {
            var f = l.Split(',');
            if (i > 0 && f[task] == "hellaswag" && f[unit] != "teacher") f[value] = "0.25";
            return string.Join(',', f);
        }));

        var paths = ReportWriter.Write(dir);
        var html = File.ReadAllText(paths.Html);

        var quiet = html.IndexOf("<details><summary>Not informative at this scale (1 metric(s) of 1 task(s) never clear chance; no figures drawn)</summary>", StringComparison.Ordinal);
        Assert.True(quiet > 0);
        var quietBlock = html[quiet..html.IndexOf("</details>", quiet, StringComparison.Ordinal)];
        Assert.Contains("<td>hellaswag</td>", quietBlock);
        Assert.Contains("no student&#39;s final score clears chance by 2 s.e.: best 0.25", quietBlock);
        Assert.DoesNotContain("<td>arc_easy</td>", quietBlock);
        // The task keeps its row in the per-task table, marked.
        Assert.Matches("<td>hellaswag</td><td>acc_norm ↑</td>.*<td>no: at chance</td></tr>", html[..quiet]);
        Assert.Matches("<td>arc_easy</td><td>acc ↑</td>.*<td>yes \\(1 of 1 metrics\\)</td></tr>", html[..quiet]);
        Assert.DoesNotContain(paths.Figures, f => f.Contains("hellaswag"));
        Assert.Contains(paths.Figures, f => f.Contains("bench-arc-easy-acc.svg"));
        Assert.Equal(7, paths.FigureCount);
        // The metric's rows are still in the files: final_scores.csv and multipliers.csv.
        Assert.Contains(File.ReadAllLines(Path.Combine(paths.FiguresDirectory, "final_scores.csv")), l => l.StartsWith("1,hellaswag,acc_norm,"));
    }

    [Fact]
    public void Warnings_are_deduplicated_and_those_with_empty_values_dropped()
    {
        Assert.Equal(["extrapolated: logit-kd on val_loss", "a full one (x = 1, y = 2)"],
            ReportText.CleanWarnings(["extrapolated: logit-kd on val_loss", "the multiplier (student , +inference , …) is odd", "extrapolated: logit-kd on val_loss",
                                        "a full one (x = 1, y = 2)", "value ()", "y = , z", "  "]));

        using var fixtureTmp = new TempDirectory();
        var dir = ReportFixtures.Copy(fixtureTmp, "results-a");
        var summary = Path.Combine(dir, "summary.json");
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
        var dir = ReportFixtures.Copy(fixtureTmp, "results-a");

        var paths = ReportWriter.Write(dir);

        string Svg(string id) => File.ReadAllText(Path.Combine(paths.FiguresDirectory, id + ".svg"));
        Assert.Contains("val_loss (nats/token)", Svg("capability-val-loss"));
        Assert.Contains("val_bpb (bits/byte)", Svg("capability-val-bpb"));
        Assert.Contains("chance (0.25)", Svg("bench-arc-easy-acc"));
        Assert.Contains("chance (0.25)", Svg("capability-arc-easy-acc"));
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
