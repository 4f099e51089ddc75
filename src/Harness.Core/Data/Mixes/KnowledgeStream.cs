namespace Harness.Data.Mixes;

/// <summary>
/// The "knowledge stream": facts (countries-list capitals, continents, currencies; WordNet definitions and hypernyms)
/// rendered with the training phrasings only, for mixing into the training corpus at a configurable fraction.
/// </summary>
public static class KnowledgeStream
{
    /// <summary>Sentences per document.</summary>
    public const int SentencesPerDocument = 8;

    /// <summary>
    /// Every fact in every training phrasing (so each fact is seen several ways, which Allen-Zhu &amp; Li 2023 find is
    /// what makes it extractable), shuffled by <paramref name="seed"/> and grouped into documents of
    /// <see cref="SentencesPerDocument"/> sentences joined by spaces.
    /// </summary>
    public static IReadOnlyList<string> TrainingDocuments(int seed) => TrainingDocuments(FactTable.All, seed);

    public static IReadOnlyList<string> TrainingDocuments(IReadOnlyList<Fact> facts, int seed)
    {
        var sentences = new List<string>();
        foreach (var fact in facts)
            foreach (var template in FactPhrasing.Training[fact.Relation])
                sentences.Add(FactPhrasing.Render(template, fact));
        new StableRandom(seed, "knowledge-stream").Shuffle(sentences);
        return sentences.Chunk(SentencesPerDocument).Select(chunk => string.Join(' ', chunk)).ToArray();
    }
}
