using System.ComponentModel;
using Harness.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;

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
        [Description("Two or more results folders (results/<experiment>/<run-id>/); deltas are against the first.")]
        public string[] Runs { get; init; } = [];

        [CommandOption("--format <FORMAT>")]
        [Description("csv, md or json instead of terminal tables.")]
        public string? Format { get; init; }

        [CommandOption("--out <FILE>")]
        [Description("Write the --format output to FILE (default format md when only --out is given).")]
        public string? Out { get; init; }

        [CommandOption("--strict")]
        [Description("Exit with code 3 when a manifest difference makes the runs' numbers non-comparable.")]
        public bool Strict { get; init; }

        public override ValidationResult Validate()
        {
            if (Runs.Length < 2) return ValidationResult.Error($"compare needs at least two results folders; got {Runs.Length}.");
            if (Format is { } f && f.Trim().ToLowerInvariant() is not ("csv" or "md" or "markdown" or "json"))
                return ValidationResult.Error($"--format: value '{f}' is not a format; use csv, md or json.");
            return ValidationResult.Success();
        }
    }

    /// <summary>Exit code of <c>--strict</c> when the runs are not comparable.</summary>
    public const int NotComparable = 3;

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var result = RunComparer.Compare(settings.Runs);
        var exit = settings.Strict && !result.Comparable ? NotComparable : 0;
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
        Print(result);
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

    static void Print(ComparisonResult result)
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

    static string OverlapMarkup(bool? overlap) => overlap switch { true => "yes", false => "[red]NO[/]", null => "[grey]–[/]" };

    static string? Abbrev(string? hash, int length = 19) => hash is { } h && h.Length > length ? h[..length] + "…" : hash;
}
