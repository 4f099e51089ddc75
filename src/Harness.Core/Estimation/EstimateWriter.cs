using System.Text.Json;
using Harness.Results;

namespace Harness.Estimation;

/// <summary>Writes an <see cref="EstimateResult"/> as multipliers.csv, summary.json and fits.json (atomically, invariant culture).</summary>
public static class EstimateWriter
{
    public sealed record Paths(string Multipliers, string Summary, string Fits);

    public static Paths Write(EstimateResult result, string dir)
    {
        var layout = new RunFolderLayout(dir);
        var paths = new Paths(layout.Multipliers, layout.Summary, layout.Fits);
        ResultTables.WriteAll(paths.Multipliers, result.Rows);
        ResultJson.Write(paths.Summary, result.Summary);
        ResultJson.Write(paths.Fits, result.Fits);
        return paths;
    }

    /// <summary>fits.json's bytes (for reproducibility checks).</summary>
    public static byte[] FitsJson(EstimateResult result) => ResultJson.Serialize(result.Fits);

    /// <summary>JSON has no infinities or NaN: those become null.</summary>
    internal static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value)) json.WriteNumber(name, value); else json.WriteNull(name);
    }

    internal static void Pair(Utf8JsonWriter json, string name, double lo, double hi)
    {
        json.WriteStartArray(name);
        foreach (var v in new[] { lo, hi })
            if (double.IsFinite(v)) json.WriteNumberValue(v); else json.WriteNullValue();
        json.WriteEndArray();
    }
}
