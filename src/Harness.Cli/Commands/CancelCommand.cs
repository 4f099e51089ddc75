using System.ComponentModel;
using Harness.Sweep.Slurm;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Harness.Cli.Commands;

[Description("Cancel this run's Slurm jobs (the ids its submissions recorded) and nothing else.")]
public sealed class CancelCommand : Command<RunDirSettings>
{
    public override int Execute(CommandContext context, RunDirSettings settings, CancellationToken cancellation)
    {
        var dir = StatusCommand.CheckRunDir(settings.RunDir);
        if (SlurmSubmission.ReadAll(dir).Count == 0)
            throw new UserInputException($"{dir}: no Slurm submissions recorded (slurm/{SlurmSubmission.FileName}); nothing to cancel. A local `run --jobs` stops with Ctrl+C.");
        var cancelled = SlurmSubmitter.Cancel(dir, SlurmCommands.Instance);
        AnsiConsole.MarkupLine(cancelled.Count == 0 ? "no job of this run is queued or running." : $"cancelled {cancelled.Count} job(s): {string.Join(", ", cancelled)}");
        return 0;
    }
}
