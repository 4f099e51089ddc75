using Harness.Data.Mixes;
using Harness.IO;

namespace Harness.Evaluation;

/// <summary>One irregular verb: infinitive, simple past, past participle (first variant listed by english-verbs-irregular).</summary>
public sealed record VerbForms(string Verb, string Past, string Participle);

/// <summary>
/// The task item files (<see cref="Jsonl"/>), embedded as "Harness.Evaluation.data.{file}"; the fact table they share
/// with the knowledge training stream is Data's (<see cref="FactTable"/>).
/// </summary>
public static class TaskData
{
    public const string VerbsFile = "verbs.v1.jsonl";
    public const string FactsFile = FactTable.FileName;
    public const string GrammarFile = "grammar.v1.jsonl";
    public const string KnowledgeFile = "knowledge.v1.jsonl";

    public static string ToJsonl<T>(IEnumerable<T> rows) => Jsonl.Serialize(rows);

    public static IReadOnlyList<T> FromJsonl<T>(string text, string source) =>
        Jsonl.Parse<T>(text, source, "rebuild the file with TaskDataBuilder.BuildAll");

    /// <summary>Text of an embedded data file (the fact table from Data/Mixes, the item files from Evaluation/Tasks/data).</summary>
    public static string ReadEmbedded(string file) =>
        file == FactsFile ? FactTable.ReadEmbedded() : Jsonl.ReadEmbedded("Harness.Evaluation.data." + file);

    public static IReadOnlyList<T> LoadEmbedded<T>(string file) => FromJsonl<T>(ReadEmbedded(file), file);

    internal static void WriteFile(string path, string text) => Jsonl.WriteFile(path, text);
}
