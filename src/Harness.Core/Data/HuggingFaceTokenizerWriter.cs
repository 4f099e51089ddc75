using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.IO;

namespace Harness.Data;

/// <summary>
/// Writes a trained byte-level BPE (<see cref="BpeVocabulary"/>, a tiktoken rank file) as a Hugging Face tokenizers
/// <c>tokenizer.json</c> plus <c>tokenizer_config.json</c>, so <c>AutoTokenizer.from_pretrained</c> (or tokenizers.js)
/// loads an exported folder without the harness (README "Export to Hugging Face"):
/// <list type="bullet">
/// <item>model: BPE over GPT-2's byte ↔ character alphabet (<c>bytes_to_unicode</c>), vocab = token → rank;</item>
/// <item>merges: a tiktoken rank file has none, so every split of each token into two tokens of the vocabulary is a
///   merge, ordered by the rank of the merged token and, within one token, by the ranks of its halves — the
///   conversion transformers applies to tiktoken files (<c>TikTokenConverter</c>).  BPE that merges the pair of lowest
///   merge index then merges exactly where tiktoken merges the adjacent pair whose bytes have the lowest rank;</item>
/// <item>pre_tokenizer and decoder ByteLevel with GPT-2's split regex (<see cref="Gpt2PreTokenizer.Pattern"/>, which
///   ByteLevel's use_regex applies), add_prefix_space false, no normalizer;</item>
/// <item>added_tokens: none — the harness's tokenizers have no special tokens (documents are joined by a separator text).</item>
/// </list>
/// </summary>
public static class HuggingFaceTokenizerWriter
{
    public const string TokenizerFileName = "tokenizer.json";
    public const string ConfigFileName = "tokenizer_config.json";

    /// <summary>Writes both files into <paramref name="directory"/> atomically; returns their paths.</summary>
    public static IReadOnlyList<string> Write(BpeVocabulary vocabulary, string directory, int modelMaxLength)
    {
        Directory.CreateDirectory(directory);
        var options = new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var tokenizer = Path.Combine(directory, TokenizerFileName);
        AtomicFile.WriteAllText(tokenizer, TokenizerJson(vocabulary).ToJsonString(options) + "\n");
        var config = Path.Combine(directory, ConfigFileName);
        AtomicFile.WriteAllText(config, new JsonObject
        {
            // The generic fast tokenizer: everything it needs is in tokenizer.json.
            ["tokenizer_class"] = "PreTrainedTokenizerFast",
            ["model_max_length"] = modelMaxLength,
            ["add_prefix_space"] = false,
            ["clean_up_tokenization_spaces"] = false,
            ["added_tokens_decoder"] = new JsonObject(),
        }.ToJsonString(options) + "\n");
        return [tokenizer, config];
    }

    /// <summary>The tokenizer.json document.</summary>
    public static JsonObject TokenizerJson(BpeVocabulary vocabulary)
    {
        var vocab = new JsonObject();
        for (int rank = 0; rank < vocabulary.Count; rank++) vocab[Printable(vocabulary[rank])] = rank;
        var merges = new JsonArray();
        foreach (var (left, right, _) in Merges(vocabulary))
            merges.Add(new JsonArray(Printable(vocabulary[left]), Printable(vocabulary[right])));
        JsonObject ByteLevel(bool addPrefixSpace) => new()
        {
            ["type"] = "ByteLevel", ["add_prefix_space"] = addPrefixSpace, ["trim_offsets"] = true, ["use_regex"] = true,
        };
        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(),
            ["normalizer"] = null,
            ["pre_tokenizer"] = ByteLevel(false),
            ["post_processor"] = null,
            ["decoder"] = ByteLevel(false),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["vocab"] = vocab,
                ["merges"] = merges,
            },
        };
    }

    /// <summary>(left rank, right rank, merged rank) for every split of a token into two tokens, in merge order.</summary>
    public static IReadOnlyList<(int Left, int Right, int Merged)> Merges(BpeVocabulary vocabulary)
    {
        var rankOf = new Dictionary<string, int>(vocabulary.Count, StringComparer.Ordinal);
        for (int rank = 0; rank < vocabulary.Count; rank++) rankOf[Latin1(vocabulary[rank])] = rank;
        var merges = new List<(int, int, int)>();
        for (int rank = 0; rank < vocabulary.Count; rank++)
        {
            var token = Latin1(vocabulary[rank]);
            var local = new List<(int, int, int)>();
            for (int cut = 1; cut < token.Length; cut++)
                if (rankOf.TryGetValue(token[..cut], out int left) && rankOf.TryGetValue(token[cut..], out int right))
                    local.Add((left, right, rank));
            merges.AddRange(local.OrderBy(m => m.Item1).ThenBy(m => m.Item2));   // ranks ascend across tokens already
        }
        return merges;
    }

    /// <summary>Bytes as one char each (U+0000–U+00FF): a lossless string key.</summary>
    static string Latin1(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    static readonly IReadOnlyDictionary<byte, char> ByteToChar = ByteLevelAlphabet.UnicodeToByte.ToDictionary(kv => kv.Value, kv => kv.Key);

    /// <summary>Token bytes in GPT-2's printable alphabet, as byte-level BPE vocabularies are written.</summary>
    static string Printable(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = ByteToChar[bytes[i]];
        return new string(chars);
    }
}
