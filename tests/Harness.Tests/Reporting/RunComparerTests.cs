using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Cli;
using Harness.Reporting;
using Harness.Results;
using Harness.Tests.Results;

namespace Harness.Tests.Reporting;

/// <summary>Comparisons of results folders the real pipeline wrote (<see cref="PipelineFixture"/>).</summary>
public class RunComparerTests
{
    [Fact]
    public void Runs_that_differ_in_one_config_field_flag_exactly_that_field()
    {
        // Given two runs of the experiment that differ only in kd.temperature (and so in their logit-kd units and multipliers)
        var a = PipelineFixture.Folder;
        var b = PipelineFixture.HotterKdFolder;
        var result = RunComparer.Compare([a, b]);

        // Then that one field is listed, as a treatment difference that keeps the runs comparable
        var difference = Assert.Single(result.Differences);
        Assert.Equal("config.kd.temperature", difference.Field);
        Assert.Equal(DifferenceSeverity.Info, difference.Severity);
        Assert.Equal(["2", "4"], difference.Values);
        Assert.True(result.Comparable);

        // Scratch units share keys and numbers; logit-kd units exist in one run each; multipliers match by name and moved
        Assert.NotEmpty(result.Metrics);
        Assert.All(result.Metrics, m => Assert.Equal("scratch", m.Method));
        Assert.All(result.Metrics, m => Assert.Equal(0.0, m.Deltas[1]));
        Assert.Equal(2 * 8, result.UnmatchedUnits.Count);
        Assert.All(result.UnmatchedUnits, u => Assert.Equal("logit-kd", u.Method));
        var rows = ResultTables.ReadAll<MultiplierRow>(Path.Combine(a, ResultSchema.MultipliersFile)).Count;
        Assert.True(result.Multipliers.Count >= rows); // curve rows sit at each run's own y grid, so some match in one run only
        // Multipliers with a value in both runs: those that are estimated from logit-kd runs moved (the treatment changed); rows without one have no delta.
        var valued = result.Multipliers.Where(m => m.Values.All(v => v is not null && double.IsFinite(v.Multiplier))).ToList();
        Assert.NotEmpty(valued);
        Assert.Contains(valued, m => m.Treatment == "logit-kd" && m.Deltas[1] is not 0.0);
        Assert.All(result.Multipliers.Except(valued), m => Assert.Null(m.Deltas[1]));
    }

    [Fact]
    public void A_difference_in_the_tokenizer_is_flagged_as_breaking_and_nothing_else_is_listed()
    {
        var a = PipelineFixture.Folder;
        using var fixtureTmp = new TempDirectory();
        var b = PipelineFixture.Copy(fixtureTmp, Path.GetFileName(a));
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
        // Both folders have the same name (the run id): the comparison names them by parent/name so columns stay distinct.
        Assert.Equal(2, result.Runs.Select(r => r.Name).Distinct().Count());
        Assert.All(result.Runs, r => Assert.EndsWith("/" + Path.GetFileName(a), r.Name));
    }

    [Fact]
    public void Identical_runs_report_zero_deltas_and_overlapping_intervals()
    {
        using var fixtureTmp = new TempDirectory();
        var a = PipelineFixture.Folder;
        var result = RunComparer.Compare([a, PipelineFixture.Copy(fixtureTmp)]);

        Assert.Empty(result.Differences);
        Assert.True(result.Comparable);
        Assert.Empty(result.UnmatchedUnits);
        Assert.All(result.Metrics, m => Assert.Equal([0.0, 0.0], m.Deltas));
        Assert.Contains(result.Metrics, m => m.StdErrs[0] is not null);
        Assert.All(result.Metrics.Where(m => m.StdErrs[0] is not null), m => Assert.True(m.CisOverlap));
        var valued = result.Multipliers.Where(m => m.Values.All(v => v is not null && double.IsFinite(v.Multiplier))).ToList();
        Assert.Equal(ResultTables.ReadAll<MultiplierRow>(Path.Combine(a, ResultSchema.MultipliersFile)).Count, result.Multipliers.Count);
        Assert.NotEmpty(valued);
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
        var b = PipelineFixture.HotterKdFolder;
        var result = RunComparer.Compare([PipelineFixture.Folder, b]);

        var csv = ComparisonFormatter.ToCsv(result);
        var md = ComparisonFormatter.ToMarkdown(result);
        using var json = JsonDocument.Parse(ComparisonFormatter.ToJson(result));

        Assert.StartsWith("section,run,key,", csv);
        Assert.Contains($"config,{Path.GetFileName(b)},config.kd.temperature", csv);
        Assert.Contains("| config.kd.temperature | INFO |", md);
        Assert.True(json.RootElement.GetProperty("comparable").GetBoolean());
        Assert.Equal(result.Multipliers.Count, json.RootElement.GetProperty("multipliers").GetArrayLength());
        // Row kinds keep their on-disk spelling in every format.
        var kinds = result.Multipliers.Select(m => m.Kind.OnDisk()).ToHashSet();
        Assert.Equal(kinds, json.RootElement.GetProperty("multipliers").EnumerateArray().Select(m => m.GetProperty("kind").GetString()!).ToHashSet());
    }

    [Fact]
    public void Compare_command_writes_the_requested_format_and_rejects_one_folder()
    {
        using var tmp = new TempDirectory();
        var output = Path.Combine(tmp.Path, "cmp.json");

        var ok = HarnessApp.Run(["compare", PipelineFixture.Folder, PipelineFixture.HotterKdFolder, "--format", "json", "--out", output]);
        var tooFew = HarnessApp.Run(["compare", PipelineFixture.Folder]);

        Assert.Equal(0, ok);
        Assert.True(JsonDocument.Parse(File.ReadAllText(output)).RootElement.GetProperty("comparable").GetBoolean());
        Assert.Equal(HarnessApp.InvalidInput, tooFew);
    }

    [Fact]
    public void Report_command_writes_the_report_and_refuses_a_non_results_folder()
    {
        using var tmp = new TempDirectory();
        using var fixtureTmp = new TempDirectory();
        var dir = PipelineFixture.Copy(fixtureTmp);

        Assert.Equal(0, HarnessApp.Run(["report", dir]));
        Assert.True(File.Exists(Path.Combine(dir, ReportWriter.HtmlFile)));
        Assert.Equal(HarnessApp.InvalidInput, HarnessApp.Run(["report", tmp.Path]));
    }
}
