using System.Text;
using BenchmarkDotNet.Attributes;
using Harness.Data;

namespace Harness.Benchmarks;

/// <summary>
/// Encoding throughput of the trained 1024-rank BPE (TiktokenTokenizer with the GPT-2 pre-tokenizer, as the harness
/// builds it) on the first 1 MB (10^6 UTF-8 bytes) of the embedded corpus's train stream: one EncodeToIds call on one
/// thread, and <see cref="DataPipeline.Encode"/> (documents encoded in parallel on the thread pool, the data-preparation
/// path) on the same bytes as a list of documents.  Data preparation encodes the whole corpus once per tokenizer, so
/// MB/s says how long that step takes.
/// </summary>
// In-process: see TrainingStepBenchmarks.
[InProcess]
[MemoryDiagnoser]
[WarmupCount(2)]
[IterationCount(8)]
[ThroughputColumn("MB")]
public class TokenizerBenchmarks
{
    /// <summary>UTF-8 bytes encoded per operation (1 MB), which the MB/s column divides by the mean time.</summary>
    const int ChunkBytes = 1_000_000;

    string chunk = "";
    string[] documents = [];

    [GlobalSetup]
    public void Setup()
    {
        // Whole train documents while they fit, then a prefix of the next one, so that the documents joined by the
        // separator (what DataPipeline.Encode encodes) are exactly ChunkBytes long.
        int separatorBytes = Encoding.UTF8.GetByteCount(DataPipeline.Separator);
        var taken = new List<string>();
        int bytes = 0;
        foreach (var document in CorpusTokenizer.TrainDocuments)
        {
            int joined = taken.Count == 0 ? 0 : separatorBytes;
            int room = ChunkBytes - bytes - joined;
            if (room <= 0) break;
            var piece = Prefix(document, room);
            taken.Add(piece);
            bytes += joined + Encoding.UTF8.GetByteCount(piece);
            if (bytes == ChunkBytes) break;
        }
        // A cut on a character boundary can fall up to 3 bytes short: pad with spaces.
        if (bytes is < ChunkBytes and >= ChunkBytes - 3) taken[^1] += new string(' ', ChunkBytes - bytes);
        documents = [.. taken];
        chunk = string.Join(DataPipeline.Separator, documents);
        if (Encoding.UTF8.GetByteCount(chunk) != ChunkBytes)
            throw new InvalidOperationException($"benchmark text is {Encoding.UTF8.GetByteCount(chunk)} bytes, not {ChunkBytes}; is the train split smaller than that?");
    }

    /// <summary>The longest prefix of <paramref name="text"/> of at most <paramref name="maxBytes"/> UTF-8 bytes, on a character boundary.</summary>
    static string Prefix(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes) return text;
        var utf8 = Encoding.UTF8.GetBytes(text);
        int end = maxBytes;
        while (end > 0 && (utf8[end] & 0xC0) == 0x80) end--;
        return Encoding.UTF8.GetString(utf8, 0, end);
    }

    [Benchmark(Baseline = true)]
    [WorkPerOperation(ChunkBytes / 1e6, "MB")]
    public int EncodeOneThread() => CorpusTokenizer.Tokenizer.EncodeToIds(chunk).Count;

    [Benchmark]
    [WorkPerOperation(ChunkBytes / 1e6, "MB")]
    public long DataPipelineEncode() => DataPipeline.Encode(CorpusTokenizer.Tokenizer, documents).Count;
}
