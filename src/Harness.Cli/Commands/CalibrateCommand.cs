using System.ComponentModel;
using System.Globalization;
using Harness.Estimation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Harness.Cli.Commands;

public sealed class CalibrateSettings : CommandSettings
{
    [CommandOption("--datasets <N>")]
    [Description("Synthetic datasets per case (default 200).")]
    public int Datasets { get; init; } = 200;

    [CommandOption("--replicates <N>")]
    [Description("Bootstrap replicates per estimate (default 200).")]
    public int Replicates { get; init; } = 200;

    [CommandOption("--seed <S>")]
    [Description("Seed of the synthetic data and the bootstrap (default 0).")]
    public int Seed { get; init; }

    [CommandOption("--slopes")]
    [Description("Calibrate the size and budget slopes d ln M / d ln N, d ln D instead (planted gains growing, flat, shrinking with N; issue 23).")]
    public bool Slopes { get; init; }

    public override ValidationResult Validate() =>
        Datasets < 1 ? ValidationResult.Error($"--datasets: value '{Datasets}' must be at least 1.")
        : Replicates < 2 ? ValidationResult.Error($"--replicates: value '{Replicates}' must be at least 2.")
        : ValidationResult.Success();
}

[Description("Coverage of the estimator's 95% intervals on synthetic quickstart-shaped data with a planted truth (issue 12 cases 1-2; target 0.90-0.99).")]
public sealed class CalibrateCommand : Command<CalibrateSettings>
{
    public override int Execute(CommandContext context, CalibrateSettings settings, CancellationToken cancellation)
    {
        var unknown = context.Remaining.Parsed.Select(p => p.Key).Concat(context.Remaining.Raw).ToList();
        if (unknown.Count > 0)
            throw new UserInputException($"{context.Name}: unknown option(s) {string.Join(", ", unknown)}; see `harness {context.Name} --help`.");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (settings.Slopes) return Slopes(settings, clock);
        var results = Calibration.Run(settings.Datasets, settings.Replicates, settings.Seed,
            p => { if (!Console.IsOutputRedirected) AnsiConsole.Markup($"\r[grey]{Markup.Escape(p)}[/]   "); });
        AnsiConsole.WriteLine();
        var table = new Table().Border(TableBorder.Rounded).Title("95% interval coverage (target 0.90-0.99)");
        foreach (var c in new[] { "case", "estimand", "truth", "datasets", "coverage", "no interval", "censored", "median M", "median hi/lo" })
            table.AddColumn(c);
        string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
        foreach (var r in results)
            table.AddRow(Markup.Escape(r.Case), r.Estimand, F(r.Truth), r.Datasets.ToString(CultureInfo.InvariantCulture),
                double.IsNaN(r.Rate) ? "–" : (r.Rate is >= 0.90 and <= 0.99 ? "" : "[red]") + F(r.Rate) + (r.Rate is >= 0.90 and <= 0.99 ? "" : "[/]"),
                r.NoInterval.ToString(CultureInfo.InvariantCulture), r.Censored.ToString(CultureInfo.InvariantCulture), F(r.MedianM), F(r.MedianCiRatio));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[grey]{clock.Elapsed.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)} s[/]");
        return 0;
    }

    static int Slopes(CalibrateSettings settings, System.Diagnostics.Stopwatch clock)
    {
        var results = Calibration.RunSlopes(settings.Datasets, settings.Replicates, settings.Seed,
            p => { if (!Console.IsOutputRedirected) AnsiConsole.Markup($"\r[grey]{Markup.Escape(p)}[/]   "); });
        AnsiConsole.WriteLine();
        var table = new Table().Border(TableBorder.Rounded).Title("Slopes (student accounting): 95% interval coverage (target 0.90-0.99)");
        foreach (var c in new[] { "case", "slope", "truth", "datasets", "coverage", "no interval", "rejects 0 at 5%", "median slope", "median width" })
            table.AddColumn(c);
        string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
        foreach (var r in results)
            table.AddRow(Markup.Escape(r.Case), Markup.Escape(r.Slope), F(r.Truth), r.Datasets.ToString(CultureInfo.InvariantCulture),
                double.IsNaN(r.Rate) ? "–" : (r.Rate is >= 0.90 and <= 0.99 ? "" : "[red]") + F(r.Rate) + (r.Rate is >= 0.90 and <= 0.99 ? "" : "[/]"),
                r.NoInterval.ToString(CultureInfo.InvariantCulture), F(r.RejectionRate), F(r.MedianSlope), F(r.MedianWidth));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[grey]{clock.Elapsed.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)} s[/]");
        return 0;
    }
}
