using Harness.Data;

namespace Harness.Tests.Data;

/// <summary>Small slices of the embedded corpus so data tests run in well under a second each.</summary>
internal static class SmallCorpus
{
    static readonly Lazy<IReadOnlyList<Document>> All = new(EmbeddedCorpus.Load);

    public static IReadOnlyList<Document> Full => All.Value;

    /// <summary>First few SOTU addresses and Moby Dick sections (about 300 KB).</summary>
    public static IReadOnlyList<Document> Documents(int perSource = 6) =>
        Full.GroupBy(d => d.Source).SelectMany(g => g.Take(perSource)).ToList();

    public static IReadOnlyList<string> Texts(int perSource = 3) => Documents(perSource).Select(d => d.Text).ToList();
}
