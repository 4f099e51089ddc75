using System.Text.Json;
using Harness.Data;
using Parquet;
using Parquet.Schema;

namespace Harness.Benchmarks;

/// <summary>
/// Writes a large corpus for the preparation benchmarks: the embedded documents, each copy under a new id and with its
/// paragraphs rotated by the copy number so the text is not a byte-for-byte repeat.  JSONL lines are {"id","text"};
/// Parquet files (Parquet.Net) have string columns id and text in row groups of 1,000 documents (about 30 MB of text each).
/// </summary>
static class CorpusGenerator
{
    public static int Write(string format, string path, long textBytes)
    {
        var docs = EmbeddedCorpus.Load();
        IEnumerable<(string Id, string Text)> Documents()
        {
            long written = 0;
            for (int copy = 0; ; copy++)
                foreach (var d in docs)
                {
                    var paragraphs = d.Text.Split("\n\n");
                    int shift = copy % Math.Max(1, paragraphs.Length);
                    var text = string.Join("\n\n", paragraphs.Skip(shift).Concat(paragraphs.Take(shift)));
                    yield return ($"{d.Id}#{copy}", text);
                    if ((written += System.Text.Encoding.UTF8.GetByteCount(text)) >= textBytes) yield break;
                }
        }
        if (format == "jsonl")
        {
            using var writer = new StreamWriter(path, false, new System.Text.UTF8Encoding(false), 1 << 20);
            foreach (var (id, text) in Documents()) writer.WriteLine(JsonSerializer.Serialize(new { id, text }));
            return 0;
        }
        if (format != "parquet") { Console.Error.WriteLine("format must be jsonl or parquet"); return 2; }
        var idField = new DataField<string>("id");
        var textField = new DataField<string>("text");
        using var stream = File.Create(path);
        var parquet = ParquetWriter.CreateAsync(new ParquetSchema(idField, textField), stream).GetAwaiter().GetResult();
        foreach (var chunk in Documents().Chunk(1_000))
        {
            using var group = parquet.CreateRowGroup();
            group.WriteAsync(idField, chunk.Select(c => c.Id).ToArray()).GetAwaiter().GetResult();
            group.WriteAsync(textField, chunk.Select(c => c.Text).ToArray()).GetAwaiter().GetResult();
        }
        parquet.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return 0;
    }
}
