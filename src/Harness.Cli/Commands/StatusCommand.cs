using System.ComponentModel;
using Harness.Sweep.Execution;
using Harness.Sweep.Slurm;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Harness.Cli.Commands;

public sealed class RunDirSettings : CommandSettings
{
    [CommandArgument(0, "<RUN_DIR>")]
    [Description("A run folder (results/EXPERIMENT/CONFIG_HASH).")]
    public string RunDir { get; init; } = "";
}

[Description("Show a run's units: done, running (host, step, tokens/s), requeued, pending, failed (reason). Reads the run folder, plus squeue/sacct where available.")]
public sealed class StatusCommand : Command<RunDirSettings>
{
    public override int Execute(CommandContext context, RunDirSettings settings, CancellationToken cancellation)
    {
        var dir = CheckRunDir(settings.RunDir);
        var report = RunStatusReader.Read(dir, SlurmCommands.Instance);
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 200);   // logs: one line per unit
        var table = new Table().Title($"{Markup.Escape(dir)}").AddColumns("#", "unit", "key", "state", "host", "step", "tok/s", "restarts", "detail");
        foreach (var u in report.Units)
        {
            var colour = u.State switch { "done" => "green", "failed" => "red", "requeued" => "yellow", _ when u.State.StartsWith("running", StringComparison.Ordinal) => "blue", _ => "grey" };
            table.AddRow($"{u.Index}", Markup.Escape(u.Label), u.Key, $"[{colour}]{Markup.Escape(u.State)}[/]", Markup.Escape(u.Host),
                u.TotalSteps > 0 ? $"{u.Step}/{u.TotalSteps}" : "", u.TokensPerSecond > 0 ? $"{u.TokensPerSecond:N0}" : "", $"{u.Restarts}", Markup.Escape(u.Detail));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(string.Join(", ", report.Counts.OrderBy(c => c.Key).Select(c => $"{c.Value} {Markup.Escape(c.Key)}")));
        foreach (var note in report.Notes) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(note)}[/]");
        return 0;
    }

    internal static string CheckRunDir(string path)
    {
        var dir = RepositoryPaths.ResolveInput(path);
        var layout = new Results.RunFolderLayout(dir);
        if (!Directory.Exists(dir) || (!File.Exists(layout.Plan) && !File.Exists(layout.SlurmSubmissions) && !File.Exists(layout.Manifest)))
            throw new UserInputException($"{path}: not a run folder (no {RunPlan.FileName}, slurm/{SlurmSubmission.FileName} or manifest.json); pass results/EXPERIMENT/CONFIG_HASH as printed by `harness submit` or `harness run`.");
        return dir;
    }
}
