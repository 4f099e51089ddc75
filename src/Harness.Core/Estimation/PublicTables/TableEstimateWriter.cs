using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Harness.Results;
using Harness.IO;

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
        AtomicFile.WriteAllBytes(fits, JsonSerializer.SerializeToUtf8Bytes(Document(estimate), Json));
        return (multipliers, fits);
    }

    /// <summary>snake_case, indented, NaN/∞ as strings: the conventions of the estimator's JSON files.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static TableFitsDocument Document(TableEstimate e) => new()
    {
        Source = e.Request.Path,
        Baselines = e.Request.Baselines,
        Treatments = e.Request.Treatments,
        Frontier = e.Frontier == TableFrontierKind.Envelope ? "envelope" : "linear",
        Covariate = e.Request.Covariate,
        CovariateReference = e.ReferenceDate?.ToString("yyyy-MM-dd"),
        DedupeBy = e.Request.DedupeBy,
        Since = e.Request.Since?.ToString("yyyy-MM-dd"),
        Replicates = e.Request.Replicates,
        Seed = e.Request.Seed,
        Notes = e.Table.Notes,
        Fits = e.Fits,
    };
}
