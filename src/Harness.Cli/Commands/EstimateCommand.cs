using System.ComponentModel;
using System.Globalization;
using Harness.Estimation;
using Harness.Results;
using Spectre.Console;
using Spectre.Console.Cli;

using Harness.IO;

namespace Harness.Cli.Commands;

public sealed class EstimateSettings : CommandSettings
{
    [CommandArgument(0, "[RESULTS_DIR]")]
    [Description("Sweep results folder (runs.csv, curves.csv, evals.csv). multipliers.csv, summary.json and fits.json go to --out, or to RESULTS_DIR/estimates/<UTC time>/ — never over the run's own files.")]
    public string? ResultsDir { get; init; }

    [CommandOption("--table <FILE>")]
    [Description("External table with columns group,model,compute_flops,benchmark,score,higher_is_better (params, tokens, chance optional).")]
    public string? Table { get; init; }

    [CommandOption("--baseline <GROUP>")]
    [Description("Baseline group(s) (families) of --table, each reported separately; repeat or separate with commas (default: scratch).")]
    public string[] Baseline { get; init; } = [];

    [CommandOption("--treatment <GROUP>")]
    [Description("Treatment group(s) of --table; repeat or separate with commas.")]
    public string[] Treatment { get; init; } = [];

    [CommandOption("--out <DIR>")]
    [Description("Folder for the output: RESULTS_DIR → multipliers.csv and fits.json (default RESULTS_DIR/estimates/<UTC time>/, never over the run's own files; refuses to overwrite unless --force); --table → results/<table file name>/ by default.")]
    public string? Out { get; init; }

    [CommandOption("--force")]
    [Description("Allow --out to replace existing multipliers.csv/fits.json there.")]
    public bool Force { get; init; }

    [CommandOption("--format <FORMAT>")]
    [Description("table (default) or json: the summary rows (treatment × metric × accounting) as one JSON document on standard output.")]
    public string? Format { get; init; }

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

    [CommandOption("--frontier <KIND>")]
    [Description("--table only: envelope (running best, interpolated in log compute; default) or linear (least squares in log compute; default with --covariate).")]
    public string? Frontier { get; init; }

    [CommandOption("--covariate <COLUMN>")]
    [Description("--table only: date column (yyyy-MM-dd) added to the linear frontier, y = a + b·ln C + γ·(date − ref); M is reported with and without it.")]
    public string? Covariate { get; init; }

    [CommandOption("--covariate-ref <DATE>")]
    [Description("--table only: reference date of --covariate (default: mean baseline date; M does not depend on it).")]
    public string? CovariateRef { get; init; }

    [CommandOption("--dedupe-by <COLUMN>")]
    [Description("--table only: base-model column; versions of one model (same group, benchmark and value) collapse to the best score.")]
    public string? DedupeBy { get; init; }

    [CommandOption("--since <DATE>")]
    [Description("--table only: keep models released on or after DATE (reads the --covariate column, else release_date).")]
    public string? Since { get; init; }

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
        var format = Output.Parse(settings.Format, OutputFormat.Table, OutputFormat.Json);
        Output.Configure(format);
        if ((settings.ResultsDir is null) == (settings.Table is null))
            throw new UserInputException("estimate: give either RESULTS_DIR or --table FILE (exactly one).");
        EstimateTableRunner.RejectUnknown(context);
        if (settings.Table is not null) return EstimateTableRunner.Run(settings);
        EstimateTableRunner.RejectTableOptions(settings);
        var options = new EstimateOptions
        {
            Metrics = settings.Metric,
            Accounting = settings.Accounting,
            AllCheckpoints = settings.AllCheckpoints,
            Replicates = settings.Replicates,
            Seed = settings.Seed,
            Placebo = !settings.NoPlacebo,
        };
        // Every refusal about the output folder comes before the (minutes-long) estimate.
        var outDir = settings.Out ?? NewFolder(settings.ResultsDir!, RunFolderLayout.EstimatesFolder);
        var existing = new RunFolderLayout(outDir).EstimateFiles.Where(File.Exists).ToList();
        if (existing.Count > 0 && !settings.Force)
            throw new UserInputException($"estimate: {outDir} already holds {string.Join(", ", existing.Select(Path.GetFileName))}; nothing was written.",
                [$"--out {outDir}: choose a new folder, or add --force to replace those files (the run's report.html would then be stale: rerun `harness report`)."]);
        if (Directory.Exists(settings.ResultsDir)) WritableFolder.Require(outDir, "estimate's output folder");
        // The estimator reads curves.csv; refuse a folder whose runs.csv says something else about a finished unit.
        if (ResultsFolder.Load(settings.ResultsDir!, withEstimates: false).Disagreements() is { Count: > 0 } disagreements)
            throw new UserInputException($"estimate: runs.csv and curves.csv of {settings.ResultsDir} disagree ({disagreements.Count} problem(s)); nothing was estimated.",
                [.. disagreements, $"fix: {ResultsFolder.DisagreementFix}"]);
        var result = MultiplierEstimator.EstimateResultsFolder(settings.ResultsDir!, options);
        Directory.CreateDirectory(outDir);
        var paths = EstimateWriter.Write(result, outDir);
        if (format == OutputFormat.Json)
        {
            Output.WriteJson(new
            {
                SchemaVersion = ResultSchema.MultipliersVersion, result.Baseline, result.Treatments, paths.Multipliers, paths.Summary, paths.Fits,
                Rows = result.Rows.Where(r => r.Kind == MultiplierKind.Summary),
            });
            return 0;
        }
        Print(result);
        AnsiConsole.MarkupLine($"wrote [blue]{Markup.Escape(paths.Multipliers)}[/], [blue]{Markup.Escape(paths.Summary)}[/] and [blue]{Markup.Escape(paths.Fits)}[/] " +
                               $"({result.Options.Replicates} replicates, {result.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s)");
        return 0;
    }

    /// <summary>A fresh, time-stamped folder under <paramref name="root"/>/<paramref name="kind"/>/ (UTC, to the second).</summary>
    internal static string NewFolder(string root, string kind)
    {
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var dir = Path.Combine(root, kind, stamp);
        for (int i = 2; Directory.Exists(dir); i++) dir = Path.Combine(root, kind, $"{stamp}-{i}");
        return dir;
    }

    /// <param name="headlineOnly">Only loss-type metrics (val_loss, val_bpb, task_loss); scores stay in multipliers.csv and the report.</param>
    /// <remarks>In a terminal one table with a column per accounting scenario; in a log (<see cref="Output.PlainLog"/>),
    /// where that table is about 250 columns wide, one block per treatment × metric × estimand that fits
    /// <see cref="Output.LogWidth"/> columns (<see cref="PrintNarrow"/>).</remarks>
    internal static void Print(EstimateResult result, bool headlineOnly = false)
    {
        var summaries = result.Rows.Where(r => r.Kind == MultiplierKind.Summary)
                              .Where(r => !headlineOnly || !r.Metric.Contains('/') || r.Metric.EndsWith("/task_loss", StringComparison.Ordinal))
                              .GroupBy(r => (r.Treatment, r.Metric, r.Estimand)).ToList();
        if (Output.PlainLog) PrintNarrow(result, summaries);
        else PrintWide(result, summaries);
        // In a log, warnings and notes are wrapped to the table's width too.
        IEnumerable<string> Lines(string text) => Output.PlainLog ? Output.Wrap(text) : [text];
        foreach (var w in result.Summary.Warnings.SelectMany(Lines)) AnsiConsole.MarkupLine($"[red]{Markup.Escape(w)}[/]");
        foreach (var n in result.Summary.Notes.SelectMany(Lines)) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(n)}[/]");
        if (result.Summary.ExcludedFailedUnits > 0)
            AnsiConsole.MarkupLine($"[yellow]{result.Summary.ExcludedFailedUnits} failed unit(s) excluded[/]");
    }

    static string Title(EstimateResult result) => $"efficiency multiplier M over '{result.Baseline}' [95% CI]; placebo beside it (truth 1)";

    static void PrintWide(EstimateResult result, List<IGrouping<(string Treatment, string Metric, Estimand Estimand), MultiplierRow>> summaries)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(Title(result)));
        table.AddColumn("treatment").AddColumn("metric").AddColumn("estimand").AddColumn("won");
        foreach (var a in result.Accounting) table.AddColumn(new TableColumn(Markup.Escape(a.Name)).RightAligned());
        table.AddColumn("placebo");
        foreach (var g in summaries)
        {
            var first = g.First();
            var cells = new List<string> { Markup.Escape(g.Key.Treatment), Markup.Escape(g.Key.Metric), g.Key.Estimand.OnDisk(),
                                           first.Pairs > 0 ? $"{first.Won}/{first.Pairs}" : "" };
            foreach (var a in result.Accounting)
                cells.Add(g.FirstOrDefault(r => r.Accounting == a.Name) is { } row ? Cell(row) : "");
            cells.Add(first.PlaceboM is { } pm ? Placebo(pm, first.PlaceboCi95Low, first.PlaceboCi95High) : "");
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);
    }

    /// <summary>
    /// The same numbers for a log, one block per treatment × metric × estimand: a head line (won pairs, the placebo) and
    /// one line per accounting scenario with M and its interval in one cell, e.g.
    /// <code>
    /// logit-kd · val_loss · frontier — won 8/8; placebo 1.01 [0.95, 1.07]
    ///     student          1.12 [1.09, 1.15]
    /// </code>
    /// </summary>
    static void PrintNarrow(EstimateResult result, List<IGrouping<(string Treatment, string Metric, Estimand Estimand), MultiplierRow>> summaries)
    {
        AnsiConsole.MarkupLine(Markup.Escape(Title(result)));
        var pad = result.Accounting.Select(a => a.Name.Length).DefaultIfEmpty(0).Max() + 2;
        foreach (var g in summaries)
        {
            var first = g.First();
            var head = new List<string>();
            if (first.Pairs > 0) head.Add($"won {first.Won}/{first.Pairs}");
            if (first.PlaceboM is { } pm) head.Add("placebo " + Placebo(pm, first.PlaceboCi95Low, first.PlaceboCi95High));
            AnsiConsole.MarkupLine($"{Markup.Escape($"{g.Key.Treatment} · {g.Key.Metric} · {g.Key.Estimand.OnDisk()}")}{(head.Count > 0 ? " — " + string.Join("; ", head) : "")}");
            foreach (var a in result.Accounting)
                AnsiConsole.MarkupLine($"    {Markup.Escape(a.Name.PadRight(pad))}{(g.FirstOrDefault(r => r.Accounting == a.Name) is { } row ? Cell(row) : "–")}");
        }
    }

    static string Cell(MultiplierRow r)
    {
        if (r.M is not { } m) return $"[yellow]{Markup.Escape(r.Status.OnDisk())}[/]";
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
