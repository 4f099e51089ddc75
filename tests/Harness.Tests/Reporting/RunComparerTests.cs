using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Cli;
using Harness.Reporting;

namespace Harness.Tests.Reporting;

public class RunComparerTests
{
    [Fact]
    public void Runs_that_differ_in_one_config_field_flag_exactly_that_field()
    {
        // Given results-b, which differs from results-a only in kd.temperature (and so in its logit-kd units and multipliers)
        var result = RunComparer.Compare([ReportFixtures.Source("results-a"), ReportFixtures.Source("results-b")]);

        // Then that one field is listed, as a treatment difference that keeps the runs comparable
        var difference = Assert.Single(result.Differences);
        Assert.Equal("config.kd.temperature", difference.Field);
        Assert.Equal(DifferenceSeverity.Info, difference.Severity);
        Assert.Equal(["2", "4"], difference.Values);
        Assert.True(result.Comparable);

        // Scratch units share keys and numbers; logit-kd units exist in one run each; multipliers match by name and moved
        Assert.All(result.Metrics, m => Assert.Equal("scratch", m.Method));
        Assert.All(result.Metrics, m => Assert.Equal(0.0, m.Deltas[1]));
        Assert.Equal(14, result.UnmatchedUnits.Count);
        Assert.All(result.UnmatchedUnits, u => Assert.Equal("logit-kd", u.Method));
        var rows = File.ReadLines(Path.Combine(ReportFixtures.Source("results-a"), "multipliers.csv")).Count() - 1;
        Assert.True(result.Multipliers.Count >= rows); // curve rows sit at each run's own y grid, so some match in one run only
        // Every multiplier with a value in both runs moved (the treatment changed); rows without one have no delta.
        var valued = result.Multipliers.Where(m => m.Values.All(v => v is not null && double.IsFinite(v.Multiplier))).ToList();
        Assert.NotEmpty(valued);
        Assert.All(valued.Where(m => m.Treatment == "logit-kd" && m.Values.All(v => v!.Bound.Length == 0)), m => Assert.NotEqual(0.0, m.Deltas[1]!.Value));
        Assert.All(result.Multipliers.Except(valued), m => Assert.Null(m.Deltas[1]));
    }

    [Fact]
    public void A_difference_in_the_tokenizer_is_flagged_as_breaking_and_nothing_else_is_listed()
    {
        var a = ReportFixtures.Source("results-a");
        using var fixtureTmp = new TempDirectory();
        var b = ReportFixtures.Copy(fixtureTmp, "results-a");
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(b, "manifest.json")))!;
        manifest["config"]!["data"]!["tokenizer"]!["vocab_size"] = 8192;
        manifest["config_hash"] = "sha256:different";
        manifest["started_utc"] = "2026-11-22T00:00:00Z";
        File.WriteAllText(Path.Combine(b, "manifest.json"), manifest.ToJsonString());

        var result = RunComparer.Compare([a, b]);

        var difference = Assert.Single(result.Differences);
        Assert.Equal("config.data.tokenizer.vocab_size", difference.Field);
        Assert.Equal(DifferenceSeverity.Breaking, difference.Severity);
        Assert.False(result.Comparable);
        Assert.Contains("NOT COMPARABLE", ComparisonFormatter.ToMarkdown(result));
        Assert.Equal(Harness.Cli.Commands.CompareCommand.NotComparable, HarnessApp.Run(["compare", a, b, "--strict", "--format", "csv", "--out", Path.Combine(b, "cmp.csv")]));
        // Both folders are named results-a: the comparison names them by parent/name so columns stay distinct.
        Assert.Equal(2, result.Runs.Select(r => r.Name).Distinct().Count());
        Assert.All(result.Runs, r => Assert.EndsWith("/results-a", r.Name));
    }

    [Fact]
    public void Identical_runs_report_zero_deltas_and_overlapping_intervals()
    {
        using var fixtureTmp = new TempDirectory();
        var result = RunComparer.Compare([ReportFixtures.Source("results-a"), ReportFixtures.Copy(fixtureTmp, "results-a")]);

        Assert.Empty(result.Differences);
        Assert.True(result.Comparable);
        Assert.Empty(result.UnmatchedUnits);
        Assert.Equal(12 * 4, result.Metrics.Count); // 12 ok units × (val_loss, val_bpb, 2 tasks)
        Assert.All(result.Metrics, m => Assert.Equal([0.0, 0.0], m.Deltas));
        Assert.All(result.Metrics.Where(m => m.StdErrs[0] is not null), m => Assert.True(m.CisOverlap));
        var valued = result.Multipliers.Where(m => m.Values.All(v => v is not null && double.IsFinite(v.Multiplier))).ToList();
        Assert.Equal(File.ReadLines(Path.Combine(ReportFixtures.Source("results-a"), "multipliers.csv")).Count() - 1, result.Multipliers.Count);
        Assert.All(valued, m => Assert.Equal([0.0, 0.0], m.Deltas));
        Assert.All(valued.Where(m => m.Values[0]!.Ci95Low > 0), m => Assert.True(m.CisOverlap));
    }

    [Fact]
    public void Classifies_the_issue_fields()
    {
        Assert.Equal(DifferenceSeverity.Breaking, RunComparer.Classify("corpus_hash").Severity);
        Assert.Equal(DifferenceSeverity.Breaking, RunComparer.Classify("config.data.mix.synthetic").Severity);
        Assert.Equal(DifferenceSeverity.Breaking, RunComparer.Classify("flop_formula").Severity);
        Assert.Equal(DifferenceSeverity.Breaking, RunComparer.Classify("task_versions.arc_easy").Severity);
        Assert.Equal(DifferenceSeverity.Breaking, RunComparer.Classify("config.evaluation.curve_subset_items").Severity);
        Assert.Equal(DifferenceSeverity.Warning, RunComparer.Classify("config.seeds").Severity);
        Assert.Equal(DifferenceSeverity.Warning, RunComparer.Classify("device").Severity);
        Assert.Equal(DifferenceSeverity.Info, RunComparer.Classify("config.students[s1].d_model").Severity);
    }

    [Fact]
    public void Every_file_format_carries_the_comparison()
    {
        var result = RunComparer.Compare([ReportFixtures.Source("results-a"), ReportFixtures.Source("results-b")]);

        var csv = ComparisonFormatter.ToCsv(result);
        var md = ComparisonFormatter.ToMarkdown(result);
        using var json = JsonDocument.Parse(ComparisonFormatter.ToJson(result));

        Assert.StartsWith("section,run,key,", csv);
        Assert.Contains("config,results-b,config.kd.temperature", csv);
        Assert.Contains("| config.kd.temperature | INFO |", md);
        Assert.True(json.RootElement.GetProperty("comparable").GetBoolean());
        Assert.Equal(result.Multipliers.Count, json.RootElement.GetProperty("multipliers").GetArrayLength());
    }

    [Fact]
    public void Compare_command_writes_the_requested_format_and_rejects_one_folder()
    {
        using var tmp = new TempDirectory();
        var output = Path.Combine(tmp.Path, "cmp.json");

        var ok = HarnessApp.Run(["compare", ReportFixtures.Source("results-a"), ReportFixtures.Source("results-b"), "--format", "json", "--out", output]);
        var tooFew = HarnessApp.Run(["compare", ReportFixtures.Source("results-a")]);

        Assert.Equal(0, ok);
        Assert.True(JsonDocument.Parse(File.ReadAllText(output)).RootElement.GetProperty("comparable").GetBoolean());
        Assert.Equal(HarnessApp.InvalidInput, tooFew);
    }

    [Fact]
    public void Report_command_writes_the_report_and_refuses_a_non_results_folder()
    {
        using var tmp = new TempDirectory();
        using var fixtureTmp = new TempDirectory();
        var dir = ReportFixtures.Copy(fixtureTmp, "results-a");

        Assert.Equal(0, HarnessApp.Run(["report", dir]));
        Assert.True(File.Exists(Path.Combine(dir, ReportWriter.HtmlFile)));
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["report", tmp.Path]));
    }
}
