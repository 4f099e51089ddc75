using Harness.Config;
using Harness.Estimation;
using Harness.Evaluation;
using Harness.Results;
using Harness.Sweep;
using TorchSharp;

namespace Harness.Tests.Evaluation.Benchmarks;

/// <summary>
/// A sweep that scores standard (lm-eval) tasks from local files: their rows reach evals.csv with chance levels and
/// item counts, and the estimator's informative-metric gating (<c>MetricSelection</c>) treats them as it treats the
/// harness's own tasks: each task's main score is selected, and a score at chance gets its multiplier withheld.
/// </summary>
public class StandardTaskSweepTests
{
    [Fact]
    public void A_sweep_scores_standard_tasks_and_the_estimator_withholds_a_task_at_chance()
    {
        var dataDir = System.Text.Json.JsonSerializer.Serialize(StandardBenchmarkTests.FixtureDir);
        var json = new TinyExperiment
        {
            Name = "tiny-standard",
            Seeds = "1",
            Students = "\"s\": { \"context_length\": 32, \"layers\": 1, \"heads\": 2, \"d_model\": 16 }", // room for the answers' tokens
            Budgets = "{ \"name\": \"b\", \"tokens\": 2560 }", // 10 steps of 8 × 32 tokens
            Evaluation = $"\"tasks\": \"arc_easy,mmlu\", \"data_dir\": {dataDir}",
        }.Json;
        var config = JsonConfigReader.Read<ExperimentConfig>(json, "tiny-standard.json");
        using var tmp = new TempDirectory();
        new SweepRunner(config, new SweepOptions { Device = torch.CPU, RepositoryRoot = tmp.Path })
        {
            EvaluatorFactory = BenchmarkEvaluator.Factory(config.Evaluation),
        }.Run();
        var folder = Path.GetDirectoryName(Directory.GetFiles(Path.Combine(tmp.Path, "results"), ResultSchema.ManifestFile, SearchOption.AllDirectories).Single())!;

        var evals = ResultsFolder.Load(folder, withEstimates: false).Evals;
        var arc = evals.Where(e => e.Task == "arc_easy" && e.Metric == "acc").ToList();
        Assert.Contains(arc, e => e.IsFinal && !e.Subset && e.Items == 2 && Math.Abs(e.Chance - (0.25 + 1.0 / 3) / 2) < 1e-12);
        Assert.Contains(evals, e => e.Task == "mmlu" && e.IsFinal && e.Items == 7 && e.Chance == 0.25);

        var input = ResultsFolderLoader.Load(folder);
        var selected = MetricSelection.Select(input, new EstimateOptions()).Select(s => s.Metric).ToList();
        Assert.Contains("arc_easy/acc", selected);          // each task's main score …
        Assert.Contains("mmlu_astronomy/acc", selected);
        Assert.DoesNotContain("arc_easy/acc_norm", selected); // … not its secondary ones
        var series = input.Metrics.Single(m => m.Metric == "mmlu/acc");
        Assert.Equal((MetricKind.Score, 0.25), (series.Kind, series.Chance));
        var baseline = series.Points.Where(p => p.IsFinal && p.Group == input.BaselineGroup).ToList();
        Assert.NotEmpty(baseline);
        // A random student on 7 items is within 4 binomial standard errors (√(0.25·0.75/7) each) of chance: withheld, with the reason.
        var reason = MetricSelection.WithheldReason(series, baseline);
        Assert.NotNull(reason);
        Assert.Contains("less than 4 binomial standard errors", reason);
        Assert.Contains("chance 0.25", reason);
        // The same series clearly above chance (0.9 of 400 items) is estimated.
        Assert.Null(MetricSelection.WithheldReason(series, baseline.Select(p => p with { Value = 0.9, Items = 400 }).ToList()));
    }
}
