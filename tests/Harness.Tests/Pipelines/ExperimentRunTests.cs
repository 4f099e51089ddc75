using Harness.Pipelines;
using Harness.Reporting;
using Harness.Results;
using Harness.Sweep;

namespace Harness.Tests.Pipelines;

[Collection(PipelineCollection.Name)]
public class ExperimentRunTests(PipelineFixture pipeline)
{
    [Fact]
    public void A_one_arm_run_keeps_its_units_and_skips_multipliers_and_report_with_the_reason()
    {
        var result = pipeline.ScratchOnly;
        Assert.Equal(2, result.Sweep.Ran);
        Assert.Equal(AfterSweepStep.EstimateSkipped, result.Step);
        Assert.True(result.Estimate!.Skipped);
        Assert.Null(result.Estimate.Files);
        Assert.Contains("no treatment runs", result.Estimate.SkippedBecause);
        Assert.All(ResultTables.ReadAll<RunRow>(Path.Combine(result.Sweep.Directory, ResultSchema.RunsFile))
                               .Where(r => r.Method == "scratch"), r => Assert.Equal(RunRowStatus.Ok, r.Status));
    }

    [Fact]
    public void A_complete_run_writes_multipliers_summary_and_report_into_its_folder()
    {
        var result = pipeline.Full;
        Assert.Equal(2, result.Sweep.Skipped);   // the scratch units of the --only run
        Assert.Equal(2, result.Sweep.Ran);
        Assert.Equal(AfterSweepStep.Estimated, result.Step);
        var estimate = result.Estimate!;
        Assert.False(estimate.Skipped);
        Assert.Null(result.WaitingMessage);
        Assert.Equal(Path.Combine(result.Sweep.Directory, ResultSchema.MultipliersFile), estimate.Files!.Multipliers);
        foreach (var file in new[] { estimate.Files.Multipliers, estimate.Files.Summary, estimate.Files.Fits, estimate.Report!.Html })
            Assert.True(File.Exists(file), file);
        Assert.Equal(Path.Combine(result.Sweep.Directory, ReportWriter.HtmlFile), estimate.Report.Html);
        Assert.Equal(["logit-kd"], estimate.Result!.Treatments);
        // Both runs said when the estimator started, and only then.
        Assert.Equal(2, pipeline.Messages.Count(m => m.StartsWith("estimating efficiency multipliers", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_sweep_scores_benchmarks_with_the_one_subset_rule()
    {
        var evals = ResultTables.ReadAll<EvalRow>(Path.Combine(pipeline.Full.Sweep.Directory, ResultSchema.EvalsFile));
        var units = evals.Where(e => e.UnitKey != ResultSchema.TeacherUnitKey).ToList();
        Assert.Equal(4, units.Select(e => e.UnitKey).Distinct().Count());
        // Final scores only (curve_subset 0), capped at max_items 5, and a final cap is not the curve subset.
        Assert.All(evals, e => Assert.True(e.IsFinal && !e.Subset && e.Task == "grammar", $"{e.UnitKey} {e.Metric}"));
        Assert.All(evals.Where(e => e.Metric == "acc"), e => Assert.Equal(5, e.Items));   // sub-metrics count their own items
        Assert.Contains(evals, e => e.UnitKey == ResultSchema.TeacherUnitKey);
    }

    [Fact]
    public void A_finished_run_is_left_untouched_and_says_so()
    {
        var messages = new List<string>();
        var again = pipeline.Run(messages);
        Assert.True(again.Sweep.AlreadyComplete);
        Assert.Equal(AfterSweepStep.AlreadyComplete, again.Step);
        Assert.Null(again.Estimate);
        Assert.Empty(messages);
    }

    [Fact]
    public void A_shard_or_an_incomplete_plan_waits_for_the_estimate_and_says_why()
    {
        var run = pipeline.Experiment(shard: "1/2");
        var outcome = new SweepOutcome(pipeline.Full.Sweep.Directory, [], 1, 0, 0, 1, null) { Complete = false, ShouldEstimate = false };
        var shard = run.AfterSweep(outcome);
        Assert.Equal(AfterSweepStep.ShardFinished, shard.Step);
        Assert.Contains("harness merge", shard.WaitingMessage);
        var whole = pipeline.Experiment();
        Assert.Equal(AfterSweepStep.Incomplete, whole.AfterSweep(outcome).Step);
        var elsewhere = whole.AfterSweep(outcome with { Complete = true });
        Assert.Equal(AfterSweepStep.FinishedElsewhere, elsewhere.Step);
        Assert.Contains("another process", elsewhere.WaitingMessage);
        Assert.Null(elsewhere.Estimate);
    }

    [Fact]
    public void Final_losses_are_the_seed_mean_of_each_method()
    {
        var table = FinalLossTable.Read(pipeline.Full.Sweep.Directory)!;
        var runs = ResultTables.ReadAll<RunRow>(Path.Combine(pipeline.Full.Sweep.Directory, ResultSchema.RunsFile));
        Assert.Equal(["logit-kd", "scratch"], table.Methods.Order(StringComparer.Ordinal));
        var row = Assert.Single(table.Rows);
        Assert.Equal(("s", "b", runs.Min(r => r.Tokens)), (row.Student, row.Budget, row.Tokens));
        for (int i = 0; i < table.Methods.Count; i++)
            Assert.Equal(runs.Where(r => r.Method == table.Methods[i]).Average(r => r.ValLoss), row.MeanValLoss[i], 12);
        Assert.Null(FinalLossTable.Read(pipeline.Root));
    }
}
