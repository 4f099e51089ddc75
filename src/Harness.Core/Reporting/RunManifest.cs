using System.Globalization;
using System.Text.Json;

namespace Harness.Reporting;

/// <summary>
/// Tolerant view of a results folder's manifest.json: every field may be missing (older or partial runs), so each
/// accessor returns null instead of throwing.  Only a file that exists but is not JSON is an error.
/// </summary>
public sealed class RunManifest
{
    RunManifest(string? path, JsonElement? root)
    {
        Path = path;
        Root = root;
    }

    /// <summary>The file read, or null when the folder has no manifest.json.</summary>
    public string? Path { get; }
    public JsonElement? Root { get; }
    public bool Exists => Root is not null;

    public static RunManifest Empty { get; } = new(null, null);

    /// <summary>Reads <c>manifest.json</c> from a results folder; an absent file gives an empty manifest.</summary>
    public static RunManifest Load(string resultsDir)
    {
        var path = System.IO.Path.Combine(resultsDir, Results.ResultSchema.ManifestFile);
        if (!File.Exists(path)) return new RunManifest(null, null);
        return Parse(File.ReadAllText(path), path);
    }

    public static RunManifest Parse(string json, string path = "manifest.json")
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new UserInputException($"{path}: the top level is {document.RootElement.ValueKind}, not an object; it was not written by harness.");
            return new RunManifest(path, document.RootElement.Clone());
        }
        catch (JsonException e)
        {
            throw new UserInputException($"{path}: not valid JSON (line {e.LineNumber + 1}): {e.Message.Split('\n')[0]} Restore it from the run or delete it.");
        }
    }

    /// <summary>The element at a dotted path (<c>config.data.corpus</c>), or null.</summary>
    public JsonElement? Get(string dottedPath)
    {
        if (Root is not { } current) return null;
        foreach (var part in dottedPath.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out var next)) return null;
            current = next;
        }
        return current;
    }

    /// <summary>Scalar text at a dotted path (numbers in invariant form, objects as compact JSON); null when missing.</summary>
    public string? GetText(string dottedPath) => Get(dottedPath) is { } e ? ToText(e) : null;

    public double? GetNumber(string dottedPath) =>
        Get(dottedPath) is { ValueKind: JsonValueKind.Number } e ? e.GetDouble() : null;

    public string? Experiment => GetText("experiment") ?? GetText("config.name");
    public string? ConfigHash => GetText("config_hash");
    public string? GitCommit => GetText("git_commit");
    public string? Device => GetText("device");
    public string? Threads => GetText("threads");
    public string? CorpusHash => GetText("corpus_hash");
    public string? TokenizerHash => GetText("tokenizer_hash");
    public string? TeacherHash => GetText("teacher.hash");
    public string? TeacherPath => GetText("teacher.path");
    public double? TeacherParams => GetNumber("teacher.params");
    public double? TeacherFlops => GetNumber("teacher.flops");
    public string? FlopFormula => GetText("flop_formula");
    public string? StartedUtc => GetText("started_utc");
    public string? FinishedUtc => GetText("finished_utc");

    /// <summary><c>versions.*</c> as name → text.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Versions =>
        Get("versions") is { ValueKind: JsonValueKind.Object } v
            ? v.EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, ToText(p.Value))).ToList()
            : [];

    /// <summary>
    /// Every leaf as dotted path → compact text (arrays of scalars stay one leaf, <c>[0,1]</c>; arrays of objects get
    /// an index, or the element's <c>name</c> when it has one: <c>config.students[s1].d_model</c>).
    /// </summary>
    public IReadOnlyDictionary<string, string> Flatten()
    {
        var leaves = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (Root is { } root) FlattenInto(root, "", leaves);
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
