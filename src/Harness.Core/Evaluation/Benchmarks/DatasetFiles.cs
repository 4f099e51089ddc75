using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Parquet.Serialization;

namespace Harness.Evaluation.Benchmarks;

/// <summary>
/// Where a published dataset's split is expected under the user's data folder, and the reader for it.  A split is
/// <c>DIR/&lt;task folder&gt;/&lt;split&gt;.parquet</c>, <c>&lt;split&gt;.jsonl</c>, or Hugging Face's shard names
/// <c>&lt;split&gt;-00000-of-00001.parquet</c> (any number of <c>&lt;split&gt;-*.parquet</c> shards, read in name order).
/// Rows come back as JSON objects whatever the file format, so one set of field readers serves both.
/// </summary>
public static class DatasetFiles
{
    /// <summary>The file names accepted for <paramref name="split"/>, for messages.</summary>
    public static IReadOnlyList<string> ExpectedNames(string split) => [$"{split}.parquet", $"{split}.jsonl", $"{split}-*.parquet"];

    /// <summary>The files holding <paramref name="split"/> in <paramref name="folder"/>, or none.</summary>
    public static IReadOnlyList<string> Find(string folder, string split)
    {
        if (!Directory.Exists(folder)) return [];
        foreach (var single in new[] { $"{split}.parquet", $"{split}.jsonl" })
        {
            var path = Path.Combine(folder, single);
            if (File.Exists(path)) return [path];
        }
        return Directory.GetFiles(folder, $"{split}-*.parquet").Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Every row of <paramref name="files"/> (Parquet via Parquet.Net, or JSON Lines), in file order.</summary>
    public static IReadOnlyList<JsonElement> ReadRows(IReadOnlyList<string> files)
    {
        var rows = new List<JsonElement>();
        foreach (var file in files)
            rows.AddRange(file.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? ReadJsonl(file) : ReadParquet(file));
        return rows;
    }

    static List<JsonElement> ReadJsonl(string file)
    {
        var rows = new List<JsonElement>();
        int line = 0;
        foreach (var text in File.ReadLines(file))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                var row = JsonDocument.Parse(text).RootElement;
                if (row.ValueKind != JsonValueKind.Object)
                    throw new UserInputException($"{file}: line {line} is a JSON {row.ValueKind}, not an object.", ["each line of a dataset's .jsonl file is one row object; download the split again."]);
                rows.Add(row);
            }
            catch (JsonException e)
            {
                throw new UserInputException($"{file}: line {line} is not valid JSON ({e.Message}).", ["each line of a dataset's .jsonl file is one row object; download the split again."]);
            }
        }
        return rows;
    }

    /// <summary>An untyped Parquet value as JSON: structs → objects, lists → arrays, strings (which Parquet.Net hands
    /// out as ReadOnlyMemory&lt;char&gt;) → strings, numbers and booleans as they are.</summary>
    static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        ReadOnlyMemory<char> m => JsonValue.Create(m.ToString()),
        bool b => JsonValue.Create(b),
        byte[] bytes => JsonValue.Create(Convert.ToBase64String(bytes)),
        IDictionary<string, object?> d => new JsonObject(d.Select(p => KeyValuePair.Create(p.Key, ToJson(p.Value)))),
        System.Collections.IDictionary d => new JsonObject(d.Keys.Cast<object>().Select(k => KeyValuePair.Create(k.ToString()!, ToJson(d[k])))),
        System.Collections.IEnumerable list => new JsonArray(list.Cast<object?>().Select(ToJson).ToArray()),
        IConvertible c when value is sbyte or byte or short or ushort or int or uint or long or ulong => JsonValue.Create(c.ToInt64(CultureInfo.InvariantCulture)),
        IConvertible c when value is float or double or decimal => JsonValue.Create(c.ToDouble(CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    static List<JsonElement> ReadParquet(string file)
    {
        try
        {
            using var stream = File.OpenRead(file);
            var data = ParquetSerializer.DeserializeUntypedAsync(stream).GetAwaiter().GetResult();
            return data.Data.Select(row => JsonSerializer.SerializeToElement(ToJson(row))).ToList();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or Parquet.ParquetException or NotSupportedException or InvalidOperationException)
        {
            throw new UserInputException($"{file}: not a readable Parquet file ({e.Message}).", ["download the split again as Hugging Face publishes it (Parquet or JSON Lines)."]);
        }
    }
}

/// <summary>
/// Field readers for one dataset row that collect every schema problem (file, row, field, what was found, what was
/// expected) instead of stopping at the first; <see cref="ThrowIfAny"/> reports them together.
/// </summary>
public sealed class RowReader(string source)
{
    const int MaxReported = 20;
    readonly List<string> problems = [];

    public int Problems => problems.Count;

    void Problem(int row, string field, string message)
    {
        if (problems.Count < MaxReported) problems.Add($"{source} row {row}, field '{field}': {message}");
        else if (problems.Count == MaxReported) problems.Add("… (further problems not listed)");
    }

    JsonElement? Field(JsonElement row, int index, string field)
    {
        if (row.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null) return value;
        Problem(index, field, "missing (or null)");
        return null;
    }

    public string String(JsonElement row, int index, string field)
    {
        if (Field(row, index, field) is not { } v) return "";
        if (v.ValueKind == JsonValueKind.String) return v.GetString()!;
        Problem(index, field, $"expected a string, found {v.ValueKind}");
        return "";
    }

    /// <summary>A label stored as a string ("2") or an integer (2), as different dataset versions do.</summary>
    public int Integer(JsonElement row, int index, string field)
    {
        if (Field(row, index, field) is not { } v) return -1;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n)) return n;
        if (v.ValueKind == JsonValueKind.String && int.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out n)) return n;
        Problem(index, field, $"expected an integer (or an integer string), found {v}");
        return -1;
    }

    public IReadOnlyList<string> Strings(JsonElement row, int index, string field) =>
        Field(row, index, field) is { } v ? StringArray(v, index, field) : [];

    /// <summary>A struct field's list member, e.g. ARC's choices.text.</summary>
    public IReadOnlyList<string> Strings(JsonElement row, int index, string field, string member)
    {
        if (Field(row, index, field) is not { } v) return [];
        if (v.ValueKind != JsonValueKind.Object) { Problem(index, field, $"expected a struct with '{member}', found {v.ValueKind}"); return []; }
        if (!v.TryGetProperty(member, out var m) || m.ValueKind == JsonValueKind.Null) { Problem(index, $"{field}.{member}", "missing"); return []; }
        return StringArray(m, index, $"{field}.{member}");
    }

    IReadOnlyList<string> StringArray(JsonElement v, int index, string field)
    {
        if (v.ValueKind != JsonValueKind.Array) { Problem(index, field, $"expected a list of strings, found {v.ValueKind}"); return []; }
        var list = new List<string>();
        foreach (var e in v.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.String) { Problem(index, field, $"expected a list of strings, found an element {e.ValueKind} in {Shorten(v.GetRawText())}"); return []; }
            list.Add(e.GetString()!);
        }
        return list;
    }

    static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "…";

    /// <summary>A rule the row breaks beyond its types (e.g. an answer key not among the labels).</summary>
    public void Invalid(int index, string field, string message) => Problem(index, field, message);

    public void ThrowIfAny(string fix)
    {
        if (problems.Count > 0)
            throw new UserInputException($"{source}: {problems.Count(p => !p.StartsWith('…'))}{(problems.Count > MaxReported ? "+" : "")} schema problem(s); is this the right file?", [.. problems, fix]);
    }
}
