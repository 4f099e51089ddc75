using static TorchSharp.torch;

namespace Harness.Modeling;

/// <summary>
/// A decoder-only causal language model as the teacher, scorer, sampler and logit cache see it: token ids (B, T) →
/// hidden states (B, T, C) → logits (B, T, V).  <see cref="Gpt"/> (trained by the harness or imported from a
/// <c>GPT2LMHeadModel</c> folder) and <see cref="Llama"/> (imported Llama-family folders) implement it.
/// </summary>
public abstract class CausalLm : nn.Module<Tensor, Tensor>
{
    protected CausalLm(string name) : base(name) { }

    /// <summary>Longest sequence the model accepts (learned positions, or the RoPE model's max_position_embeddings).</summary>
    public abstract int ContextLength { get; }

    /// <summary>Rows of the output head: the logits' last dimension.  May exceed the tokenizer's size (padding rows).</summary>
    public abstract int OutputSize { get; }

    /// <summary>
    /// The tokenizer's size where the head has more rows (padding rows, e.g. Qwen2.5's 152,064 rows for 151,936 tokens);
    /// null when every row is a token.  Set by <see cref="ModelFolder.Load"/> from the folder's tokenizer.  Sampling and
    /// scoring take the softmax over the first V rows only (<see cref="TokenLogits"/>, README "Teacher vocabulary").
    /// </summary>
    public int? TokenizerSize { get; set; }

    /// <summary>Logits (…, OutputSize) → (…, V): the rows of real tokens (a view), so no softmax, argmax or sample ever
    /// gives a padding row probability; the logits themselves when there is no padding.</summary>
    public Tensor TokenLogits(Tensor logits) => TokenizerSize is int v && v < logits.shape[^1] ? logits.narrow(-1, 0, v) : logits;

    /// <summary>Forward FLOPs per token at the full context (see <see cref="ModelMath"/>).</summary>
    public abstract double ForwardFlopsPerToken { get; }

    /// <summary>Moves parameters and buffers to <paramref name="device"/>.</summary>
    public void MoveTo(Device device) => this._to(device.type, device.index, false);

    /// <summary>Converts the weights to <paramref name="dtype"/> (bf16/fp16 inference of an imported teacher).</summary>
    public void ConvertTo(ScalarType dtype) => this._to(dtype, false);

    /// <summary>A new module of the same architecture and shape, its weights not copied (the bf16 compute copy of
    /// mixed-precision training, Training/MixedPrecision).</summary>
    public abstract CausalLm NewSameShape();

    /// <summary>Token ids (B, T) → logits (B, T, V).</summary>
    public override Tensor forward(Tensor idx) => Head(Hidden(idx));

    /// <summary>Token ids (B, T) → final hidden states after the last norm (B, T, C).</summary>
    public abstract Tensor Hidden(Tensor idx);

    /// <summary>Output head: hidden states (…, C) → logits (…, V).</summary>
    public abstract Tensor Head(Tensor hidden);
}
