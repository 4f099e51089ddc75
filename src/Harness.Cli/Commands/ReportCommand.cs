using System.ComponentModel;
using Harness.Reporting;
using Harness.Results;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Harness.Cli.Commands;

/// <summary>
/// <c>harness report RESULTS_DIR [--out DIR]</c>: writes report.html and report.md (figures in report_files/).  Into the
/// results folder only when it has no report yet; otherwise into --out or RESULTS_DIR/reports/&lt;UTC time&gt;/ (with a
/// copy of the tables it was built from), so an existing report is never replaced by accident.
/// </summary>
[Description("Write report.html and report.md for a results folder (a new folder when it already has a report, or --out).")]
public sealed class ReportCommand : Command<ReportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<RESULTS_DIR>")]
        [Description("A results folder, results/<experiment>/<run-id>/, as written by `harness run`.")]
        public string ResultsDir { get; init; } = "";

        [CommandOption("--out <DIR>")]
        [Description("Write the report (and a copy of its input tables) into DIR instead (default: RESULTS_DIR when it has no report.html yet, else RESULTS_DIR/reports/<UTC time>/).")]
        public string? Out { get; init; }

        [CommandOption("--multipliers <DIR>")]
        [Description("Take multipliers.csv, summary.json and fits.json from DIR (e.g. an `harness estimate` output folder) instead of RESULTS_DIR.")]
        public string? Multipliers { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var source = RepositoryPaths.ResolveInput(settings.ResultsDir);
        string target = settings.Out is not null ? RepositoryPaths.Resolve(settings.Out)
            : settings.Multipliers is null && !File.Exists(new RunFolderLayout(source).ReportHtml) ? source
            : EstimateCommand.NewFolder(source, RunFolderLayout.ReportsFolder);
        if (Directory.Exists(source)) Harness.IO.WritableFolder.Require(target, "the report folder");
        if (target != source)
        {
            if (File.Exists(new RunFolderLayout(target).ReportHtml))
                throw new UserInputException($"report: {target} already has {ReportWriter.HtmlFile}; nothing was written.", [$"--out {target}: choose a new folder."]);
            Directory.CreateDirectory(target);
            foreach (var file in RunFolderLayout.ReportInputs)
            {
                var from = settings.Multipliers is not null && file is ResultSchema.MultipliersFile or ResultSchema.SummaryFile or ResultSchema.FitsFile
                    ? new RunFolderLayout(RepositoryPaths.ResolveInput(settings.Multipliers)).In(file) : new RunFolderLayout(source).In(file);
                if (File.Exists(from)) File.Copy(from, new RunFolderLayout(target).In(file), overwrite: true);
            }
        }
        if (Directory.Exists(source) && ResultsFolder.Load(source, withEstimates: false).Disagreements() is { Count: > 0 } disagreements)
        {
            AnsiConsole.MarkupLine($"[yellow]warning:[/] runs.csv and curves.csv disagree ({disagreements.Count} problem(s)); the report's figures follow curves.csv:");
            foreach (var d in disagreements) AnsiConsole.MarkupLine($"  [yellow]-[/] {Markup.Escape(d)}");
            AnsiConsole.MarkupLine($"  [yellow]-[/] fix: {Markup.Escape(ResultsFolder.DisagreementFix)}");
        }
        var paths = ReportWriter.Write(target);
        AnsiConsole.MarkupLine($"report: [link]{Markup.Escape(paths.Html)}[/]");
        AnsiConsole.MarkupLine($"        {Markup.Escape(paths.Markdown)} ({paths.FigureCount} figures as PNG and SVG in {Markup.Escape(paths.FiguresDirectory)})");
        return 0;
    }
}
