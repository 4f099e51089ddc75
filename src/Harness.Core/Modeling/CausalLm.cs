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

    /// <summary>Forward FLOPs per token at the full context (see <see cref="ModelMath"/>).</summary>
    public abstract double ForwardFlopsPerToken { get; }

    /// <summary>Moves parameters and buffers to <paramref name="device"/>.</summary>
    public void MoveTo(Device device) => this._to(device.type, device.index, false);

    /// <summary>Converts the weights to <paramref name="dtype"/> (bf16/fp16 inference of an imported teacher).</summary>
    public void ConvertTo(ScalarType dtype) => this._to(dtype, false);

    /// <summary>Token ids (B, T) → logits (B, T, V).</summary>
    public override Tensor forward(Tensor idx) => Head(Hidden(idx));

    /// <summary>Token ids (B, T) → final hidden states after the last norm (B, T, C).</summary>
    public abstract Tensor Hidden(Tensor idx);

    /// <summary>Output head: hidden states (…, C) → logits (…, V).</summary>
    public abstract Tensor Head(Tensor hidden);
}
