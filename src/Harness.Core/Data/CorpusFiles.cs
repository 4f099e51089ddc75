using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Harness.Data;

/// <summary>Reading corpus files (JSONL, one document per line: id, source, title, text) and hashing document lists.</summary>
public static class CorpusFiles
{
    /// <summary>Reads a .jsonl or .jsonl.gz corpus file; every malformed line is reported, not just the first.</summary>
    public static IReadOnlyList<Document> Read(string path)
    {
        if (!File.Exists(path))
            throw new UserInputException($"{path}: corpus file not found.",
                [$"{path}: data.corpus = \"{path}\": the file must exist; give \"embedded\" or a path to a .jsonl/.jsonl.gz corpus file."]);
        using var stream = File.OpenRead(path);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? ReadJsonlGz(stream, path)
            : ReadJsonl(stream, path);
    }

    internal static IReadOnlyList<Document> ReadJsonlGz(Stream stream, string name)
    {
        using var gzip = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
        return ReadJsonl(gzip, name);
    }

    internal static IReadOnlyList<Document> ReadJsonl(Stream stream, string name)
    {
        using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true), false, 1 << 16, leaveOpen: true);
        var documents = new List<Document>();
        var problems = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            try
            {
                using var json = JsonDocument.Parse(line);
                string Field(string field)
                {
                    if (json.RootElement.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String)
                        return value.GetString()!;
                    problems.Add($"{name}: line {lineNumber}: field \"{field}\" is missing or not a string; every line needs string fields id, source, title, text.");
                    return "";
                }
                var doc = new Document(Field("id"), Field("source"), Field("title"), Field("text").ReplaceLineEndings("\n"));
                if (doc.Id.Length > 0 && !ids.Add(doc.Id))
                    problems.Add($"{name}: line {lineNumber}: id \"{doc.Id}\" appears twice; ids must be unique because splits are assigned by id.");
                documents.Add(doc);
            }
            catch (JsonException e)
            {
                problems.Add($"{name}: line {lineNumber}: not valid JSON ({e.Message}); write one JSON object per line.");
            }
        }
        if (documents.Count == 0)
            problems.Add($"{name}: no documents; the corpus needs at least 3 (one each for train, validation and test).");
        if (problems.Count > 0)
            throw new UserInputException($"{name}: cannot read the corpus.", problems);
        return documents;
    }

    /// <summary>
    /// Hash of a document list's ids and texts (order-sensitive), for corpora that are not the embedded bundle.
    /// Length-prefixing every field keeps two different lists from hashing the same bytes.
    /// </summary>
    public static string Hash(IReadOnlyList<Document> documents)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[8];
        foreach (var doc in documents)
        {
            foreach (var field in (ReadOnlySpan<string>)[doc.Id, doc.Text])
            {
                var bytes = Encoding.UTF8.GetBytes(field);
                System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(length, bytes.Length);
                sha.AppendData(length);
                sha.AppendData(bytes);
            }
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
