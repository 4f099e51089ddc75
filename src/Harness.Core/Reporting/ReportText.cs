using System.Globalization;
using Harness.Results;

namespace Harness.Reporting;

/// <summary>How the report writes numbers, multipliers (≥ / ≤ for bounds, [95% CI]) and warnings; shared by its sections.</summary>
internal static class ReportText
{
    /// <summary>Drops warnings with an empty slot (", ,", "( ,", "=," …) — a formatting defect, not information — and repeats.</summary>
    public static IReadOnlyList<string> CleanWarnings(IEnumerable<string> warnings)
    {
        var empty = new System.Text.RegularExpressions.Regex(@"\(\s*[,)]|\s,|,\s*[,)]|=\s*[,;)]|:\s*[,;)]|=\s*$");
        return warnings.Select(w => w.Trim()).Where(w => w.Length > 0 && !empty.IsMatch(w)).Distinct(StringComparer.Ordinal).ToList();
    }

    public static string Bound(MultiplierBound bound) => bound == MultiplierBound.Lower ? "≥ " : bound == MultiplierBound.Upper ? "≤ " : bound == MultiplierBound.Mixed ? "~ " : "";

    public static string MText(MultiplierRow r) => r.M is not { } m ? "" :
        Bound(r.Bound) + ReportFigures.Times(m) + (r.MCi95Low is { } lo && r.MCi95High is { } hi ? $" [{ReportFigures.Times(lo)}, {ReportFigures.Times(hi)}]" : "");

    public static string PlaceboText(MultiplierRow r) => r.Kind == MultiplierKind.Placebo ? "" : r.PlaceboM is not { } m ? "" :
        ReportFigures.Times(m) + (r.PlaceboCi95Low is { } lo && r.PlaceboCi95High is { } hi ? $" [{ReportFigures.Times(lo)}, {ReportFigures.Times(hi)}]" : "");

    public static string? Join(params string?[] parts)
    {
        var present = parts.Where(p => !string.IsNullOrEmpty(p)).ToList();
        return present.Count == 0 ? null : string.Join(", ", present);
    }

    public static string Num(double v) =>
        double.IsNaN(v) ? "" : double.IsPositiveInfinity(v) ? "∞" : Math.Abs(v) >= 1e5 || (v != 0 && Math.Abs(v) < 1e-3)
            ? v.ToString("0.###e0", CultureInfo.InvariantCulture) : v.ToString("0.####", CultureInfo.InvariantCulture);
}
