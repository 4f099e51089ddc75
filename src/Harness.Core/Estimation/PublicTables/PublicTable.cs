using System.Globalization;

namespace Harness.Estimation.PublicTables;

/// <summary>How the baseline frontier of a public table is drawn (see README "Public-model tables").</summary>
public enum TableFrontierKind
{
    /// <summary>
    /// Running best: models ordered by compute, a model is on the frontier when it beats every cheaper model of its
    /// family; between two frontier models the score is interpolated linearly in ln C.  Beyond the best model a
    /// treatment gets a lower bound, below the cheapest an upper bound.
    /// </summary>
    Envelope,
    /// <summary>Least squares y = a + b·ln C [+ γ·(date − ref)] over every baseline model: the "naive scaling prediction".</summary>
    Linear,
}

/// <summary>What <c>harness estimate --table</c> was asked for.</summary>
public sealed record TableRequest
{
    public required string Path { get; init; }
    /// <summary>Baseline families (groups); each is reported separately.</summary>
    public required IReadOnlyList<string> Baselines { get; init; }
    public required IReadOnlyList<string> Treatments { get; init; }
    /// <summary>Benchmarks to estimate; null or empty: all.</summary>
    public IReadOnlyList<string>? Metrics { get; init; }
    /// <summary>Null: envelope without a covariate, linear with one.</summary>
    public TableFrontierKind? Frontier { get; init; }
    /// <summary>Date column used as covariate (yyyy-MM-dd); M is then reported with and without it.</summary>
    public string? Covariate { get; init; }
    /// <summary>Reference date of the covariate; null: the mean baseline date.</summary>
    public DateOnly? CovariateReference { get; init; }
    /// <summary>Column naming a model's base model: rows of one group and benchmark that share it are collapsed to the best-scoring one.</summary>
    public string? DedupeBy { get; init; }
    /// <summary>Keep only models released on or after this date (needs a date column: <see cref="Covariate"/> or <c>release_date</c>).</summary>
    public DateOnly? Since { get; init; }
    public int Replicates { get; init; } = 1000;
    public int Seed { get; init; }
}

/// <summary>One model's score on one benchmark, as read from a public table.</summary>
public sealed record TableModel
{
    public required string Group { get; init; }
    public required string Model { get; init; }
    public required string Benchmark { get; init; }
    public required double Compute { get; init; }
    public required double Score { get; init; }
    public required bool HigherIsBetter { get; init; }
    /// <summary>Parameters (NaN when the table has none).</summary>
    public double Params { get; init; } = double.NaN;
    public double Chance { get; init; } = double.NaN;
    public DateOnly? Date { get; init; }
    /// <summary>The row's source_note (provenance and caveats; empty when the table has none).</summary>
    public string SourceNote { get; init; } = "";
    /// <summary>Spreadsheet row number (header = row 1).</summary>
    public int Row { get; init; }
}

/// <summary>A loaded, validated, deduplicated and filtered public table.</summary>
public sealed record PublicTable(string Path, IReadOnlyList<TableModel> Models, IReadOnlyList<string> Notes, string? DateColumn);

/// <summary>
/// Reads a public-model table: columns <c>group, model, compute_flops, benchmark, score, higher_is_better</c>, optional
/// <c>params, chance</c>, a date column for <c>--covariate</c>/<c>--since</c> and a base-model column for
/// <c>--dedupe-by</c>.  Every problem is collected (file, row, column, value, rule, fix) and reported at once.
/// </summary>
public static class PublicTableLoader
{
    /// <summary>A frontier (running best or regression) needs at least this many baseline models on a benchmark.</summary>
    public const int MinBaselineModels = 3;

    public static PublicTable Load(TableRequest request)
    {
        var path = request.Path;
        var t = CsvColumns.Read(path);
        var group = t.Column("group", true, "which family a model belongs to");
        var model = t.Column("model", true, "the model's name");
        var compute = t.Column("compute_flops", true, "training compute in FLOP");
        var benchmark = t.Column("benchmark", true, "the benchmark's name");
        var score = t.Column("score", true, "the measured value");
        var higher = t.Column("higher_is_better", true, "the benchmark's direction");
        var paramsCol = t.Column("params", false, "");
        var chanceCol = t.Column("chance", false, "");
        var noteCol = t.Column("source_note", false, "");
        var dateName = request.Covariate ?? (request.Since is not null ? "release_date" : null);
        var dateCol = dateName is null ? -1 : t.Column(dateName, true, request.Covariate is not null
            ? "the covariate given by --covariate (a date, yyyy-MM-dd)" : "release dates, needed by --since");
        var dedupeCol = request.DedupeBy is null ? -1 : t.Column(request.DedupeBy, true, "the base-model name given by --dedupe-by");
        t.ThrowIfProblems();
        if (t.Rows.Count == 0)
            throw new UserInputException($"{path}: row 2: the table has a header but no data rows; fix: add one row per model × benchmark.");

        var rows = new List<(TableModel M, string Key)>();
        var seen = new Dictionary<(string, string, string), int>();
        for (var i = 0; i < t.Rows.Count; i++)
        {
            var row = CsvColumns.RowNumber(i);
            var g = t.Text(i, group);
            var m = t.Text(i, model);
            var b = t.Text(i, benchmark);
            if (g.Length == 0) t.Problem($"{path}: row {row}, column 'group': value '' is empty; rule: every model belongs to a family; fix: name the model's group.");
            if (m.Length == 0) t.Problem($"{path}: row {row}, column 'model': value '' is empty; rule: every row names its model; fix: fill in the model's name.");
            if (b.Length == 0) t.Problem($"{path}: row {row}, column 'benchmark': value '' is empty; rule: every row names its benchmark; fix: fill it in.");
            if (g.Length > 0 && m.Length > 0 && b.Length > 0 && !seen.TryAdd((g, m, b), row))
                t.Problem($"{path}: row {row}, column 'model': value '{m}' duplicates row {seen[(g, m, b)]} (same group '{g}' and benchmark '{b}'); " +
                          "rule: one row per model × benchmark; fix: delete one row, or rename a version and pass --dedupe-by to collapse versions.");
            var c = t.Number(i, compute, positive: true);
            var s = t.Number(i, score, positive: false);
            var h = t.Boolean(i, higher);
            double Optional(int col) => col >= 0 && t.Text(i, col).Length > 0 ? t.Number(i, col, positive: col == paramsCol) : double.NaN;
            DateOnly? date = null;
            if (dateCol >= 0)
            {
                var text = t.Text(i, dateCol);
                if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) date = d;
                else t.Problem($"{path}: row {row}, column '{dateName}': value '{text}' is not a date; rule: dates are ISO yyyy-MM-dd; " +
                               "fix: write the date like 2025-01-20, or remove the row.");
            }
            var key = dedupeCol >= 0 && t.Text(i, dedupeCol).Length > 0 ? t.Text(i, dedupeCol) : "\u0000" + m;
            rows.Add((new TableModel
            {
                Group = g, Model = m, Benchmark = b, Compute = c, Score = s, HigherIsBetter = h,
                Params = Optional(paramsCol), Chance = Optional(chanceCol), Date = date, SourceNote = t.Text(i, noteCol), Row = row,
            }, key));
        }
        foreach (var byBenchmark in rows.GroupBy(r => r.M.Benchmark).Where(g => g.Select(r => r.M.HigherIsBetter).Distinct().Count() > 1))
        {
            var r = byBenchmark.First(x => x.M.HigherIsBetter != byBenchmark.First().M.HigherIsBetter);
            t.Problem($"{path}: row {r.M.Row}, column 'higher_is_better': value '{t.Text(r.M.Row - 2, higher)}' contradicts earlier rows of benchmark " +
                      $"'{byBenchmark.Key}'; rule: one direction per benchmark; fix: correct the value.");
        }
        var groups = rows.Select(r => r.M.Group).Where(g => g.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList();
        foreach (var (name, option) in request.Baselines.Select(b => (b, "--baseline")).Concat(request.Treatments.Select(x => (x, "--treatment"))))
            if (!groups.Contains(name))
                t.Problem($"{path}: column 'group': value '{name}' (given by {option}) is in no row; groups present: {string.Join(", ", groups)}; " +
                          $"fix: pass {option} with one of them or add that group's rows.");
        foreach (var both in request.Baselines.Intersect(request.Treatments))
            t.Problem($"{path}: column 'group': value '{both}' is given as both --baseline and --treatment; rule: a family is compared with another; fix: drop it from one.");
        var benchmarks = rows.Select(r => r.M.Benchmark).Where(b => b.Length > 0).Distinct().ToList();
        var wanted = request.Metrics is { Count: > 0 } ms ? ms : benchmarks;
        foreach (var w in wanted.Where(w => !benchmarks.Contains(w)))
            t.Problem($"{path}: column 'benchmark': value '{w}' (given by --metric) is in no row; benchmarks present: {string.Join(", ", benchmarks)}; fix: pass one of them.");
        t.ThrowIfProblems();

        // Deduplication: within a group and benchmark, rows sharing the --dedupe-by value are versions of one model
        // (e.g. Epoch lists gpt-5-2025-08-07_high and _medium as two rows of "GPT-5"); keep the best score, ties to the
        // earliest release, then the first row.  Without --dedupe-by every model is its own key.
        var notes = new List<string>();
        var kept = new List<TableModel>();
        foreach (var g in rows.Where(r => wanted.Contains(r.M.Benchmark)).GroupBy(r => (r.M.Group, r.M.Benchmark, r.Key)))
        {
            var ordered = g.OrderByDescending(r => r.M.HigherIsBetter ? r.M.Score : -r.M.Score)
                           .ThenBy(r => r.M.Date ?? DateOnly.MaxValue).ThenBy(r => r.M.Row).ToList();
            kept.Add(ordered[0].M);
            if (ordered.Count > 1)
                notes.Add($"dedupe: {g.Key.Group}/{g.Key.Benchmark}: kept '{ordered[0].M.Model}' (score {Fmt(ordered[0].M.Score)}) of {ordered.Count} versions of " +
                          $"'{g.Key.Key}': dropped {string.Join(", ", ordered.Skip(1).Select(r => $"'{r.M.Model}'"))}");
        }
        if (request.Since is { } since)
        {
            var before = kept.Count;
            kept = kept.Where(m => m.Date >= since).ToList();
            notes.Add($"since {since:yyyy-MM-dd}: kept {kept.Count} of {before} model rows released on or after it");
        }

        foreach (var baseline in request.Baselines)
        {
            var counts = wanted.Select(b => (b, n: kept.Count(m => m.Group == baseline && m.Benchmark == b))).ToList();
            if (counts.All(c => c.n < MinBaselineModels))
                t.Problem($"{path}: column 'group': baseline '{baseline}' has {string.Join(", ", counts.Select(c => $"{c.n} model(s) on {c.b}"))}" +
                          $"{(request.DedupeBy is not null || request.Since is not null ? " after --dedupe-by/--since" : "")}; " +
                          $"rule: a frontier needs at least {MinBaselineModels} baseline models on a benchmark; fix: add models or choose another --baseline.");
        }
        t.ThrowIfProblems();
        return new PublicTable(path, kept.OrderBy(m => m.Row).ToList(), notes, dateName);
    }

    static string Fmt(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
