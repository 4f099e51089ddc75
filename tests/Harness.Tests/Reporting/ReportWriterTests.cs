using System.Text.RegularExpressions;
using Harness.Reporting;

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
        // 4 capability plots (val_loss, val_bpb, arc_easy/acc, hellaswag/acc_norm), same-size gain vs size for the 2 loss metrics, 2 benchmarks.
        Assert.Equal(8, paths.FigureCount);
        Assert.Equal(paths.FigureCount, Regex.Matches(html, "<svg[\\s>]").Count);
        Assert.DoesNotMatch("(src|href)=\"https?:", html);
        Assert.DoesNotContain("<script", html);
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
        Assert.Contains("## Headline\n\nlogit-kd: scratch needs ", md);
        Assert.Contains("| logit-kd | val_loss | frontier | student |", md);
        Assert.Contains("| logit-kd | val_loss | same_size | student |", md);
        Assert.Contains("| logit-kd | val_loss | effective_data | student |", md);
    }

    [Fact]
    public void Without_fits_json_every_frontier_is_the_empirical_envelope_and_the_title_says_so()
    {
        using var fixtureTmp = new TempDirectory();
        var dir = ReportFixtures.Copy(fixtureTmp, "results-b");

        var html = File.ReadAllText(ReportWriter.Write(dir).Html);

        Assert.Contains("val_loss vs compute — no fit in fits.json: empirical lower envelope of scratch points", html);
        Assert.Contains("hellaswag/acc_norm vs compute — no fit in fits.json: empirical upper envelope of scratch points", html);
        Assert.Contains("fits.json is missing", html);
        Assert.Contains("censored: logit-kd on val_loss:", html);
    }

    [Fact]
    public void A_folder_with_only_runs_and_curves_still_reports_and_lists_what_is_missing()
    {
        using var fixtureTmp = new TempDirectory();
        var dir = ReportFixtures.Copy(fixtureTmp, "results-a");
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
        var dir = ReportFixtures.Copy(fixtureTmp, "results-b");
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
