using Harness.Results;
using Harness.Training;

namespace Harness.Sweep;

/// <summary>Callbacks for a progress display (the core has no console).</summary>
public interface ISweepObserver
{
    void Status(string message);
    void UnitStarted(SweepUnit unit, int position, int count);
    void UnitProgress(TrainingProgress progress);
    void UnitFinished(SweepUnit unit, RunRow row, bool skipped);
    /// <summary>The units this process will consider, and which of them are already finished (for FLOP-based progress).</summary>
    void SweepPlanned(IReadOnlyList<SweepUnit> units, IReadOnlySet<string> finished, IReadOnlyDictionary<string, double> predictedFlops) { }
    /// <summary>A held-out evaluation of the current unit.</summary>
    void UnitEvaluated(SweepUnit unit, EvalPoint point) { }
    /// <summary>The current unit continues from a saved checkpoint at <paramref name="step"/>.</summary>
    void UnitResumed(SweepUnit unit, int step) { }
}
