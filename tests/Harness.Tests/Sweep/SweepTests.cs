using Harness.Config;
using Harness.Results;
using Harness.Sweep;
using Harness.Training;
using TorchSharp;

namespace Harness.Tests.Sweep;

public class SweepTests
{
    static readonly string ConfigJson = new TinyExperiment { Name = "tiny-sweep", WithTeacher = true, Methods = "\"scratch\", \"logit-kd\"", Kd = "\"top_k\": 8" }.Json;

    sealed class CancelAfter(int unitIndex, int step, CancellationTokenSource cts) : ISweepObserver
    {
        int currentUnit;
        public List<int> ResumedAt { get; } = [];
        public void UnitResumed(SweepUnit unit, int at) => ResumedAt.Add(at);
        public void Status(string message) { }
        public void UnitStarted(SweepUnit unit, int position, int count) => currentUnit = position;
        public void UnitProgress(TrainingProgress p) { if (currentUnit == unitIndex && p.Step == step) cts.Cancel(); }
        public void UnitFinished(SweepUnit unit, RunRow row, bool skipped) { }
    }

    static SweepRunner Runner(string root, ISweepObserver? observer = null)
    {
        var config = JsonConfigReader.Read<ExperimentConfig>(ConfigJson, "test");
        return new SweepRunner(config, new SweepOptions { Device = torch.CPU, RepositoryRoot = root }, observer);
    }

    static void SaveTeacher(string root)
    {
        TestSupport.SaveTinyTeacher(root, Runner(root).PrepareData());
    }

    [Fact]
    public void Interrupted_sweep_resumes_and_matches_an_uninterrupted_one()
    {
        using var straightTmp = new TempDirectory();
        using var resumedTmp = new TempDirectory();
        var straightRoot = straightTmp.Path;
        SaveTeacher(straightRoot);
        var straight = Runner(straightRoot).Run();
        Assert.Equal(4, straight.Ran);
        var expected = ResultTables.ReadAll<RunRow>(Path.Combine(straight.Directory, ResultSchema.RunsFile));

        var resumedRoot = resumedTmp.Path;
        SaveTeacher(resumedRoot);
        using var cts = new CancellationTokenSource();
        // Cancel unit 2 (logit-kd, seed 1) after step 22 of 30: it checkpoints at that step boundary, and resumes there.
        Assert.ThrowsAny<OperationCanceledException>(() => Runner(resumedRoot, new CancelAfter(2, 22, cts)).Run(cts.Token));
        var resumeWatch = new CancelAfter(-1, -1, new CancellationTokenSource());
        var second = Runner(resumedRoot, resumeWatch).Run();
        Assert.Equal([22], resumeWatch.ResumedAt);  // the interrupted unit says it resumed, and from where
        Assert.Equal(1, second.Skipped);
        Assert.Equal(3, second.Ran);
        var actual = ResultTables.ReadAll<RunRow>(Path.Combine(second.Directory, ResultSchema.RunsFile));

        Assert.Equal(expected.Select(r => r.UnitKey), actual.Select(r => r.UnitKey));
        Assert.Equal(expected.Select(r => r.ValLoss), actual.Select(r => r.ValLoss));
        Assert.Equal(expected.Select(r => r.FlopsTeacherCacheShare), actual.Select(r => r.FlopsTeacherCacheShare));
        Assert.All(actual, r => Assert.Equal(RunRowStatus.Ok, r.Status));
        Assert.True(actual.Where(r => r.Method == "logit-kd").All(r => r.FlopsTeacherCacheShare > 0 && r.FlopsTeacherPretrain == 1e9));
        Assert.True(actual.Where(r => r.Method == "scratch").All(r => r.FlopsTeacherCacheShare == 0 && r.FlopsTeacherPretrain == 0));
        var curves = ResultTables.ReadAll<CurveRow>(Path.Combine(second.Directory, ResultSchema.CurvesFile));
        Assert.Equal(4 * 3, curves.Count);

        // Training loss per logged step: the CE part equals the objective for scratch and differs for KD.
        foreach (var r in actual.Where(r => r.Method == "scratch"))
        {
            var log = ResultTables.ReadAll<TrainLogRow>(Path.Combine(second.Directory, "units", r.UnitKey, ResultSchema.TrainLogFile));
            Assert.Equal(30, log.Count);
            Assert.All(log, l => Assert.Equal(l.TrainLoss, l.TrainCe, 5));
        }
        var kdLog = ResultTables.ReadAll<TrainLogRow>(Path.Combine(second.Directory, "units", actual.First(r => r.Method == "logit-kd" && r.Seed == 2).UnitKey, ResultSchema.TrainLogFile));
        Assert.All(kdLog, l => Assert.True(double.IsFinite(l.TrainCe) && Math.Abs(l.TrainCe - l.TrainLoss) > 1e-4));
        Assert.All(ResultTables.ReadAll<CurveRow>(Path.Combine(second.Directory, ResultSchema.CurvesFile)), c => Assert.Equal("b", c.Budget));

        // A third run has nothing left to do and touches nothing; --force-report rewrites tables and manifest.
        var manifest = Path.Combine(second.Directory, ResultSchema.ManifestFile);
        var before = (File.ReadAllText(manifest), File.GetLastWriteTimeUtc(manifest), File.GetLastWriteTimeUtc(Path.Combine(second.Directory, ResultSchema.RunsFile)));
        // Not complete while the estimate or report is missing (a kill during estimate): the next run writes them.
        Assert.False(Runner(resumedRoot).Run().AlreadyComplete);
        before = (File.ReadAllText(manifest), File.GetLastWriteTimeUtc(manifest), File.GetLastWriteTimeUtc(Path.Combine(second.Directory, ResultSchema.RunsFile)));
        // The CLI writes these after the sweep (`harness run` → estimate → report); here they only need to exist.
        File.WriteAllText(Path.Combine(second.Directory, ResultSchema.MultipliersFile), "written by the estimator");
        File.WriteAllText(Path.Combine(second.Directory, ResultSchema.ReportFile), "written by the report");
        var third = Runner(resumedRoot).Run();
        Assert.True(third.AlreadyComplete);
        Assert.Equal(0, third.Ran);
        Assert.Equal(4, third.Skipped);
        Assert.Equal(before, (File.ReadAllText(manifest), File.GetLastWriteTimeUtc(manifest), File.GetLastWriteTimeUtc(Path.Combine(second.Directory, ResultSchema.RunsFile))));
        var config = JsonConfigReader.Read<ExperimentConfig>(ConfigJson, "test");
        var forced = new SweepRunner(config, new SweepOptions { Device = torch.CPU, RepositoryRoot = resumedRoot, ForceReport = true }).Run();
        Assert.False(forced.AlreadyComplete);
        Assert.Equal(0, forced.Ran);
        Assert.NotEqual(before.Item2, File.GetLastWriteTimeUtc(manifest));
    }

    [Fact]
    public void Predicted_cost_adds_teacher_forwards_online_every_token_cached_only_for_new_windows()
    {
        var shape = new GptConfig(64, 16, 1, 2, 16);
        var units = new[] { ("scratch", 100L), ("logit-kd", 100L), ("logit-kd", 100L), ("logit-kd", 300L) }
            .Select((x, i) => new SweepUnit($"k{i}", i, "s", shape, "b", x.Item2, x.Item1, 1) { Steps = (int)x.Item2, TokensPerStep = 1 }).ToList();
        var config = JsonConfigReader.Read<ExperimentConfig>(ConfigJson, "test");
        var online = SweepCost.Flops(units, config with { Kd = config.Kd with { Cache = false } }, 10);
        Assert.Equal([0.0, 1000, 1000, 3000], units.Select(u => online[u.Key] - u.PredictedTrainFlops));
        var cached = SweepCost.Flops(units, config, 10);
        Assert.Equal([0.0, 1000, 0, 2000], units.Select(u => cached[u.Key] - u.PredictedTrainFlops));
    }

    [Fact]
    public void Only_matches_exact_fields_or_globs_never_substrings()
    {
        var shape = new GptConfig(64, 16, 1, 2, 16);
        var units = new[] { 1, 10 }.SelectMany(seed => new[] { "scratch", "logit-kd" }.Select(m => new SweepUnit($"k{m}{seed}", 0, "mini", shape, "1x", 100, m, seed))).ToList();
        Assert.Equal([1, 1], SweepPlan.Only(units, "seed1").Select(u => u.Seed));
        Assert.Equal(["logit-kd", "logit-kd"], SweepPlan.Only(units, "logit-*").Select(u => u.Method));
        Assert.Equal(3, SweepPlan.Only(units, "scratch, klogit-kd10").Count);
        var e = Assert.Throws<UserInputException>(() => SweepPlan.Only(units, "min"));
        Assert.Contains("'min' matches no unit", e.Message);
        Assert.Contains("student (mini)", e.Message);
    }

    [Fact]
    public void Seq_kd_units_train_on_teacher_samples_and_record_generation_flops()
    {
        using var tmp = new TempDirectory();
        var root = tmp.Path;
        SaveTeacher(root);
        var json = ConfigJson.Replace("\"methods\": [\"scratch\", \"logit-kd\"]", "\"methods\": [\"seq-kd\"]")
                             .Replace("\"seeds\": [1, 2]", "\"seeds\": [1], \"seq_kd\": { \"tokens\": 3000, \"seed\": 4 }");
        var config = JsonConfigReader.Read<ExperimentConfig>(json, "test");
        var outcome = new SweepRunner(config, new SweepOptions { Device = torch.CPU, RepositoryRoot = root }).Run();
        var row = Assert.Single(ResultTables.ReadAll<RunRow>(Path.Combine(outcome.Directory, ResultSchema.RunsFile)));
        Assert.Equal(RunRowStatus.Ok, row.Status);
        Assert.Equal("seq-kd", row.Method);
        Assert.True(row.FlopsSyntheticGeneration > 0);
        Assert.Equal(0, row.FlopsTeacherInference);
        Assert.Single(Directory.GetFiles(Path.Combine(root, ".cache", "synthetic"), "*.json"));
    }

    static SweepOutcome RunScratch(string root, string? shard = null, string? extraTraining = null)
    {
        var json = ConfigJson.Replace("\"methods\": [\"scratch\", \"logit-kd\"]", "\"methods\": [\"scratch\"]")
                             .Replace("\"teacher\": { \"checkpoint\": \"models/teacher\" },", "");
        if (extraTraining is not null) json = json.Replace("\"warmup_steps\": 2,", extraTraining);
        var config = JsonConfigReader.Read<ExperimentConfig>(json, "test");
        return new SweepRunner(config, new SweepOptions { Device = torch.CPU, RepositoryRoot = root, Shard = shard }).Run();
    }

    [Theory]
    [InlineData(1, new[] { 10, 20 })]
    [InlineData(2, new[] { 20 })]
    [InlineData(5, new int[0])]
    public void Benchmark_curve_points_follow_curve_every(int curveEvery, int[] expectedCurveSteps)
    {
        // 30 steps, held-out evaluation every 10: curve candidates at steps 10 and 20, the final evaluation at 30.
        var json = ConfigJson.Replace("\"methods\": [\"scratch\", \"logit-kd\"]", "\"methods\": [\"scratch\"]")
                             .Replace("\"teacher\": { \"checkpoint\": \"models/teacher\" },", "")
                             .Replace("\"seeds\": [1, 2]", $"\"seeds\": [1], \"evaluation\": {{ \"curve_subset\": 3, \"curve_every\": {curveEvery} }}");
        var config = JsonConfigReader.Read<ExperimentConfig>(json, "test");
        var calls = new List<(int Step, bool Final, bool Subset)>();
        using var tmp = new TempDirectory();
        new SweepRunner(config, new SweepOptions { Device = torch.CPU, RepositoryRoot = tmp.Path })
        {
            EvaluatorFactory = _ => (_, _, _, point) => { calls.Add((point.Step, point.IsFinal, point.Kind == Harness.Evaluation.EvaluationPointKind.Curve)); return []; },
        }.Run();
        Assert.Equal(expectedCurveSteps, calls.Where(c => c.Subset).Select(c => c.Step));
        var manifest = Directory.GetFiles(Path.Combine(tmp.Path, "results"), ResultSchema.ManifestFile, SearchOption.AllDirectories).Single();
        var versions = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifest))!["task_versions"]!.AsObject();
        Assert.Contains("grammar", versions.Select(v => v.Key));
        Assert.All(versions, v => Assert.True(v.Value!.GetValue<int>() >= 1));
        Assert.Equal((30, true, false), Assert.Single(calls, c => !c.Subset));
    }

    [Fact]
    public void Shards_merge_into_the_rows_of_an_unsharded_run()
    {
        using var tmp = new TempDirectory();
        string Root(string name) => Directory.CreateDirectory(tmp.File(name)).FullName;
        var whole = RunScratch(Root("whole"));
        var first = RunScratch(Root("first"), "1/2");
        var second = RunScratch(Root("second"), "2/2");
        Assert.Equal(1, first.Ran);
        Assert.Equal(1, second.Ran);
        var merged = RunFolder.Merge([first.Directory, second.Directory], tmp.File("merged"));
        var expected = ResultTables.ReadAll<RunRow>(Path.Combine(whole.Directory, ResultSchema.RunsFile)).OrderBy(r => r.UnitKey).ToList();
        var actual = ResultTables.ReadAll<RunRow>(Path.Combine(merged.Directory, ResultSchema.RunsFile)).OrderBy(r => r.UnitKey).ToList();
        Assert.Equal(expected.Select(r => (r.UnitKey, r.ValLoss)), actual.Select(r => (r.UnitKey, r.ValLoss)));
        Assert.False(first.ShouldEstimate);   // a shard leaves estimation to merge
        Assert.True(whole.ShouldEstimate);
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(merged.Directory, ResultSchema.ManifestFile)))!;
        Assert.Null(manifest["shard"]);
        Assert.Equal(2, manifest["merged_from"]!.AsArray().Count);
        Assert.Empty(manifest["missing_shards"]!.AsArray());

        // Merging one shard of two warns that the other is missing.
        RunFolder.Merge([first.Directory], Path.Combine(TestSupport.TempDirectory(), "half"), out var warnings);
        Assert.Contains(warnings, w => w.Contains("shard 2/2 is missing"));

        // A folder of another config is refused, naming the manifest and both hashes.
        var other = RunScratch(Root("other"), extraTraining: "\"warmup_steps\": 3,");
        var e = Assert.Throws<UserInputException>(() => RunFolder.Merge([first.Directory, other.Directory], tmp.File("bad")));
        Assert.Contains(e.Problems, p => p.Contains("config_hash"));
    }

    [Fact]
    public void A_diverging_unit_is_recorded_as_failed_and_the_sweep_continues()
    {
        using var tmp = new TempDirectory();
        var outcome = RunScratch(tmp.Path, extraTraining: "\"warmup_steps\": 0, \"learning_rate\": 1e30, \"min_learning_rate\": 1e29, \"grad_clip\": 0,");
        var rows = ResultTables.ReadAll<RunRow>(Path.Combine(outcome.Directory, ResultSchema.RunsFile));
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(Harness.Results.RunRowStatus.Failed, r.Status));
        Assert.All(rows, r => Assert.Contains("loss became", r.FailureReason));
        Assert.Equal(2, outcome.Failed);
    }

    [Fact]
    public void Unit_keys_are_stable_and_change_with_what_changes_results()
    {
        var config = JsonConfigReader.Read<ExperimentConfig>(ConfigJson, "test");
        var a = SweepPlan.Expand(config, 300, "data", "teacher");
        var b = SweepPlan.Expand(config, 300, "data", "teacher");
        Assert.Equal(a.Select(u => u.Key), b.Select(u => u.Key));
        Assert.Equal(a.Count, a.Select(u => u.Key).Distinct().Count());
        var otherTeacher = SweepPlan.Expand(config, 300, "data", "teacher2");
        Assert.Equal(a.Where(u => u.Method == "scratch").Select(u => u.Key), otherTeacher.Where(u => u.Method == "scratch").Select(u => u.Key));
        Assert.NotEqual(a.Where(u => u.Method != "scratch").Select(u => u.Key), otherTeacher.Where(u => u.Method != "scratch").Select(u => u.Key));
        var shards = new[] { SweepPlan.Shard(a, "1/2"), SweepPlan.Shard(a, "2/2") };
        Assert.Equal(a.Select(u => u.Key).Order(), shards.SelectMany(s => s).Select(u => u.Key).Order());
        Assert.Throws<UserInputException>(() => SweepPlan.Shard(a, "3/2"));
    }
}
