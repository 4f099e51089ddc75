using System.ComponentModel;
using System.Globalization;
using Harness.Estimation;
using Harness.Results;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Harness.Cli.Commands;

public sealed class EstimateSettings : CommandSettings
{
    [CommandArgument(0, "[RESULTS_DIR]")]
    [Description("Sweep results folder (runs.csv, curves.csv, evals.csv); multipliers.csv, summary.json and fits.json are written into it.")]
    public string? ResultsDir { get; init; }

    [CommandOption("--table <FILE>")]
    [Description("External table with columns group,model,compute_flops,benchmark,score,higher_is_better (params, tokens, chance optional).")]
    public string? Table { get; init; }

    [CommandOption("--baseline <GROUP>")]
    [Description("Baseline group of --table (default: scratch).")]
    public string Baseline { get; init; } = "scratch";

    [CommandOption("--treatment <GROUP>")]
    [Description("Treatment group(s) of --table; repeat or separate with commas.")]
    public string[] Treatment { get; init; } = [];

    [CommandOption("--out <DIR>")]
    [Description("Output folder for --table (default: beside the table).")]
    public string? Out { get; init; }

    [CommandOption("--metric <NAME>")]
    [Description("Metric(s) to estimate, e.g. val_loss or grammar/acc; repeat or separate with commas (default: val_loss, val_bpb, each task's task_loss and main score).")]
    public string[] Metric { get; init; } = [];

    [CommandOption("--accounting <SCENARIO>")]
    [Description("amortised:K scenario(s) to add to student, +inference, +teacher (default amortised:10).")]
    public string[] Accounting { get; init; } = [];

    [CommandOption("--all-checkpoints")]
    [Description("Let intermediate checkpoints of both arms into the frontier and effective-data fits (default: finished runs only; the report says so).")]
    public bool AllCheckpoints { get; init; }

    [CommandOption("--replicates <N>")]
    [Description("Bootstrap replicates (seed clusters, or parametric with fewer than 3 seeds); default 1000, 0 skips intervals.")]
    public int Replicates { get; init; } = EstimateOptions.DefaultReplicates;

    [CommandOption("--seed <S>")]
    [Description("Bootstrap seed (default 0).")]
    public int Seed { get; init; }

    [CommandOption("--no-placebo")]
    [Description("Skip the built-in placebo (one scratch seed scored as a treatment against the others).")]
    public bool NoPlacebo { get; init; }
}

[Description("Efficiency multipliers of each treatment over scratch: frontier-to-frontier, paired same-size and effective-data estimands, with seed-cluster bootstrap intervals and a placebo.")]
public sealed class EstimateCommand : Command<EstimateSettings>
{
    public override int Execute(CommandContext context, EstimateSettings settings, CancellationToken cancellation)
    {
        var unknown = context.Remaining.Parsed.Select(p => p.Key).Concat(context.Remaining.Raw).ToList();
        if (unknown.Count > 0)
            throw new UserInputException($"{context.Name}: unknown option(s) {string.Join(", ", unknown)}; see `harness {context.Name} --help`.");
        if ((settings.ResultsDir is null) == (settings.Table is null))
            throw new UserInputException("estimate: give either RESULTS_DIR or --table FILE (exactly one).");
        var options = new EstimateOptions
        {
            Metrics = settings.Metric,
            Accounting = settings.Accounting,
            AllCheckpoints = settings.AllCheckpoints,
            Replicates = settings.Replicates,
            Seed = settings.Seed,
            Placebo = !settings.NoPlacebo,
        };
        EstimateResult result;
        string outDir;
        if (settings.Table is { } table)
        {
            var treatments = settings.Treatment.SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            if (treatments.Count == 0)
                throw new UserInputException("estimate --table: --treatment GROUP is required (the group to compare with --baseline).");
            result = MultiplierEstimator.EstimateTable(table, settings.Baseline, treatments, options);
            outDir = settings.Out ?? Path.GetDirectoryName(Path.GetFullPath(table))!;
        }
        else
        {
            result = MultiplierEstimator.EstimateResultsFolder(settings.ResultsDir!, options);
            outDir = settings.ResultsDir!;
        }
        var paths = EstimateWriter.Write(result, outDir);
        Print(result);
        AnsiConsole.MarkupLine($"wrote [blue]{Markup.Escape(paths.Multipliers)}[/], [blue]{Markup.Escape(paths.Summary)}[/] and [blue]{Markup.Escape(paths.Fits)}[/] " +
                               $"({result.Options.Replicates} replicates, {result.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s)");
        return 0;
    }

    /// <param name="headlineOnly">Only loss-type metrics (val_loss, val_bpb, task_loss); scores stay in multipliers.csv and the report.</param>
    internal static void Print(EstimateResult result, bool headlineOnly = false)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape($"efficiency multiplier M over '{result.Baseline}' [95% CI]; placebo beside it (truth 1)"));
        table.AddColumn("treatment").AddColumn("metric").AddColumn("estimand").AddColumn("won");
        foreach (var a in result.Accounting) table.AddColumn(new TableColumn(Markup.Escape(a.Name)).RightAligned());
        table.AddColumn("placebo");
        var summaries = result.Rows.Where(r => r.Kind == MultiplierKind.Summary)
                              .Where(r => !headlineOnly || !r.Metric.Contains('/') || r.Metric.EndsWith("/task_loss", StringComparison.Ordinal))
                              .GroupBy(r => (r.Treatment, r.Metric, r.Estimand)).ToList();
        foreach (var g in summaries)
        {
            var first = g.First();
            var cells = new List<string> { Markup.Escape(g.Key.Treatment), Markup.Escape(g.Key.Metric), g.Key.Estimand,
                                           first.Pairs > 0 ? $"{first.Won}/{first.Pairs}" : "" };
            foreach (var a in result.Accounting)
                cells.Add(g.FirstOrDefault(r => r.Accounting == a.Name) is { } row ? Cell(row) : "");
            cells.Add(first.PlaceboM is { } pm ? Placebo(pm, first.PlaceboCi95Low, first.PlaceboCi95High) : "");
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);
        foreach (var w in result.Summary.Warnings) AnsiConsole.MarkupLine($"[red]{Markup.Escape(w)}[/]");
        foreach (var n in result.Summary.Notes) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(n)}[/]");
        if (result.Summary.ExcludedFailedUnits > 0)
            AnsiConsole.MarkupLine($"[yellow]{result.Summary.ExcludedFailedUnits} failed unit(s) excluded[/]");
    }

    static string Cell(MultiplierRow r)
    {
        if (r.M is not { } m) return $"[yellow]{Markup.Escape(r.Status)}[/]";
        var prefix = r.Bound switch { MultiplierBound.Lower => "≥", MultiplierBound.Upper => "≤", MultiplierBound.Mixed => "~", _ => "" };
        var ci = r.MCi95Low is { } lo && r.MCi95High is { } hi ? $" [grey][[{Format(lo)}, {Format(hi)}]][/]" : "";
        return prefix + Format(m) + ci;
    }

    static string Placebo(double m, double? lo, double? hi)
    {
        var excludes = lo is { } l && hi is { } h && (l > 1 || h < 1);
        var text = Format(m) + (lo is { } a && hi is { } b ? $" [[{Format(a)}, {Format(b)}]]" : "");
        return excludes ? $"[red]{text}[/]" : $"[grey]{text}[/]";
    }

    static string Format(double v) => double.IsPositiveInfinity(v) ? "∞" : v.ToString(v >= 100 || v < 0.01 ? "0.##e0" : "0.###", CultureInfo.InvariantCulture);
}
