using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Harness.Evaluation;

/// <summary>One irregular verb: infinitive, simple past, past participle (first variant listed by english-verbs-irregular).</summary>
public sealed record VerbForms(string Verb, string Past, string Participle);

/// <summary>One (subject, relation, object) fact behind the knowledge stream and task, e.g. ("France", "capital", "Paris").</summary>
public sealed record Fact(string Relation, string Subject, string Obj);

/// <summary>
/// JSONL item files: one compact JSON object per line, snake_case names, UTF-8 without BOM, "\n" line ends, so a
/// builder's output is byte-for-byte reproducible and diffs cleanly.  Files ship as embedded resources named
/// "Harness.Evaluation.data.{file}".
/// </summary>
public static class TaskData
{
    public const string VerbsFile = "verbs.v1.jsonl";
    public const string FactsFile = "facts.v1.jsonl";
    public const string GrammarFile = "grammar.v1.jsonl";
    public const string KnowledgeFile = "knowledge.v1.jsonl";

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // Keep non-ASCII letters readable (São Tomé) instead of \u escapes; the files are data, never HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string ToJsonl<T>(IEnumerable<T> rows)
    {
        var sb = new StringBuilder();
        foreach (var row in rows) sb.Append(JsonSerializer.Serialize(row, Json)).Append('\n');
        return sb.ToString();
    }

    public static IReadOnlyList<T> FromJsonl<T>(string text, string source)
    {
        var rows = new List<T>();
        int line = 0;
        foreach (var raw in text.Split('\n'))
        {
            line++;
            if (raw.Length == 0) continue;
            try
            {
                rows.Add(JsonSerializer.Deserialize<T>(raw, Json) ?? throw new JsonException("null row"));
            }
            catch (JsonException e)
            {
                throw new UserInputException($"{source}:{line}: not a valid {typeof(T).Name} row ({e.Message}); rebuild the file with TaskDataBuilder.BuildAll.");
            }
        }
        return rows;
    }

    /// <summary>Text of an embedded data file.</summary>
    public static string ReadEmbedded(string file)
    {
        var name = "Harness.Evaluation.data." + file;
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded task data '{name}' is missing from Harness.Core; check the EmbeddedResource item in Harness.Core.csproj.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public static IReadOnlyList<T> LoadEmbedded<T>(string file) => FromJsonl<T>(ReadEmbedded(file), file);

    internal static void WriteFile(string path, string text) =>
        AtomicFile.WriteAllBytes(path, new UTF8Encoding(false).GetBytes(text));
}
