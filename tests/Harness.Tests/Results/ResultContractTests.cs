using System.Text.Json;
using Harness.Cli;
using Harness.Estimation;
using Harness.Reporting;
using Harness.Results;

namespace Harness.Tests.Results;

/// <summary>
/// The stage contract: every file the pipeline writes (<see cref="PipelineFixture"/>) reads back into its typed record
/// and writes again byte for byte, so no field is lost or renamed between the writer and its readers.
/// </summary>
public class ResultContractTests
{
    static string In(string file) => Path.Combine(PipelineFixture.Folder, file);

    static void AssertTableRoundTrips<T>(string file) where T : class
    {
        var rows = ResultTables.ReadAll<T>(In(file));
        Assert.NotEmpty(rows);
        using var tmp = new TempDirectory();
        var again = tmp.File(file);
        ResultTables.WriteAll(again, rows);
        Assert.Equal(File.ReadAllText(In(file)), File.ReadAllText(again));
        Assert.Equal(rows, ResultTables.ReadAll<T>(again));
    }

    [Fact]
    public void Runs_curves_evals_and_multipliers_round_trip_every_column()
    {
        AssertTableRoundTrips<RunRow>(ResultSchema.RunsFile);
        AssertTableRoundTrips<CurveRow>(ResultSchema.CurvesFile);
        AssertTableRoundTrips<EvalRow>(ResultSchema.EvalsFile);
        AssertTableRoundTrips<MultiplierRow>(ResultSchema.MultipliersFile);
    }

    /// <summary>The columns README's "Files" paragraph of multipliers.csv names (every backticked snake_case word).</summary>
    static HashSet<string> DocumentedMultiplierColumns()
    {
        var readme = File.ReadAllText(Path.Combine(Harness.Tests.Cli.CliTests.RepositoryRoot(), "README.md"));
        int start = readme.IndexOf("- **Files**: `multipliers.csv`", StringComparison.Ordinal);
        Assert.True(start >= 0, "README lost the multipliers.csv Files paragraph");
        int end = readme.IndexOf("`summary.json`", start, StringComparison.Ordinal);
        var paragraph = readme[start..end];
        return System.Text.RegularExpressions.Regex.Matches(paragraph, "`([^`]*)`").SelectMany(m => m.Groups[1].Value.Split(','))
            .Select(w => w.Trim()).Where(w => System.Text.RegularExpressions.Regex.IsMatch(w, "^[a-z][a-z0-9_]*$")).ToHashSet(StringComparer.Ordinal);
    }

    [Fact]
    public void Multipliers_csv_has_only_the_documented_columns()
    {
        var documented = DocumentedMultiplierColumns();
        var header = File.ReadLines(In(ResultSchema.MultipliersFile)).First().Split(',');
        var undocumented = header.Where(c => !documented.Contains(c)).ToList();   // an undocumented column (e.g. MatchKey) fails here
        Assert.True(undocumented.Count == 0, $"multipliers.csv columns not in README: {string.Join(", ", undocumented)}");
        var unwritten = documented.Where(c => !header.Contains(c)).ToList();      // and a documented one that is not written
        Assert.True(unwritten.Count == 0, $"README columns multipliers.csv does not write: {string.Join(", ", unwritten)}");
        using var tmp = new TempDirectory();
        ResultTables.WriteAll(tmp.File("m.csv"), [new MultiplierRow()]);
        Assert.Equal(header, File.ReadLines(tmp.File("m.csv")).First().Split(','));
    }

    [Fact]
    public void The_tables_hold_what_the_sweep_ran_with_typed_statuses_and_kinds()
    {
        var runs = ResultTables.ReadAll<RunRow>(In(ResultSchema.RunsFile));
        Assert.Equal(16, runs.Count); // 2 sizes × 2 budgets × 2 methods × 2 seeds
        Assert.All(runs, r => Assert.Equal(RunRowStatus.Ok, r.Status));
        Assert.All(File.ReadLines(In(ResultSchema.RunsFile)).Skip(1), l => Assert.Contains(",ok,", l)); // the on-disk spelling
        // Repetition: every unit records the distinct tokens of its stream and the passes its tokens made over them.
        Assert.All(runs, r => Assert.True(r.UniqueTrainTokens > 0 && Math.Abs(r.Epochs - (double)r.Tokens / r.UniqueTrainTokens) < 1e-12, $"{r.UnitKey}: {r.UniqueTrainTokens}, {r.Epochs}"));
        Assert.EndsWith(",unique_train_tokens,epochs", File.ReadLines(In(ResultSchema.RunsFile)).First());
        var evals = ResultTables.ReadAll<EvalRow>(In(ResultSchema.EvalsFile));
        var task = Assert.Single(PipelineFixture.Tasks);
        Assert.All(evals, e => Assert.Equal((task.Name, task.Version), (e.Task, e.TaskVersion)));
        Assert.Contains(evals, e => e.Subset && !e.IsFinal);
        var kinds = ResultTables.ReadAll<MultiplierRow>(In(ResultSchema.MultipliersFile)).Select(m => m.Kind).ToHashSet();
        Assert.Contains(MultiplierKind.Summary, kinds);
        Assert.Contains(MultiplierKind.Cell, kinds);
        var spelled = File.ReadLines(In(ResultSchema.MultipliersFile)).Skip(1).Select(l => l.Split(',')[1]).ToHashSet();
        Assert.Equal(kinds.Select(k => k.OnDisk()).ToHashSet(), spelled);
    }

    [Fact]
    public void Manifest_round_trips_and_every_field_on_disk_is_a_typed_field()
    {
        var manifest = RunManifestFile.Read(PipelineFixture.Folder)!;

        Assert.Null(manifest.Other); // nothing the record does not name
        using var tmp = new TempDirectory();
        RunManifestFile.Write(tmp.Path, manifest);
        Assert.Equal(File.ReadAllText(In(ResultSchema.ManifestFile)), File.ReadAllText(tmp.File(ResultSchema.ManifestFile)));
        Assert.Equal(RunManifestFile.Flatten(manifest), RunManifestFile.Flatten(RunManifestFile.Read(tmp.Path)!));

        // Every part is filled by the sweep.
        var task = Assert.Single(PipelineFixture.Tasks);
        Assert.Equal(new Dictionary<string, int> { [task.Name] = task.Version }, manifest.TaskVersions);
        Assert.Equal(ResultSchema.Version, manifest.SchemaVersion);
        Assert.Equal("contract", manifest.ExperimentName);
        Assert.Equal(Path.GetFileName(PipelineFixture.Folder), manifest.ConfigHash!.Replace("sha256:", ""));
        Assert.Equal("embedded", manifest.ConfigText("data.corpus"));
        Assert.NotNull(manifest.Versions?.Harness);
        Assert.Equal(("bpe", manifest.Tokenizer!.VocabSize), (manifest.Tokenizer.Kind, manifest.Tokenizer.VocabSize));
        Assert.True(manifest.SplitTokens!.Train > 0 && manifest.SplitTokens.Validation > 0);
        Assert.Equal(1e9, manifest.Teacher!.Flops);
        Assert.Equal(JsonValueKind.Object, manifest.Teacher.Model!.Value.ValueKind);
        Assert.Equal(8, manifest.TeacherLogitCache!.TopK);
        Assert.Equal(16, manifest.Compute!.Units);
        Assert.Equal("cosine", manifest.Schedule);
        Assert.NotNull(manifest.TrainStreamHash);
        Assert.NotNull(manifest.FlopFormula);
        Assert.True(manifest.FinishedUtc is { Length: > 0 } && manifest.StartedUtc is { Length: > 0 });
        Assert.Null(manifest.MergedFrom);
        Assert.Equal("contract", RunManifestFile.ReadExperimentConfig(PipelineFixture.Folder).Name);
    }

    [Fact]
    public void Summary_and_fits_round_trip_every_field()
    {
        foreach (var (file, type) in new[] { (ResultSchema.SummaryFile, typeof(EstimateSummary)), (ResultSchema.FitsFile, typeof(FitsDocument)) })
        {
            var text = File.ReadAllText(In(file));
            var value = typeof(ResultJson).GetMethod(nameof(ResultJson.Read))!.MakeGenericMethod(type).Invoke(null, [In(file)]);
            Assert.NotNull(value);
            Assert.Equal(text, System.Text.Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(value, type, ResultJson.Options)));
        }
        var fits = ResultJson.Read<FitsDocument>(In(ResultSchema.FitsFile))!;
        Assert.Contains(fits.Metrics, m => m.Metric == ResultMetrics.ValLoss && m.Arms.Count == 2);
    }

    [Fact]
    public void The_report_draws_exactly_the_points_the_estimator_fits()
    {
        var folder = ResultsFolder.Load(PipelineFixture.Folder);
        var input = ResultsFolderLoader.Load(PipelineFixture.Folder);

        Assert.Equal(input.Metrics.Select(m => m.Metric), CapabilityPoints.Metrics(folder));
        Assert.Contains(input.Metrics, m => m.Metric.StartsWith("arithmetic_1d/", StringComparison.Ordinal));
        foreach (var series in input.Metrics)
        {
            var drawn = CapabilityPoints.For(folder, series.Metric, out _)
                .Select(p => (p.UnitKey, (double)p.Tokens, p.StudentCompute, p.Value, p.IsFinal)).Order().ToList();
            var fitted = series.Points.Select(p => (p.Unit, p.Tokens, p.Flops.StudentTrain, p.Value, p.IsFinal)).Order().ToList();
            Assert.Equal(fitted, drawn);
        }
    }

    [Fact]
    public void Report_frontiers_are_the_estimators_laws()
    {
        var folder = ResultsFolder.Load(PipelineFixture.Folder);
        var arm = folder.Fits!.Metrics.First(m => m.Metric == ResultMetrics.ValLoss).Arms.First(a => a.Law is not null);
        var frontier = FrontierFits.Of(folder).Arms(ResultMetrics.ValLoss).Single(f => f.Group == arm.Group);
        var law = FittedLaws.AsChinchilla(arm.Law!)!;
        // y(C) at the compute of the arm's largest size trained on its largest budget is at most that run's law value.
        var size = arm.Sizes.MaxBy(s => s.Params)!;
        var compute = size.FlopsPerToken * size.MaxTokens;
        Assert.True(frontier.Predict(compute) <= law.Predict(size.Params, size.MaxTokens) + 1e-12);
        Assert.True(double.IsFinite(frontier.Predict(compute)));
    }

    [Fact]
    public void Compare_flags_two_runs_whose_task_versions_differ_as_breaking()
    {
        // Given the pipeline's run and the same run as recorded by a harness whose benchmark was one version older
        using var tmp = new TempDirectory();
        var a = PipelineFixture.Folder;
        var b = PipelineFixture.Copy(tmp);
        var manifest = RunManifestFile.Read(b)!;
        var task = Assert.Single(manifest.TaskVersions);
        RunManifestFile.Write(b, manifest with { TaskVersions = new Dictionary<string, int> { [task.Key] = task.Value - 1 } });

        var result = RunComparer.Compare([a, b]);

        var difference = Assert.Single(result.Differences);
        Assert.Equal($"task_versions.{task.Key}", difference.Field);
        Assert.Equal(DifferenceSeverity.Breaking, difference.Severity);
        Assert.Equal([task.Value.ToString(), (task.Value - 1).ToString()], difference.Values);
        Assert.False(result.Comparable);
        Assert.Equal(Harness.Cli.Commands.CompareCommand.NotComparable, HarnessApp.Run(["compare", a, b, "--strict", "--format", "csv", "--out", tmp.File("cmp.csv")]));
    }

    [Fact]
    public void Compare_of_the_run_with_itself_finds_no_difference_and_zero_deltas()
    {
        using var tmp = new TempDirectory();
        var result = RunComparer.Compare([PipelineFixture.Folder, PipelineFixture.Copy(tmp)]);

        Assert.Empty(result.Differences);
        Assert.True(result.Comparable);
        var taskMetrics = ResultTables.ReadAll<EvalRow>(In(ResultSchema.EvalsFile)).Where(e => e.IsFinal).Select(e => e.Metric).Distinct().Count();
        Assert.True(taskMetrics >= 2);
        Assert.Equal(16 * (2 + taskMetrics), result.Metrics.Count); // 16 ok units × (val_loss, val_bpb, each final task metric)
        Assert.All(result.Metrics, m => Assert.Equal([0.0, 0.0], m.Deltas));
        Assert.Equal(ResultTables.ReadAll<MultiplierRow>(In(ResultSchema.MultipliersFile)).Count, result.Multipliers.Count);
    }

    [Fact]
    public void A_manifest_of_an_older_harness_loads_with_missing_fields_empty_and_keeps_unknown_ones()
    {
        using var tmp = new TempDirectory();
        File.WriteAllText(tmp.File(ResultSchema.ManifestFile),
            """{ "experiment": "old", "config": { "name": "old", "data": { "corpus": "embedded" } }, "threads": 4, "legacy_field": [1, 2] }""");

        var manifest = RunManifestFile.Read(tmp.Path)!;

        Assert.Equal(("old", 4, "embedded"), (manifest.ExperimentName, manifest.Threads, manifest.ConfigText("data.corpus")));
        Assert.Empty(manifest.TaskVersions);
        Assert.Null(manifest.Teacher);
        Assert.Null(manifest.FinishedUtc);
        Assert.False(RunManifestFile.IsFinished(tmp.Path));
        RunManifestFile.Write(tmp.Path, manifest);
        Assert.Equal("[1,2]", RunManifestFile.Flatten(RunManifestFile.Read(tmp.Path)!)["legacy_field"]);
    }

    [Fact]
    public void A_manifest_that_is_not_one_is_a_clear_error()
    {
        using var tmp = new TempDirectory();
        File.WriteAllText(tmp.File(ResultSchema.ManifestFile), """{ "threads": "many" }""");

        var e = Assert.Throws<UserInputException>(() => RunManifestFile.Read(tmp.Path));

        Assert.Contains("manifest.json", e.Message);
        Assert.Contains("threads", e.Message);
    }

    [Fact]
    public void Statuses_read_in_any_case_and_an_unknown_one_names_the_valid_spellings()
    {
        using var tmp = new TempDirectory();
        var rows = ResultTables.ReadAll<RunRow>(In(ResultSchema.RunsFile));
        var path = tmp.File(ResultSchema.RunsFile);
        ResultTables.WriteAll(path, rows.Take(2));
        var lines = File.ReadAllLines(path);
        File.WriteAllLines(path, [lines[0], lines[1].Replace(",ok,", ",OK,"), lines[2]]);
        Assert.All(ResultTables.ReadAll<RunRow>(path), r => Assert.Equal(RunRowStatus.Ok, r.Status));

        File.WriteAllLines(path, [lines[0], lines[1].Replace(",ok,", ",done,")]);
        var e = Assert.Throws<UserInputException>(() => ResultTables.ReadAll<RunRow>(path));

        Assert.Contains("row 2", e.Message);
        Assert.Contains("'done' is not a RunRowStatus; valid: ok, failed", e.Message);
        Assert.Equal("by_student", MultiplierKind.ByStudent.OnDisk());
        Assert.Equal("\"by_student\"", JsonSerializer.Serialize(MultiplierKind.ByStudent));
        Assert.Equal(RunRowStatus.Failed, JsonSerializer.Deserialize<RunRowStatus>("\"failed\""));
    }
}
