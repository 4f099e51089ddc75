using Harness.Config;
using Harness.Results;
using Harness.Sweep;
using TorchSharp;
using Harness.IO;

namespace Harness.Tests.Sweep;

/// <summary>Internal errors injected in-process (FaultInjection.Use): retries from the last checkpoint, failed rows, reruns.</summary>
public class SweepFaultTests
{
    static readonly string ConfigJson = new TinyExperiment { Name = "tiny-faults", Run = "\"retries\": RETRIES" }.Json;

    static SweepOutcome Run(string root, int retries = 2)
    {
        var json = ConfigJson.Replace("RETRIES", retries.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var config = JsonConfigReader.Read<ExperimentConfig>(json, "test");
        return new SweepRunner(config, new SweepOptions { Device = torch.CPU, RepositoryRoot = root }).Run();
    }

    static List<RunRow> Rows(SweepOutcome o) => ResultTables.ReadAll<RunRow>(Path.Combine(o.Directory, ResultSchema.RunsFile));

    [Fact]
    public void An_internal_error_is_retried_from_the_last_checkpoint_and_gives_the_same_result()
    {
        var expected = Rows(Run(TestSupport.TempDirectory()));
        SweepOutcome outcome;
        using (FaultInjection.Use("throw@train-step#8"))   // unit 1, step 8 of 30: after its step-5 checkpoint
            outcome = Run(TestSupport.TempDirectory());
        var retried = Assert.Single(outcome.Retried);
        Assert.Equal(1, retried.Retries);
        Assert.Equal("ok", retried.Status);
        Assert.Contains("injected fault", retried.Errors[0]);
        Assert.Equal(0, outcome.Failed);
        Assert.Equal(expected.Select(r => (r.UnitKey, r.ValLoss, r.Status)), Rows(outcome).Select(r => (r.UnitKey, r.ValLoss, r.Status)));
    }

    [Fact]
    public void A_unit_that_keeps_failing_is_marked_failed_the_sweep_goes_on_and_a_rerun_retries_it()
    {
        var root = TestSupport.TempDirectory();
        SweepOutcome outcome;
        using (FaultInjection.Use("throw@train-step#1+"))
            outcome = Run(root, retries: 1);
        Assert.Equal(2, outcome.Failed);
        Assert.Equal(2, outcome.Retried.Count);
        var rows = Rows(outcome);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(Harness.Results.RunRowStatus.Failed, r.Status));
        Assert.All(rows, r => Assert.Contains("internal error after 2 attempt(s): ExternalException: injected fault", r.FailureReason));

        var rerun = Run(root, retries: 1);
        Assert.Equal(2, rerun.Ran);
        Assert.Equal(0, rerun.Skipped);
        Assert.Equal(0, rerun.Failed);
        Assert.All(Rows(rerun), r => Assert.Equal(RunRowStatus.Ok, r.Status));
    }

    [Fact]
    public void Run_retries_is_validated_and_unknown_run_keys_are_errors()
    {
        var e = Assert.Throws<UserInputException>(() => JsonConfigReader.Read<ExperimentConfig>(ConfigJson.Replace("RETRIES", "-1"), "x.json"));
        Assert.Contains(e.Problems, p => p.Contains("$.run.retries") && p.Contains("-1"));
        var e2 = Assert.Throws<UserInputException>(() => JsonConfigReader.Read<ExperimentConfig>(ConfigJson.Replace("\"retries\": RETRIES", "\"retry\": 3"), "x.json"));
        Assert.Contains(e2.Problems, p => p.Contains("$.run.retry") && p.Contains("unknown key"));
    }

    [Theory]
    [InlineData("../..")]
    [InlineData("/tmp/x")]
    [InlineData("a/b")]
    public void Experiment_name_must_be_a_plain_folder_name(string name)
    {
        var e = Assert.Throws<UserInputException>(() => JsonConfigReader.Read<ExperimentConfig>(ConfigJson.Replace("RETRIES", "2").Replace("tiny-faults", name), "x.json"));
        Assert.Contains(e.Problems, p => p.Contains("$.name") && p.Contains("plain folder name"));
    }

    [Fact]
    public void Top_k_larger_than_the_vocabulary_is_refused()
    {
        var json = ConfigJson.Replace("RETRIES", "2").Replace("\"seeds\": [1, 2],", "\"seeds\": [1], \"kd\": { \"top_k\": 5000 },");
        var e = Assert.Throws<UserInputException>(() => JsonConfigReader.Read<ExperimentConfig>(json, "x.json"));
        Assert.Contains(e.Problems, p => p.Contains("$.kd.top_k") && p.Contains("5000") && p.Contains("300"));
    }

    [Fact]
    public void Preflight_refuses_absurd_sizes_and_mismatched_teacher_context()
    {
        var json = ConfigJson.Replace("RETRIES", "2").Replace("\"d_model\": 16", "\"d_model\": 100000").Replace("\"heads\": 2", "\"heads\": 4");
        var config = JsonConfigReader.Read<ExperimentConfig>(json, "x.json");
        var units = SweepPlan.Expand(config, 300, "d", null);
        var problems = SweepPreflight.Problems(config with { Methods = ["scratch", "logit-kd"] }, units, 1000, new Harness.Config.GptConfig(300, 32, 1, 2, 32), 300, 64L << 30);
        Assert.Contains(problems, p => p.Contains("$.students.s") && p.Contains("of memory") && p.Contains("batch_size"));
        Assert.Contains(problems, p => p.Contains("$.students.s.context_length") && p.Contains("teacher's 32"));
        var shortVal = SweepPreflight.Problems(config, units, 10, null, 300, null);
        Assert.Contains(shortVal, p => p.Contains("validation split has 10"));
    }
}
