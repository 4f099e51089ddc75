using Microsoft.ML.Tokenizers;
using Harness.Config;

namespace Harness.Data;

/// <summary>One split as `harness data inspect` shows it.</summary>
public sealed record SplitSummary(string Name, long Documents, long Tokens, long Utf8Bytes)
{
    public double BytesPerToken => Tokens == 0 ? 0 : (double)Utf8Bytes / Tokens;
}

/// <summary>What a prepared corpus holds: per split counts, the tokenizer, where it lives and a decoded sample.</summary>
public sealed record DataSummary(string Corpus, string CorpusHash, string TokenizerKind, int VocabSize, string TokenizerHash,
                                 string? StoreDirectory, IReadOnlyList<SplitSummary> Splits, string Sample);

/// <summary>Summaries of prepared data, from a token store folder or from <see cref="PreparedData"/>.</summary>
public static class DataInspection
{
    /// <summary>Tokens decoded for the sample (the first of the train split).</summary>
    public const int SampleTokens = 64;

    public static DataSummary Of(PreparedData data, DataSpec spec)
    {
        if (data.StoreDirectory is { } directory) return OfStore(directory, data.Tokenizer);
        var split = data.Split;
        var streams = new[] { (Name: "train", Docs: (long)split.Train.Count, data.Train), ("validation", split.Validation.Count, data.Validation), ("test", split.Test.Count, data.Test) };
        var sample = data.Tokenizer.Decode(data.Train.Tokens.Take(SampleTokens)) ?? "";
        return new DataSummary(spec.CorpusOrDefault.ToString(), data.CorpusHash, data.TokenizerSpec.Kind, data.VocabSize, data.TokenizerHash, null,
                               streams.Select(s => new SplitSummary(s.Name, s.Docs, s.Item3.Count, s.Item3.Utf8Bytes)).ToList(), sample);
    }

    /// <summary>A store folder written by <see cref="TokenStore"/>; the sample is read through the memory map.</summary>
    public static DataSummary OfStore(string directory, Tokenizer? tokenizer = null)
    {
        var manifest = TokenStore.ReadManifest(directory);
        tokenizer ??= LoadTokenizer(directory, manifest);
        var train = manifest.Splits["train"];
        var first = train.Shards.Select(s => Path.Combine(directory, s)).FirstOrDefault(p => File.Exists(p) && new FileInfo(p).Length > 0);
        string sample = "";
        if (first is not null)
        {
            var ids = new int[(int)Math.Min(SampleTokens, new FileInfo(first).Length / manifest.IdBytes)];
            TokenStore.ReadIds(first, manifest.IdBytes, 0, ids);
            sample = tokenizer.Decode(ids) ?? "";
        }
        return new DataSummary(manifest.Corpus, manifest.CorpusHash, manifest.Tokenizer.Kind, manifest.Tokenizer.VocabSize, manifest.Tokenizer.Sha256, directory,
                               TokenStore.SplitNames.Select(n => new SplitSummary(n, manifest.Splits[n].Documents, manifest.Splits[n].Tokens, manifest.Splits[n].Utf8Bytes)).ToList(), sample);
    }

    static Tokenizer LoadTokenizer(string directory, TokenStoreManifest manifest)
    {
        if (manifest.Tokenizer.Kind == TokenizerSpec.Gpt2) return TokenizerLoader.CreateGpt2();
        // The rank file lives in the cache beside the store folder: CACHE/store/KEY → CACHE/tokenizers/NAME.
        var rankFile = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(directory)))!, "tokenizers", manifest.Tokenizer.RankFile ?? "");
        if (manifest.Tokenizer.RankFile is null || !File.Exists(rankFile))
            throw new UserInputException($"{directory}: the store's tokenizer is missing.",
                [$"{rankFile}: the trained BPE rank file the store was encoded with is gone; run `harness data prepare CONFIG` again to retrain it."]);
        return TokenizerLoader.Load(rankFile);
    }
}
