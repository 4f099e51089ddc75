using Harness.Config;
using Harness.Estimation;
using Harness.Evaluation;
using Harness.Reporting;
using Harness.Sweep;
using Harness.Sweep.Execution;
using Harness.Sweep.Slurm;
using Harness.IO;
using Harness.Results;

namespace Harness.Pipelines;

/// <summary>
/// `harness run` as one pipeline, the one entry every command that runs an experiment goes through (`run`, `run --jobs`,
/// `worker`, `submit`): the config is checked first (<see cref="ExperimentValidator"/>, every problem at once, before any
/// work), then the sweep (with the benchmark evaluator of the config's evaluation section; in this process, or in
/// worker processes), then the multiplier estimate and the report once every unit of the plan has a result.  Progress
/// goes to the sweep observer and to <c>messages</c>; the outcome of each stage is returned, never printed (the core
/// has no console).
/// </summary>
public sealed class ExperimentRun
{
    readonly ExperimentConfig config;
    readonly SweepOptions options;

    /// <exception cref="UserInputException">The config names a method, divergence, task or tokenizer no stage knows.</exception>
    public ExperimentRun(ExperimentConfig config, SweepOptions options, ISweepObserver? observer = null)
    {
        ExperimentValidator.ThrowIfProblems(config, "config");
        this.config = config;
        this.options = options;
        Sweep = new SweepRunner(config, options, observer) { EvaluatorFactory = BenchmarkEvaluator.Factory(config.Evaluation) };
    }

    /// <summary>The sweep stage (tests reach its parts; commands go through the methods below).</summary>
    internal SweepRunner Sweep { get; }

    /// <summary>The run's results folder: RESULTS/&lt;experiment&gt;/&lt;config-hash&gt;/.</summary>
    public string RunDirectory => Sweep.RunDirectory;

    /// <summary>Estimator settings (the defaults of `harness run`; tests use fewer bootstrap replicates).</summary>
    public EstimateOptions Estimate { get; init; } = new();

    /// <summary>Sweep in this process, then estimate and report when <see cref="AfterSweep"/> says so.</summary>
    public ExperimentRunResult Run(IProgress<string>? messages = null, CancellationToken cancellation = default) =>
        AfterSweep(Sweep.Run(cancellation), messages);

    /// <summary>The stages after the sweep: estimate and report when this process should (<see cref="SweepOutcome.ShouldEstimate"/>),
    /// else the reason they wait.  A run that was already complete is left untouched.</summary>
    public ExperimentRunResult AfterSweep(SweepOutcome outcome, IProgress<string>? messages = null)
    {
        if (outcome.AlreadyComplete) return new ExperimentRunResult(outcome, AfterSweepStep.AlreadyComplete, null);
        if (outcome.ShouldEstimate)
        {
            var estimate = EstimateAndReport(outcome.Directory, messages, Estimate);
            return new ExperimentRunResult(outcome, estimate.Skipped ? AfterSweepStep.EstimateSkipped : AfterSweepStep.Estimated, estimate);
        }
        var step = !string.IsNullOrEmpty(options.Shard) ? AfterSweepStep.ShardFinished
                 : !outcome.Complete ? AfterSweepStep.Incomplete
                 : AfterSweepStep.FinishedElsewhere;
        return new ExperimentRunResult(outcome, step, null);
    }

    /// <summary>
    /// `harness run --jobs N`: <see cref="Prepare"/> here (data, teacher, plan.json), then the launches on
    /// <paramref name="workers"/> (long-lived `harness worker serve` processes, <see cref="LocalExecutor"/>), then
    /// <see cref="Finalize"/> here (tables, manifest, estimate and report).
    /// </summary>
    public LocalRunResult RunLocal(LocalWorkers workers, IProgress<string>? messages = null, CancellationToken cancellation = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var units = Sweep.Prepare(cancellation: cancellation);
        var folder = new RunFolder(RunDirectory);
        // IsFinished: a row with status ok.  Read once per unit.
        var finished = units.Where(u => folder.IsFinished(u.Key)).Select(u => u.Key).ToHashSet();
        var plan = new LocalRunPlan(units, units.Count - finished.Count, RunPlan.LaunchIndices(units, u => finished.Contains(u.Key)));
        messages?.Report($"{plan.UnitsToTrain} of {plan.Units.Count} units to train in {plan.Launches.Count} launches (a WSD trunk and its branches are one launch) " +
                         $"on {workers.Jobs} worker processes × {workers.Threads} thread(s); worker logs in {new RunFolderLayout(RunDirectory).Logs}");
        var report = new LocalExecutor(workers.Jobs, workers.Threads, workers.Log).Launch(new SweepWorkload
        {
            Harness = workers.Harness, ConfigPath = workers.ConfigPath, RunDirectory = RunDirectory, ResultsRoot = options.ResultsRoot,
            WorkingDirectory = workers.WorkingDirectory, Device = workers.Device, UnitIndices = plan.Launches,
        }, cancellation);
        if (report.Cancelled)
            throw new OperationCanceledException($"stopped; {report.Interrupted.Count} unit(s) checkpointed");
        return new LocalRunResult(plan, report, Finalize(messages), clock.Elapsed.TotalSeconds);
    }

    /// <summary>The prepare stage of the worker protocol (`harness worker prepare`, the Slurm prepare job): data, teacher,
    /// its benchmark scores, the seq-KD corpus, optionally the whole logit cache, then plan.json.</summary>
    public IReadOnlyList<SweepUnit> Prepare(bool fillCache = false, CancellationToken cancellation = default) => Sweep.Prepare(fillCache, cancellation);

    /// <summary>A worker of this run in this process (`harness worker unit|serve`): prepared once, then one launch after another.</summary>
    public UnitWorker OpenWorker(string? slurmJobId = null, Func<string>? interruptSignal = null) => Sweep.OpenWorker(slurmJobId, interruptSignal);

    /// <summary>
    /// The finalize stage (`harness worker finalize`, the Slurm finalize job, the end of `run --jobs`): tables and the
    /// finished manifest from the unit files, then estimate and report when at least one unit finished ok.
    /// </summary>
    public FinalizeResult Finalize(IProgress<string>? messages = null)
    {
        var outcome = Sweep.Finalize();
        int ok = outcome.Units.Count - outcome.Failed.Count - outcome.Missing.Count;
        if (ok == 0) return new FinalizeResult(outcome, null, null);
        try
        {
            return new FinalizeResult(outcome, EstimateAndReport(outcome.Directory, messages, Estimate), null);
        }
        catch (UserInputException e)
        {
            return new FinalizeResult(outcome, null, e.Message);
        }
    }

    /// <summary>`harness run --dry-run`: the unit table, predicted FLOPs and the time estimate; trains and writes nothing.</summary>
    public DryRunPlan DryRun(string repositoryRoot) => DryRunPlan.Build(Sweep, config, repositoryRoot);

    /// <summary>`harness submit`: the Slurm job arrays this run would submit (<see cref="SlurmSubmissionPlanner"/>).</summary>
    public SlurmSubmissionPlan PlanSlurm(SlurmSubmitOptions slurm, IReadOnlyList<string> harness, string configPath, string resultsRoot, string workingDirectory) =>
        SlurmSubmissionPlanner.Plan(config, Sweep, slurm, harness, configPath, resultsRoot, workingDirectory);

    /// <summary>
    /// Multipliers (seed-cluster bootstrap, placebo, all accounting scenarios) and the report of a complete results
    /// folder, written into it.  A folder with only one arm (e.g. <c>--only scratch</c>) keeps its units and gets
    /// neither: the result says why.  Other bad input throws <see cref="UserInputException"/>.
    /// </summary>
    public static EstimateAndReportResult EstimateAndReport(string resultsDirectory, IProgress<string>? messages = null, EstimateOptions? estimate = null)
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
        var result = MultiplierEstimator.Estimate(input, estimate ?? new EstimateOptions());
        FaultInjection.At(FaultInjection.Points.Estimate);
        var paths = EstimateWriter.Write(result, resultsDirectory);
        var report = ReportWriter.Write(resultsDirectory);
        return new EstimateAndReportResult(result, paths, report);
    }
}
