using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Harness.IO;

/// <summary>
/// JSONL data files: one compact JSON object per line, snake_case names, UTF-8 without BOM, "\n" line ends, so a
/// builder's output is byte-for-byte reproducible and diffs cleanly.  The committed ones ship as embedded resources.
/// </summary>
public static class Jsonl
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // Keep non-ASCII letters readable (São Tomé) instead of \u escapes; the files are data, never HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Serialize<T>(IEnumerable<T> rows)
    {
        var sb = new StringBuilder();
        foreach (var row in rows) sb.Append(JsonSerializer.Serialize(row, Options)).Append('\n');
        return sb.ToString();
    }

    /// <param name="rebuildHint">How to regenerate the file, for the error on a malformed row.</param>
    public static IReadOnlyList<T> Parse<T>(string text, string source, string rebuildHint)
    {
        var rows = new List<T>();
        int line = 0;
        foreach (var raw in text.Split('\n'))
        {
            line++;
            if (raw.Length == 0) continue;
            try
            {
                rows.Add(JsonSerializer.Deserialize<T>(raw, Options) ?? throw new JsonException("null row"));
            }
            catch (JsonException e)
            {
                throw new UserInputException($"{source}:{line}: not a valid {typeof(T).Name} row ({e.Message}); {rebuildHint}.");
            }
        }
        return rows;
    }

    /// <summary>Text of the embedded resource <paramref name="resourceName"/> of Harness.Core.</summary>
    public static string ReadEmbedded(string resourceName)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"embedded data '{resourceName}' is missing from Harness.Core; check the EmbeddedResource items in Harness.Core.csproj.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Writes <paramref name="text"/> atomically as UTF-8 without BOM.</summary>
    public static void WriteFile(string path, string text) =>
        AtomicFile.WriteAllBytes(path, new UTF8Encoding(false).GetBytes(text));
}
