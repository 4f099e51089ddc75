using System.Diagnostics;
using System.Globalization;
using Harness.Results;
using Harness.Sweep;
using Harness.Training;

namespace Harness.Cli;

/// <summary>
/// Outside a terminal (Slurm, CI, <c>&gt; file</c>): one UTC-timestamped line per event — status, unit start, each
/// held-out evaluation (with the sweep's FLOP-based ETA), unit end — never wrapped, never repeated.
/// </summary>
sealed class LineSweepObserver(TextWriter writer) : ISweepObserver
{
    readonly SweepWork work = new();
    SweepUnit? unit;
    int position;
    TrainingProgress? last;
    readonly Stopwatch sinceLine = Stopwatch.StartNew();

    void Line(string text)
    {
        writer.WriteLine($"{DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)} {text}");
        writer.Flush();
        sinceLine.Restart();
    }

    public void Status(string message) => Line(message);

    public void SweepPlanned(IReadOnlyList<SweepUnit> units, IReadOnlySet<string> finished, IReadOnlyDictionary<string, double> predicted)
    {
        work.Plan(units, finished, predicted);
        Line($"sweep: {units.Count} unit(s), {work.Total:E2} FLOPs predicted (student training + teacher forwards)" + (finished.Count > 0 ? $"; resuming: {finished.Count} already finished, skipped" : ""));
    }

    public void UnitStarted(SweepUnit u, int pos, int count)
    {
        unit = u;
        position = pos;
        last = null;
        work.Start(u);
        Line($"unit {pos}/{count} start {SweepWork.Label(u)} key {u.Key} ({u.Tokens:N0} tokens, {u.PredictedTrainFlops:E2} FLOPs)");
    }

    public void UnitResumed(SweepUnit u, int step) => Line($"unit {position}/{work.Count} resumes from its checkpoint at step {step}");

    public void UnitProgress(TrainingProgress p)
    {
        last = p;
        work.Progress((double)p.Step / Math.Max(1, p.TotalSteps));
        // Between evaluations, at most one line every 60 s, so long units still show life without flooding the log.
        if (sinceLine.Elapsed.TotalSeconds >= 60 && unit is null)   // the teacher, trained before the sweep starts
            Line($"teacher step {p.Step}/{p.TotalSteps} {SweepWork.Losses(p)} {p.TokensPerSecond:N0} tok/s");
        else if (sinceLine.Elapsed.TotalSeconds >= 60)
            Line($"unit {position}/{work.Count} step {p.Step}/{p.TotalSteps} {SweepWork.Losses(p)} {p.TokensPerSecond:N0} tok/s | sweep {work.Fraction * 100:F0}% ETA {SweepWork.Duration(work.EtaSeconds)}");
    }

    public void UnitEvaluated(SweepUnit u, EvalPoint point)
    {
        work.Progress((double)point.Tokens / Math.Max(1, u.Tokens));
        var train = last is null ? "" : $" {SweepWork.Losses(last with { ValLoss = double.NaN })} {last.TokensPerSecond:N0} tok/s";
        Line($"unit {position}/{work.Count} step {point.Step} val_loss {SweepWork.F(point.ValLoss)} val_bpb {SweepWork.F(point.ValBitsPerByte)}{train} | sweep {work.Fraction * 100:F0}% ETA {SweepWork.Duration(work.EtaSeconds)}");
    }

    public void UnitFinished(SweepUnit u, RunRow row, bool skipped)
    {
        if (skipped) return;
        work.Finish(false);
        Line(row.Status == RunRowStatus.Ok
            ? $"unit {position}/{work.Count} done {SweepWork.Label(u)} val_loss {SweepWork.F(row.ValLoss)} val_bpb {SweepWork.F(row.ValBitsPerByte)} in {row.WallSeconds + row.EvalSeconds:F0}s | sweep {work.Done}/{work.Count} ETA {SweepWork.Duration(work.EtaSeconds)}"
            : $"unit {position}/{work.Count} FAILED {SweepWork.Label(u)}: {row.FailureReason}");
    }
}
