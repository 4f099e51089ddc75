namespace Harness.Config;

/// <summary>
/// Llama-3 RoPE frequency scaling (transformers' <c>rope_type: "llama3"</c>, Meta's Llama 3.1 release): wavelengths
/// longer than <c>OriginalContext / LowFreqFactor</c> are divided by <c>Factor</c>, shorter than
/// <c>OriginalContext / HighFreqFactor</c> kept, and those between interpolated linearly in <c>OriginalContext / wavelength</c>.
/// </summary>
public sealed record Llama3RopeScaling(double Factor, double LowFreqFactor, double HighFreqFactor, int OriginalContext);

/// <summary>
/// Shape of a Llama-family decoder (Touvron et al. 2023, "LLaMA"; Qwen2 and Mistral share it): RMSNorm (Zhang and
/// Sennrich 2019), rotary position embeddings (Su et al. 2021, "RoFormer"), grouped-query attention (Ainslie et al.
/// 2023, "GQA"), SwiGLU MLP (Shazeer 2020, "GLU Variants Improve Transformer").
/// </summary>
/// <param name="VocabSize">Rows of the embedding and the head (may exceed the tokenizer's size: padding rows).</param>
/// <param name="ContextLength">max_position_embeddings.</param>
/// <param name="Heads">Query heads.</param>
/// <param name="KvHeads">Key/value heads; divides <paramref name="Heads"/> (GQA; equal is multi-head attention).</param>
/// <param name="HeadDim">Per-head width (hidden_size / heads unless the config sets head_dim).</param>
/// <param name="Intermediate">SwiGLU width (intermediate_size).</param>
/// <param name="QkvBias">Bias on the q, k and v projections (Qwen2; Llama's attention_bias).</param>
/// <param name="OutputBias">Bias on the attention output projection (Llama's attention_bias).</param>
/// <param name="MlpBias">Bias on gate, up and down projections (Llama's mlp_bias).</param>
public sealed record LlamaConfig(
    int VocabSize, int ContextLength, int Layers, int Heads, int KvHeads, int DModel, int HeadDim, int Intermediate,
    double RmsNormEps, double RopeTheta, Llama3RopeScaling? RopeScaling = null,
    bool QkvBias = false, bool OutputBias = false, bool MlpBias = false, bool TieEmbeddings = false);
