using System.Text.Json.Serialization;

namespace Harness.Config;

/// <summary>
/// Which tokenizer a run uses: "bpe" (trained here on the train split), one of the stock tiktoken encodings
/// ("gpt2", "r50k_base", "cl100k_base", "o200k_base"), or "hf" (a Hugging Face tokenizer.json or a SentencePiece
/// tokenizer.model, or a folder holding one, given by <paramref name="Path"/>).  README: "Tokenizers".
/// </summary>
/// <param name="Kind">"bpe", "gpt2", "r50k_base", "cl100k_base", "o200k_base" or "hf".</param>
/// <param name="VocabSize">Number of ranks for "bpe" (256 bytes + merges); ignored by the other kinds.</param>
/// <param name="Path">For "hf" only: a tokenizer.json, a tokenizer.model, or a model folder holding one.</param>
public sealed record TokenizerSpec(string Kind = "bpe", int VocabSize = 1024, string? Path = null)
{
    public const string Bpe = "bpe";
    public const string Gpt2 = "gpt2";
    public const string R50kBase = "r50k_base";
    public const string Cl100kBase = "cl100k_base";
    public const string O200kBase = "o200k_base";
    public const string HuggingFace = "hf";

    /// <summary>50256 byte-level ranks plus &lt;|endoftext|&gt; (Radford et al. 2019).</summary>
    public const int Gpt2VocabSize = 50257;
    /// <summary>Largest BPE vocabulary whose ids still fit the uint16 token cache.</summary>
    public const int MaxBpeVocabSize = 65535;

    /// <summary>
    /// The stock tiktoken encodings (Microsoft.ML.Tokenizers.Data.*) and the embedding size each needs: one more than
    /// the largest id the encoding can produce, special tokens included (tiktoken's openai_public.py: gpt2/r50k_base
    /// 50256 ranks + &lt;|endoftext|&gt; 50256; cl100k_base 100256 ranks, specials up to &lt;|endofprompt|&gt; 100276;
    /// o200k_base 199998 ranks, specials up to &lt;|endofprompt|&gt; 200018).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, int> StockVocabSizes = new Dictionary<string, int>
    {
        [Gpt2] = Gpt2VocabSize,
        [R50kBase] = 50257,
        [Cl100kBase] = 100277,
        [O200kBase] = 200019,
    };

    /// <summary>Every kind, in the order the README's table lists them.</summary>
    public static readonly IReadOnlyList<string> Kinds = [Bpe, Gpt2, R50kBase, Cl100kBase, O200kBase, HuggingFace];

    [JsonIgnore]
    public bool IsStock => StockVocabSizes.ContainsKey(Kind);

    /// <summary>
    /// The vocabulary size models must be built with, where the config alone decides it; for "hf" it depends on the
    /// file, so ask Harness.Data.TokenizerLoader.VocabSize(spec) instead.
    /// </summary>
    [JsonIgnore]
    public int EffectiveVocabSize => Kind == HuggingFace
        ? throw new InvalidOperationException("An \"hf\" tokenizer's vocabulary size comes from its file: use TokenizerLoader.VocabSize.")
        : StockVocabSizes.TryGetValue(Kind, out var size) ? size : VocabSize;

    /// <summary>
    /// <see cref="EffectiveVocabSize"/> as configs have always been serialized for hashing (results folder names, unit
    /// keys), so existing keys stay the same; absent for "hf", whose file's hash is in the data hash instead.
    /// </summary>
    [JsonInclude, JsonPropertyName("effective_vocab_size")]
    int? SerializedVocabSize => Kind == HuggingFace ? null : EffectiveVocabSize;
}
