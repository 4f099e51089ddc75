using System.Globalization;
using System.Text.Json;

namespace Harness.Results;

/// <summary>Reads and writes manifest.json (<see cref="RunManifest"/>): snake_case, indented, atomic.</summary>
public static class RunManifestFile
{
    /// <summary>Writes <c>DIR/manifest.json</c> atomically (temp file + rename).</summary>
    public static void Write(string resultsDir, RunManifest manifest) =>
        ResultJson.Write(new RunFolderLayout(resultsDir).Manifest, manifest);

    /// <summary>The manifest of a results folder; null when it has none.  A file that is not a manifest is an error.</summary>
    public static RunManifest? Read(string resultsDir)
    {
        var path = new RunFolderLayout(resultsDir).Manifest;
        return File.Exists(path) ? Parse(File.ReadAllText(path), path) : null;
    }

    public static RunManifest Parse(string json, string path = ResultSchema.ManifestFile)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new UserInputException($"{path}: the top level is {document.RootElement.ValueKind}, not an object; it was not written by harness.");
            return document.RootElement.Deserialize<RunManifest>(ResultJson.Options)!;
        }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 1 } p ? $" at {p}" : "";
            throw new UserInputException($"{path}: not a harness manifest (line {(e.LineNumber ?? 0) + 1}{where}): {e.Message.Split('\n')[0]} " +
                                         "Restore it from the run or delete it.");
        }
    }

    /// <summary>True when the folder's manifest says the run finished (<c>finished_utc</c> set); false when absent or unreadable.</summary>
    public static bool IsFinished(string resultsDir)
    {
        try { return Read(resultsDir)?.FinishedUtc is { Length: > 0 }; }
        catch (UserInputException) { return false; }
    }

    /// <summary>
    /// The experiment config a results folder was run with (for re-evaluating it: <c>harness eval RESULTS_DIR</c>).
    /// Refused with the fix when the folder has no manifest, the manifest has no config, or the config is of a schema
    /// this build does not read.
    /// </summary>
    public static Config.ExperimentConfig ReadExperimentConfig(string resultsDir)
    {
        var path = new RunFolderLayout(resultsDir).Manifest;
        var manifest = Read(resultsDir) ?? throw new UserInputException($"{path}: not found; pass a results folder written by `harness run`.");
        if (manifest.Config is not { ValueKind: JsonValueKind.Object } config)
            throw new UserInputException($"{path}: has no \"config\" object, so the run's data and tasks are unknown; rerun `harness run` on the experiment.");
        try { return config.Deserialize<Config.ExperimentConfig>(Harness.IO.HarnessJson.Options)!; }
        catch (JsonException e)
        {
            throw new UserInputException($"{path}: config{(e.Path is { Length: > 1 } p ? " at " + p[1..] : "")} is not one this build reads ({e.Message.Split('\n')[0]}); " +
                                         "use the harness version that wrote the run.");
        }
    }

    /// <summary>The manifest as written, as a JSON tree (what <see cref="Flatten"/> walks).</summary>
    public static JsonElement ToJson(RunManifest manifest) => JsonSerializer.SerializeToElement(manifest, ResultJson.Options);

    /// <summary>
    /// Every leaf of the manifest as written, dotted path → compact text (arrays of scalars stay one leaf, <c>[0,1]</c>;
    /// arrays of objects get an index, or the element's <c>name</c> when it has one: <c>config.students[s1].d_model</c>).
    /// <c>compare</c> diffs these.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Flatten(RunManifest manifest)
    {
        var leaves = new SortedDictionary<string, string>(StringComparer.Ordinal);
        FlattenInto(ToJson(manifest), "", leaves);
        return leaves;
    }

    static void FlattenInto(JsonElement element, string prefix, IDictionary<string, string> leaves)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var any = false;
                foreach (var p in element.EnumerateObject())
                {
                    any = true;
                    FlattenInto(p.Value, prefix.Length == 0 ? p.Name : prefix + "." + p.Name, leaves);
                }
                if (!any) leaves[prefix] = "{}";
                break;
            case JsonValueKind.Array when element.EnumerateArray().Any(e => e.ValueKind is JsonValueKind.Object or JsonValueKind.Array):
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    var label = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String
                        ? n.GetString()! : index.ToString(CultureInfo.InvariantCulture);
                    FlattenInto(item, $"{prefix}[{label}]", leaves);
                    index++;
                }
                break;
            default:
                leaves[prefix] = ToText(element);
                break;
        }
    }

    /// <summary>Scalar text (numbers in invariant form, objects and arrays as compact JSON).</summary>
    public static string ToText(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString() ?? "",
        JsonValueKind.Number => e.TryGetInt64(out var l) ? l.ToString(CultureInfo.InvariantCulture) : e.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        _ => JsonSerializer.Serialize(e),
    };
}
