namespace Harness.Config;

/// <summary>Which tokenizer a run uses: "bpe" (trained here on the train split) or "gpt2" (stock, 50257 tokens).</summary>
/// <param name="Kind">"bpe" or "gpt2".</param>
/// <param name="VocabSize">Number of ranks for "bpe" (256 bytes + merges); ignored for "gpt2".</param>
public sealed record TokenizerSpec(string Kind = "bpe", int VocabSize = 1024)
{
    public const string Bpe = "bpe";
    public const string Gpt2 = "gpt2";
    /// <summary>50256 byte-level ranks plus &lt;|endoftext|&gt; (Radford et al. 2019).</summary>
    public const int Gpt2VocabSize = 50257;
    /// <summary>Largest BPE vocabulary whose ids still fit the uint16 token cache.</summary>
    public const int MaxBpeVocabSize = 65535;

    /// <summary>The vocabulary size models must be built with.</summary>
    public int EffectiveVocabSize => Kind == Gpt2 ? Gpt2VocabSize : VocabSize;
}
