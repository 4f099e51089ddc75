using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;
using Harness.Config;
using Harness.IO;

namespace Harness.Data;

/// <summary>A corpus split, tokenized, with the tokenizer that produced it.  Disposing it unmaps a token store's
/// shards (the maps are also released when it is collected).</summary>
public sealed class PreparedData : IDisposable
{
    internal PreparedData(Tokenizer tokenizer, TokenizerSpec tokenizerSpec, string? tokenizerPath, string corpusHash,
                          string tokenizerHash, int vocabSize, CorpusSplit split, TokenStream train,
                          TokenStream validation, TokenStream test, bool tokensFromCache)
    {
        Tokenizer = tokenizer;
        TokenizerSpec = tokenizerSpec;
        TokenizerPath = tokenizerPath;
        CorpusHash = corpusHash;
        TokenizerHash = tokenizerHash;
        VocabSize = vocabSize;
        Split = split;
        Train = train;
        Validation = validation;
        Test = test;
        TokensFromCache = tokensFromCache;
    }

    public Tokenizer Tokenizer { get; }
    public TokenizerSpec TokenizerSpec { get; }
    /// <summary>The trained .tiktoken rank file in the cache, or the "hf" tokenizer file; null for a stock encoding.</summary>
    public string? TokenizerPath { get; }
    public string CorpusHash { get; }
    /// <summary>sha256 of the rank file (trained BPE) or of the "hf" file; a fixed tag's hash for a stock encoding.</summary>
    public string TokenizerHash { get; }
    /// <summary>Embedding/output size models need: every id in every stream is below it.</summary>
    public int VocabSize { get; }
    public CorpusSplit Split { get; }
    public TokenStream Train { get; }
    public TokenStream Validation { get; }
    public TokenStream Test { get; }
    /// <summary>Hash of everything the token streams depend on (corpus, split, tokenizer, separator, data mix): the key
    /// for every cache derived from the training stream.</summary>
    public string TrainStreamHash { get; init; } = "";
    /// <summary>Characters (UTF-16) of the train split's documents, without separators: what a data mix is sized by.</summary>
    public long TrainCharacters { get; init; }
    /// <summary>The token store folder the streams were read from; null for the in-memory path (embedded corpus, mixes).</summary>
    public string? StoreDirectory { get; init; }
    /// <summary>True when the token streams were read from the cache rather than encoded.</summary>
    public bool TokensFromCache { get; }

    public void Dispose()
    {
        foreach (var stream in new[] { Train, Validation, Test })
            (stream.Tokens as IDisposable)?.Dispose();
    }

    /// <summary>The file a checkpoint names as its tokenizer: the rank file for trained BPE, the descriptor otherwise.</summary>
    public string TokenizerFileName => TokenizerSpec.Kind == TokenizerSpec.Bpe ? TokenizerLoader.TiktokenFileName : TokenizerLoader.DescriptorFileName;

    /// <summary>
    /// Writes the tokenizer next to a checkpoint so it can be reloaded with <see cref="TokenizerLoader.Load"/>:
    /// tokenizer.tiktoken for trained BPE; for the others the descriptor harness-tokenizer.json ({"kind":…}), with an
    /// "hf" file copied beside it.  Returns the path of <see cref="TokenizerFileName"/>.
    /// </summary>
    public string CopyTokenizerTo(string directory)
    {
        Directory.CreateDirectory(directory);
        if (TokenizerSpec.Kind != TokenizerSpec.Bpe)
            return TokenizerLoader.WriteDescriptor(new LoadedTokenizer(Tokenizer, TokenizerSpec.Kind, TokenizerPath, TokenizerHash, VocabSize, ""), directory);
        var target = Path.Combine(directory, TokenizerLoader.TiktokenFileName);
        AtomicFile.WriteAllBytes(target, File.ReadAllBytes(TokenizerPath!));
        return target;
    }
}

/// <summary>
/// Corpus → split → tokenizer (trained on train only) → token streams, with every expensive step cached on disk under
/// keys that name everything it depends on, so a repeated call only reads files.
/// </summary>
public static class DataPipeline
{
    /// <summary>Placed between consecutive documents of a stream.</summary>
    public const string Separator = "\n\n";

    /// <summary>Bump when training or caching changes what a cache key would produce.</summary>
    const string CacheVersion = "harness-data-v1";

    public static PreparedData Prepare(DataSpec spec, string cacheDirectory, IProgress<string>? progress = null, TrainingMix? mix = null)
    {
        var problems = DataSpecValidator.Validate(spec, "(data spec)");
        if (problems.Count > 0) throw new UserInputException("Invalid data settings.", problems);
        IReadOnlyList<Document> docs;
        string corpusHash;
        var corpus = spec.CorpusOrDefault;
        if (corpus.IsEmbedded)
        {
            docs = EmbeddedCorpus.Load();
            corpusHash = EmbeddedCorpus.Hash;
        }
        else if (mix is null)
            return TokenStore.Prepare(spec, cacheDirectory, progress); // streamed into a token store
        else
        {
            // A data mix interleaves extra documents with the train documents, so this path holds the corpus.
            docs = CorpusSources.ReadAll(corpus);
            corpusHash = CorpusFiles.Hash(docs);
        }
        return Prepare(docs, corpusHash, spec, cacheDirectory, progress, mix);
    }

    /// <summary>Prepares an in-memory corpus; <paramref name="corpusHash"/> must change whenever the documents do
    /// (use <see cref="CorpusFiles.Hash"/> when in doubt).</summary>
    public static PreparedData Prepare(IReadOnlyList<Document> docs, string corpusHash, DataSpec spec, string cacheDirectory,
                                       IProgress<string>? progress = null, TrainingMix? mix = null)
    {
        var tokenizerSpec = spec.TokenizerOrDefault;
        var splitSpec = spec.SplitOrDefault;
        var problems = new List<string>();
        problems.AddRange(DataSpecValidator.Validate(tokenizerSpec, "(data spec)"));
        problems.AddRange(DataSpecValidator.Validate(splitSpec, "(data spec)"));
        if (problems.Count > 0) throw new UserInputException("Invalid data settings.", problems);

        var split = CorpusSplitter.Split(docs, splitSpec);
        progress?.Report($"corpus {corpusHash[..12]}: {docs.Count} documents → train {split.Train.Count}, validation {split.Validation.Count}, test {split.Test.Count}");

        var splitKey = string.Create(CultureInfo.InvariantCulture, $"v={splitSpec.ValidationFraction:R},t={splitSpec.TestFraction:R},seed={splitSpec.Seed}");
        Tokenizer tokenizer;
        string? tokenizerPath = null;
        string tokenizerHash;
        int vocabSize;
        if (tokenizerSpec.Kind != TokenizerSpec.Bpe)
        {
            // A stock encoding (fixed data in a Microsoft.ML.Tokenizers.Data package, identified by a tag) or an "hf"
            // file (identified by its sha256).
            var loaded = TokenizerLoader.OpenSpec(tokenizerSpec);
            tokenizer = loaded.Tokenizer;
            tokenizerPath = loaded.File;
            tokenizerHash = loaded.Sha256;
            vocabSize = loaded.VocabSize;
            progress?.Report($"tokenizer: {loaded.Format}{(loaded.File is null ? "" : " " + loaded.File)}, {vocabSize} ids");
        }
        else
        {
            // Training sees exactly the text of the train stream: documents plus separators, nothing from validation/test.
            var texts = split.Train.Select((d, i) => i + 1 < split.Train.Count ? d.Text + Separator : d.Text);
            var vocabulary = TrainOrLoadBpe(texts, split.Train.Count, corpusHash, splitKey, tokenizerSpec.VocabSize, cacheDirectory, progress, out tokenizerPath);
            tokenizer = TokenizerLoader.FromVocabulary(vocabulary);
            tokenizerHash = vocabulary.Sha256;
            vocabSize = vocabulary.Count;
        }

        var tokensKey = Sha256Hex($"{CacheVersion}\ntokens\ncorpus={corpusHash}\nsplit={splitKey}\ntokenizer={tokenizerHash}\nseparator={Separator}\nmix={mix?.Hash ?? "none"}");
        var tokensDirectory = Path.Combine(cacheDirectory, "tokens", tokensKey[..16]);
        var manifest = new TokenCacheManifest(CacheVersion, tokensKey, corpusHash, splitKey, tokenizerHash, vocabSize);
        if (mix is not null) progress?.Report($"training mix {mix.Hash[..12]}: {mix.Documents.Count} extra documents ({mix.Description})");
        var cached = TokenCache.TryRead(tokensDirectory, manifest);
        TokenStream train, validation, test;
        if (cached is not null)
        {
            (train, validation, test) = cached.Value;
            progress?.Report($"tokens: read from cache {tokensDirectory}");
        }
        else
        {
            var clock = Stopwatch.StartNew();
            train = Encode(tokenizer, mix is null ? split.Train.Select(d => d.Text) : mix.Interleave(split.Train.Select(d => d.Text).ToList()));
            validation = Encode(tokenizer, split.Validation.Select(d => d.Text));
            test = Encode(tokenizer, split.Test.Select(d => d.Text));
            var seconds = clock.Elapsed.TotalSeconds;
            long bytes = train.Utf8Bytes + validation.Utf8Bytes + test.Utf8Bytes;
            progress?.Report(string.Create(CultureInfo.InvariantCulture,
                $"tokens: encoded {bytes / 1e6:F1} MB in {seconds:F1} s ({bytes / 1e6 / Math.Max(seconds, 1e-9):F1} MB/s); train {train.Count}, validation {validation.Count}, test {test.Count} tokens"));
            TokenCache.Write(tokensDirectory, manifest, train, validation, test);
        }
        return new PreparedData(tokenizer, tokenizerSpec, tokenizerPath, corpusHash, tokenizerHash, vocabSize, split,
                                train, validation, test, tokensFromCache: cached is not null)
        {
            TrainStreamHash = tokensKey,
            TrainCharacters = split.Train.Sum(d => (long)d.Text.Length),
        };
    }

    /// <summary>
    /// Encodes documents into one stream, documents joined by <see cref="Separator"/>.  Each document (with the
    /// separator that follows it) is encoded on its own, so documents encode in parallel and the ids never depend on
    /// scheduling or on neighbouring documents; decoding the stream gives back the joined text exactly.
    /// </summary>
    public static TokenStream Encode(Tokenizer tokenizer, IEnumerable<string> docs)
    {
        var texts = docs as IReadOnlyList<string> ?? docs.ToList();
        var pieces = new int[texts.Count][];
        var bytes = new long[texts.Count];
        Parallel.For(0, texts.Count, i =>
        {
            var text = i + 1 < texts.Count ? texts[i] + Separator : texts[i];
            var ids = tokenizer.EncodeToIds(text);
            var array = new int[ids.Count];
            for (int j = 0; j < array.Length; j++) array[j] = ids[j];
            pieces[i] = array;
            bytes[i] = Encoding.UTF8.GetByteCount(text);
        });
        var tokens = new int[pieces.Sum(p => (long)p.Length)];
        int offset = 0;
        foreach (var piece in pieces)
        {
            piece.CopyTo(tokens, offset);
            offset += piece.Length;
        }
        return new TokenStream(tokens, bytes.Sum());
    }

    internal static BpeVocabulary TrainOrLoadBpe(IEnumerable<string> texts, int trainDocuments, string corpusHash, string splitKey, int vocabSize,
                                        string cacheDirectory, IProgress<string>? progress, out string path)
    {
        var key = Sha256Hex($"{CacheVersion}\nbpe\ncorpus={corpusHash}\nsplit={splitKey}\nvocab={vocabSize}\nseparator={Separator}");
        path = Path.Combine(cacheDirectory, "tokenizers", $"bpe-{vocabSize}-{key[..16]}.tiktoken");
        var sidecar = path + ".json";
        var existing = TryLoadCachedVocabulary(path, sidecar, key);
        if (existing is not null)
        {
            progress?.Report($"tokenizer: read from cache {path}");
            return existing;
        }
        var clock = Stopwatch.StartNew();
        var vocabulary = BpeTrainer.Train(texts, vocabSize);
        var seconds = clock.Elapsed.TotalSeconds;
        vocabulary.Save(path);
        AtomicFile.WriteAllText(sidecar, JsonSerializer.Serialize(new BpeCacheSidecar(key, vocabulary.Sha256, vocabulary.Count, seconds)) + "\n");
        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"tokenizer: trained BPE {vocabulary.Count} ranks on {trainDocuments} documents in {seconds:F1} s → {path}"));
        return vocabulary;
    }

    static BpeVocabulary? TryLoadCachedVocabulary(string path, string sidecarPath, string key)
    {
        if (!File.Exists(path) || !File.Exists(sidecarPath)) return null;
        try
        {
            var sidecar = JsonSerializer.Deserialize<BpeCacheSidecar>(File.ReadAllText(sidecarPath));
            var bytes = File.ReadAllBytes(path);
            if (sidecar is null || sidecar.Key != key || Convert.ToHexStringLower(SHA256.HashData(bytes)) != sidecar.Sha256)
                return null;
            var vocabulary = BpeVocabulary.Parse(bytes, path);
            return vocabulary.Count == sidecar.Ranks ? vocabulary : null;
        }
        catch (Exception e) when (e is JsonException or UserInputException or IOException)
        {
            return null; // damaged cache entry: retrain and overwrite
        }
    }

    internal static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    sealed record BpeCacheSidecar(string Key, string Sha256, int Ranks, double TrainSeconds);
}
