using Harness.Results;
using Harness.Sweep;
using Harness.Sweep.Execution;

namespace Harness.Pipelines;

/// <summary>What <see cref="LocalExperimentRun.Prepare"/> found: the sweep's units, those still to train, and the
/// launches that train them (one per WSD group: a trunk and its branches are one launch).</summary>
public sealed record LocalRunPlan(IReadOnlyList<SweepUnit> Units, int UnitsToTrain, IReadOnlyList<int> Launches);

/// <summary>
/// `harness run --jobs N`: prepare in this process (data, teacher, plan.json), then N `harness worker unit` processes at
/// a time (<see cref="LocalExecutor"/>), then collect here (<see cref="SweepRunner.Finalize"/>).  Estimation and the
/// report follow with <see cref="ExperimentRun.EstimateAndReport"/>, as after an in-process run.
/// </summary>
public sealed class LocalExperimentRun(SweepRunner runner, int jobs, int threadsPerWorker)
{
    public SweepRunner Sweep => runner;

    public LocalRunPlan Prepare(CancellationToken cancellation = default)
    {
        var units = runner.Prepare(cancellation: cancellation);
        var folder = new RunFolder(runner.RunDirectory);
        // IsFinished: a row with status ok.  Read once per unit.
        var finished = units.Where(u => folder.IsFinished(u.Key)).Select(u => u.Key).ToHashSet();
        return new LocalRunPlan(units, units.Count - finished.Count, RunPlan.LaunchIndices(units, u => finished.Contains(u.Key)));
    }

    /// <param name="harness">The harness command line prefix (dotnet + harness.dll) the workers run.</param>
    /// <param name="log">Executor messages (a worker exited, was restarted, …).</param>
    public ExecutorReport Launch(LocalRunPlan plan, IReadOnlyList<string> harness, string configPath, string? resultsRoot, string workingDirectory,
                                 string device, Action<string>? log, CancellationToken cancellation = default)
    {
        var report = new LocalExecutor(jobs, threadsPerWorker, log).Launch(new SweepWorkload
        {
            Harness = harness, ConfigPath = configPath, RunDirectory = runner.RunDirectory, ResultsRoot = resultsRoot,
            WorkingDirectory = workingDirectory, Device = device, UnitIndices = plan.Launches,
        }, cancellation);
        if (report.Cancelled)
            throw new OperationCanceledException($"stopped; {report.Interrupted.Count} unit(s) checkpointed");
        return report;
    }
}
