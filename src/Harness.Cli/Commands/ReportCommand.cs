using System.ComponentModel;
using Harness.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Harness.Cli.Commands;

/// <summary><c>harness report RESULTS_DIR</c>: writes report.html and report.md (figures in report_files/) into the folder.</summary>
public sealed class ReportCommand : Command<ReportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<RESULTS_DIR>")]
        [Description("A results folder, results/<experiment>/<run-id>/, as written by `harness run`.")]
        public string ResultsDir { get; init; } = "";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var paths = ReportWriter.Write(settings.ResultsDir);
        AnsiConsole.MarkupLine($"report: [link]{Markup.Escape(paths.Html)}[/]");
        AnsiConsole.MarkupLine($"        {Markup.Escape(paths.Markdown)} ({paths.FigureCount} figures as PNG and SVG in {Markup.Escape(paths.FiguresDirectory)})");
        return 0;
    }
}
