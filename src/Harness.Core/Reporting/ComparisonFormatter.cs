using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Harness.Results;
using CsvHelper;

namespace Harness.Reporting;

public enum ComparisonFormat { Csv, Md, Json }

/// <summary>
/// Writes a <see cref="ComparisonResult"/> for files: <c>csv</c> (long form, one row per item per run, a
/// <c>section</c> column: config, metric, multiplier, only_in), <c>md</c> (tables) or <c>json</c> (the record itself;
/// NaN and ∞ as strings).
/// </summary>
public static class ComparisonFormatter
{
    public static string Format(ComparisonResult result, ComparisonFormat format) => format switch
    {
        ComparisonFormat.Csv => ToCsv(result),
        ComparisonFormat.Md => ToMarkdown(result),
        _ => ToJson(result),
    };

    public static ComparisonFormat ParseFormat(string text) => text.Trim().ToLowerInvariant() switch
    {
        "csv" => ComparisonFormat.Csv,
        "md" or "markdown" => ComparisonFormat.Md,
        "json" => ComparisonFormat.Json,
        _ => throw new UserInputException($"--format: value '{text}' is not a format; use csv, md or json."),
    };

    static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static string ToJson(ComparisonResult result) =>
        JsonSerializer.Serialize(new { comparable = result.Comparable, result.Runs, result.Differences, result.Metrics, result.Multipliers, unmatched_units = result.UnmatchedUnits }, JsonOptions) + "\n";

    public static string N(double? v) => v is not { } x || double.IsNaN(x) ? "" : double.IsPositiveInfinity(x) ? "inf" : x.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Short human form: 4 significant digits, signed for deltas.</summary>
    public static string Short(double? v, bool signed = false) => v is not { } x || double.IsNaN(x) ? "–" : double.IsPositiveInfinity(x) ? "∞"
        : (signed && x > 0 ? "+" : "") + x.ToString(Math.Abs(x) is >= 1e5 or (> 0 and < 1e-3) ? "0.###e0" : "0.####", CultureInfo.InvariantCulture);

    public static string Overlap(bool? overlap) => overlap switch { true => "yes", false => "NO", null => "–" };

    public static string ToCsv(ComparisonResult result)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        using var csv = new CsvWriter(text, CultureInfo.InvariantCulture);
        foreach (var h in new[] { "section", "run", "key", "method", "student", "budget", "seed", "metric", "accounting", "value", "stderr", "ci95_low", "ci95_high", "delta", "cis_overlap", "severity", "note" })
            csv.WriteField(h);
        csv.NextRecord();
        void Row(params string?[] fields)
        {
            foreach (var f in fields) csv.WriteField(f ?? "");
            csv.NextRecord();
        }
        var names = result.Runs.Select(r => r.Name).ToList();
        foreach (var d in result.Differences)
            for (var i = 0; i < names.Count; i++)
                Row("config", names[i], d.Field, "", "", "", "", "", "", d.Values[i] ?? "(absent)", "", "", "", "", "", d.Severity.ToString().ToLowerInvariant(), $"{d.Category}: {d.Why}");
        foreach (var m in result.Metrics)
            for (var i = 0; i < names.Count; i++)
                Row("metric", names[i], m.UnitKey, m.Method, m.Student, m.Budget, m.Seed.ToString(CultureInfo.InvariantCulture), m.Metric, "",
                    N(m.Values[i]), N(m.StdErrs[i]), "", "", N(m.Deltas[i]), m.CisOverlap?.ToString().ToLowerInvariant(), "", "");
        foreach (var m in result.Multipliers)
            for (var i = 0; i < names.Count; i++)
            {
                var v = m.Values[i];
                Row("multiplier", names[i], "", m.Treatment, m.Student, m.Budget, m.Seed, m.Metric, m.Accounting,
                    v is null ? "" : N(v.Multiplier), "", v is null ? "" : N(v.Ci95Low), v is null ? "" : N(v.Ci95High), N(m.Deltas[i]),
                    m.CisOverlap?.ToString().ToLowerInvariant(), "",
                    v is null ? "absent in this run" : string.Join(";", new[] { $"{m.Kind.OnDisk()}:{m.Estimand.OnDisk()}", v.Extrapolated ? "extrapolated" : null, v.Bound != MultiplierBound.None ? v.Bound.OnDisk() + "_bound" : null }.OfType<string>()));
            }
        foreach (var u in result.UnmatchedUnits)
            for (var i = 0; i < names.Count; i++)
                Row("only_in", names[i], u.UnitKey, u.Method, u.Student, u.Budget, u.Seed.ToString(CultureInfo.InvariantCulture), "", "",
                    u.Present[i] ? "present" : "absent", "", "", "", "", "", "", "");
        csv.Flush();
        return text.ToString();
    }

    static string Md(string? s) => (s ?? "").Replace("|", "\\|").Replace("\n", " ");

    static void MdTable(StringBuilder b, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string?>> rows)
    {
        b.Append("| ").Append(string.Join(" | ", header.Select(Md))).Append(" |\n|").Append(string.Concat(header.Select(_ => "---|"))).Append('\n');
        foreach (var r in rows) b.Append("| ").Append(string.Join(" | ", r.Select(Md))).Append(" |\n");
        b.Append('\n');
    }

    public static string ToMarkdown(ComparisonResult result)
    {
        var b = new StringBuilder();
        var names = result.Runs.Select(r => r.Name).ToList();
        b.Append("# Run comparison: ").Append(string.Join(" vs ", names)).Append("\n\n");
        MdTable(b, ["run", "experiment", "config hash", "commit", "device", "units", "failed", "folder"],
            result.Runs.Select(r => (IReadOnlyList<string?>)[r.Name, r.Experiment, r.ConfigHash, r.GitCommit, r.Device, r.Units.ToString(CultureInfo.InvariantCulture),
                                                             r.FailedUnits.ToString(CultureInfo.InvariantCulture), r.Directory]));
        b.Append("## Comparability\n\n");
        if (!result.Comparable)
            b.Append("> **NOT COMPARABLE:** ").Append(string.Join("; ", result.Breaking.Select(d => $"`{d.Field}` ({d.Why})"))).Append(".\n\n");
        else
            b.Append(result.Differences.Count == 0 ? "Manifests agree on every field.\n\n" : "No difference breaks comparability.\n\n");
        if (result.Differences.Count > 0)
            MdTable(b, ["field", "severity", "category", .. names, "why"],
                result.Differences.Select(d => (IReadOnlyList<string?>)[d.Field, d.Severity.ToString().ToUpperInvariant(), d.Category, .. d.Values.Select(v => v ?? "(absent)"), d.Why]));
        b.Append("## Final metrics per unit\n\n");
        if (result.Metrics.Count == 0) b.Append("No unit key is shared by every run.\n\n");
        else
            MdTable(b, ["unit", "method", "student", "budget", "seed", "metric", .. names, .. names.Skip(1).Select(n => $"Δ {n}"), "CIs overlap"],
                result.Metrics.Select(m => (IReadOnlyList<string?>)[m.UnitKey, m.Method, m.Student, m.Budget, m.Seed.ToString(CultureInfo.InvariantCulture), m.Metric,
                    .. m.Values.Select((v, i) => Short(v) + (m.StdErrs[i] is { } s ? $" ± {Short(s)}" : "")), .. m.Deltas.Skip(1).Select(d => Short(d, true)), Overlap(m.CisOverlap)]));
        b.Append("## Multipliers (95% CI)\n\n");
        if (result.Multipliers.Count == 0) b.Append("No multipliers.csv in these runs.\n\n");
        else
            MdTable(b, ["row", "estimand", "treatment", "metric", "student", "budget", "seed", "accounting", .. names, .. names.Skip(1).Select(n => $"Δ {n}"), "CIs overlap"],
                result.Multipliers.Select(m => (IReadOnlyList<string?>)[m.Kind.OnDisk(), m.Estimand.OnDisk(), m.Treatment, m.Metric, m.Student, m.Budget, m.Seed, m.Accounting,
                    .. m.Values.Select(MultiplierText), .. m.Deltas.Skip(1).Select(d => Short(d, true)), Overlap(m.CisOverlap)]));
        b.Append("## Units not in every run\n\n");
        if (result.UnmatchedUnits.Count == 0) b.Append("Every unit is in every run.\n\n");
        else
            MdTable(b, ["unit", "method", "student", "budget", "seed", .. names],
                result.UnmatchedUnits.Select(u => (IReadOnlyList<string?>)[u.UnitKey, u.Method, u.Student, u.Budget, u.Seed.ToString(CultureInfo.InvariantCulture),
                    .. u.Present.Select(p => p ? "yes" : "–")]));
        return b.ToString();
    }

    public static string MultiplierText(MultiplierValue? v) => v is null ? "(absent)"
        : (v.Bound == MultiplierBound.Lower ? "≥ " : v.Bound == MultiplierBound.Upper ? "≤ " : "") + Short(v.Multiplier) +
          (double.IsFinite(v.Ci95Low) || double.IsFinite(v.Ci95High) ? $" [{Short(v.Ci95Low)}, {Short(v.Ci95High)}]" : "") +
          (v.Extrapolated ? " (extrap.)" : "");
}
