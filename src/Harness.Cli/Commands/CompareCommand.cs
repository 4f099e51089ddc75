using System.ComponentModel;
using Harness.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;
using Harness.IO;

namespace Harness.Cli.Commands;

/// <summary>
/// <c>harness compare RUN_A RUN_B [RUN_C ...]</c>: comparability check from the manifests, then final metrics and
/// multipliers side by side (deltas from RUN_A).  Terminal tables by default; <c>--format csv|md|json</c> writes a file
/// (<c>--out FILE</c>, or standard output without it).
/// </summary>
public sealed class CompareCommand : Command<CompareCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<RUNS>")]
        [Description("Two or more results folders (results/<experiment>/<run-id>/), or two or more lm-eval-shaped results JSON files (harness eval --out DIR writes DIR/results.json; lm_eval --output_path writes the same shape); deltas are against the first.")]
        public string[] Runs { get; init; } = [];

        [CommandOption("--format <FORMAT>")]
        [Description("table (default: terminal tables), csv, md or json (every row, as with --detail).")]
        public string? Format { get; init; }

        [CommandOption("--detail")]
        [Description("Terminal tables: every shared unit × metric and every multiplier row (default: one summary row per metric).")]
        public bool Detail { get; init; }

        [CommandOption("--labels <A,B,...>")]
        [Description("Names for the runs, in order, comma-separated (default: the folder names).")]
        public string? Labels { get; init; }

        [CommandOption("--metric <NAME>")]
        [Description("Only these metrics (exact name or glob such as 'val_*' or 'grammar/*'); repeat or separate with commas.")]
        public string[] Metric { get; init; } = [];

        [CommandOption("--out <FILE>")]
        [Description("Write the --format output to FILE (default format md when only --out is given).")]
        public string? Out { get; init; }

        [CommandOption("--strict")]
        [Description("Exit with code 3 when a manifest difference makes the runs' numbers non-comparable.")]
        public bool Strict { get; init; }

        public override ValidationResult Validate()
        {
            if (Runs.Length < 2) return ValidationResult.Error($"compare needs at least two results folders; got {Runs.Length}.");
            if (Format is { } f && f.Trim().ToLowerInvariant() is not ("table" or "csv" or "md" or "markdown" or "json"))
                return ValidationResult.Error($"--format: value '{f}' is not a format; use table, csv, md or json.");
            if (Labels is { } l && l.Split(',').Length != Runs.Length)
                return ValidationResult.Error($"--labels: {l.Split(',').Length} label(s) for {Runs.Length} run(s); give one per run, comma-separated.");
            return ValidationResult.Success();
        }
    }

    /// <summary>lm-eval results files side by side: value ± stderr per file and the delta from the first.</summary>
    static int CompareLmEval(Settings settings)
    {
        var rows = LmEvalComparison.Compare(settings.Runs);
        var names = settings.Labels?.Split(',', StringSplitOptions.TrimEntries) ?? settings.Runs.Select(r => Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(r))) + "/" + Path.GetFileName(r)).ToArray();
        var table = new Table().AddColumn("task").AddColumn("metric");
        foreach (var n in names) table.AddColumn(Markup.Escape(n));
        for (int i = 1; i < names.Length; i++) table.AddColumn($"Δ {Markup.Escape(names[i])}");
        table.AddColumn("note");
        static string F(double v) => double.IsNaN(v) ? "–" : v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var r in rows)
        {
            var cells = new List<string> { r.Task, r.Metric };
            cells.AddRange(r.Values.Select((v, i) => double.IsNaN(r.StdErrs[i]) ? F(v) : $"{F(v)} ± {F(r.StdErrs[i])}"));
            for (int i = 1; i < r.Values.Count; i++) cells.Add(F(r.Values[i] - r.Values[0]));
            cells.Add(Markup.Escape(r.Note));
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);
        return settings.Strict && rows.Any(r => !r.Comparable) ? NotComparable : 0;
    }

    /// <summary>Exit code of <c>--strict</c> when the runs are not comparable.</summary>
    public const int NotComparable = 3;

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var jsonFiles = settings.Runs.Count(r => File.Exists(r) && r.EndsWith(".json", StringComparison.OrdinalIgnoreCase));
        if (jsonFiles > 0)
        {
            if (jsonFiles != settings.Runs.Length)
                throw new UserInputException("compare: give either results folders or lm-eval results JSON files, not both.", [$"JSON files given: {jsonFiles} of {settings.Runs.Length} arguments."]);
            return CompareLmEval(settings);
        }
        var result = RunComparer.Compare(settings.Runs);
        if (settings.Labels is { } labels)
        {
            var names = labels.Split(',', StringSplitOptions.TrimEntries);
            result = result with { Runs = result.Runs.Select((r, i) => r with { Name = names[i] }).ToList() };
        }
        var terms = settings.Metric.SelectMany(m => m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (terms.Count > 0)
        {
            bool Keep(string metric) => terms.Any(t => t.IndexOfAny(['*', '?']) >= 0 ? System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(t, metric) : t == metric);
            var known = result.Metrics.Select(m => m.Metric).Concat(result.Multipliers.Select(m => m.Metric)).Distinct().Order(StringComparer.Ordinal).ToList();
            if (!known.Any(Keep))
                throw new UserInputException($"compare --metric: {string.Join(", ", terms)} matches no metric.", [$"--metric: metrics in these runs: {string.Join(", ", known.Take(40))}{(known.Count > 40 ? ", …" : "")}."]);
            result = result with { Metrics = result.Metrics.Where(m => Keep(m.Metric)).ToList(), Multipliers = result.Multipliers.Where(m => Keep(m.Metric)).ToList() };
        }
        var exit = settings.Strict && !result.Comparable ? NotComparable : 0;
        if (settings.Format?.Trim().ToLowerInvariant() == "table") { Print(result, settings.Detail); return exit; }
        if (settings.Format is not null || settings.Out is not null)
        {
            var text = ComparisonFormatter.Format(result, ComparisonFormatter.ParseFormat(settings.Format ?? "md"));
            if (settings.Out is null)
            {
                Console.Out.Write(text);
                return exit;
            }
            AtomicFile.WriteAllText(settings.Out, text);
            AnsiConsole.MarkupLine($"wrote [link]{Markup.Escape(settings.Out)}[/]");
            PrintVerdict(result);
            return exit;
        }
        Print(result, settings.Detail);
        return exit;
    }

    static string E(string? s) => Markup.Escape(s ?? "");

    static void PrintVerdict(ComparisonResult result)
    {
        if (!result.Comparable)
            AnsiConsole.Write(new Panel(new Markup(string.Join("\n", result.Breaking.Select(d => $"[bold]{E(d.Field)}[/]: {E(string.Join("  vs  ", d.Values.Select(v => v ?? "(absent)")))} — {E(d.Why)}"))))
                .Header("[bold red] NOT COMPARABLE [/]").BorderColor(Color.Red));
        else
            AnsiConsole.MarkupLine(result.Differences.Count == 0 ? "[green]comparable:[/] manifests agree on every field."
                                                                 : "[green]comparable:[/] no difference breaks comparability.");
    }

    static void Print(ComparisonResult result, bool detail)
    {
        var names = result.Runs.Select(r => r.Name).ToList();
        var runs = new Table().Title("runs").AddColumns("run", "experiment", "config hash", "commit", "device", "units", "failed");
        foreach (var r in result.Runs)
            runs.AddRow(E(r.Name), E(r.Experiment), E(Abbrev(r.ConfigHash)), E(Abbrev(r.GitCommit)), E(r.Device), r.Units.ToString(), r.FailedUnits > 0 ? $"[red]{r.FailedUnits}[/]" : "0");
        AnsiConsole.Write(runs);

        PrintVerdict(result);
        if (result.Differences.Count > 0)
        {
            var diff = new Table().Title("manifest differences").AddColumns(["field", "severity", .. names.Select(E), "why"]);
            foreach (var d in result.Differences)
            {
                var colour = d.Severity switch { DifferenceSeverity.Breaking => "red", DifferenceSeverity.Warning => "yellow", _ => "grey" };
                diff.AddRow([E(d.Field), $"[{colour}]{d.Severity.ToString().ToUpperInvariant()}[/]", .. d.Values.Select(v => E(v ?? "(absent)")), E(d.Why)]);
            }
            AnsiConsole.Write(diff);
        }

        if (!detail)
        {
            PrintSummary(result, names);
            return;
        }
        var metrics = new Table().Title("final metrics per shared unit (Δ against the first run)").AddColumns(["unit", "metric", .. names.Select(E), .. names.Skip(1).Select(n => "Δ " + E(n)), "CIs overlap"]);
        foreach (var m in result.Metrics)
            metrics.AddRow([$"{E(m.Method)} {E(m.Student)} {E(m.Budget)} seed {m.Seed}\n[grey]{E(Abbrev(m.UnitKey, 8))}[/]", E(m.Metric),
                .. m.Values.Select((v, i) => E(ComparisonFormatter.Short(v) + (m.StdErrs[i] is { } s ? $" ± {ComparisonFormatter.Short(s)}" : ""))),
                .. m.Deltas.Skip(1).Select(d => E(ComparisonFormatter.Short(d, true))), OverlapMarkup(m.CisOverlap)]);
        if (result.Metrics.Count == 0) AnsiConsole.MarkupLine("[yellow]no unit key is shared by every run[/]");
        else AnsiConsole.Write(metrics);

        if (result.Multipliers.Count > 0)
        {
            var mult = new Table().Title("multipliers, 95% CI (Δ against the first run)").AddColumns(["treatment", "metric", "unit", "accounting", .. names.Select(E), .. names.Skip(1).Select(n => "Δ " + E(n)), "CIs overlap"]);
            foreach (var m in result.Multipliers)
                mult.AddRow([E(m.Treatment), E(m.Metric), E($"{m.Student} {m.Budget} seed {m.Seed}"), E(m.Accounting),
                    .. m.Values.Select(v => E(ComparisonFormatter.MultiplierText(v))), .. m.Deltas.Skip(1).Select(d => E(ComparisonFormatter.Short(d, true))), OverlapMarkup(m.CisOverlap)]);
            AnsiConsole.Write(mult);
        }

        if (result.UnmatchedUnits.Count > 0)
        {
            var only = new Table().Title("units not in every run").AddColumns(["unit", "method", "student", "budget", "seed", .. names.Select(E)]);
            foreach (var u in result.UnmatchedUnits)
                only.AddRow([E(Abbrev(u.UnitKey, 8)), E(u.Method), E(u.Student), E(u.Budget), u.Seed.ToString(), .. u.Present.Select(p => p ? "[green]yes[/]" : "[grey]–[/]")]);
            AnsiConsole.Write(only);
        }
    }

    /// <summary>One row per metric: shared units, each run's mean, the mean Δ and how many units' CIs do not overlap.</summary>
    static void PrintSummary(ComparisonResult result, IReadOnlyList<string> names)
    {
        if (result.Metrics.Count == 0) AnsiConsole.MarkupLine("[yellow]no unit key is shared by every run[/]");
        else
        {
            var table = new Table().Title("final metrics, mean over shared units (Δ against the first run; --detail for every unit)")
                .AddColumns(["metric", "units", .. names.Select(E), .. names.Skip(1).Select(n => "mean Δ " + E(n)), "CIs not overlapping"]);
            foreach (var g in result.Metrics.GroupBy(m => m.Metric))
            {
                var list = g.ToList();
                string Mean(Func<MetricComparison, double?> pick) => list.Select(pick).Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(double.NaN).Average() is var m && double.IsNaN(m) ? "–" : ComparisonFormatter.Short(m);
                int disjoint = list.Count(m => m.CisOverlap == false);
                table.AddRow([E(g.Key), list.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    .. names.Select((_, i) => E(Mean(m => m.Values[i]))),
                    .. names.Skip(1).Select((_, i) => E(list.Select(m => m.Deltas[i + 1]).Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(double.NaN).Average() is var d && double.IsNaN(d) ? "–" : ComparisonFormatter.Short(d, true))),
                    disjoint > 0 ? $"[red]{disjoint}[/]" : "0"]);
            }
            AnsiConsole.Write(table);
        }
        var aggregate = result.Multipliers.Where(m => m.Seed is "" or "*" && m.Student is "" or "*" && m.Budget is "" or "*").ToList();
        if (aggregate.Count > 0)
        {
            var mult = new Table().Title("multipliers over all units, 95% CI").AddColumns(["treatment", "metric", "accounting", .. names.Select(E), "CIs overlap"]);
            foreach (var m in aggregate)
                mult.AddRow([E(m.Treatment), E(m.Metric), E(m.Accounting), .. m.Values.Select(v => E(ComparisonFormatter.MultiplierText(v))), OverlapMarkup(m.CisOverlap)]);
            AnsiConsole.Write(mult);
        }
        if (result.Multipliers.Count > aggregate.Count)
            AnsiConsole.MarkupLine($"[grey]{result.Multipliers.Count - aggregate.Count} per-unit multiplier row(s) and {result.Metrics.Count} unit×metric row(s): --detail, or --format csv|md|json.[/]");
        if (result.UnmatchedUnits.Count > 0)
            AnsiConsole.MarkupLine($"[yellow]{result.UnmatchedUnits.Count} unit(s) are not in every run[/] (--detail lists them).");
    }

    static string OverlapMarkup(bool? overlap) => overlap switch { true => "yes", false => "[red]NO[/]", null => "[grey]–[/]" };

    static string? Abbrev(string? hash, int length = 19) => hash is { } h && h.Length > length ? h[..length] + "…" : hash;
}
