using Harness.Config;

namespace Harness.Modeling;

/// <summary>
/// Analytic parameter and FLOP counts for <see cref="Gpt"/> and <see cref="Llama"/>, tested to equal the modules' real
/// numel sums.  The <see cref="GptConfig"/> overloads count a <c>"llama"</c> shape with the Llama formulas
/// (<see cref="GptConfig.ToLlama"/>), so every caller (unit budgets, FLOP columns, memory estimate) counts the student it trains.
/// </summary>
public static class ModelMath
{
    /// <summary>Parameters per transformer block: two LayerNorms (2·2C), QKV (3C²+3C), out-proj (C²+C), MLP (8C²+5C).</summary>
    public static long BlockParams(int dModel)
    {
        long c = dModel;
        return 2 * (2 * c) + (3 * c * c + 3 * c) + (c * c + c) + (4 * c * c + 4 * c) + (4 * c * c + c);
    }

    /// <summary>Token + position embedding parameters.</summary>
    public static long EmbeddingParams(GptConfig g) => (long)g.VocabSize * g.DModel + (g.IsLlama ? 0 : (long)g.ContextLength * g.DModel);

    /// <summary>All parameters: embeddings, blocks, final LayerNorm, and an untied head when not tied.</summary>
    public static long TotalParams(GptConfig g) => g.IsLlama ? TotalParams(g.ToLlama()) :
        EmbeddingParams(g) + g.Layers * BlockParams(g.DModel) + 2L * g.DModel + (g.TieEmbeddings ? 0 : (long)g.VocabSize * g.DModel);

    /// <summary>
    /// Non-embedding parameters N as in Kaplan et al. 2020 ("Scaling Laws for Neural Language Models"): everything except
    /// the token and position tables.  The output head is a matmul and costs FLOPs, so it is counted in
    /// <see cref="MatmulParams"/> but (following Kaplan) not in N.
    /// </summary>
    public static long NonEmbeddingParams(GptConfig g) => g.IsLlama ? NonEmbeddingParams(g.ToLlama()) : g.Layers * BlockParams(g.DModel) + 2L * g.DModel;

    /// <summary>Parameters that take part in matmuls per token: blocks + the output head (tied or not).</summary>
    public static long MatmulParams(GptConfig g) => NonEmbeddingParams(g) + (long)g.VocabSize * g.DModel;

    /// <summary>The GPT FLOP count below in words (<see cref="TrainFlopsPerToken(GptConfig, int?)"/>, <see cref="ForwardFlopsPerToken(GptConfig, int?)"/>),
    /// recorded in every run's manifest so a reader knows which count its FLOP columns use.</summary>
    public const string Formula = "train = 6·(N_nonembedding + V·d) + 12·L·T·d per token; forward = one third (Kaplan et al. 2020 Table 1; PaLM App. B)";

    /// <summary>
    /// Forward FLOPs per token: 2·N_matmul + the attention-score term 2·n_layer·n_ctx·d_attn·2 — Kaplan et al. 2020
    /// Table 1 (C_forward ≈ 2N + 2·n_layer·n_ctx·d_attn), the same count nanoGPT uses for MFU (its 6N + 12·L·H·Q·T
    /// is this times three).  <paramref name="attendedContext"/> is the number of key positions each query sees on
    /// average; we use the full window T as PaLM's MFU appendix (Chowdhery et al. 2022, App. B) does, i.e. causal
    /// masking is not discounted.
    /// </summary>
    public static double ForwardFlopsPerToken(GptConfig g, int? attendedContext = null)
    {
        if (g.IsLlama) return ForwardFlopsPerToken(g.ToLlama(), attendedContext);
        double t = attendedContext ?? g.ContextLength;
        return 2.0 * MatmulParams(g) + 4.0 * g.Layers * t * g.DModel;
    }

    /// <summary>Training FLOPs per token: forward + backward ≈ 3 × forward (the "6N" rule, Kaplan et al. 2020), either architecture.</summary>
    public static double TrainFlopsPerToken(GptConfig g, int? attendedContext = null) => 3.0 * ForwardFlopsPerToken(g, attendedContext);

    // Llama family (Touvron et al. 2023; GQA of Ainslie et al. 2023; SwiGLU of Shazeer 2020).  C = d_model, D = head_dim,
    // H / H_kv = query / key-value heads, I = intermediate_size, V = vocabulary rows.

    /// <summary>
    /// Parameters per Llama block: two RMSNorm gains (2C); q (C·H·D), k and v (C·H_kv·D each), o (H·D·C), plus the
    /// q/k/v biases (H·D + 2·H_kv·D) and the o bias (C) where the config has them; SwiGLU gate, up, down (3·C·I), plus
    /// their biases (2I + C) with mlp_bias.
    /// </summary>
    public static long BlockParams(LlamaConfig g)
    {
        long c = g.DModel, q = (long)g.Heads * g.HeadDim, kv = (long)g.KvHeads * g.HeadDim, i = g.Intermediate;
        long attention = c * q + 2 * c * kv + q * c + (g.QkvBias ? q + 2 * kv : 0) + (g.OutputBias ? c : 0);
        long mlp = 3 * c * i + (g.MlpBias ? 2 * i + c : 0);
        return 2 * c + attention + mlp;
    }

    /// <summary>Non-embedding parameters N (Kaplan et al. 2020): blocks and the final RMSNorm gain; RoPE has none.</summary>
    public static long NonEmbeddingParams(LlamaConfig g) => g.Layers * BlockParams(g) + g.DModel;

    /// <summary>All parameters: token embedding, N, and an untied head.</summary>
    public static long TotalParams(LlamaConfig g) =>
        (long)g.VocabSize * g.DModel + NonEmbeddingParams(g) + (g.TieEmbeddings ? 0 : (long)g.VocabSize * g.DModel);

    /// <summary>Parameters in matmuls per token: N (the gains are negligible and counted as in GPT's N) plus the head.</summary>
    public static long MatmulParams(LlamaConfig g) => NonEmbeddingParams(g) + (long)g.VocabSize * g.DModel;

    /// <summary>
    /// Forward FLOPs per token: 2·N_matmul + 4·L·T·(H·D), the attention-score term of Kaplan et al. 2020 Table 1 with
    /// d_attn = H·D (queries, not the shared key/value heads, set the score and value-mixing work); T the full window
    /// as for GPT (PaLM App. B).  What is counted: SwiGLU as its three matrices (2·3·C·I per token; the SiLU and the
    /// gate product are O(I) and left out, as Kaplan leaves out nonlinearities and norms); grouped-query attention
    /// through its smaller k and v projections (2·C·H_kv·D each) while the scores still cost H query heads; RoPE's
    /// rotations (O(H·D)) not at all.  Training is 3× this (<see cref="TrainFlopsPerToken(GptConfig, int?)"/>).
    /// </summary>
    public static double ForwardFlopsPerToken(LlamaConfig g, int? attendedContext = null)
    {
        double t = attendedContext ?? g.ContextLength;
        return 2.0 * MatmulParams(g) + 4.0 * g.Layers * t * g.Heads * g.HeadDim;
    }
}
