namespace Harness.Data;

/// <summary>
/// Extra training documents, already rendered, with a hash that keys the token cache.  Built by the Data stage
/// (see Data/Mixes/TrainingMixBuilder).
/// </summary>
public sealed record TrainingMix(string Hash, IReadOnlyList<string> Documents, string Description, int Seed)
{
    /// <summary>Corpus and extra documents in one deterministic shuffled order (documents stay whole).</summary>
    public IEnumerable<string> Interleave(IReadOnlyList<string> corpusDocuments)
    {
        var all = corpusDocuments.Concat(Documents).ToArray();
        new Random(Seed).Shuffle(all);
        return all;
    }
}
