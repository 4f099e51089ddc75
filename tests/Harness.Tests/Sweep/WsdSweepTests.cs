using System.Text.Json.Nodes;
using Harness.Config;
using Harness.Modeling;
using Harness.Results;
using Harness.Sweep;
using Harness.Training;
using TorchSharp;

namespace Harness.Tests.Sweep;

public class WsdSweepTests
{
    // 128 tokens per step: b1 = 10 steps (cooldown 2, fork at 8), b2 = 20 steps (cooldown 4, fork at 16); trunk 16 steps.
    static readonly string ConfigJson = new TinyExperiment
    {
        Name = "tiny-wsd",
        Budgets = "{ \"name\": \"b1\", \"tokens\": 1280 }, { \"name\": \"b2\", \"tokens\": 2560 }",
        Seeds = "1",
        Training = TinyExperiment.StandardTraining.Replace("\"checkpoint_interval\": 5", "\"checkpoint_interval\": 2").Replace("\"eval_interval\": 10", "\"eval_interval\": 5")
                   + ",\n                \"schedule\": \"wsd\", \"cooldown_fraction\": 0.2",
    }.Json;

    static ExperimentConfig Config(string? json = null) => JsonConfigReader.Read<ExperimentConfig>(json ?? ConfigJson, "test");

    static SweepRunner Runner(string root, string? json = null, ISweepObserver? observer = null) =>
        new(Config(json), new SweepOptions { Device = torch.CPU, RepositoryRoot = root }, observer);

    sealed class CancelAt(string budget, int step, CancellationTokenSource cts) : ISweepObserver
    {
        SweepUnit? current;
        public void Status(string message) { }
        public void UnitStarted(SweepUnit unit, int position, int count) => current = unit;
        public void UnitProgress(TrainingProgress p) { if (current?.Budget == budget && p.Step == step) cts.Cancel(); }
        public void UnitFinished(SweepUnit unit, RunRow row, bool skipped) { }
    }

    [Fact]
    public void Plan_has_one_trunk_per_student_method_seed_and_one_branch_per_budget()
    {
        var json = ConfigJson.Replace("\"methods\": [\"scratch\"]", "\"methods\": [\"scratch\", \"logit-kd\"], \"teacher\": { \"checkpoint\": \"models/t\" }")
                             .Replace("\"seeds\": [1]", "\"seeds\": [1, 2, 3]")
                             .Replace("\"s\": {", "\"big\": { \"context_length\": 16, \"layers\": 2, \"heads\": 2, \"d_model\": 32 }, \"s\": {");
        var units = SweepPlan.Expand(Config(json), 300, "data", "teacher");
        Assert.Equal(2 * 2 * 3 * 3, units.Count);                       // (trunk + 2 branches) × 2 students × 2 methods × 3 seeds
        var trunks = units.Where(u => u.Role == UnitRole.Trunk).ToList();
        Assert.Equal(12, trunks.Count);
        Assert.All(trunks, t =>
        {
            Assert.Equal(WsdDesign.TrunkBudget, t.Budget);
            Assert.Equal(16, t.Steps);
            Assert.Equal([8, 16], t.ForkSteps);
            Assert.False(t.IsFinishedRun);
            var branches = units.Where(u => u.TrunkKey == t.Key).ToList();
            Assert.Equal(["b1", "b2"], branches.Select(b => b.Budget));
            Assert.All(branches, b => Assert.Equal((t.Student, t.Method, t.Seed, t.Group), (b.Student, b.Method, b.Seed, b.Group)));
            Assert.Equal([(8, 10), (16, 20)], branches.Select(b => (b.StartStep, b.Steps)));
            Assert.True(units.ToList().IndexOf(t) < units.ToList().IndexOf(branches[0]));
        });
        Assert.Equal(units.Count, units.Select(u => u.Key).Distinct().Count());
        // Every (student, budget, seed) cell is a pair: one finished run per method, same seed.
        foreach (var cell in units.Where(u => u.IsFinishedRun).GroupBy(u => (u.Student, u.Budget, u.Seed)))
            Assert.Equal(["logit-kd", "scratch"], cell.Select(u => u.Method).Order());
        // Shards keep a trunk with its branches.
        foreach (var shard in new[] { "1/5", "2/5", "3/5" })
            foreach (var b in SweepPlan.Shard(units, shard).Where(u => u.Role == UnitRole.Branch))
                Assert.Contains(SweepPlan.Shard(units, shard), u => u.Key == b.TrunkKey);
        // --only picks a branch and brings its trunk.
        var only = SweepPlan.Only(units, "b2");
        Assert.Equal(24, only.Count);
        Assert.All(only.Where(u => u.Role == UnitRole.Branch), b => Assert.Contains(only, u => u.Key == b.TrunkKey));
    }

    [Fact]
    public void Predicted_compute_shares_the_trunk()
    {
        var units = SweepPlan.Expand(Config(), 300, "data", null);
        var totals = ComputeTotals.Predict(units);
        Assert.Equal((16 + 2 + 4) * 128, totals.TokensSpent);                 // trunk + both cooldowns
        Assert.Equal((10 + 20) * 128, totals.FinishedRunTokens);              // the two finished runs as separate runs
        double perToken = ModelMath.TrainFlopsPerToken(units[0].Model);
        Assert.Equal(totals.TokensSpent * perToken, totals.StudentTrainFlopsSpent, 6);
        Assert.Equal(30.0 / 22, totals.SharingFactor, 12);
        // A branch reports the compute of a finished run of its budget.
        Assert.Equal(20 * 128 * perToken, units.Single(u => u.Budget == "b2").FinishedRunFlops, 6);
        Assert.Equal(4 * 128 * perToken, units.Single(u => u.Budget == "b2").PredictedTrainFlops, 6);
    }

    [Fact]
    public void Keys_stay_stable_cosine_keys_do_not_see_the_new_settings_and_branch_keys_do_not_depend_on_the_trunk_length()
    {
        Assert.DoesNotContain("schedule", JsonConfigReader.Serialize(new TrainingConfig()));
        Assert.DoesNotContain("cooldown", JsonConfigReader.Serialize(new TrainingConfig()));
        var cosine = ConfigJson.Replace(", \"cooldown_fraction\": 0.2", "").Replace("\"schedule\": \"wsd\"", "\"schedule\": \"cosine\"");
        var unset = ConfigJson.Replace("\"schedule\": \"wsd\", \"cooldown_fraction\": 0.2", "\"seed\": 1");
        Assert.DoesNotContain("\"schedule\"", unset);
        var explicitCosine = SweepPlan.Expand(Config(cosine), 300, "data", null);
        var implicitCosine = SweepPlan.Expand(Config(unset), 300, "data", null);
        Assert.Equal(implicitCosine.Select(u => u.Key), explicitCosine.Select(u => u.Key));
        Assert.All(implicitCosine, u => Assert.Equal(UnitRole.Run, u.Role));

        var two = SweepPlan.Expand(Config(), 300, "data", null);
        var three = SweepPlan.Expand(Config(ConfigJson.Replace("{ \"name\": \"b2\", \"tokens\": 2560 }", "{ \"name\": \"b2\", \"tokens\": 2560 }, { \"name\": \"b3\", \"tokens\": 5120 }")), 300, "data", null);
        Assert.Equal(two.Where(u => u.Role == UnitRole.Branch).Select(u => u.Key), three.Where(u => u.Role == UnitRole.Branch && u.Budget != "b3").Select(u => u.Key));
        Assert.NotEqual(two.Single(u => u.Role == UnitRole.Trunk).Key, three.Single(u => u.Role == UnitRole.Trunk).Key);
        Assert.NotEqual(two.Single(u => u.Budget == "b1").Key, implicitCosine.Single(u => u.Budget == "b1").Key);
    }

    [Fact]
    public void A_cooldown_that_starts_inside_warm_up_is_refused_naming_budget_and_student()
    {
        var json = ConfigJson.Replace("\"warmup_steps\": 2", "\"warmup_steps\": 9");
        var e = Assert.Throws<UserInputException>(() => SweepPlan.Expand(Config(json), 300, "data", null));
        var problem = Assert.Single(e.Problems);
        Assert.Contains("\"b1\"", problem);
        Assert.Contains("student \"s\"", problem);
        Assert.Contains("cooldown at step 8", problem);
        Assert.Contains("warmup_steps 9", problem);
    }

    [Fact]
    public void Wsd_sweep_writes_trunk_rows_as_unfinished_and_branches_as_finished_runs_with_shared_compute_accounting()
    {
        using var tmp1 = new TempDirectory();
        using var tmp2 = new TempDirectory();
        var outcome = Runner(tmp1.Path).Run();
        Assert.Equal(3, outcome.Ran);
        var rows = ResultTables.ReadAll<RunRow>(Path.Combine(outcome.Directory, ResultSchema.RunsFile));
        Assert.Equal(["trunk", "branch", "branch"], rows.Select(r => r.Role));
        Assert.All(rows, r => Assert.Equal(RunRowStatus.Ok, r.Status));
        Assert.All(rows, r => Assert.Equal("wsd", r.Schedule));
        var trunk = rows[0];
        Assert.False(trunk.IsFinal);
        Assert.Equal("trunk", trunk.Budget);
        Assert.Equal(16 * 128, trunk.Tokens);
        Assert.Equal(16 * 128, trunk.TokensSpent);
        double perToken = trunk.FlopsStudentTrain / trunk.Tokens;
        foreach (var (branch, steps, fork) in new[] { (rows[1], 10, 8), (rows[2], 20, 16) })
        {
            Assert.True(branch.IsFinal);
            Assert.Equal(trunk.UnitKey, branch.TrunkKey);
            Assert.Equal(steps * 128, branch.Tokens);                                    // a finished run of its budget
            Assert.Equal(steps * 128 * perToken, branch.FlopsStudentTrain, 6);
            Assert.Equal(fork * 128, branch.ForkTokens);
            Assert.Equal((steps - fork) * 128, branch.TokensSpent);                      // what it trained itself
            Assert.Equal((steps - fork) * 128 * perToken, branch.FlopsStudentTrainSpent, 6);
        }
        // The trunk was evaluated at 5, 10, 15, 16; no curve row of it is final.  Each branch has one final point, its last.
        var curves = ResultTables.ReadAll<CurveRow>(Path.Combine(outcome.Directory, ResultSchema.CurvesFile));
        Assert.Equal([5, 10, 15, 16], curves.Where(c => c.UnitKey == trunk.UnitKey).Select(c => c.Step));
        Assert.DoesNotContain(curves, c => c.UnitKey == trunk.UnitKey && c.IsFinal);
        Assert.All(curves, c => Assert.Equal(rows.Single(r => r.UnitKey == c.UnitKey).Budget, c.Budget));
        Assert.Equal([(10, true)], curves.Where(c => c.UnitKey == rows[1].UnitKey).Select(c => (c.Step, c.IsFinal)));
        Assert.Equal([(20, true)], curves.Where(c => c.UnitKey == rows[2].UnitKey).Select(c => (c.Step, c.IsFinal)));
        Assert.Equal(rows[2].ValLoss, curves.Single(c => c.UnitKey == rows[2].UnitKey).ValLoss);
        // Only finished runs keep a model for `harness eval`.
        var folder = new RunFolder(outcome.Directory);
        Assert.False(Directory.Exists(folder.ModelDirectory(trunk.UnitKey)));
        Assert.True(File.Exists(Path.Combine(folder.ModelDirectory(rows[2].UnitKey), Checkpoint.ConfigFile)));

        // The manifest counts the shared trunk once.
        var compute = JsonNode.Parse(File.ReadAllText(Path.Combine(outcome.Directory, ResultSchema.ManifestFile)))!["compute"]!;
        Assert.Equal((16 + 2 + 4) * 128, compute["student_tokens_spent"]!.GetValue<long>());
        Assert.Equal((10 + 20) * 128, compute["finished_run_student_tokens"]!.GetValue<long>());
        Assert.Equal(2, compute["finished_runs"]!.GetValue<int>());
        Assert.Equal(rows.Sum(r => r.FlopsStudentTrainSpent), compute["student_train_flops_spent"]!.GetValue<double>(), 6);
        Assert.Equal(rows.Where(r => r.IsFinal).Sum(r => r.FlopsStudentTrain), compute["finished_run_student_train_flops"]!.GetValue<double>(), 6);

        // A branch does not depend on the trunk running past its fork: the b1 branch of a sweep with b1 alone is identical.
        var alone = Runner(tmp2.Path, ConfigJson.Replace(", { \"name\": \"b2\", \"tokens\": 2560 }", "")).Run();
        var aloneRows = ResultTables.ReadAll<RunRow>(Path.Combine(alone.Directory, ResultSchema.RunsFile));
        var aloneBranch = aloneRows.Single(r => r.Role == "branch");
        Assert.Equal(rows[1].UnitKey, aloneBranch.UnitKey);
        Assert.Equal(rows[1].ValLoss, aloneBranch.ValLoss);
        Assert.Equal(8 * 128, aloneRows.Single(r => r.Role == "trunk").Tokens);
    }

    [Fact]
    public void A_killed_trunk_and_a_killed_branch_resume_to_the_rows_of_an_uninterrupted_sweep()
    {
        using var tmp1 = new TempDirectory();
        using var tmp2 = new TempDirectory();
        var straight = Runner(tmp1.Path).Run();
        var expected = ResultTables.ReadAll<RunRow>(Path.Combine(straight.Directory, ResultSchema.RunsFile));

        var root = tmp2.Path;
        using (var cts = new CancellationTokenSource())
            Assert.ThrowsAny<OperationCanceledException>(() => Runner(root, observer: new CancelAt(WsdDesign.TrunkBudget, 13, cts)).Run(cts.Token));
        using (var cts = new CancellationTokenSource())
            Assert.ThrowsAny<OperationCanceledException>(() => Runner(root, observer: new CancelAt("b2", 19, cts)).Run(cts.Token));
        var last = Runner(root).Run();
        Assert.Equal(1, last.Ran);
        Assert.Equal(2, last.Skipped);
        var actual = ResultTables.ReadAll<RunRow>(Path.Combine(last.Directory, ResultSchema.RunsFile));
        Assert.Equal(expected.Select(r => (r.UnitKey, r.ValLoss, r.Tokens, r.TokensSpent)), actual.Select(r => (r.UnitKey, r.ValLoss, r.Tokens, r.TokensSpent)));
    }

    [Fact]
    public void A_branch_whose_trunk_failed_is_recorded_as_failed_with_the_reason()
    {
        using var tmp = new TempDirectory();
        var json = ConfigJson.Replace("\"warmup_steps\": 2,", "\"warmup_steps\": 0, \"learning_rate\": 1e30, \"min_learning_rate\": 1e29, \"grad_clip\": 0,");
        var outcome = Runner(tmp.Path, json).Run();
        var rows = ResultTables.ReadAll<RunRow>(Path.Combine(outcome.Directory, ResultSchema.RunsFile));
        Assert.All(rows, r => Assert.Equal(Harness.Results.RunRowStatus.Failed, r.Status));
        Assert.All(rows.Where(r => r.Role == "branch"), r => Assert.Contains("trunk", r.FailureReason));
        Assert.Equal(3, outcome.Failed);
    }

    [Fact]
    public void Runs_files_written_before_the_design_columns_read_as_finished_cosine_runs()
    {
        // runs.csv as written before the WSD design (schema 1 without eval_seconds, schedule, role, is_final, trunk_key,
        // fork_tokens and the *_spent / restart_count columns): a finished unit, a KD unit and a failed one.
        using var tmp = new TempDirectory();
        var legacy = tmp.File(ResultSchema.RunsFile);
        File.WriteAllLines(legacy, [
            "schema_version,unit_key,method,student,budget,seed,n_layer,d_model,params_total,params_non_embedding,tokens,flops_student_train,flops_teacher_inference,flops_teacher_cache_share,flops_synthetic_generation,flops_teacher_pretrain,val_loss,val_bpb,status,failure_reason,wall_seconds,tokens_per_second,device,threads",
            "1,863c4b332ed5c2ed,scratch,s1,20tpp,0,2,128,950272,393216,7864320,44839458570240.0,0.0,0.0,0.0,0.0,4.75634,2.14436,ok,,191.8,41000.0,cuda:0,16",
            "1,76aab4d332eabd29,logit-kd,s1,20tpp,0,2,128,950272,393216,7864320,44839458570240.0,0.0,395824185999360.0,0.0,7.5e+16,4.49044,2.02448,ok,,191.8,41000.0,cuda:0,16",
            "1,af5daa3afcff5f93,logit-kd,s3,160tpp,0,6,256,0,0,0,0.0,0.0,0.0,0.0,0.0,NaN,NaN,failed,CUDA out of memory while allocating the logit cache batch (tried 3.1 GiB),12.5,0.0,cuda:0,16",
        ]);
        var rows = ResultTables.ReadAll<RunRow>(legacy);
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal(("cosine", "run", true, "", 0L), (r.Schedule, r.Role, r.IsFinal, r.TrunkKey, r.ForkTokens)));
        Assert.All(rows, r => Assert.Equal((-1L, -1.0), (r.UniqueTrainTokens, r.Epochs))); // repetition unknown before its columns
        var totals = ComputeTotals.From(rows);
        Assert.Equal(rows.Sum(r => r.Tokens), totals.TokensSpent);
        Assert.Equal(1.0, totals.SharingFactor, 12);
    }
}
