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
        var streams = SplitNames.Select(s => Open(directory, manifest, s)).ToArray();
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
        int binary = files.Count(f => CorpusSpec.FormatOf(f) == ".bin");
        if (binary > 0 && binary < files.Count)
            throw new UserInputException("Invalid data settings.", [$"data.corpus = \"{corpus}\": mixes {binary} pre-tokenized .bin file(s) with {files.Count - binary} text file(s); use one kind (text files are tokenized here, .bin files were tokenized elsewhere)."]);
        if (binary > 0) return BuildPretokenized(spec, corpus, files, cacheDirectory, progress);
        if (corpus.Splits is not null)
            throw new UserInputException("Invalid data settings.", ["data.corpus.splits: applies to pre-tokenized .bin files only; text documents are split by data.split (per document, by hash). Remove splits or point data.corpus at .bin files."]);
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
                                     assignment, firstDoc, lastOfSplit, (tokens, documentsDone) =>
                                     {
                                         tokensSoFar += tokens;
                                         var elapsed = encodeClock.Elapsed;
                                         if (elapsed - lastReport < TimeSpan.FromSeconds(2)) return;
                                         lastReport = elapsed;
                                         // Within a file, progress is its share of documents done (known from pass 1) × its size.
                                         long within = (long)(sources[f].Bytes * (double)documentsDone / Math.Max(1, docsPerFile[f]));
                                         progress?.Report(Rate(doneBytes + within, totalBytes, tokensSoFar, elapsed, files[f]));
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

    /// <summary>
    /// A corpus of pre-tokenized .bin files (<see cref="PretokenizedFiles"/>): each file's split comes from its name
    /// (train / val / test; without a test file the validation files serve as test too), its ids are checked against
    /// the vocabulary and copied into the store's shard format.  They must all come from one tokenizer, the stock GPT-2
    /// encoding (data.tokenizer.kind "gpt2"): the harness's own BPE is trained here, so no outside file can match it.
    /// UTF-8 bytes (for bits per byte) are counted by decoding 1M-token chunks; a chunk edge that cuts a multi-byte
    /// character can shift the count by a few bytes.  Documents are counted as &lt;|endoftext|&gt; tokens.
    /// </summary>
    static (string Directory, TokenStoreManifest Manifest, Tokenizer Tokenizer, string? TokenizerPath) BuildPretokenized(
        DataSpec spec, CorpusSpec corpus, IReadOnlyList<string> files, string cacheDirectory, IProgress<string>? progress)
    {
        var clock = Stopwatch.StartNew();
        var problems = new List<string>();
        var tokenizerSpec = spec.TokenizerOrDefault;
        if (tokenizerSpec.Kind != TokenizerSpec.Gpt2)
            problems.Add($"data.tokenizer.kind = \"{tokenizerSpec.Kind}\": .bin files were tokenized elsewhere, so the harness's trained BPE cannot match them; set data.tokenizer.kind to \"gpt2\" (the encoding nanoGPT and llm.c's uint16 shards use).");
        var headers = files.Select(f => PretokenizedFiles.ReadHeader(f, problems)).ToList();
        // data.corpus.splits first (name or glob → split), then the file name.
        var splitOf = files.Select(f => corpus.SplitFor(f) ?? PretokenizedFiles.SplitOf(f)).ToList();
        for (int f = 0; f < files.Count; f++)
            if (splitOf[f] is null)
                problems.Add($"{files[f]}: the file name says neither train, val nor test; rename it (e.g. train.bin, val.bin) or map it in data.corpus.splits (e.g. {{\"{System.IO.Path.GetFileName(files[f])}\": \"validation\"}}) so its split is known.");
        foreach (var pattern in corpus.Splits?.Keys ?? [])
            if (!files.Any(f => System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(pattern, System.IO.Path.GetFileName(f), ignoreCase: false)))
                problems.Add($"data.corpus.splits.{pattern}: matches none of the corpus's .bin files ({string.Join(", ", files.Select(System.IO.Path.GetFileName))}); fix the name or remove the entry.");
        var families = headers.Where(h => h is not null).Select(h => h!.TokenizerFamily).Distinct().ToList();
        if (families.Count > 1)
            problems.Add($"data.corpus = \"{corpus}\": the .bin files come from different tokenizers ({string.Join("; ", files.Select((f, i) => headers[i] is null ? null : $"{System.IO.Path.GetFileName(f)}: {headers[i]!.TokenizerFamily}").Where(x => x is not null))}); use files made with one tokenizer.");
        if (!splitOf.Contains(0)) problems.Add($"data.corpus = \"{corpus}\": no .bin file is named for the train split; name one train*.bin or map one in data.corpus.splits.");
        if (!splitOf.Contains(1)) problems.Add($"data.corpus = \"{corpus}\": no .bin file is named for the validation split; name one val*.bin or map one in data.corpus.splits.");
        if (problems.Count > 0) throw new UserInputException("Cannot read the pre-tokenized corpus.", problems);

        var tokenizer = TokenizerLoader.CreateGpt2();
        var identity = new StoreTokenizer(TokenizerSpec.Gpt2, TokenizerSpec.Gpt2VocabSize, DataPipeline.Sha256Hex("tiktoken:gpt2"), null);
        const int idBytes = 2; // GPT-2's 50,257 ids fit uint16
        var sources = files.Select(f => (Path: f, Bytes: new FileInfo(f).Length, Sha256: FileSha256(f))).ToList();
        // The split of each file is part of the corpus's identity once a mapping names it (without one the names decide).
        var corpusHash = DataPipeline.Sha256Hex($"{Version}\nbin\n" + string.Join("\n", sources.Select(x => $"{System.IO.Path.GetFileName(x.Path)} {x.Bytes} {x.Sha256}"))
                                                + (corpus.Splits is null ? "" : "\nsplits\n" + string.Join("\n", files.Select((f, i) => $"{System.IO.Path.GetFileName(f)} {splitOf[i]}"))));
        var key = DataPipeline.Sha256Hex($"{Version}\nstore\ncorpus={corpusHash}\nsplit=files\ntokenizer={identity.Sha256}\nid_bytes={idBytes}");
        var directory = System.IO.Path.Combine(cacheDirectory, "store", key[..16]);
        if (TryReadManifest(directory) is { } existing && existing.Key == key)
        {
            progress?.Report($"tokens: store {directory} is complete");
            return (directory, existing, tokenizer, null);
        }
        Directory.CreateDirectory(System.IO.Path.Combine(directory, "shards"));
        var sidecars = new ShardSidecar[files.Count];
        int endOfText = TokenizerSpec.Gpt2VocabSize - 1; // <|endoftext|>, between documents in nanoGPT and llm.c files
        for (int f = 0; f < files.Count; f++)
        {
            var sidecarPath = System.IO.Path.Combine(directory, "shards", $"{f:D5}.json");
            if (TryReadSidecar(sidecarPath, key, sources[f].Sha256, directory, f, idBytes) is { } done) { sidecars[f] = done; continue; }
            var header = headers[f]!;
            int s = splitOf[f]!.Value;
            var paths = Enumerable.Range(0, 3).Select(x => System.IO.Path.Combine(directory, ShardName(f, x, idBytes))).ToArray();
            var tokens = new long[3];
            var bytes = new long[3];
            var chars = new long[3];
            var docs = new long[3];
            var badIds = new List<string>();
            var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var heldOutPath = System.IO.Path.Combine(directory, "shards", $"{f:D5}.validation.jsonl");
            var heldOut = new StringBuilder();
            AtomicFile.Write(paths[s], output =>
            {
                const int chunk = 1 << 20;
                var ids = new int[chunk];
                var buffer = new byte[chunk * idBytes];
                for (long start = 0; start < header.Tokens; start += chunk)
                {
                    int n = (int)Math.Min(chunk, header.Tokens - start);
                    var span = ids.AsSpan(0, n);
                    PretokenizedFiles.ReadIds(files[f], header, start, span);
                    for (int j = 0; j < n; j++)
                    {
                        if ((uint)span[j] >= (uint)identity.VocabSize)
                        {
                            if (badIds.Count < 5) badIds.Add($"{files[f]}: token {start + j:N0} is id {span[j]}, outside the GPT-2 vocabulary (0..{identity.VocabSize - 1}); the file was made with another tokenizer — give files made with GPT-2's.");
                            continue;
                        }
                        if (span[j] == endOfText) docs[s]++;
                        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(j * 2), (ushort)span[j]);
                    }
                    if (badIds.Count > 0) continue;
                    output.Write(buffer, 0, n * idBytes);
                    hash.AppendData(buffer, 0, n * idBytes);
                    var text = tokenizer.Decode(span.ToArray()) ?? "";
                    bytes[s] += Encoding.UTF8.GetByteCount(text);
                    chars[s] += text.Length;
                    if (s == 1 && heldOut.Length < MaxHeldOutCharacters) heldOut.Append(text);
                }
                tokens[s] = header.Tokens;
                if (badIds.Count > 0) throw new UserInputException($"{files[f]}: ids outside the vocabulary.", badIds);
            });
            for (int x = 0; x < 3; x++)
                if (x != s) AtomicFile.WriteAllBytes(paths[x], []);
            docs[s] = Math.Max(1, docs[s]);
            AtomicFile.WriteAllText(heldOutPath, string.Concat(heldOut.ToString().Split("<|endoftext|>").Where(t => t.Trim().Length > 0)
                .Select((t, i) => JsonSerializer.Serialize(new { id = $"{System.IO.Path.GetFileName(files[f])}:{i + 1}", text = t }) + "\n")));
            var shas = new string[3];
            for (int x = 0; x < 3; x++) shas[x] = x == s ? Convert.ToHexStringLower(hash.GetHashAndReset()) : Convert.ToHexStringLower(SHA256.HashData(ReadOnlySpan<byte>.Empty));
            sidecars[f] = new ShardSidecar(key, sources[f].Sha256, docs[s], tokens, bytes, chars, docs, shas);
            AtomicFile.WriteAllText(sidecarPath, JsonSerializer.Serialize(sidecars[f], Json) + "\n");
            progress?.Report(string.Create(CultureInfo.InvariantCulture, $"tokens: {System.IO.Path.GetFileName(files[f])}: {header.Tokens:N0} {SplitNames[s]} tokens ({header.Layout})"));
        }
        var splits = new Dictionary<string, StoreSplit>();
        for (int x = 0; x < 3; x++)
        {
            // Without a test file the validation files serve as the test split too.
            int from = x == 2 && !splitOf.Contains(2) ? 1 : x;
            var members = Enumerable.Range(0, files.Count).Where(f => splitOf[f] == from).ToList();
            splits[SplitNames[x]] = new StoreSplit(members.Select(f => ShardName(f, from, idBytes)).ToList(), members.Sum(f => sidecars[f].DocumentsPerSplit[from]),
                                                   members.Sum(f => sidecars[f].Tokens[from]), members.Sum(f => sidecars[f].Utf8Bytes[from]), members.Sum(f => sidecars[f].Characters[from]));
        }
        var manifest = new TokenStoreManifest(Version, key, corpusHash, corpus.ToString(), "files", identity, idBytes,
            sources.Select((x, f) => new StoreSource(x.Path, x.Bytes, x.Sha256, sidecars[f].Documents)).ToList(), splits, clock.Elapsed.TotalSeconds);
        AtomicFile.WriteAllText(System.IO.Path.Combine(directory, ManifestFile), JsonSerializer.Serialize(manifest, Json) + "\n");
        return (directory, manifest, tokenizer, null);
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
                                   Action<long, long> encoded)
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
                    encoded(batchTokens, documents);
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

    /// <summary>Writes manifest.json (atomically): the last file of a store, which makes the folder a store.</summary>
    public static void WriteManifest(string directory, TokenStoreManifest manifest) =>
        AtomicFile.WriteAllText(System.IO.Path.Combine(directory, ManifestFile), JsonSerializer.Serialize(manifest, Json) + "\n");

    /// <summary>Reads a manifest that must be there (for `harness data inspect DIR`).</summary>
    public static TokenStoreManifest ReadManifest(string directory) =>
        TryReadManifest(directory) ?? throw new UserInputException($"{directory}: not a token store.",
            [$"{directory}: no readable {ManifestFile}; give a folder written by `harness data prepare` (under .cache/data/store/) or a config file."]);

    /// <summary>
    /// One split read in place: its shards memory-mapped (<see cref="MappedTokenIds"/>), nothing loaded, so training and
    /// held-out evaluation work on a split of any size in memory that does not grow with it.
    /// </summary>
    public static TokenStream Open(string directory, TokenStoreManifest manifest, string split)
    {
        var info = manifest.Splits[split];
        var paths = info.Shards.Select(s => System.IO.Path.Combine(directory, s)).ToList();
        var missing = paths.Where(p => !File.Exists(p)).ToList();
        if (missing.Count > 0)
            throw new UserInputException($"{directory}: the {split} split is damaged.", missing.Select(p => $"{p}: shard missing; delete the folder and run `harness data prepare` again.").ToList());
        MappedTokenIds ids;
        try { ids = new MappedTokenIds(paths, manifest.IdBytes); }
        catch (InvalidDataException e) { throw new UserInputException($"{directory}: the {split} split is damaged.", [$"{e.Message} Delete the folder and run `harness data prepare` again."]); }
        if (ids.Length != info.Tokens)
        {
            ids.Dispose();
            throw new UserInputException($"{directory}: the {split} split is damaged.", [$"{directory}: the shards hold {ids.Length:N0} tokens, the manifest says {info.Tokens:N0}; delete the folder and run `harness data prepare` again."]);
        }
        return new TokenStream(ids, info.Utf8Bytes);
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
