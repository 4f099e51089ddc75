using System.Diagnostics;
using System.Globalization;
using Harness.Results;
using Harness.Sweep;
using Harness.Training;
using Spectre.Console;

namespace Harness.Cli;

/// <summary>
/// Work accounting shared by both displays: each unit costs its predicted FLOPs (student training + teacher forwards,
/// <see cref="SweepCost"/>, as in the dry-run); the ETA is remaining cost ÷ the FLOP rate measured so far in this process.
/// </summary>
sealed class SweepWork
{
    readonly Stopwatch clock = new();
    readonly Dictionary<string, double> cost = [];
    double total, finished, doneThisProcess, currentCost, currentFraction;
    public int Count { get; private set; }
    public int Done { get; private set; }

    static double Cost(SweepUnit u) => u.PredictedTrainFlops;

    public void Plan(IReadOnlyList<SweepUnit> units, IReadOnlySet<string> finishedKeys, IReadOnlyDictionary<string, double> predicted)
    {
        foreach (var u in units) cost[u.Key] = predicted.GetValueOrDefault(u.Key, Cost(u));
        total = cost.Values.Sum();
        finished = units.Where(u => finishedKeys.Contains(u.Key)).Sum(u => cost[u.Key]);
        Count = units.Count;
        Done = finishedKeys.Count;
        clock.Restart();
    }

    public void Start(SweepUnit u) { currentCost = cost.GetValueOrDefault(u.Key, Cost(u)); currentFraction = 0; }
    public void Progress(double fraction) => currentFraction = Math.Clamp(fraction, 0, 1);
    public void Finish(bool skipped)
    {
        if (!skipped) { doneThisProcess += currentCost; finished += currentCost; Done++; }
        currentCost = currentFraction = 0;
    }

    public double Total => total;
    public double Completed => finished + currentCost * currentFraction;
    public double Fraction => total > 0 ? Completed / total : 1;

    /// <summary>Seconds left at this process's measured FLOP rate; null before there is a rate.</summary>
    public double? EtaSeconds
    {
        get
        {
            double work = doneThisProcess + currentCost * currentFraction;
            if (work <= 0 || clock.Elapsed.TotalSeconds < 1) return null;
            return (total - Completed) / (work / clock.Elapsed.TotalSeconds);
        }
    }

    public static string Duration(double? seconds) => seconds switch
    {
        null => "?",
        < 90 => $"{seconds:F0}s",
        < 5400 => $"{seconds / 60:F0}m{seconds % 60:00}s",
        _ => $"{Math.Floor(seconds.Value / 3600):F0}h{seconds / 60 % 60:00}m",
    };

    public static string Label(SweepUnit u) => $"{u.Method} {u.Student} {u.Budget} seed{u.Seed}";

    public static string Losses(TrainingProgress p) =>
        (p.Loss == p.CrossEntropy || double.IsNaN(p.CrossEntropy) ? $"train_loss {F(p.Loss)}" : $"train_loss {F(p.Loss)} train_ce {F(p.CrossEntropy)}") +
        (double.IsNaN(p.ValLoss) ? "" : $" val_loss {F(p.ValLoss)}");

    public static string F(double v) => v.ToString("F3", CultureInfo.InvariantCulture);
}

/// <summary>Live Spectre bars in a terminal: the sweep (by FLOPs, so its remaining time is work-based) and the current unit.</summary>
sealed class LiveSweepObserver : ISweepObserver
{
    readonly SweepWork work = new();
    ProgressContext? context;
    ProgressTask? overall;
    ProgressTask? current;
    SweepUnit? unit;
    int position;
    string losses = "";

    public void Attach(ProgressContext ctx) => context = ctx;

    public void Status(string message) => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(message)}[/]");

    public void SweepPlanned(IReadOnlyList<SweepUnit> units, IReadOnlySet<string> finished, IReadOnlyDictionary<string, double> predicted)
    {
        work.Plan(units, finished, predicted);
        if (finished.Count > 0) Status($"resuming: {finished.Count} of {units.Count} unit(s) already finished, skipped");
        overall = context?.AddTask("sweep", maxValue: Math.Max(1, work.Total / 1e9));
        UpdateOverall();
    }

    void UpdateOverall()
    {
        if (overall is null) return;
        overall.Value = work.Completed / 1e9;
        overall.Description = $"sweep {work.Done}/{work.Count} units, {work.Completed / 1e12:F1}/{work.Total / 1e12:F1} TFLOP";
    }

    public void UnitStarted(SweepUnit u, int pos, int count)
    {
        unit = u;
        position = pos;
        losses = "";
        work.Start(u);
        if (current is not null) { current.Value = current.MaxValue; current.StopTask(); }
        current = context?.AddTask($"{pos}/{count} {Markup.Escape(SweepWork.Label(u))}", maxValue: 1);
    }

    public void UnitResumed(SweepUnit u, int step) => Status($"unit {position}: {SweepWork.Label(u)} resumes from its checkpoint at step {step}");

    public void UnitProgress(TrainingProgress p)
    {
        work.Progress((double)p.Step / Math.Max(1, p.TotalSteps));
        UpdateOverall();
        if (current is null || unit is null) return;
        current.MaxValue = p.TotalSteps;
        current.Value = p.Step;
        losses = SweepWork.Losses(p);
        current.Description = $"{position}/{work.Count} {Markup.Escape(SweepWork.Label(unit))} | {losses} | {p.TokensPerSecond / 1000:F1}k tok/s";
    }

    public void UnitEvaluated(SweepUnit u, EvalPoint point)
    {
        work.Progress((double)point.Tokens / Math.Max(1, u.Tokens));
        UpdateOverall();
        if (current is null) return;
        var name = current.Description.Split(" | ")[0];
        current.Description = $"{name} | val_loss {SweepWork.F(point.ValLoss)} at step {point.Step}";
    }

    public void UnitFinished(SweepUnit u, RunRow row, bool skipped)
    {
        if (skipped) return;
        work.Finish(false);
        UpdateOverall();
        if (row.Status != RunRowStatus.Ok)
            AnsiConsole.MarkupLine($"[red]unit {u.Key} failed[/]: {Markup.Escape(row.FailureReason)}");
    }
}
