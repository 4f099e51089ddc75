using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO.MemoryMappedFiles;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML.Tokenizers;
using Harness.Config;
using Harness.IO;

namespace Harness.Data;

/// <summary>One source file of a store: what was read (name, size, sha256) and how many documents it gave.</summary>
public sealed record StoreSource(string Path, long Bytes, string Sha256, long Documents);

/// <summary>One split of a store: its shard files (in order), documents, tokens, UTF-8 bytes and characters.</summary>
public sealed record StoreSplit(IReadOnlyList<string> Shards, long Documents, long Tokens, long Utf8Bytes, long Characters);

/// <summary>The tokenizer a store was encoded with: kind, vocabulary size and the hash that identifies it.</summary>
public sealed record StoreTokenizer(string Kind, int VocabSize, string Sha256, string? RankFile);

/// <summary>
/// manifest.json of a token store, written last: a folder without it (or with another key) is not a store.
/// </summary>
public sealed record TokenStoreManifest(
    string Version, string Key, string CorpusHash, string Corpus, string Split, StoreTokenizer Tokenizer, int IdBytes,
    IReadOnlyList<StoreSource> Sources, IReadOnlyDictionary<string, StoreSplit> Splits, double PrepareSeconds);

/// <summary>
/// A corpus tokenized once into flat little-endian id files (uint16 when the vocabulary fits in 65,536 ids, else
/// uint32; no header, as nanoGPT's train.bin), one shard per source file and split, plus manifest.json.
///
/// Preparation streams: pass 1 reads every document's id (8 bytes kept per document: its split score) and hashes
/// the files; the split is then assigned exactly as <see cref="CorpusSplitter"/> does (ranked by sha256(seed, id),
/// sizes round(n·v), round(n·t)); pass 2 re-reads each file, encodes batches of documents in parallel on all cores
/// and appends ids to that file's shards.  A shard's sidecar (shards/NNNNN.json) is written after its id files, so
/// a killed preparation resumes at the first source file without one.  Each document is encoded with the separator
/// that follows it in its split, so the ids equal the in-memory path's <see cref="DataPipeline.Encode"/> exactly.
/// </summary>
public static class TokenStore
{
    public const string Version = "harness-store-v1";
    public const string ManifestFile = "manifest.json";
    public static readonly IReadOnlyList<string> SplitNames = ["train", "validation", "test"];
    /// <summary>Validation text kept for text-based evaluation tasks (last_word), at most this many characters.</summary>
    const long MaxHeldOutCharacters = 32L << 20;
    /// <summary>Characters of text encoded per parallel batch: large enough to keep every core busy, small enough
    /// that memory stays flat whatever the corpus size.</summary>
    const long BatchCharacters = 8L << 20;

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    sealed record ShardSidecar(string Key, string SourceSha256, long Documents, long[] Tokens, long[] Utf8Bytes, long[] Characters, long[] DocumentsPerSplit, string[] Sha256);

    /// <summary>Opens the store for <paramref name="spec"/>, preparing it first where it is missing or incomplete.</summary>
    public static PreparedData Prepare(DataSpec spec, string cacheDirectory, IProgress<string>? progress = null)
    {
        var (directory, manifest, tokenizer, tokenizerPath) = Build(spec, cacheDirectory, progress);
        var streams = SplitNames.Select(s => Load(directory, manifest, s)).ToArray();
        var heldOut = ReadHeldOut(directory, manifest);
        var split = new CorpusSplit([], heldOut, []);
        return new PreparedData(tokenizer, spec.TokenizerOrDefault, tokenizerPath, manifest.CorpusHash, manifest.Tokenizer.Sha256,
                                manifest.Tokenizer.VocabSize, split, streams[0], streams[1], streams[2], tokensFromCache: true)
        {
            TrainStreamHash = manifest.Key,
            TrainCharacters = manifest.Splits["train"].Characters,
            StoreDirectory = directory,
        };
    }

    /// <summary>Prepares (or resumes, or finds) the store; returns its folder and manifest without loading tokens.</summary>
    public static (string Directory, TokenStoreManifest Manifest, Tokenizer Tokenizer, string? TokenizerPath) Build(
        DataSpec spec, string cacheDirectory, IProgress<string>? progress = null)
    {
        var problems = DataSpecValidator.Validate(spec, "(data spec)").ToList();
        var corpus = spec.CorpusOrDefault;
        if (corpus.IsEmbedded) problems.Add("data.corpus = \"embedded\": the bundled corpus is prepared in memory, not as a token store; point data.corpus at files.");
        if (problems.Count > 0) throw new UserInputException("Invalid data settings.", problems);
        var files = corpus.ExpandFiles(problems);
        if (problems.Count > 0) throw new UserInputException("Invalid data settings.", problems);
        var clock = Stopwatch.StartNew();
        var splitSpec = spec.SplitOrDefault;
        var splitKey = string.Create(CultureInfo.InvariantCulture, $"v={splitSpec.ValidationFraction:R},t={splitSpec.TestFraction:R},seed={splitSpec.Seed}");

        // Pass 0: file identity.  The corpus hash names files by name, size and content, not folder, so moving the
        // corpus keeps its store.
        var sources = files.Select(f => (Path: f, Bytes: new FileInfo(f).Length, Sha256: FileSha256(f))).ToList();
        var corpusHash = DataPipeline.Sha256Hex($"{Version}\ncorpus\ntext_field={corpus.TextField}\nid_field={corpus.IdField}\ntxt_separator={corpus.TxtSeparator}\n"
                                                + string.Join("\n", sources.Select(s => $"{System.IO.Path.GetFileName(s.Path)} {s.Bytes} {s.Sha256}")));

        // Pass 1: every document's split score (the only per-document state kept), documents per file.
        var scores = new List<ulong>();
        var docsPerFile = new long[files.Count];
        for (int f = 0; f < files.Count; f++)
        {
            foreach (var doc in CorpusSources.ReadFile(files[f], corpus))
            {
                scores.Add(CorpusSplitter.Score(splitSpec.Seed, doc.Id));
                docsPerFile[f]++;
            }
            if (docsPerFile[f] == 0) problems.Add($"{files[f]}: holds no documents; remove it from data.corpus or fix its {(CorpusSpec.FormatOf(files[f]) == ".txt" ? "text" : $"\"{corpus.TextField}\" field")}.");
        }
        if (problems.Count > 0) throw new UserInputException("Cannot prepare the corpus.", problems);
        var assignment = CorpusSplitter.Assign(scores, splitSpec, problems);
        if (problems.Count > 0) throw new UserInputException("Cannot split the corpus.", problems);
        scores = null;
        var lastOfSplit = new long[3] { -1, -1, -1 };
        for (long i = 0; i < assignment.Length; i++) lastOfSplit[assignment[i]] = i;
        progress?.Report($"corpus {corpusHash[..12]}: {files.Count} file(s), {assignment.Length} documents → train {assignment.LongCount(a => a == 0)}, validation {assignment.LongCount(a => a == 1)}, test {assignment.LongCount(a => a == 2)}");

        // The tokenizer; trained BPE sees exactly the train stream's text (a streaming pass over the train documents).
        var tokenizerSpec = spec.TokenizerOrDefault;
        Tokenizer tokenizer;
        string? tokenizerPath = null;
        StoreTokenizer identity;
        if (tokenizerSpec.Kind == TokenizerSpec.Gpt2)
        {
            tokenizer = TokenizerLoader.CreateGpt2();
            identity = new StoreTokenizer(TokenizerSpec.Gpt2, TokenizerSpec.Gpt2VocabSize, DataPipeline.Sha256Hex("tiktoken:gpt2"), null);
        }
        else
        {
            var vocabulary = DataPipeline.TrainOrLoadBpe(TrainTexts(files, corpus, assignment, lastOfSplit[0]), (int)Math.Min(int.MaxValue, assignment.LongCount(a => a == 0)),
                                                         corpusHash, splitKey, tokenizerSpec.VocabSize, cacheDirectory, progress, out var rankFile);
            tokenizer = TokenizerLoader.FromVocabulary(vocabulary);
            tokenizerPath = rankFile;
            identity = new StoreTokenizer(TokenizerSpec.Bpe, vocabulary.Count, vocabulary.Sha256, System.IO.Path.GetFileName(rankFile));
        }
        int idBytes = identity.VocabSize <= 65536 ? 2 : 4;
        var key = DataPipeline.Sha256Hex($"{Version}\nstore\ncorpus={corpusHash}\nsplit={splitKey}\ntokenizer={identity.Sha256}\nseparator={DataPipeline.Separator}\nid_bytes={idBytes}");
        var directory = System.IO.Path.Combine(cacheDirectory, "store", key[..16]);
        if (TryReadManifest(directory) is { } existing && existing.Key == key)
        {
            progress?.Report($"tokens: store {directory} is complete");
            return (directory, existing, tokenizer, tokenizerPath);
        }

        // Pass 2: encode file by file; a file whose sidecar matches is already done (resume).
        Directory.CreateDirectory(System.IO.Path.Combine(directory, "shards"));
        long totalBytes = sources.Sum(s => s.Bytes), doneBytes = 0, tokensSoFar = 0;
        var encodeClock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        long firstDoc = 0;
        var sidecars = new ShardSidecar[files.Count];
        for (int f = 0; f < files.Count; f++)
        {
            var sidecarPath = System.IO.Path.Combine(directory, "shards", $"{f:D5}.json");
            var sidecar = TryReadSidecar(sidecarPath, key, sources[f].Sha256, directory, f, idBytes);
            if (sidecar is not null) progress?.Report($"tokens: {System.IO.Path.GetFileName(files[f])} already encoded (resumed)");
            else
            {
                sidecar = EncodeFile(files[f], corpus, tokenizer, idBytes, identity.VocabSize, key, sources[f].Sha256, directory, f,
                                     assignment, firstDoc, lastOfSplit, tokens =>
                                     {
                                         tokensSoFar += tokens;
                                         var elapsed = encodeClock.Elapsed;
                                         if (elapsed - lastReport < TimeSpan.FromSeconds(2)) return;
                                         lastReport = elapsed;
                                         progress?.Report(Rate(doneBytes, totalBytes, tokensSoFar, elapsed, files[f]));
                                     });
                AtomicFile.WriteAllText(sidecarPath, JsonSerializer.Serialize(sidecar, Json) + "\n");
            }
            sidecars[f] = sidecar;
            if (sidecar.Documents != docsPerFile[f])
                throw new UserInputException($"{files[f]}: the file changed while it was being prepared.", [$"{files[f]}: read {docsPerFile[f]} documents in the first pass and {sidecar.Documents} in the second; leave the corpus files alone during `harness data prepare` and run it again."]);
            firstDoc += docsPerFile[f];
            doneBytes += sources[f].Bytes;
            progress?.Report(Rate(doneBytes, totalBytes, tokensSoFar, encodeClock.Elapsed, files[f]));
        }

        var splits = new Dictionary<string, StoreSplit>();
        for (int s = 0; s < 3; s++)
            splits[SplitNames[s]] = new StoreSplit(Enumerable.Range(0, files.Count).Select(f => ShardName(f, s, idBytes)).ToList(),
                                                   sidecars.Sum(c => c.DocumentsPerSplit[s]), sidecars.Sum(c => c.Tokens[s]),
                                                   sidecars.Sum(c => c.Utf8Bytes[s]), sidecars.Sum(c => c.Characters[s]));
        var manifest = new TokenStoreManifest(Version, key, corpusHash, corpus.ToString(), splitKey, identity, idBytes,
            sources.Select((s, f) => new StoreSource(s.Path, s.Bytes, s.Sha256, docsPerFile[f])).ToList(), splits, clock.Elapsed.TotalSeconds);
        AtomicFile.WriteAllText(System.IO.Path.Combine(directory, ManifestFile), JsonSerializer.Serialize(manifest, Json) + "\n");
        progress?.Report(string.Create(CultureInfo.InvariantCulture,
            $"tokens: store {directory}: train {splits["train"].Tokens:N0}, validation {splits["validation"].Tokens:N0}, test {splits["test"].Tokens:N0} tokens in {clock.Elapsed.TotalSeconds:F1} s"));
        return (directory, manifest, tokenizer, tokenizerPath);
    }

    static string Rate(long doneBytes, long totalBytes, long tokens, TimeSpan elapsed, string file)
    {
        double seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        double mbPerSecond = doneBytes / 1e6 / seconds;
        string eta = doneBytes > 0 && doneBytes < totalBytes ? $", ETA {TimeSpan.FromSeconds((totalBytes - doneBytes) / (doneBytes / seconds)):hh\\:mm\\:ss}" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"tokens: {doneBytes / 1e6:F0}/{totalBytes / 1e6:F0} MB of files ({100.0 * doneBytes / Math.Max(1, totalBytes):F0}%), {mbPerSecond:F1} MB/s, {tokens / seconds:N0} tokens/s{eta} [{System.IO.Path.GetFileName(file)}]");
    }

    static IEnumerable<string> TrainTexts(IReadOnlyList<string> files, CorpusSpec corpus, byte[] assignment, long lastTrain)
    {
        long i = 0;
        foreach (var doc in CorpusSources.Read(files, corpus))
        {
            if (assignment[i] == 0) yield return i == lastTrain ? doc.Text : doc.Text + DataPipeline.Separator;
            i++;
        }
    }

    public static string ShardName(int file, int split, int idBytes) => $"shards/{file:D5}.{SplitNames[split]}.u{idBytes * 8}";

    static ShardSidecar EncodeFile(string file, CorpusSpec corpus, Tokenizer tokenizer, int idBytes, int vocabSize, string key,
                                   string sourceSha, string directory, int f, byte[] assignment, long firstDoc, long[] lastOfSplit,
                                   Action<long> encoded)
    {
        var paths = Enumerable.Range(0, 3).Select(s => System.IO.Path.Combine(directory, ShardName(f, s, idBytes))).ToArray();
        var temps = paths.Select(p => p + ".tmp").ToArray();
        var outputs = temps.Select(t => new FileStream(t, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20)).ToArray();
        var hashes = Enumerable.Range(0, 3).Select(_ => IncrementalHash.CreateHash(HashAlgorithmName.SHA256)).ToArray();
        var heldOutPath = System.IO.Path.Combine(directory, "shards", $"{f:D5}.validation.jsonl");
        var tokens = new long[3];
        var bytes = new long[3];
        var chars = new long[3];
        var docs = new long[3];
        long documents = 0;
        try
        {
            using (var heldOut = new StreamWriter(heldOutPath + ".tmp", false, new UTF8Encoding(false)))
            {
                var batch = new List<(string Text, int Split)>();
                long batchChars = 0;
                void Flush()
                {
                    var pieces = new int[batch.Count][];
                    Parallel.For(0, batch.Count, i =>
                    {
                        var ids = tokenizer.EncodeToIds(batch[i].Text);
                        var array = new int[ids.Count];
                        for (int j = 0; j < array.Length; j++) array[j] = ids[j];
                        pieces[i] = array;
                    });
                    long batchTokens = 0;
                    var buffer = Array.Empty<byte>();
                    for (int i = 0; i < batch.Count; i++)
                    {
                        var (text, s) = batch[i];
                        var ids = pieces[i];
                        int length = ids.Length * idBytes;
                        if (buffer.Length < length) buffer = new byte[Math.Max(length, buffer.Length * 2)];
                        for (int j = 0; j < ids.Length; j++)
                        {
                            if ((uint)ids[j] >= (uint)vocabSize)
                                throw new InvalidOperationException($"Token id {ids[j]} is outside the vocabulary (size {vocabSize}).");
                            if (idBytes == 2) BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(j * 2), (ushort)ids[j]);
                            else BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(j * 4), (uint)ids[j]);
                        }
                        outputs[s].Write(buffer, 0, length);
                        hashes[s].AppendData(buffer, 0, length);
                        tokens[s] += ids.Length;
                        bytes[s] += Encoding.UTF8.GetByteCount(text);
                        batchTokens += ids.Length;
                    }
                    batch.Clear();
                    batchChars = 0;
                    encoded(batchTokens);
                }
                foreach (var doc in CorpusSources.ReadFile(file, corpus))
                {
                    long index = firstDoc + documents++;
                    int s = assignment[index];
                    docs[s]++;
                    chars[s] += doc.Text.Length;
                    if (s == 1 && chars[1] <= MaxHeldOutCharacters) heldOut.WriteLine(JsonSerializer.Serialize(new { id = doc.Id, text = doc.Text }));
                    var text = index == lastOfSplit[s] ? doc.Text : doc.Text + DataPipeline.Separator;
                    batch.Add((text, s));
                    batchChars += text.Length;
                    if (batchChars >= BatchCharacters) Flush();
                }
                Flush();
            }
            foreach (var o in outputs) { o.Flush(flushToDisk: true); o.Dispose(); }
            for (int s = 0; s < 3; s++) File.Move(temps[s], paths[s], overwrite: true);
            File.Move(heldOutPath + ".tmp", heldOutPath, overwrite: true);
        }
        finally
        {
            foreach (var o in outputs) o.Dispose();
            foreach (var t in temps.Append(heldOutPath + ".tmp")) if (File.Exists(t)) File.Delete(t);
        }
        var shas = hashes.Select(h => Convert.ToHexStringLower(h.GetHashAndReset())).ToArray();
        return new ShardSidecar(key, sourceSha, documents, tokens, bytes, chars, docs, shas);
    }

    static ShardSidecar? TryReadSidecar(string path, string key, string sourceSha, string directory, int f, int idBytes)
    {
        try
        {
            if (!File.Exists(path)) return null;
            var sidecar = JsonSerializer.Deserialize<ShardSidecar>(File.ReadAllText(path), Json);
            if (sidecar is null || sidecar.Key != key || sidecar.SourceSha256 != sourceSha) return null;
            for (int s = 0; s < 3; s++)
            {
                var shard = System.IO.Path.Combine(directory, ShardName(f, s, idBytes));
                if (!File.Exists(shard) || new FileInfo(shard).Length != sidecar.Tokens[s] * idBytes) return null;
            }
            return sidecar;
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null; // a damaged sidecar: encode the file again
        }
    }

    public static TokenStoreManifest? TryReadManifest(string directory)
    {
        var path = System.IO.Path.Combine(directory, ManifestFile);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<TokenStoreManifest>(File.ReadAllText(path), Json); }
        catch (JsonException) { return null; }
    }

    /// <summary>Reads a manifest that must be there (for `harness data inspect DIR`).</summary>
    public static TokenStoreManifest ReadManifest(string directory) =>
        TryReadManifest(directory) ?? throw new UserInputException($"{directory}: not a token store.",
            [$"{directory}: no readable {ManifestFile}; give a folder written by `harness data prepare` (under .cache/data/store/) or a config file."]);

    /// <summary>Token ids of one split, read shard by shard through a memory map.</summary>
    public static TokenStream Load(string directory, TokenStoreManifest manifest, string split)
    {
        var info = manifest.Splits[split];
        if (info.Tokens > Array.MaxLength)
            throw new UserInputException($"{directory}: the {split} split has {info.Tokens:N0} tokens.", [$"{directory}: training holds a split in memory, at most {Array.MaxLength:N0} tokens; use fewer corpus files."]);
        var tokens = new int[info.Tokens];
        long offset = 0;
        foreach (var shard in info.Shards)
        {
            var path = System.IO.Path.Combine(directory, shard);
            long count = new FileInfo(path).Length / manifest.IdBytes;
            ReadIds(path, manifest.IdBytes, 0, tokens.AsSpan((int)offset, (int)count));
            offset += count;
        }
        if (offset != info.Tokens)
            throw new UserInputException($"{directory}: the {split} split is damaged.", [$"{directory}: the shards hold {offset:N0} tokens, the manifest says {info.Tokens:N0}; delete the folder and run `harness data prepare` again."]);
        return new TokenStream(tokens, info.Utf8Bytes);
    }

    /// <summary>Copies ids [start, start + target.Length) of a shard into <paramref name="target"/> through a memory map.</summary>
    public static void ReadIds(string path, int idBytes, long start, Span<int> target)
    {
        if (target.Length == 0) return;
        using var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = map.CreateViewAccessor(start * idBytes, (long)target.Length * idBytes, MemoryMappedFileAccess.Read);
        const int chunk = 1 << 16;
        var buffer = new byte[chunk * idBytes];
        for (int done = 0; done < target.Length; done += chunk)
        {
            int n = Math.Min(chunk, target.Length - done);
            view.ReadArray((long)done * idBytes, buffer, 0, n * idBytes);
            for (int j = 0; j < n; j++)
                target[done + j] = idBytes == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(j * 2)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(j * 4));
        }
    }

    static IReadOnlyList<Document> ReadHeldOut(string directory, TokenStoreManifest manifest)
    {
        var docs = new List<Document>();
        long chars = 0;
        for (int f = 0; f < manifest.Sources.Count && chars < MaxHeldOutCharacters; f++)
        {
            var path = System.IO.Path.Combine(directory, "shards", $"{f:D5}.validation.jsonl");
            if (!File.Exists(path)) continue;
            foreach (var line in File.ReadLines(path))
            {
                using var json = JsonDocument.Parse(line);
                var text = json.RootElement.GetProperty("text").GetString()!;
                docs.Add(new Document(json.RootElement.GetProperty("id").GetString()!, manifest.Sources[f].Path, "", text));
                if ((chars += text.Length) >= MaxHeldOutCharacters) break;
            }
        }
        return docs;
    }

    static string FileSha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
