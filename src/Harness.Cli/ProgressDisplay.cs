using Harness.Training;
using Spectre.Console;

namespace Harness.Cli;

/// <summary>A Spectre progress bar fed by the core's IProgress callbacks (the core knows nothing about consoles).</summary>
public static class ProgressDisplay
{
    public static void Run(string label, Action<IProgress<string>, IProgress<TrainingProgress>> work)
    {
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
                    task.Description = $"{label} step {p.Step}/{p.TotalSteps} loss {p.Loss:F3} {p.TokensPerSecond:N0} tok/s";
                });
                work(status, progress);
                task.Value = task.MaxValue;
            });
    }
}
