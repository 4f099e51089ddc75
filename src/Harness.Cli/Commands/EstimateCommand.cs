using System.ComponentModel;
using System.Globalization;
using Harness.Estimation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Harness.Cli.Commands;

public sealed class EstimateSettings : BootstrapSettings
{
    [CommandArgument(0, "[RESULTS_DIR]")]
    [Description("Sweep results folder (runs.csv, curves.csv, evals.csv). Output goes to --out, or to RESULTS_DIR/estimates/<UTC time>/ — never over the run's own multipliers.csv.")]
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
    [Description("Metric(s) to estimate, e.g. val_loss or hellaswag/acc; repeat or separate with commas (default: all).")]
    public string[] Metric { get; init; } = [];

    [CommandOption("--accounting <SCENARIO>")]
    [Description("amortised:K scenario(s) to add to student, +inference, +teacher (default amortised:10).")]
    public string[] Accounting { get; init; } = [];

    [CommandOption("--growth-per-year <G>")]
    [Description("Yearly effective-compute growth factor; reports years = ln M / ln G.")]
    public double? GrowthPerYear { get; init; }

    [CommandOption("--final-only")]
    [Description("Fit the baseline on each run's final point only (default: every evaluation point).")]
    public bool FinalOnly { get; init; }

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

}

[Description("Efficiency multipliers: compute-equivalent gain of each treatment over the from-scratch frontier, with bootstrap intervals.")]
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
            GrowthPerYear = settings.GrowthPerYear,
            FinalOnly = settings.FinalOnly,
            Resamples = settings.Resamples,
            Seed = settings.Seed,
        };
        var result = MultiplierEstimator.EstimateResultsFolder(settings.ResultsDir!, options);
        var outDir = settings.Out ?? NewFolder(settings.ResultsDir!, "estimates");
        var existing = new[] { Harness.Results.ResultSchema.MultipliersFile, Harness.Results.ResultSchema.FitsFile }.Select(f => Path.Combine(outDir, f)).Where(File.Exists).ToList();
        if (existing.Count > 0 && !settings.Force)
            throw new UserInputException($"estimate: {outDir} already holds {string.Join(" and ", existing.Select(Path.GetFileName))}; nothing was written.",
                [$"--out {outDir}: choose a new folder, or add --force to replace those files (the run's report.html would then be stale: rerun `harness report`)."]);
        Directory.CreateDirectory(outDir);
        var (multipliers, fits) = EstimateWriter.Write(result, outDir);
        if (format == OutputFormat.Json)
        {
            Output.WriteJson(new
            {
                SchemaVersion = Harness.Results.ResultSchema.Version, result.Baseline, result.Treatments, Multipliers = multipliers, Fits = fits,
                Rows = result.Rows.Where(r => r.Kind is RowKind.MetricMean or RowKind.TreatmentMean),
            });
            return 0;
        }
        Print(result);
        AnsiConsole.MarkupLine($"wrote [blue]{Markup.Escape(multipliers)}[/] and [blue]{Markup.Escape(fits)}[/] " +
                               $"({result.Options.Resamples} resamples, {result.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s)");
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

    /// <param name="headlineOnly">Only loss metrics and each task's main score (acc, exact_match): a sweep has dozens of
    /// per-relation sub-metrics, which stay in multipliers.csv and the report.</param>
    internal static void Print(EstimateResult result, bool headlineOnly = false)
    {
        static bool Headline(string metric) => !metric.Contains('/') || metric == "*" || metric.EndsWith("/acc", StringComparison.Ordinal) || metric.EndsWith("/exact_match", StringComparison.Ordinal);
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape($"compute-equivalent gain M over '{result.Baseline}' (geometric mean [95% CI]; * = extrapolated)"));
        table.AddColumn("treatment").AddColumn("metric").AddColumn("n");
        foreach (var a in result.Accounting) table.AddColumn(new TableColumn(Markup.Escape(a.Name)).RightAligned());
        var summaries = result.Rows.Where(r => r.Kind is RowKind.MetricMean or RowKind.TreatmentMean)
                              .Where(r => !headlineOnly || Headline(r.Metric))
                              .GroupBy(r => (r.Treatment, r.Metric)).ToList();
        foreach (var g in summaries)
        {
            var cells = new List<string> { Markup.Escape(g.Key.Treatment), Markup.Escape(g.Key.Metric), g.First().Points.ToString(CultureInfo.InvariantCulture) };
            foreach (var a in result.Accounting)
                cells.Add(g.FirstOrDefault(r => r.Accounting == a.Name) is { } row ? Cell(row) : "");
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);
        foreach (var f in result.Fits.Where(f => f.Note is not null && (!headlineOnly || Headline(f.Metric))))
            AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(f.Metric)}[/]: {Markup.Escape(f.Note!)}");
        foreach (var n in result.Notes) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(n)}[/]");
        if (result.ExcludedFailedUnits > 0)
            AnsiConsole.MarkupLine($"[yellow]{result.ExcludedFailedUnits} failed unit(s) excluded[/]");
        var flagged = result.Rows.Count(r => r.Kind == RowKind.Point && r.Status != MultiplierStatus.Ok);
        if (flagged > 0)
            AnsiConsole.MarkupLine($"[yellow]{flagged} point row(s) without a number (beyond baseline asymptote, at chance or no fit); see the status column.[/]");
    }

    static string Cell(MultiplierRow r)
    {
        if (r.M is not { } m) return $"[yellow]{Markup.Escape(r.Status)}[/]";
        var ci = r.MCi95Low is { } lo && r.MCi95High is { } hi ? $" [grey][[{Format(lo)}, {Format(hi)}]][/]" : "";
        var years = r.Years is { } y ? $" [grey]{y.ToString("F2", CultureInfo.InvariantCulture)} y[/]" : "";
        return Format(m) + ci + years + (r.Extrapolated ? "*" : "");
    }

    static string Format(double v) => double.IsPositiveInfinity(v) ? "∞" : v.ToString(v >= 100 || v < 0.01 ? "0.##e0" : "0.###", CultureInfo.InvariantCulture);
}
