using Harness.Config;

namespace Harness.Modeling;

/// <summary>
/// Analytic parameter and FLOP counts for <see cref="Gpt"/>, tested to equal the module's real numel sum.
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
    public static long EmbeddingParams(GptConfig g) => (long)g.VocabSize * g.DModel + (long)g.ContextLength * g.DModel;

    /// <summary>All parameters: embeddings, blocks, final LayerNorm, and an untied head when not tied.</summary>
    public static long TotalParams(GptConfig g) =>
        EmbeddingParams(g) + g.Layers * BlockParams(g.DModel) + 2L * g.DModel + (g.TieEmbeddings ? 0 : (long)g.VocabSize * g.DModel);

    /// <summary>
    /// Non-embedding parameters N as in Kaplan et al. 2020 ("Scaling Laws for Neural Language Models"): everything except
    /// the token and position tables.  The output head is a matmul and costs FLOPs, so it is counted in
    /// <see cref="MatmulParams"/> but (following Kaplan) not in N.
    /// </summary>
    public static long NonEmbeddingParams(GptConfig g) => g.Layers * BlockParams(g.DModel) + 2L * g.DModel;

    /// <summary>Parameters that take part in matmuls per token: blocks + the output head (tied or not).</summary>
    public static long MatmulParams(GptConfig g) => NonEmbeddingParams(g) + (long)g.VocabSize * g.DModel;

    /// <summary>
    /// Forward FLOPs per token: 2·N_matmul + the attention-score term 2·n_layer·n_ctx·d_attn·2 — Kaplan et al. 2020
    /// Table 1 (C_forward ≈ 2N + 2·n_layer·n_ctx·d_attn), the same count nanoGPT uses for MFU (its 6N + 12·L·H·Q·T
    /// is this times three).  <paramref name="attendedContext"/> is the number of key positions each query sees on
    /// average; we use the full window T as PaLM's MFU appendix (Chowdhery et al. 2022, App. B) does, i.e. causal
    /// masking is not discounted.
    /// </summary>
    public static double ForwardFlopsPerToken(GptConfig g, int? attendedContext = null)
    {
        double t = attendedContext ?? g.ContextLength;
        return 2.0 * MatmulParams(g) + 4.0 * g.Layers * t * g.DModel;
    }

    /// <summary>Training FLOPs per token: forward + backward ≈ 3 × forward (the "6N" rule, Kaplan et al. 2020).</summary>
    public static double TrainFlopsPerToken(GptConfig g, int? attendedContext = null) => 3.0 * ForwardFlopsPerToken(g, attendedContext);
}
