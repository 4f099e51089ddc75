using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Harness.IO;

namespace Harness.Results;

/// <summary>Reads and writes summary.json and fits.json (snake_case, indented, atomic writes; NaN and ∞ as strings).</summary>
public static class ResultJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    static string Excerpt(string text)
    {
        var flat = text.Replace('\n', ' ').Trim();
        return flat.Length <= 80 ? flat : flat[..80] + "…";
    }

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static void Write<T>(string path, T value) => AtomicFile.WriteAllBytes(path, Serialize(value));

    /// <summary>Reads a file written by <see cref="Write{T}"/>, refusing other schema versions; null when the file is absent.</summary>
    public static T? Read<T>(string path) where T : class
    {
        if (!File.Exists(path)) return null;
        T? value;
        try
        {
            var text = File.ReadAllText(path);
            using (var doc = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }))
                if (typeof(T).GetProperty("SchemaVersion") is not null &&
                    (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("schema_version", out _)))
                    throw new UserInputException($"{path}: no schema_version; it was not written by this version of harness (layout: {Excerpt(text)}). " +
                                                 "Fix: rerun `harness estimate` on the folder.");
            value = JsonSerializer.Deserialize<T>(text, Options);
        }
        catch (JsonException e)
        {
            throw new UserInputException($"{path}: cannot read ({e.Message.Split('\n')[0]}); it was not written by this version of harness. " +
                                         "Fix: rerun `harness estimate` on the folder.");
        }
        var version = typeof(T).GetProperty("SchemaVersion")?.GetValue(value);
        if (version is int v && v != ResultSchema.JsonVersionOf(typeof(T)))
            throw new UserInputException($"{path}: schema_version {v} is not understood by this build (it reads version {ResultSchema.JsonVersionOf(typeof(T))}); " +
                                         "fix: rerun `harness estimate` on the folder.");
        return value;
    }
}
