using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Harness.IO;

namespace Harness.Config;

/// <summary>A config type that can check its own values once the JSON shape is known to be right.</summary>
public interface IValidatable
{
    /// <summary>Every semantic problem, each naming the JSON path (rooted at <paramref name="path"/>), the value and the rule.</summary>
    IReadOnlyList<string> Validate(string path);
}

/// <summary>
/// Reads a JSON config into a typed record and reports every problem at once: unknown keys (with the valid ones),
/// wrong JSON types, then the type's own semantic rules.  Keys are snake_case of the C# property names.
/// </summary>
public static class JsonConfigReader
{
    /// <summary>The harness's JSON conventions (<see cref="HarnessJson.Options"/>).</summary>
    public static JsonSerializerOptions Options => HarnessJson.Options;

    /// <summary>Reads <paramref name="file"/>; throws <see cref="UserInputException"/> listing every problem.</summary>
    static readonly JsonSerializerOptions Lenient = new(Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip };

    public static T ReadFile<T>(string file) where T : class
    {
        if (!File.Exists(file))
            throw new UserInputException($"{file}: config file not found.", [$"{file}: no such file; pass a path to an existing JSON config (see experiments/)."]);
        return Read<T>(File.ReadAllText(file), file);
    }

    /// <summary>The editor hint key (<c>"$schema": "…/config.schema.json"</c>); accepted at the root and ignored.</summary>
    public const string SchemaKey = "$schema";

    public static T Read<T>(string json, string source) where T : class => Read<T>(json, source, null);

    /// <summary>Reads <paramref name="json"/> like <see cref="Read{T}(string, string)"/>, with <paramref name="moreChecks"/>
    /// (rules Config cannot know, e.g. the later stages' registries, given by the caller) reported with the type's own
    /// rules, every problem at once.</summary>
    public static T Read<T>(string json, string source, Func<T, string, IEnumerable<string>>? moreChecks) where T : class
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(SchemaKey, out _))
            {
                var node = System.Text.Json.Nodes.JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
                node.Remove(SchemaKey);
                document.Dispose();
                document = JsonDocument.Parse(node.ToJsonString());
            }
        }
        catch (JsonException e)
        {
            throw new UserInputException($"{source}: not valid JSON.", [$"{source}: line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {e.Message.Split('.')[0]}; fix the JSON syntax."]);
        }
        catch (ArgumentException)
        {
            // JsonNode refuses a duplicate key (only parsed when "$schema" is present); report it like any other duplicate.
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        using (document)
        {
            var problems = new List<string>();
            // A key given twice is ambiguous (which one wins is the parser's choice, not the user's): refuse before reading.
            FindDuplicateKeys(document.RootElement, "$", problems);
            if (problems.Count > 0)
                throw new UserInputException($"{source}: {problems.Count} problem(s) in config.", problems.Select(p => $"{source}: {p}").ToList());
            CheckShape(typeof(T), document.RootElement, "$", problems);
            bool shapeOk = problems.Count == 0;
            T? value = null;
            try
            {
                // With unknown keys present, still read the rest (skipping them) so semantic rules report too.
                value = document.RootElement.Deserialize<T>(shapeOk ? Options : Lenient);
            }
            catch (Exception e) when (!shapeOk && e is JsonException or ArgumentException or InvalidOperationException) { _ = e; }
            catch (JsonException e) { problems.Add($"{e.Path ?? "$"}: {e.Message}"); }
            if (value is IValidatable v) problems.AddRange(v.Validate("$"));
            if (value is not null && moreChecks is not null) problems.AddRange(moreChecks(value, "$"));
            if (problems.Count == 0 && value is not null) return value;
            throw new UserInputException($"{source}: {problems.Count} problem(s) in config.", problems.Select(p => $"{source}: {p}").ToList());
        }
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    static void CheckShape(Type type, JsonElement element, string path, List<string> problems)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            if (element.ValueKind == JsonValueKind.Null) return;
            type = underlying;
        }
        if (type == typeof(CorpusSpec))
        {
            CorpusSpec.CheckShape(element, path, problems);
            return;
        }
        if (type == typeof(string))
        {
            if (element.ValueKind != JsonValueKind.String) problems.Add($"{path}: value {Show(element)} must be a string.");
            return;
        }
        if (type == typeof(bool))
        {
            if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) problems.Add($"{path}: value {Show(element)} must be true or false.");
            return;
        }
        if (type == typeof(int) || type == typeof(long))
        {
            bool ok = element.ValueKind == JsonValueKind.Number && (type == typeof(int) ? element.TryGetInt32(out _) : element.TryGetInt64(out _));
            if (!ok) problems.Add($"{path}: value {Show(element)} {IntegerRule(element, type == typeof(int))}.");
            return;
        }
        if (type == typeof(double))
        {
            if (element.ValueKind != JsonValueKind.Number) problems.Add($"{path}: value {Show(element)} must be a number.");
            return;
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() is var g &&
            (g == typeof(IReadOnlyDictionary<,>) || g == typeof(Dictionary<,>)))
        {
            if (element.ValueKind != JsonValueKind.Object) { problems.Add($"{path}: value {Show(element)} must be an object."); return; }
            var valueType = type.GetGenericArguments()[1];
            foreach (var member in element.EnumerateObject())
                CheckShape(valueType, member.Value, $"{path}.{member.Name}", problems);
            return;
        }
        if (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type))
        {
            if (element.ValueKind != JsonValueKind.Array) { problems.Add($"{path}: value {Show(element)} must be an array."); return; }
            var itemType = type.IsArray ? type.GetElementType()! : type.GetGenericArguments()[0];
            int i = 0;
            foreach (var item in element.EnumerateArray())
                CheckShape(itemType, item, $"{path}[{i++}]", problems);
            return;
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{path}: value {Show(element)} must be an object with keys {string.Join(", ", KeysOf(type).Keys)}.");
            return;
        }
        var keys = KeysOf(type);
        foreach (var member in element.EnumerateObject())
        {
            if (!keys.TryGetValue(member.Name, out var property))
            {
                problems.Add($"{path}.{member.Name}: unknown key; valid keys here: {string.Join(", ", keys.Keys)}.");
                continue;
            }
            CheckShape(property.PropertyType, member.Value, $"{path}.{member.Name}", problems);
        }
        foreach (var (key, property) in keys)
        {
            bool required = property.GetCustomAttribute<JsonRequiredAttribute>() is not null;
            if (required && !element.TryGetProperty(key, out _))
                problems.Add($"{path}.{key}: required key is missing.");
        }
    }

    /// <summary>Which integer rule <paramref name="element"/> breaks: not a number, not whole, out of range, or a whole
    /// number written in exponent/decimal notation (read literally, so 4.096e4 is refused with the plain form to write).</summary>
    static string IntegerRule(JsonElement element, bool is32)
    {
        (decimal min, decimal max, string bits) = is32 ? ((decimal)int.MinValue, (decimal)int.MaxValue, "32-bit") : (long.MinValue, long.MaxValue, "64-bit");
        if (element.ValueKind != JsonValueKind.Number) return $"must be an integer ({bits})";
        var raw = element.GetRawText();
        if (!decimal.TryParse(raw, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value))
            return double.TryParse(raw, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) && d < 0
                ? $"is too small: an integer here must be at least {min.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} ({bits})"
                : $"is too large: an integer here must be at most {max.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} ({bits})";
        if (value != decimal.Truncate(value)) return "must be a whole number (no fractional part)";
        if (value > max) return $"is too large: an integer here must be at most {max.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} ({bits})";
        if (value < min) return $"is too small: an integer here must be at least {min.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} ({bits})";
        return $"must be written as a plain integer, e.g. {value.ToString("0", System.Globalization.CultureInfo.InvariantCulture)} (exponent or decimal notation is not read as an integer)";
    }

    static void FindDuplicateKeys(JsonElement element, string path, List<string> problems)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var item in element.EnumerateArray()) FindDuplicateKeys(item, $"{path}[{i++}]", problems);
            return;
        }
        if (element.ValueKind != JsonValueKind.Object) return;
        foreach (var dup in element.EnumerateObject().GroupBy(m => m.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
            problems.Add($"{path}.{dup.Key}: key appears {dup.Count()} times in the same object; keep exactly one.");
        foreach (var member in element.EnumerateObject().DistinctBy(m => m.Name, StringComparer.Ordinal))
            FindDuplicateKeys(member.Value, $"{path}.{member.Name}", problems);
    }

    static Dictionary<string, PropertyInfo> KeysOf(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetCustomAttribute<JsonIgnoreAttribute>() is not { Condition: JsonIgnoreCondition.Always })
            .ToDictionary(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name));

    static string Show(JsonElement e)
    {
        var raw = e.GetRawText();
        return raw.Length > 40 ? raw[..40] + "…" : raw;
    }
}
