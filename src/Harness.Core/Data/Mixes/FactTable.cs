using Harness.IO;

namespace Harness.Data.Mixes;

/// <summary>One (subject, relation, object) fact behind the knowledge stream and task, e.g. ("France", "capital", "Paris").</summary>
public sealed record Fact(string Relation, string Subject, string Obj);

/// <summary>
/// The committed fact table facts.v1.jsonl (countries-list capitals, continents, currencies; WordNet definitions and
/// hypernyms; provenance in Evaluation/Tasks/data/SOURCES.md).  Data owns it because the knowledge training stream
/// renders it; the knowledge task asks about the same facts in held-out phrasings.
/// </summary>
public static class FactTable
{
    public const string FileName = "facts.v1.jsonl";
    static IReadOnlyList<Fact>? facts;

    public static IReadOnlyList<Fact> All => facts ??= Jsonl.Parse<Fact>(ReadEmbedded(), FileName, "rebuild it with TaskDataBuilder.BuildAll");

    public static string ReadEmbedded() => Jsonl.ReadEmbedded("Harness.Data.Mixes." + FileName);
}
