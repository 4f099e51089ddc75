using System.Text.Json;
using Harness.Results;

namespace Harness.Estimation;

/// <summary>Writes an <see cref="EstimateResult"/> as multipliers.csv and fits.json (atomically, invariant culture).</summary>
public static class EstimateWriter
{
    /// <summary>Writes both files into <paramref name="dir"/>; returns their paths.</summary>
    public static (string Multipliers, string Fits) Write(EstimateResult result, string dir)
    {
        var multipliers = Path.Combine(dir, ResultSchema.MultipliersFile);
        var fits = Path.Combine(dir, ResultSchema.FitsFile);
        ResultTables.WriteAll(multipliers, result.Rows);
        AtomicFile.WriteAllBytes(fits, FitsJson(result));
        return (multipliers, fits);
    }

    /// <summary>fits.json: run settings and, per metric, the frontier (and L(N, D)) parameters with 90%/95% intervals.</summary>
    public static byte[] FitsJson(EstimateResult result)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("schema_version", ResultSchema.Version);
            json.WriteString("source", result.Source);
            json.WriteString("baseline", result.Baseline);
            json.WriteStartArray("treatments");
            foreach (var t in result.Treatments) json.WriteStringValue(t);
            json.WriteEndArray();
            json.WriteStartArray("accounting");
            foreach (var a in result.Accounting) json.WriteStringValue(a.Name);
            json.WriteEndArray();
            json.WriteNumber("resamples", result.Options.Resamples);
            json.WriteNumber("seed", result.Options.Seed);
            json.WriteBoolean("final_only", result.Options.FinalOnly);
            json.WriteNumber("huber_delta", ScalingLawFitter.HuberDelta);
            json.WriteNumber("excluded_failed_units", result.ExcludedFailedUnits);
            json.WriteStartArray("notes");
            foreach (var n in result.Notes) json.WriteStringValue(n);
            json.WriteEndArray();
            json.WriteStartArray("metrics");
            foreach (var f in result.Fits)
            {
                json.WriteStartObject();
                json.WriteString("metric", f.Metric);
                json.WriteString("kind", f.Kind == MetricKind.Loss ? "loss" : "score");
                Number(json, "chance", f.Chance);
                json.WriteNumber("baseline_points", f.BaselinePoints);
                json.WriteNumber("baseline_units", f.BaselineUnits);
                json.WriteNumber("frontier_points", f.FrontierPoints);
                Number(json, "baseline_min", f.BaselineMin);
                Number(json, "baseline_max", f.BaselineMax);
                json.WriteString("frontier_form", f.FrontierForm);
                Parameters(json, "frontier", f.Frontier);
                Parameters(json, "chinchilla", f.Chinchilla);
                json.WriteNumber("failed_replicates", f.FailedReplicates);
                if (f.Note is null) json.WriteNull("note"); else json.WriteString("note", f.Note);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return stream.ToArray();
    }

    /// <summary>Writes {"name": {"value", "ci90": [lo, hi], "ci95": [lo, hi]}, ...} or null.</summary>
    internal static void Parameters(Utf8JsonWriter json, string name, IReadOnlyList<ParameterEstimate>? parameters)
    {
        if (parameters is null) { json.WriteNull(name); return; }
        json.WriteStartObject(name);
        foreach (var p in parameters)
        {
            json.WriteStartObject(p.Name);
            Number(json, "value", p.Value);
            Pair(json, "ci90", p.Ci90Low, p.Ci90High);
            Pair(json, "ci95", p.Ci95Low, p.Ci95High);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

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
