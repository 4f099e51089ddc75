using Harness.Sweep;
using Harness.Sweep.Execution;

namespace Harness.Pipelines;

/// <summary>What the prepare stage of <see cref="ExperimentRun.RunLocal"/> found: the sweep's units, those still to
/// train, and the launches that train them (one per WSD group: a trunk and its branches are one launch).</summary>
public sealed record LocalRunPlan(IReadOnlyList<SweepUnit> Units, int UnitsToTrain, IReadOnlyList<int> Launches);

/// <summary>The worker processes of `harness run --jobs N` (<see cref="ExperimentRun.RunLocal"/>).</summary>
/// <param name="Jobs">Worker processes at once.</param>
/// <param name="Threads">libtorch threads per worker.</param>
/// <param name="Harness">The harness command line prefix (dotnet + harness.dll) the workers run.</param>
/// <param name="ConfigPath">The config file the workers read.</param>
/// <param name="WorkingDirectory">The workers' working directory (the repository root).</param>
/// <param name="Device">The workers' --device.</param>
/// <param name="Log">Executor messages (a worker started, a launch finished or was restarted, …).</param>
public sealed record LocalWorkers(int Jobs, int Threads, IReadOnlyList<string> Harness, string ConfigPath, string WorkingDirectory, string Device, Action<string>? Log = null);

/// <summary>How `run --jobs N` ended: its plan, what the workers did, the finalize stage, and the wall time.</summary>
public sealed record LocalRunResult(LocalRunPlan Plan, ExecutorReport Report, FinalizeResult Final, double WallSeconds);

/// <summary>The finalize stage: the collected folder, and the estimate when one was made (or why it was not).</summary>
public sealed record FinalizeResult(FinalizeOutcome Sweep, EstimateAndReportResult? Estimate, string? EstimateFailed)
{
    /// <summary>Units done ok.</summary>
    public int Ok => Sweep.Units.Count - Sweep.Failed.Count - Sweep.Missing.Count;
    /// <summary>Failed or missing units make the exit code 1.</summary>
    public bool Complete => Sweep.Failed.Count + Sweep.Missing.Count == 0;
}
