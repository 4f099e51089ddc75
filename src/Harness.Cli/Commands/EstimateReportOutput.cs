using Harness.Pipelines;
using Spectre.Console;
using Harness.IO;

namespace Harness.Cli.Commands;

/// <summary>Runs the estimate-and-report stage of a results folder (<see cref="ExperimentRun.EstimateAndReport"/>) and prints what it wrote.</summary>
static class EstimateReportOutput
{
    public static EstimateAndReportResult Run(string resultsDirectory)
    {
        var result = ExperimentRun.EstimateAndReport(resultsDirectory, new CallbackProgress<string>(m => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(m)}[/]")));
        Print(result);
        return result;
    }

    public static void Print(EstimateAndReportResult result)
    {
        if (result.Skipped)
        {
            AnsiConsole.MarkupLine($"[yellow]multipliers and report skipped[/]: {Markup.Escape(result.SkippedBecause ?? "")}");
            return;
        }
        EstimateCommand.Print(result.Result!, headlineOnly: true);
        AnsiConsole.MarkupLine($"multipliers: {Markup.Escape(result.Files!.Multipliers)}, summary: {Markup.Escape(result.Files.Summary)}");
        AnsiConsole.MarkupLine($"report: {Markup.Escape(result.Report!.Html)}");
    }
}
