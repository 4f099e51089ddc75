using System.Globalization;
using Harness.Estimation.PublicTables;
using Harness.Results;
using Harness.Reporting;
using Spectre.Console;

namespace Harness.Cli.Commands;

/// <summary><c>harness estimate --table</c>: public-model tables (see README "Public-model tables").</summary>
internal static class EstimateTableRunner
{
    public static int Run(EstimateSettings s)
    {
        var problems = new List<string>();
        if (s.Accounting.Length > 0) problems.Add("--accounting: a public table has one compute column (the student's); rule: accounting scenarios apply to sweeps only; fix: drop it.");
        if (s.AllCheckpoints) problems.Add("--all-checkpoints: every table row is already a finished model; fix: drop it.");
        if (s.NoPlacebo) problems.Add("--no-placebo: a public table has no seeds to build a placebo from; fix: drop it.");
        TableFrontierKind? frontier = s.Frontier?.ToLowerInvariant() switch
        {
            null => null,
            "envelope" => TableFrontierKind.Envelope,
            "linear" => TableFrontierKind.Linear,
            _ => Add(problems, $"--frontier: value '{s.Frontier}' is not a frontier; valid: envelope, linear."),
        };
        var reference = Date(problems, "--covariate-ref", s.CovariateRef);
        var since = Date(problems, "--since", s.Since);
        if (problems.Count == 1) throw new UserInputException(problems[0]);
        if (problems.Count > 1) throw new UserInputException($"estimate --table: {problems.Count} problems:", problems);

        var baselines = Split(s.Baseline);
        var treatments = Split(s.Treatment);
        if (treatments.Count == 0)
            throw new UserInputException("estimate --table: --treatment GROUP is required (the group to compare with --baseline).");
        var request = new TableRequest
        {
            Path = s.Table!,
            Baselines = baselines.Count > 0 ? baselines : ["scratch"],
            Treatments = treatments,
            Metrics = Split(s.Metric),
            Frontier = frontier,
            Covariate = s.Covariate,
            CovariateReference = reference,
            DedupeBy = s.DedupeBy,
            Since = since,
            Replicates = s.Replicates,
            Seed = s.Seed,
        };
        var estimate = TableEstimator.Estimate(request);
        // Default: results/<table name>/ under the current folder, never beside the table (the shipped tables live in experiments/).
        var outDir = s.Out ?? Path.Combine("results", Path.GetFileNameWithoutExtension(s.Table!));
        var (multipliers, fits) = TableEstimateWriter.Write(estimate, outDir);
        var report = TableReport.Write(estimate, outDir);
        Print(estimate);
        AnsiConsole.MarkupLine($"wrote [blue]{Markup.Escape(multipliers)}[/], [blue]{Markup.Escape(fits)}[/] and [blue]{Markup.Escape(report)}[/] ({request.Replicates} resamples)");
        return 0;
    }

    /// <summary>Options that only mean something with --table are errors on a results folder.</summary>
    public static void RejectTableOptions(EstimateSettings s)
    {
        var given = new[] { ("--frontier", s.Frontier), ("--covariate", s.Covariate), ("--covariate-ref", s.CovariateRef), ("--dedupe-by", s.DedupeBy), ("--since", s.Since) }
            .Where(x => x.Item2 is not null).Select(x => x.Item1).ToList();
        if (s.Baseline.Length > 0) given.Add("--baseline");
        if (s.Treatment.Length > 0) given.Add("--treatment");
        if (given.Count > 0)
            throw new UserInputException($"estimate RESULTS_DIR: {string.Join(", ", given)} only apply with --table FILE; fix: drop them or pass --table.");
    }

    /// <summary>Spectre passes options it does not know through as "remaining" arguments; here they are errors.</summary>
    public static void RejectUnknown(Spectre.Console.Cli.CommandContext context)
    {
        var unknown = context.Remaining.Parsed.Select(p => "--" + p.Key.TrimStart('-')).Concat(context.Remaining.Raw).ToList();
        if (unknown.Count > 0)
            throw new UserInputException($"estimate: unknown option(s) {string.Join(", ", unknown)}; fix: see `harness estimate --help`.");
    }

    static TableFrontierKind? Add(List<string> problems, string message) { problems.Add(message); return null; }

    static DateOnly? Date(List<string> problems, string option, string? text)
    {
        if (text is null) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
        problems.Add($"{option}: value '{text}' is not a date; rule: yyyy-MM-dd; fix: e.g. {option} 2024-01-01.");
        return null;
    }

    static List<string> Split(IEnumerable<string> values) =>
        values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct().ToList();

    static void Print(TableEstimate e)
    {
        // Piped output (a file, a README excerpt) gets 120 columns instead of Spectre's 80, so model names fit.
        if (Console.IsOutputRedirected && AnsiConsole.Profile.Width < 120) AnsiConsole.Profile.Width = 120;
        foreach (var baseline in e.Request.Baselines)
        {
            var table = new Table().Border(TableBorder.Rounded)
                .Title(Markup.Escape($"compute-equivalent gain M against '{baseline}' ({(e.Frontier == TableFrontierKind.Envelope ? "running-best frontier" : "linear frontier")}; [95% CI]; ≥ lower bound; * extrapolated)"));
            var controls = e.Rows.Select(r => r.Control).Distinct().OrderBy(c => c == TableEstimator.NoControl ? 0 : 1).ToList();
            table.AddColumn("benchmark").AddColumn("treatment model").AddColumn(new TableColumn("score").RightAligned());
            foreach (var c in controls) table.AddColumn(new TableColumn(c == TableEstimator.NoControl ? "M" : "M (date covariate)").RightAligned());
            var rows = e.Rows.Where(r => r.Baseline == baseline).ToList();
            foreach (var key in rows.Select(r => (r.Benchmark, r.Treatment, r.Model, r.Kind)).Distinct())
            {
                var first = rows.First(r => (r.Benchmark, r.Treatment, r.Model, r.Kind) == key);
                if (key.Kind == TableRowKind.GroupMean && first.Points < 2) continue;
                var cells = new List<string>
                {
                    Markup.Escape(key.Benchmark),
                    Markup.Escape(key.Kind == TableRowKind.GroupMean ? $"{key.Treatment} (geo. mean of {first.Points})" : key.Model),
                    key.Kind == TableRowKind.GroupMean ? "" : first.Score.ToString("0.#", CultureInfo.InvariantCulture),
                };
                foreach (var c in controls)
                    cells.Add(rows.FirstOrDefault(r => (r.Benchmark, r.Treatment, r.Model, r.Kind) == key && r.Control == c) is { } row ? Markup.Escape(TableReport.Cell(row)) : "");
                table.AddRow(cells.ToArray());
            }
            AnsiConsole.Write(table);
        }
        foreach (var f in e.Fits.Where(f => f.Parameters.Count > 0))
            AnsiConsole.MarkupLine(Markup.Escape($"{f.Baseline}/{f.Benchmark} ({f.Control}): " +
                string.Join(", ", f.Parameters.Select(p => $"{p.Name} = {TableReport.Number(p.Value)} [{TableReport.Number(p.Ci95Low)}, {TableReport.Number(p.Ci95High)}]")) +
                $" ({f.BaselineModels} models{(f.ReferenceDate is { } r ? $", reference date {r}" : "")})"));
        foreach (var n in e.Table.Notes.Take(12)) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(n)}[/]");
        if (e.Table.Notes.Count > 12) AnsiConsole.MarkupLine($"[grey]… and {e.Table.Notes.Count - 12} more notes in table_fits.json[/]");
    }
}
