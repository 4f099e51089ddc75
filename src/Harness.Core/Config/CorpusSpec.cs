using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Harness.Config;

/// <summary>
/// Where the documents come from: <c>"embedded"</c>, one path or glob (<c>"data/fineweb-edu/*.parquet"</c>), a list
/// of them, or an object with options.  The format follows the extension: .jsonl, .jsonl.gz, .parquet, .txt, and .bin
/// (pre-tokenized: nanoGPT's flat uint16 ids or llm.c's headered shards; the split comes from the file name).
/// A folder stands for every supported file directly inside it.  Globs expand in ordinal order, so the document
/// order (and therefore every hash) is the same on every machine.
/// </summary>
/// <remarks>In JSON the plain forms stay plain: a spec with default options serializes back to the string (or list)
/// it was read from, so configs, unit keys and manifests of existing runs do not change.</remarks>
[JsonConverter(typeof(CorpusSpecConverter))]
public sealed record CorpusSpec
{
    public const string Embedded = "embedded";
    public const string DefaultTextField = "text";
    public static readonly IReadOnlyList<string> Extensions = [".jsonl", ".jsonl.gz", ".parquet", ".txt", ".bin"];
    /// <summary>The object form's keys, in the order the schema and error messages list them.</summary>
    public static readonly IReadOnlyList<string> Keys = ["paths", "text_field", "id_field", "txt_separator", "splits"];
    /// <summary>The split names a <see cref="Splits"/> entry may give, in split order (train 0, validation 1, test 2).</summary>
    public static readonly IReadOnlyList<string> SplitNames = ["train", "validation", "test"];

    public CorpusSpec(IReadOnlyList<string> paths) => Paths = paths;

    /// <summary>Paths, globs or folders; <c>["embedded"]</c> for the bundled corpus.</summary>
    public IReadOnlyList<string> Paths { get; init; }
    /// <summary>JSONL key or Parquet column holding the document text.</summary>
    public string TextField { get; init; } = DefaultTextField;
    /// <summary>JSONL key or Parquet column with a unique document id; null uses "id" where a JSONL line has one,
    /// else "FILE:ROW" (file name without folder, 1-based line/row).  The split is assigned by id.</summary>
    public string? IdField { get; init; }
    /// <summary>For .txt files: null makes each file one document; otherwise documents are separated by this exact
    /// string (e.g. "\n\n\n").</summary>
    public string? TxtSeparator { get; init; }
    /// <summary>For pre-tokenized .bin files: file name (or a glob with * and ?) → "train", "validation" or "test",
    /// ahead of the file-name rule (train / val / test in the name); null uses that rule alone.</summary>
    public IReadOnlyDictionary<string, string>? Splits { get; init; }

    public bool IsEmbedded => Paths.Count == 1 && Paths[0] == Embedded;
    bool HasOptions => TextField != DefaultTextField || IdField is not null || TxtSeparator is not null || Splits is not null;

    /// <summary>The split <see cref="Splits"/> gives a file (0 train, 1 validation, 2 test): the first entry, in the
    /// order written, whose name or glob matches the file's name; null when none does.</summary>
    public int? SplitFor(string file)
    {
        if (Splits is null) return null;
        var name = Path.GetFileName(file);
        foreach (var (pattern, split) in Splits)
            if (System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(pattern, name, ignoreCase: false))
                return SplitNames.ToList().IndexOf(split) is var i and >= 0 ? i : null;
        return null;
    }

    public static implicit operator CorpusSpec(string path) => new([path]);

    public override string ToString() => Paths.Count == 1 ? Paths[0] : string.Join(", ", Paths);

    public bool Equals(CorpusSpec? other) =>
        other is not null && Paths.SequenceEqual(other.Paths, StringComparer.Ordinal) && TextField == other.TextField
        && IdField == other.IdField && TxtSeparator == other.TxtSeparator
        && (Splits ?? new Dictionary<string, string>()).SequenceEqual(other.Splits ?? new Dictionary<string, string>());

    public override int GetHashCode() => HashCode.Combine(string.Join("\n", Paths), TextField, IdField, TxtSeparator, Splits?.Count ?? -1);

    /// <summary>Expands paths, globs (wildcards * and ? in the file name only) and folders into files, ordinal order
    /// within each entry, entries in the given order.  Problems (nothing matched, unknown extension) are collected.</summary>
    public IReadOnlyList<string> ExpandFiles(List<string> problems, string field = "data.corpus")
    {
        var files = new List<string>();
        for (int i = 0; i < Paths.Count; i++)
        {
            var entry = Paths[i];
            var at = Paths.Count == 1 ? field : $"{field}[{i}]";
            if (string.IsNullOrWhiteSpace(entry)) { problems.Add($"{at} is empty: give \"{Embedded}\", a file, a folder or a glob."); continue; }
            if (entry == Embedded)
            {
                if (Paths.Count > 1) problems.Add($"{at} = \"{Embedded}\": the bundled corpus cannot be combined with files; use it alone.");
                continue;
            }
            var directory = Path.GetDirectoryName(entry);
            var name = Path.GetFileName(entry);
            if (!string.IsNullOrEmpty(directory) && directory.IndexOfAny(['*', '?']) >= 0)
            {
                problems.Add($"{at} = \"{entry}\": wildcards are allowed in the file name only; list the folders instead.");
                continue;
            }
            string[] matched;
            if (name.IndexOfAny(['*', '?']) >= 0)
            {
                var folder = string.IsNullOrEmpty(directory) ? "." : directory;
                matched = Directory.Exists(folder) ? Directory.GetFiles(folder, name).Where(f => Path.GetFileName(f).Length > 0).ToArray() : [];
                if (matched.Length == 0)
                {
                    problems.Add($"{at} = \"{entry}\": no file matches (looked in {Path.GetFullPath(folder)}); fix the pattern or fetch the files (see README, \"Bring your own corpus\").");
                    continue;
                }
            }
            else if (Directory.Exists(entry))
            {
                matched = Directory.GetFiles(entry).Where(f => FormatOf(f) is not null).ToArray();
                if (matched.Length == 0)
                {
                    problems.Add($"{at} = \"{entry}\": the folder holds no {string.Join("/", Extensions)} file; put the corpus files there or fix the path.");
                    continue;
                }
            }
            else if (File.Exists(entry)) matched = [entry];
            else
            {
                problems.Add($"{at} = \"{entry}\": file not found (relative paths resolve against {Directory.GetCurrentDirectory()}); fix the path, fetch the files (see README, \"Bring your own corpus\") or use \"{Embedded}\".");
                continue;
            }
            Array.Sort(matched, StringComparer.Ordinal);
            foreach (var file in matched)
            {
                if (FormatOf(file) is null)
                    problems.Add($"{at}: {file}: unknown corpus format; the extension must be one of {string.Join(", ", Extensions)}.");
                else files.Add(file);
            }
        }
        return files;
    }

    /// <summary>The format named by a file's extension (".jsonl", ".jsonl.gz", ".parquet", ".txt"), or null.</summary>
    public static string? FormatOf(string path) =>
        Extensions.OrderByDescending(e => e.Length).FirstOrDefault(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    internal void Write(Utf8JsonWriter writer)
    {
        if (!HasOptions)
        {
            if (Paths.Count == 1) { writer.WriteStringValue(Paths[0]); return; }
            writer.WriteStartArray();
            foreach (var p in Paths) writer.WriteStringValue(p);
            writer.WriteEndArray();
            return;
        }
        writer.WriteStartObject();
        writer.WriteStartArray("paths");
        foreach (var p in Paths) writer.WriteStringValue(p);
        writer.WriteEndArray();
        writer.WriteString("text_field", TextField);
        if (IdField is not null) writer.WriteString("id_field", IdField);
        if (TxtSeparator is not null) writer.WriteString("txt_separator", TxtSeparator);
        if (Splits is not null)
        {
            writer.WriteStartObject("splits");
            foreach (var (pattern, split) in Splits) writer.WriteString(pattern, split);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    /// <summary>Shape problems of a JSON value for data.corpus (the strict reader calls this; every problem at once).</summary>
    internal static void CheckShape(JsonElement element, string path, List<string> problems)
    {
        const string forms = "a string (\"embedded\", a file, folder or glob), a list of strings, or an object with keys paths, text_field, id_field, txt_separator, splits";
        switch (element.ValueKind)
        {
            case JsonValueKind.String: return;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String) problems.Add($"{path}[{i}]: value {item.GetRawText()} must be a string (a file, folder or glob).");
                    i++;
                }
                if (i == 0) problems.Add($"{path}: the list is empty; give at least one file, folder or glob.");
                return;
            case JsonValueKind.Object:
                bool hasPaths = false;
                foreach (var member in element.EnumerateObject())
                {
                    if (!Keys.Contains(member.Name)) { problems.Add($"{path}.{member.Name}: unknown key; valid keys here: {string.Join(", ", Keys)}."); continue; }
                    if (member.Name == "paths")
                    {
                        hasPaths = true;
                        if (member.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Array)) problems.Add($"{path}.paths: value {member.Value.GetRawText()} must be a string or a list of strings.");
                        else if (member.Value.ValueKind == JsonValueKind.Array) CheckShape(member.Value, $"{path}.paths", problems);
                    }
                    else if (member.Name == "splits")
                    {
                        if (member.Value.ValueKind != JsonValueKind.Object) { problems.Add($"{path}.splits: value {member.Value.GetRawText()} must be an object mapping .bin file names or globs to {string.Join(", ", SplitNames)}."); continue; }
                        foreach (var entry in member.Value.EnumerateObject())
                            if (entry.Value.ValueKind != JsonValueKind.String || !SplitNames.Contains(entry.Value.GetString()!))
                                problems.Add($"{path}.splits.{entry.Name}: value {entry.Value.GetRawText()} must be one of {string.Join(", ", SplitNames.Select(n => $"\"{n}\""))}.");
                    }
                    else if (member.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                        problems.Add($"{path}.{member.Name}: value {member.Value.GetRawText()} must be a string.");
                }
                if (!hasPaths) problems.Add($"{path}.paths: required key is missing.");
                return;
            default:
                problems.Add($"{path}: value {element.GetRawText()} must be {forms}.");
                return;
        }
    }

    internal static JsonNode SchemaNode() => new JsonObject
    {
        ["description"] = "\"embedded\", a file/folder/glob (.jsonl, .jsonl.gz, .parquet, .txt, .bin), a list of them, or an object with options.",
        ["default"] = Embedded,
        ["oneOf"] = new JsonArray(
            new JsonObject { ["type"] = "string" },
            new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" }, ["minItems"] = 1 },
            new JsonObject
            {
                ["type"] = "object",
                ["additionalProperties"] = false,
                ["required"] = new JsonArray("paths"),
                ["properties"] = new JsonObject
                {
                    ["paths"] = new JsonObject { ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "string" }, new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } }) },
                    ["text_field"] = new JsonObject { ["type"] = "string", ["default"] = DefaultTextField },
                    ["id_field"] = new JsonObject { ["type"] = new JsonArray("string", "null") },
                    ["txt_separator"] = new JsonObject { ["type"] = new JsonArray("string", "null") },
                    ["splits"] = new JsonObject
                    {
                        ["description"] = ".bin file name or glob → split, ahead of the file-name rule (train/val/test in the name).",
                        ["type"] = "object",
                        ["additionalProperties"] = new JsonObject { ["enum"] = new JsonArray("train", "validation", "test") },
                    },
                },
            }),
    };
}

/// <summary>Reads the three JSON forms of <see cref="CorpusSpec"/> and writes the plainest one that says the same.</summary>
public sealed class CorpusSpecConverter : JsonConverter<CorpusSpec>
{
    public override CorpusSpec Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var e = document.RootElement;
        var problems = new List<string>();
        CorpusSpec.CheckShape(e, "data.corpus", problems);
        if (problems.Count > 0) throw new JsonException(problems[0]);
        static IReadOnlyList<string> Strings(JsonElement x) =>
            x.ValueKind == JsonValueKind.String ? [x.GetString()!] : x.EnumerateArray().Select(i => i.GetString()!).ToList();
        if (e.ValueKind != JsonValueKind.Object) return new CorpusSpec(Strings(e));
        string? Optional(string key) => e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return new CorpusSpec(Strings(e.GetProperty("paths")))
        {
            TextField = Optional("text_field") ?? CorpusSpec.DefaultTextField,
            IdField = Optional("id_field"),
            TxtSeparator = Optional("txt_separator"),
            Splits = e.TryGetProperty("splits", out var splits) && splits.ValueKind == JsonValueKind.Object
                ? splits.EnumerateObject().ToDictionary(x => x.Name, x => x.Value.GetString()!, StringComparer.Ordinal) : null,
        };
    }

    public override void Write(Utf8JsonWriter writer, CorpusSpec value, JsonSerializerOptions options) => value.Write(writer);
}
