using System.ComponentModel;
using System.Globalization;
using Harness.Estimation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Harness.Cli.Commands;

public sealed class FitScalingSettings : BootstrapSettings
{
    [CommandArgument(0, "<FILE>")]
    [Description("CSV with one row per trained model.")]
    public string File { get; init; } = "";

    [CommandOption("--params-col <NAME>")]
    [Description("Column with parameter counts N.")]
    public string ParamsCol { get; init; } = "params";

    [CommandOption("--tokens-col <NAME>")]
    [Description("Column with training tokens D.")]
    public string? TokensCol { get; init; }

    [CommandOption("--loss-col <NAME>")]
    [Description("Column with the loss.")]
    public string LossCol { get; init; } = "loss";

    [CommandOption("--flops-col <NAME>")]
    [Description("Column with training FLOP; without --tokens-col, D = FLOP / (6 N).")]
    public string? FlopsCol { get; init; }

    [CommandOption("--drop-highest <K>")]
    [Description("Drop the K highest losses before fitting (Epoch dropped 5 on the Chinchilla data).")]
    public int DropHighest { get; init; }



    [CommandOption("--full-grid")]
    [Description("Run L-BFGS from all 4500 starts of Epoch's grid (default: the 128 best-screened).")]
    public bool FullGrid { get; init; }

    [CommandOption("--format <FORMAT>")]
    [Description("table (default) or json: one JSON object (E, A, B, alpha, beta and their _ci90/_ci95 intervals).")]
    public string? Format { get; init; }
}

[Description("Fit L(N, D) = E + A/N^alpha + B/D^beta (Chinchilla form, Epoch's Huber/LSE method) with bootstrap intervals.")]
public sealed class FitScalingCommand : Command<FitScalingSettings>
{
    public override int Execute(CommandContext context, FitScalingSettings settings, CancellationToken cancellation)
    {
        var format = Output.Parse(settings.Format, OutputFormat.Table, OutputFormat.Json);
        Output.Configure(format);
        var points = ScalingTableLoader.Load(settings.File, settings.ParamsCol, settings.TokensCol, settings.LossCol, settings.FlopsCol, settings.DropHighest);
        var report = ChinchillaFitReport.Fit(points, settings.Resamples, settings.Seed,
                                             settings.FullGrid ? int.MaxValue : ScalingLawFitter.DefaultGridKeep);
        if (format == OutputFormat.Json)
        {
            Console.Out.WriteLine(report.ToJson());
            return 0;
        }
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"L(N, D) = E + A/N^α + B/D^β on {report.Points} points ({report.Resamples} resamples, seed {report.Seed})");
        table.AddColumn("parameter").AddColumn(new TableColumn("estimate").RightAligned())
             .AddColumn(new TableColumn("90% CI").RightAligned()).AddColumn(new TableColumn("95% CI").RightAligned());
        foreach (var p in report.Parameters)
            table.AddRow(p.Name, F(p.Value), $"[[{F(p.Ci90Low)}, {F(p.Ci90High)}]]", $"[[{F(p.Ci95Low)}, {F(p.Ci95High)}]]");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[grey]fit and bootstrap took {report.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s[/]");
        return 0;
    }

    static string F(double v) => v.ToString(Math.Abs(v) >= 100 ? "F1" : "F4", CultureInfo.InvariantCulture);
}
