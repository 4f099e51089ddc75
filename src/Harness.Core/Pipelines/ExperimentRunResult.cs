using Harness.Sweep;

namespace Harness.Pipelines;

/// <summary>What happened after the sweep of an <see cref="ExperimentRun"/>.</summary>
public enum AfterSweepStep
{
    /// <summary>Every unit was already finished and the manifest closed: nothing was run or rewritten.</summary>
    AlreadyComplete,
    /// <summary>Multipliers, summary and report were written.</summary>
    Estimated,
    /// <summary>The units are saved, but multipliers need both arms (e.g. <c>--only scratch</c>).</summary>
    EstimateSkipped,
    /// <summary>One shard of several: estimation runs on the merged folders.</summary>
    ShardFinished,
    /// <summary>Not every unit of the plan has a result yet.</summary>
    Incomplete,
    /// <summary>The plan is complete, but another process finished the last unit and estimates.</summary>
    FinishedElsewhere,
}

/// <summary>The sweep's outcome, the step after it, and the estimate when one was made (or skipped).</summary>
public sealed record ExperimentRunResult(SweepOutcome Sweep, AfterSweepStep Step, EstimateAndReportResult? Estimate)
{
    /// <summary>Why estimation and report did not run here (null when they ran or the run was already complete).</summary>
    public string? WaitingMessage => Step switch
    {
        AfterSweepStep.ShardFinished => "shard finished; estimation and report run on the joined folders: `harness merge DIR...`",
        AfterSweepStep.Incomplete => "not every unit has a result yet; run the same command again to finish and estimate.",
        AfterSweepStep.FinishedElsewhere => "the last unit was finished by another process, which writes the estimate and report.",
        _ => null,
    };
}
