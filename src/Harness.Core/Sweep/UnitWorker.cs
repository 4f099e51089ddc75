using Harness.Sweep.Execution;
using Harness.Training;

namespace Harness.Sweep;

/// <summary>
/// One worker process's share of a sweep (`harness worker unit`, a `run --jobs` worker, a Slurm array task): the
/// resources were prepared once (<see cref="SweepRunner.OpenWorker"/>); each <see cref="Run"/> trains one launch (a unit,
/// or a WSD trunk and its branches) through the one unit policy (<see cref="UnitExecution"/>).  A long-lived local worker
/// calls <see cref="Run"/> once per launch it is given, so data and teacher are loaded once per process, not per unit.
/// </summary>
public sealed class UnitWorker : IDisposable
{
    readonly IReadOnlyList<SweepUnit> units;
    readonly SweepResources resources;
    readonly TeacherSignals signals;
    readonly UnitExecution execution;
    readonly WorkerContext worker;
    readonly ISweepObserver? observer;

    internal UnitWorker(IReadOnlyList<SweepUnit> units, SweepResources resources, TeacherSignals signals, UnitExecution execution, WorkerContext worker, ISweepObserver? observer)
    {
        this.units = units;
        this.resources = resources;
        this.signals = signals;
        this.execution = execution;
        this.worker = worker;
        this.observer = observer;
    }

    /// <summary>The sweep's units (plan order), as this worker expanded them.</summary>
    public IReadOnlyList<SweepUnit> Units => units;

    /// <summary>
    /// Trains the units with expanded indices <paramref name="unitIndices"/> in order (a WSD trunk and its branches),
    /// each under its claim (<see cref="UnitBusyException"/> when a live process holds it).  A unit resumes from its
    /// checkpoint; on cancellation it checkpoints at the next step boundary and this returns
    /// <see cref="UnitWorkerResult.Interrupted"/> at once.  Internal errors are retried from the last checkpoint up to
    /// run.retries times, then the unit gets a failed row with the reason.  Reports each unit's outcome through
    /// <paramref name="onUnit"/>.
    /// </summary>
    public UnitWorkerResult Run(IReadOnlyList<int> unitIndices, CancellationToken cancellation, Action<int, UnitWorkerResult> onUnit)
    {
        var result = UnitWorkerResult.AlreadyDone;
        foreach (var unitIndex in unitIndices)
        {
            var unit = units.FirstOrDefault(u => u.Index == unitIndex)
                ?? throw new UserInputException($"unit index {unitIndex} is not in this sweep.", [$"--index: value {unitIndex} must be one of {string.Join(", ", units.Select(u => u.Index))} (see plan.json or `harness run CONFIG --dry-run`)."]);
            result = RunOne(unit, cancellation);
            onUnit(unitIndex, result);
            if (result == UnitWorkerResult.Interrupted) break;
        }
        return result;
    }

    UnitWorkerResult RunOne(SweepUnit unit, CancellationToken cancellation)
    {
        UnitExecutionOutcome outcome;
        try
        {
            outcome = execution.Execute(unit, 1, 1, resources, signals, worker, cancellation);
        }
        catch (TrainingInterruptedException)
        {
            return UnitWorkerResult.Interrupted;
        }
        switch (outcome.Status)
        {
            case UnitExecutionStatus.AlreadyDone:
                return UnitWorkerResult.AlreadyDone;
            case UnitExecutionStatus.Busy or UnitExecutionStatus.FailedElsewhere:
                throw new UnitBusyException($"unit {unit.Key} is claimed by another live process ({outcome.HeldBy}); not starting a second writer.");
            default:
                observer?.UnitFinished(unit, outcome.Row!, false);
                return UnitWorkerResult.Finished;
        }
    }

    public void Dispose()
    {
        signals.Dispose();
        resources.Teacher.Dispose();
    }
}
