using Harness.Config;
using Harness.Sweep;
using Harness.Sweep.Execution;
using TorchSharp;

namespace Harness.Tests.Sweep.Execution;

public class UnitWorkerTests
{
    [Fact]
    public void A_unit_that_fails_three_times_is_marked_failed_with_its_reason_and_the_others_go_on()
    {
        var root = SharedWorkerRoot.Prepared.Value;
        var config = JsonConfigReader.Read<ExperimentConfig>(WorkerRoot.SweepJson, "sweep.json");
        var options = new SweepOptions { Device = torch.CPU, RepositoryRoot = root.Directory, ResultsRoot = TestSupport.TempDirectory() };
        // The scorer of the final evaluation fails: an internal error after training, every attempt.
        var faulty = new SweepRunner(config, options)
        {
            EvaluatorFactory = _ => (_, _, _, _) => throw new InvalidOperationException("injected scorer fault"),
        };
        // run.retries defaults to 2: three attempts in all, each from the unit's last checkpoint, then a failed row.
        Assert.Equal(UnitWorkerResult.Finished, faulty.RunSingleUnit(0));
        var folder = new RunFolder(faulty.RunDirectory);
        var plan = RunPlan.TryRead(folder.Directory);
        Assert.Null(plan);                        // workers never write the plan; prepare and finalize do
        var units = SweepPlan.Expand(config, 300, "", null);
        var key = Directory.GetDirectories(Path.Combine(folder.Directory, "units")).Select(Path.GetFileName).Single()!;
        var row = folder.ReadUnitRow(key);
        Assert.Equal(Harness.Results.RunRowStatus.Failed, row.Status);
        Assert.Contains("after 3 attempt(s)", row.FailureReason);
        Assert.Contains("injected scorer fault", row.FailureReason);
        var worker = UnitHeartbeat.Read(folder, key)!;
        Assert.Equal(("failed", 3), (worker.State, worker.Failures));
        Assert.Contains("injected scorer fault", worker.LastFailure);

        // The other units are unaffected.
        var healthy = new SweepRunner(config, options);
        Assert.Equal(UnitWorkerResult.Finished, healthy.RunSingleUnit(1));
        Assert.Equal(UnitWorkerResult.AlreadyDone, healthy.RunSingleUnit(1));
        var outcome = healthy.Finalize();
        Assert.Equal(units.Count, outcome.Units.Count);
        Assert.Equal(key, Assert.Single(outcome.Failed).UnitKey);
        Assert.Equal([2, 3], outcome.Missing.Select(u => u.Index));
        Assert.NotNull(RunPlan.TryRead(folder.Directory));
    }
}
