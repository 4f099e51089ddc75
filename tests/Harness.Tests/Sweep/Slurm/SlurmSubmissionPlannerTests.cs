using Harness.Config;
using Harness.Results;
using Harness.Sweep;
using Harness.Sweep.Execution;
using Harness.Sweep.Slurm;

namespace Harness.Tests.Sweep.Slurm;

public class SlurmSubmissionPlannerTests
{
    static (ExperimentConfig Config, SweepRunner Runner, string Results) Quickstart()
    {
        var root = Harness.Tests.Cli.CliTests.RepositoryRoot();
        var json = File.ReadAllText(Path.Combine(root, "experiments", "quickstart.json"));
        var config = JsonConfigReader.Read<ExperimentConfig>(json, "quickstart.json");
        var results = TestSupport.TempDirectory();
        return (config, new SweepRunner(config, new SweepOptions { Device = TorchSharp.torch.CPU, RepositoryRoot = root, ResultsRoot = results }), results);
    }

    [Fact]
    public void Auto_time_comes_from_the_longest_units_estimate_and_a_given_time_is_kept()
    {
        var (config, runner, results) = Quickstart();
        var units = SweepPlan.Expand(config, config.Data.TokenizerOrDefault.VocabSize, "", null);
        var auto = SlurmSubmissionPlanner.Plan(config, runner, new SlurmSubmitOptions(), ["harness"], "q.json", results, "/repo", matmulProbe: () => 50);
        Assert.Equal(TimeEstimate.UnitLimit(units, 50), auto.Request.Resources.UnitTime);
        Assert.Contains("--time auto", auto.TimeNote);
        Assert.Equal(TimeEstimate.SignalMarginSeconds(auto.Request.Resources.UnitTime), auto.Request.Resources.SignalMarginSeconds);
        // One array task per launch group (the quickstart is a WSD design: a trunk and its branches are one launch).
        Assert.Equal(RunPlan.LaunchIndices(units, _ => false), auto.Request.Jobs.UnitIndices);
        Assert.True(auto.Request.Jobs.UnitIndices.Count < units.Count);
        Assert.Equal((0, units.Count), (auto.UnitsDone, auto.UnitCount));

        var given = SlurmSubmissionPlanner.Plan(config, runner, new SlurmSubmitOptions { UnitTime = TimeSpan.FromMinutes(42), MaxParallel = 3 }, ["harness"], "q.json", results, "/repo",
            matmulProbe: () => throw new InvalidOperationException("a given --time needs no probe"));
        Assert.Equal(TimeSpan.FromMinutes(42), given.Request.Resources.UnitTime);
        Assert.Equal(TimeSpan.FromHours(1), given.Request.Resources.PrepareTime);
        Assert.Equal(3, given.Request.Resources.MaxParallel);
        Assert.Equal("--time 00:42:00", given.TimeNote);
    }

    [Fact]
    public void Finished_units_are_counted_and_their_groups_start_at_the_first_unfinished_unit()
    {
        var (config, runner, results) = Quickstart();
        var units = SweepPlan.Expand(config, config.Data.TokenizerOrDefault.VocabSize, "", null);
        RunPlan.Write(runner.RunDirectory, units);
        var folder = new RunFolder(runner.RunDirectory);
        var trunk = units.First(u => units.Count(v => v.Group == u.Group) > 1);
        folder.WriteUnit(new RunRow { UnitKey = trunk.Key, Status = RunRowStatus.Ok }, [], []);
        var plan = SlurmSubmissionPlanner.Plan(config, runner, new SlurmSubmitOptions { UnitTime = TimeSpan.FromHours(2) }, ["harness"], "q.json", results, "/repo");
        Assert.Equal(1, plan.UnitsDone);
        var next = units.Where(u => u.Group == trunk.Group && u.Index > trunk.Index).Min(u => u.Index);
        Assert.Contains(next, plan.Request.Jobs.UnitIndices);
        Assert.DoesNotContain(trunk.Index, plan.Request.Jobs.UnitIndices);
        Assert.Equal(TimeSpan.FromHours(2), plan.Request.Resources.PrepareTime);
    }
}
