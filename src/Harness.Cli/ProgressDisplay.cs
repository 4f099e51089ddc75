using System.Diagnostics;
using System.Globalization;
using Harness.Training;
using Spectre.Console;
using Harness.IO;

namespace Harness.Cli;

/// <summary>
/// Progress fed by the core's IProgress callbacks (the core knows nothing about consoles): a Spectre bar in a terminal,
/// otherwise one UTC-timestamped line per status message and at most one progress line every 30 s (plus the last).
/// </summary>
public static class ProgressDisplay
{
    public static void Run(string label, Action<IProgress<string>, IProgress<TrainingProgress>> work, bool live = true)
    {
        if (!live)
        {
            static void Line(string text) => Console.Out.WriteLine($"{DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)} {text}");
            var since = Stopwatch.StartNew();
            work(new CallbackProgress<string>(Line), new CallbackProgress<TrainingProgress>(p =>
            {
                if (since.Elapsed.TotalSeconds < 30 && p.Step < p.TotalSteps) return;
                since.Restart();
                Line($"{label} step {p.Step}/{p.TotalSteps} {SweepWork.Losses(p)} {p.TokensPerSecond:N0} tok/s");
            }));
            return;
        }
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(label, maxValue: 1);
                var status = new CallbackProgress<string>(s => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(s)}[/]"));
                var progress = new CallbackProgress<TrainingProgress>(p =>
                {
                    task.MaxValue = p.TotalSteps;
                    task.Value = p.Step;
                    task.Description = $"{label} step {p.Step}/{p.TotalSteps} {SweepWork.Losses(p)} {p.TokensPerSecond:N0} tok/s";
                });
                work(status, progress);
                task.Value = task.MaxValue;
            });
    }
}
