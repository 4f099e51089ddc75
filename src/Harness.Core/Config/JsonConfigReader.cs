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

    public static T Read<T>(string json, string source) where T : class
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
        using (document)
        {
            var problems = new List<string>();
            CheckShape(typeof(T), document.RootElement, "$", problems);
            bool shapeOk = problems.Count == 0;
            T? value = null;
            try
            {
                // With unknown keys present, still read the rest (skipping them) so semantic rules report too.
                value = document.RootElement.Deserialize<T>(shapeOk ? Options : Lenient);
            }
            catch (JsonException e) when (!shapeOk) { _ = e; }
            catch (JsonException e) { problems.Add($"{e.Path ?? "$"}: {e.Message}"); }
            if (value is IValidatable v) problems.AddRange(v.Validate("$"));
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
            if (!ok) problems.Add($"{path}: value {Show(element)} must be an integer{(type == typeof(int) ? " (32-bit)" : "")}.");
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

    static Dictionary<string, PropertyInfo> KeysOf(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .ToDictionary(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name));

    static string Show(JsonElement e)
    {
        var raw = e.GetRawText();
        return raw.Length > 40 ? raw[..40] + "…" : raw;
    }
}
