using System.ComponentModel;
using Harness.Sweep;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Harness.Cli.Commands;

public sealed class MergeSettings : CommandSettings
{
    [CommandArgument(0, "<DIR>")]
    [Description("Results folders of shards of the same experiment config; the first receives the merged result unless --out is set.")]
    public string[] Directories { get; init; } = [];

    [CommandOption("--out <DIR>")]
    [Description("Destination folder (default: the first DIR).")]
    public string? Out { get; init; }
}

[Description("Join results folders written by `harness run --shard I/N` (refuses folders of different configs).")]
public sealed class MergeCommand : Command<MergeSettings>
{
    public override int Execute(CommandContext context, MergeSettings settings, CancellationToken cancellation)
    {
        var sources = settings.Directories.Select(RepositoryPaths.ResolveInput).ToList();
        var destination = settings.Out is null ? sources[0] : RepositoryPaths.Resolve(settings.Out);
        var merged = RunFolder.Merge(sources, destination, out var warnings);
        AnsiConsole.MarkupLine($"[green]merged[/] {sources.Count} folder(s) into {Markup.Escape(merged.Directory)}");
        foreach (var w in warnings) AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(w)}");
        if (warnings.Count == 0) EstimateReportOutput.Run(merged.Directory);
        else AnsiConsole.MarkupLine("[grey]estimation skipped until every shard is merged.[/]");
        return 0;
    }
}
