using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Harness.Reporting;

/// <summary>
/// One row of the estimator's multipliers.csv: how much scratch compute the treatment's result would have cost,
/// divided by what the treatment cost under one accounting scenario.  Numbers that are missing or empty are NaN;
/// <c>inf</c> is +∞ (the baseline never reaches the treatment's score).
/// </summary>
public sealed record MultiplierRow
{
    /// <summary>
    /// Row kind as the estimator writes it: <c>point</c> (one treatment unit), <c>metric_mean</c>, <c>by_student</c>,
    /// <c>by_budget</c>, <c>treatment_mean</c> (geometric means); empty in files without a kind column.
    /// </summary>
    public string Kind { get; init; } = "";
    public string Treatment { get; init; } = "";
    public string Metric { get; init; } = "";
    /// <summary>Student size name; <c>*</c> for an aggregate (geometric mean) over sizes.</summary>
    public string Student { get; init; } = "";
    public double Params { get; init; } = double.NaN;
    public double Tokens { get; init; } = double.NaN;
    public double Compute { get; init; } = double.NaN;
    public string Accounting { get; init; } = "";
    public double YTreatment { get; init; } = double.NaN;
    public double BaselineCompute { get; init; } = double.NaN;
    public double Multiplier { get; init; } = double.NaN;
    public double Ci90Low { get; init; } = double.NaN;
    public double Ci90High { get; init; } = double.NaN;
    public double Ci95Low { get; init; } = double.NaN;
    public double Ci95High { get; init; } = double.NaN;
    public bool Extrapolated { get; init; }
    public bool BeyondAsymptote { get; init; }
    public string Budget { get; init; } = "";
    public string Seed { get; init; } = "";
    public string UnitKey { get; init; } = "";
    /// <summary>ok, or why there is no finite multiplier (e.g. "beyond baseline asymptote", "at or below baseline floor").</summary>
    public string Status { get; init; } = "";
    /// <summary>Same-size variant D_B(N_T, y_T) / D_T from the baseline's L(N, D), when the estimator wrote it.</summary>
    public double SameSizeMultiplier { get; init; } = double.NaN;
    public double SameSizeCi95Low { get; init; } = double.NaN;
    public double SameSizeCi95High { get; init; } = double.NaN;

    /// <summary>A geometric mean over units (any kind but point, or a <c>*</c> in a name column).</summary>
    public bool IsAggregate => Kind.Length > 0 && Kind != "point" || Student == "*" || Budget == "*" || Seed == "*" || UnitKey == "*" || Metric == "*";

    /// <summary>Identity used to match rows across runs (unit keys change with the config, these names do not).</summary>
    public string MatchKey => string.Join("|", Kind, Treatment, MetricNames.Normalise(Metric), Student, Budget, Seed, Accounting);
}

/// <summary>Reads multipliers.csv by column name, tolerating unknown, missing and reordered columns.</summary>
public static class MultiplierTable
{
    public static List<MultiplierRow> Read(string path)
    {
        if (!File.Exists(path)) return [];
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { HasHeaderRecord = true, BadDataFound = null, MissingFieldFound = null });
        if (!csv.Read()) return [];
        csv.ReadHeader();
        var header = csv.HeaderRecord ?? [];
        var index = header.Select((h, i) => (Name: h.Trim().ToLowerInvariant(), i))
                          .GroupBy(x => x.Name).ToDictionary(g => g.Key, g => g.First().i);
        if (!index.ContainsKey("multiplier") && !index.ContainsKey("m"))
            throw new UserInputException($"{path}: no 'multiplier' column (header: {string.Join(",", header)}); it was not written by the estimator.");

        string Text(string[] fields, params string[] names)
        {
            foreach (var name in names)
                if (index.TryGetValue(name, out var i) && i < fields.Length) return fields[i].Trim();
            return "";
        }
        var rows = new List<MultiplierRow>();
        while (csv.Read())
        {
            var f = csv.Parser.Record ?? [];
            if (f.All(string.IsNullOrWhiteSpace)) continue;
            var status = Text(f, "status");
            rows.Add(new MultiplierRow
            {
                Kind = Text(f, "kind").ToLowerInvariant(),
                Treatment = Text(f, "treatment", "method"),
                Metric = Text(f, "metric"),
                Student = Text(f, "student", "model"),
                Params = Number(Text(f, "params", "student_params", "params_non_embedding")),
                Tokens = Number(Text(f, "tokens")),
                Compute = Number(Text(f, "compute")),
                Accounting = Text(f, "accounting"),
                YTreatment = Number(Text(f, "y_treatment", "y_t")),
                BaselineCompute = Number(Text(f, "baseline_compute")),
                Multiplier = Number(Text(f, "multiplier", "m")),
                Ci90Low = Number(Text(f, "ci90_low", "m_ci90_low")),
                Ci90High = Number(Text(f, "ci90_high", "m_ci90_high")),
                Ci95Low = Number(Text(f, "ci95_low", "m_ci95_low")),
                Ci95High = Number(Text(f, "ci95_high", "m_ci95_high")),
                Extrapolated = Flag(Text(f, "extrapolated")),
                BeyondAsymptote = Flag(Text(f, "beyond_asymptote")) || status.Contains("beyond", StringComparison.OrdinalIgnoreCase),
                Budget = Text(f, "budget"),
                Seed = Text(f, "seed"),
                UnitKey = Text(f, "unit_key", "unit"),
                Status = status,
                SameSizeMultiplier = Number(Text(f, "same_size_m")),
                SameSizeCi95Low = Number(Text(f, "same_size_ci95_low")),
                SameSizeCi95High = Number(Text(f, "same_size_ci95_high")),
            });
        }
        return rows;
    }

    public static double Number(string text)
    {
        var t = text.Trim();
        if (t.Length == 0) return double.NaN;
        switch (t.ToLowerInvariant())
        {
            case "inf" or "+inf" or "infinity" or "+infinity" or "∞": return double.PositiveInfinity;
            case "-inf" or "-infinity": return double.NegativeInfinity;
        }
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
    }

    static bool Flag(string text) => text.Trim().ToLowerInvariant() is "true" or "1" or "yes";
}

/// <summary>Metric names appear as <c>arc_easy/acc</c>, <c>arc_easy:acc</c> or <c>arc_easy.acc</c>; compare them in one form.</summary>
public static class MetricNames
{
    public static string Normalise(string metric) => metric.Trim().ToLowerInvariant().Replace(':', '/');

    public static string ForTask(string task, string metric) => $"{task}/{metric}";

    /// <summary>True for validation loss-like metrics, where lower is better.</summary>
    public static bool LowerIsBetter(string metric) => Normalise(metric) is "val_loss" or "val_bpb" or "loss" or "bpb";
}
