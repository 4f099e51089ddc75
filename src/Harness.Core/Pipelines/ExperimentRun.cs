using Harness.Config;
using Harness.Estimation;
using Harness.Evaluation;
using Harness.Reporting;
using Harness.Sweep;
using Harness.IO;
using Harness.Results;

namespace Harness.Pipelines;

/// <summary>
/// `harness run` as one pipeline: the sweep (with the benchmark evaluator of the config's evaluation section), then the
/// multiplier estimate and the report once every unit of the plan has a result.  Progress goes to the sweep observer and
/// to <c>messages</c>; the outcome of each stage is returned, never printed (the core has no console).
/// </summary>
public sealed class ExperimentRun
{
    readonly SweepOptions options;

    public ExperimentRun(ExperimentConfig config, string configJson, SweepOptions options, ISweepObserver? observer = null)
    {
        this.options = options;
        Sweep = new SweepRunner(config, configJson, options, observer) { EvaluatorFactory = BenchmarkEvaluator.Factory(config.Evaluation) };
    }

    /// <summary>The sweep stage (its folder, its units, its dry-run plan).</summary>
    public SweepRunner Sweep { get; }

    /// <summary>Sweep, then estimate and report when <see cref="AfterSweep"/> says so.</summary>
    public ExperimentRunResult Run(IProgress<string>? messages = null, CancellationToken cancellation = default) =>
        AfterSweep(Sweep.Run(cancellation), messages);

    /// <summary>The stages after the sweep: estimate and report when this process should (<see cref="SweepOutcome.ShouldEstimate"/>),
    /// else the reason they wait.  A run that was already complete is left untouched.</summary>
    public ExperimentRunResult AfterSweep(SweepOutcome outcome, IProgress<string>? messages = null)
    {
        if (outcome.AlreadyComplete) return new ExperimentRunResult(outcome, AfterSweepStep.AlreadyComplete, null);
        if (outcome.ShouldEstimate)
        {
            var estimate = EstimateAndReport(outcome.Directory, messages);
            return new ExperimentRunResult(outcome, estimate.Skipped ? AfterSweepStep.EstimateSkipped : AfterSweepStep.Estimated, estimate);
        }
        var step = !string.IsNullOrEmpty(options.Shard) ? AfterSweepStep.ShardFinished
                 : !outcome.Complete ? AfterSweepStep.Incomplete
                 : AfterSweepStep.FinishedElsewhere;
        return new ExperimentRunResult(outcome, step, null);
    }

    /// <summary>
    /// Multipliers (seed-cluster bootstrap, placebo, all accounting scenarios) and the report of a complete results
    /// folder, written into it.  A folder with only one arm (e.g. <c>--only scratch</c>) keeps its units and gets
    /// neither: the result says why.  Other bad input throws <see cref="UserInputException"/>.
    /// </summary>
    public static EstimateAndReportResult EstimateAndReport(string resultsDirectory, IProgress<string>? messages = null)
    {
        messages?.Report("estimating efficiency multipliers (seed-cluster bootstrap, placebo, all accounting scenarios)…");
        // Multipliers need both arms: a folder with no treatment runs (e.g. `--only scratch`) keeps its units and gets
        // neither multipliers nor report.  The folder is read once, into the estimator's own input.
        var input = ResultsFolderLoader.Load(resultsDirectory);
        if (input.TreatmentGroups.Count == 0)
            return new EstimateAndReportResult(null, null, null)
            {
                SkippedBecause = $"{resultsDirectory}: no treatment runs (methods other than '{input.BaselineGroup}') to compare; the units are saved, multipliers need both arms",
            };
        var result = MultiplierEstimator.Estimate(input, new EstimateOptions());
        FaultInjection.At(FaultInjection.Points.Estimate);
        var paths = EstimateWriter.Write(result, resultsDirectory);
        var report = ReportWriter.Write(resultsDirectory);
        return new EstimateAndReportResult(result, paths, report);
    }
}
