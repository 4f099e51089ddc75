using System.Text.Json;
using System.Text.Json.Nodes;

namespace Harness.Config;

/// <summary>
/// <c>--set KEY=VALUE</c>: dotted snake_case paths into the config JSON (<c>training.learning_rate=1e-3</c>,
/// <c>seeds=[0,1]</c>, <c>kd.divergence=reverse-kl</c>).  VALUE is read as JSON when it parses (numbers, true/false,
/// arrays, objects, null) and as a string otherwise.  The result is validated exactly like the file, so an unknown key
/// or a bad value is reported with its JSON path.
/// </summary>
public static class ConfigOverrides
{
    static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The config JSON with every override applied; problems with the overrides' syntax are listed together.</summary>
    public static string Apply(string json, IReadOnlyList<string> overrides, string source)
    {
        if (overrides.Count == 0) return json;
        JsonObject root;
        try { root = JsonNode.Parse(json, documentOptions: Lenient)!.AsObject(); }
        catch (Exception e) when (e is JsonException or InvalidOperationException) { return json; } // the reader reports the syntax error
        var problems = new List<string>();
        foreach (var o in overrides)
        {
            int eq = o.IndexOf('=');
            if (eq <= 0)
            {
                problems.Add($"--set '{o}': expected KEY=VALUE with a dotted key, e.g. training.learning_rate=1e-3.");
                continue;
            }
            var path = o[..eq].Trim().Split('.');
            var text = o[(eq + 1)..];
            JsonNode? value;
            try { value = JsonNode.Parse(text, documentOptions: Lenient); }
            catch (JsonException) { value = JsonValue.Create(text); }
            JsonObject parent = root;
            for (int i = 0; i < path.Length - 1; i++)
            {
                if (parent[path[i]] is JsonObject child) parent = child;
                else if (parent[path[i]] is null) { var created = new JsonObject(); parent[path[i]] = created; parent = created; }
                else { problems.Add($"--set '{o}': $.{string.Join('.', path[..(i + 1)])} is not an object, so it has no key '{path[i + 1]}'."); parent = null!; break; }
            }
            if (parent is not null) parent[path[^1]] = value;
        }
        if (problems.Count > 0) throw new UserInputException($"{source}: {problems.Count} problem(s) in --set.", problems);
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
