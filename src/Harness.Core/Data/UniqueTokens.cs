using System.Globalization;
using System.Text;
using Harness.Config;

namespace Harness.Data;

/// <summary>How many distinct training tokens a data spec holds, and whether the number is exact or an upper bound.</summary>
public sealed record UniqueTokenCount(long Tokens, bool Exact, string Basis)
{
    /// <summary>Passes over the unique tokens that <paramref name="tokensSeen"/> training tokens make.</summary>
    public double Epochs(long tokensSeen) => Tokens <= 0 ? double.PositiveInfinity : (double)tokensSeen / Tokens;
}

/// <summary>
/// Counting the unique training tokens without training anything, for `validate` and other checks that run before
/// data is prepared.  Exact where a token store for the same corpus, split and tokenizer kind is already prepared;
/// for the embedded corpus an upper bound, the train split's UTF-8 bytes (a byte-level BPE never emits more tokens
/// than bytes), scaled up by a data mix's share.  An upper bound on tokens is a lower bound on epochs, so a budget it
/// refuses would be refused by the exact count too.
/// </summary>
public static class UniqueTokens
{
    public static UniqueTokenCount? WithoutPreparing(DataSpec spec, string cacheDirectory)
    {
        var corpus = spec.CorpusOrDefault;
        double mixShare = spec.Mix is { } mix ? Math.Clamp(mix.KnowledgeFraction + mix.ArithmeticFraction, 0, 0.9) : 0;
        if (corpus.IsEmbedded)
        {
            var split = CorpusSplitter.Split(EmbeddedCorpus.Load(), spec.SplitOrDefault);
            long bytes = split.Train.Sum(d => (long)Encoding.UTF8.GetByteCount(d.Text) + DataPipeline.Separator.Length);
            long bound = (long)Math.Ceiling(bytes / (1 - mixShare));
            return new UniqueTokenCount(bound, false, $"at most the train split's {bytes:N0} UTF-8 bytes{(mixShare > 0 ? " plus the data mix" : "")}");
        }
        var splitSpec = spec.SplitOrDefault;
        var splitKey = string.Create(CultureInfo.InvariantCulture, $"v={splitSpec.ValidationFraction:R},t={splitSpec.TestFraction:R},seed={splitSpec.Seed}");
        var stores = Path.Combine(cacheDirectory, "store");
        if (!Directory.Exists(stores)) return null;
        var match = Directory.GetDirectories(stores)
            .Select(TokenStore.TryReadManifest)
            .Where(m => m is not null && m.Corpus == corpus.ToString() && m.Split == splitKey && m.Tokenizer.Kind == spec.TokenizerOrDefault.Kind
                        && (m.Tokenizer.Kind != TokenizerSpec.Bpe || m.Tokenizer.VocabSize == spec.TokenizerOrDefault.VocabSize))
            .OrderByDescending(m => m!.Splits["train"].Tokens)
            .FirstOrDefault();
        if (match is null) return null;
        long train = (long)Math.Ceiling(match.Splits["train"].Tokens / (1 - mixShare));
        return new UniqueTokenCount(train, mixShare == 0, $"the prepared token store ({match.Splits["train"].Tokens:N0} train tokens{(mixShare > 0 ? " plus the data mix" : "")})");
    }
}
