using System.Text.Json;
using Harness.Results;

namespace Harness.Estimation.PublicTables;

/// <summary>Writes a <see cref="TableEstimate"/> as table_multipliers.csv and table_fits.json (atomically, invariant culture).</summary>
public static class TableEstimateWriter
{
    public const string MultipliersFile = "table_multipliers.csv";
    public const string FitsFile = "table_fits.json";

    public static (string Multipliers, string Fits) Write(TableEstimate estimate, string dir)
    {
        Directory.CreateDirectory(dir);
        var multipliers = Path.Combine(dir, MultipliersFile);
        var fits = Path.Combine(dir, FitsFile);
        ResultTables.WriteAll(multipliers, estimate.Rows);
        AtomicFile.WriteAllBytes(fits, FitsJson(estimate));
        return (multipliers, fits);
    }

    public static byte[] FitsJson(TableEstimate e)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("schema_version", ResultSchema.Version);
            json.WriteString("source", e.Request.Path);
            Strings(json, "baselines", e.Request.Baselines);
            Strings(json, "treatments", e.Request.Treatments);
            json.WriteString("frontier", e.Frontier == TableFrontierKind.Envelope ? "envelope" : "linear");
            if (e.Request.Covariate is null) json.WriteNull("covariate"); else json.WriteString("covariate", e.Request.Covariate);
            if (e.ReferenceDate is null) json.WriteNull("covariate_reference"); else json.WriteString("covariate_reference", e.ReferenceDate.Value.ToString("yyyy-MM-dd"));
            if (e.Request.DedupeBy is null) json.WriteNull("dedupe_by"); else json.WriteString("dedupe_by", e.Request.DedupeBy);
            if (e.Request.Since is null) json.WriteNull("since"); else json.WriteString("since", e.Request.Since.Value.ToString("yyyy-MM-dd"));
            json.WriteNumber("resamples", e.Request.Resamples);
            json.WriteNumber("seed", e.Request.Seed);
            Strings(json, "notes", e.Table.Notes);
            json.WriteStartArray("fits");
            foreach (var f in e.Fits)
            {
                json.WriteStartObject();
                json.WriteString("baseline", f.Baseline);
                json.WriteString("benchmark", f.Benchmark);
                json.WriteString("control", f.Control);
                json.WriteString("frontier", f.Frontier);
                json.WriteNumber("baseline_models", f.BaselineModels);
                json.WriteStartArray("frontier_models");
                foreach (var m in f.FrontierModels)
                {
                    json.WriteStartObject();
                    json.WriteString("model", m.Model);
                    json.WriteNumber("compute", m.Compute);
                    json.WriteNumber("score", m.Score);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                EstimateWriter.Parameters(json, "parameters", f.Parameters.Count > 0 ? f.Parameters : null);
                if (f.ReferenceDate is null) json.WriteNull("reference_date"); else json.WriteString("reference_date", f.ReferenceDate);
                json.WriteNumber("failed_replicates", f.FailedReplicates);
                if (f.Note is null) json.WriteNull("note"); else json.WriteString("note", f.Note);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return stream.ToArray();
    }

    static void Strings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var v in values) json.WriteStringValue(v);
        json.WriteEndArray();
    }
}
