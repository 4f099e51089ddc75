using TorchSharp;
using TorchSharp.Modules;
using Harness.Config;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Harness.Modeling;

/// <summary>
/// Llama-family decoder (Touvron et al. 2023) as transformers' <c>LlamaForCausalLM</c>, <c>Qwen2ForCausalLM</c> and
/// <c>MistralForCausalLM</c> (no sliding window) compute it: token embedding, pre-RMSNorm blocks
/// x + attn(norm(x)), x + mlp(norm(x)), final RMSNorm, head tied to the embedding or not.  Parameter names are
/// transformers' (<c>model.layers.0.self_attn.q_proj.weight</c>, …), so an HF folder loads by name.
/// </summary>
public sealed class Llama : CausalLm
{
    readonly LlamaBackbone model;
    readonly Linear? lm_head;

    public LlamaConfig Config { get; }

    public override int ContextLength => Config.ContextLength;
    public override int OutputSize => Config.VocabSize;
    public override double ForwardFlopsPerToken => ModelMath.ForwardFlopsPerToken(Config);

    public Llama(LlamaConfig config, Device? device = null) : base("llama")
    {
        Config = config;
        model = new LlamaBackbone(config);
        lm_head = config.TieEmbeddings ? null : nn.Linear(config.DModel, config.VocabSize, hasBias: false);
        RegisterComponents();
        if (device is not null) this.to(device);
    }

    /// <summary>
    /// A fresh student of the Llama family (README "Llama-style students"), initialised as GPT-2 is (Radford et al. 2019
    /// §2.3, as nanoGPT does it): every matrix and the embedding N(0, 0.02), the residual projections o_proj and
    /// down_proj N(0, 0.02/√(2L)), biases 0, RMSNorm gains 1.
    /// </summary>
    public static Llama ForTraining(GptConfig shape, Device? device = null)
    {
        var llama = new Llama(shape.ToLlama());
        using (no_grad())
        {
            double residualStd = 0.02 / Math.Sqrt(2.0 * shape.Layers);
            foreach (var (name, p) in llama.named_parameters())
            {
                if (name.EndsWith(".bias", StringComparison.Ordinal)) nn.init.zeros_(p);
                else if (name.EndsWith("norm.weight", StringComparison.Ordinal)) nn.init.ones_(p);
                else nn.init.normal_(p, 0, name.EndsWith("o_proj.weight", StringComparison.Ordinal) || name.EndsWith("down_proj.weight", StringComparison.Ordinal) ? residualStd : 0.02);
            }
        }
        if (device is not null) llama.to(device);
        return llama;
    }

    public override CausalLm NewSameShape() => new Llama(Config);

    public override Tensor Hidden(Tensor idx) => model.call(idx);

    public override Tensor Head(Tensor hidden) => lm_head is null ? F.linear(hidden, model.EmbeddingWeight) : lm_head.call(hidden);
}

/// <summary>transformers' <c>LlamaModel</c>: embed_tokens, layers, norm.</summary>
public sealed class LlamaBackbone : nn.Module<Tensor, Tensor>
{
    readonly Embedding embed_tokens;
    readonly ModuleList<LlamaBlock> layers;
    readonly RmsNorm norm;
    readonly float[] invFreq;   // (D/2) rotary inverse frequencies, float32 whatever the weights' dtype

    public LlamaBackbone(LlamaConfig config) : base("model")
    {
        embed_tokens = nn.Embedding(config.VocabSize, config.DModel);
        layers = new ModuleList<LlamaBlock>(Enumerable.Range(0, config.Layers).Select(_ => new LlamaBlock(config)).ToArray());
        norm = new RmsNorm(config.DModel, config.RmsNormEps);
        invFreq = Rope.InverseFrequencies(config.HeadDim, config.RopeTheta, config.RopeScaling);
        RegisterComponents();
    }

    internal Tensor EmbeddingWeight => embed_tokens.weight!;

    public override Tensor forward(Tensor idx)
    {
        using var scope = NewDisposeScope();
        long t = idx.shape[1];
        // Positions 0..T−1 times the inverse frequencies in float32, as transformers' LlamaRotaryEmbedding does.
        var positions = tensor(Enumerable.Range(0, (int)t).Select(i => (float)i).ToArray()).to(idx.device); // (T), arange without Scalars
        var freqs = outer(positions, tensor(invFreq).to(idx.device));                                 // (T, D/2)
        var angles = cat([freqs, freqs], -1);                                                 // (T, D)
        var x = embed_tokens.call(idx);                                                       // (B, T, C)
        var cos = angles.cos().to_type(x.dtype);
        var sin = angles.sin().to_type(x.dtype);
        foreach (var layer in layers)
            x = layer.call(x, cos, sin);
        return norm.call(x).MoveToOuterDisposeScope();
    }
}

/// <summary>Rotary position embedding (Su et al. 2021, "RoFormer" §3.4) in transformers' half-split layout.</summary>
public static class Rope
{
    /// <summary>
    /// θ_i = rope_theta^(−2i/D) for i &lt; D/2, then Llama-3 scaling when given: with wavelength λ = 2π/θ_i,
    /// λ &gt; L/low → θ_i/factor; λ &lt; L/high → θ_i; otherwise (1−s)·θ_i/factor + s·θ_i with
    /// s = (L/λ − low)/(high − low), L the original context (transformers' <c>_compute_llama3_parameters</c>).
    /// </summary>
    public static float[] InverseFrequencies(int headDim, double theta, Llama3RopeScaling? scaling)
    {
        var result = new float[headDim / 2];
        for (int i = 0; i < result.Length; i++)
        {
            // float32 as transformers computes it: base ** (arange(0, D, 2).float() / D), then 1 / that.
            float exponent = (float)(2 * i) / headDim;
            float f = 1.0f / MathF.Pow((float)theta, exponent);
            if (scaling is { } s)
            {
                double lowWavelength = s.OriginalContext / s.LowFreqFactor, highWavelength = s.OriginalContext / s.HighFreqFactor;
                double wavelength = 2 * Math.PI / f;
                if (wavelength > lowWavelength) f = (float)(f / s.Factor);
                else if (wavelength >= highWavelength)
                {
                    double smooth = (s.OriginalContext / wavelength - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
                    f = (float)((1 - smooth) * f / s.Factor + smooth * f);
                }
            }
            result[i] = f;
        }
        return result;
    }

    /// <summary>x·cos + rotate_half(x)·sin, rotate_half(x) = [−x₂, x₁] for the halves x₁, x₂ of the last dimension.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        long half = x.shape[^1] / 2;
        var rotated = cat([x.narrow(-1, half, half).neg(), x.narrow(-1, 0, half)], -1);
        return x.mul(cos).Plus(rotated.mul(sin));
    }
}

/// <summary>RMSNorm (Zhang and Sennrich 2019): x / √(mean(x²) + ε) · g, computed in float32 as transformers' LlamaRMSNorm.</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly double eps;

    public RmsNorm(int size, double eps) : base("norm")
    {
        weight = new Parameter(ones(size));
        this.eps = eps;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var xf = x.to_type(ScalarType.Float32);
        var variance = xf.mul(xf).mean([-1L], keepdim: true);                                   // (…, 1); not square(): it is pow(2), a temporary Scalar
        var normed = xf.mul(variance.PlusScalar(eps).rsqrt()).to_type(x.dtype);
        return weight.mul(normed).MoveToOuterDisposeScope();
    }
}

/// <summary>Pre-RMSNorm block: x + attn(input_layernorm(x)), then x + mlp(post_attention_layernorm(x)).</summary>
public sealed class LlamaBlock : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    readonly RmsNorm input_layernorm;
    readonly LlamaAttention self_attn;
    readonly RmsNorm post_attention_layernorm;
    readonly SwiGlu mlp;

    public LlamaBlock(LlamaConfig config) : base("layer")
    {
        input_layernorm = new RmsNorm(config.DModel, config.RmsNormEps);
        self_attn = new LlamaAttention(config);
        post_attention_layernorm = new RmsNorm(config.DModel, config.RmsNormEps);
        mlp = new SwiGlu(config);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor cos, Tensor sin)
    {
        x = x.Plus(self_attn.call(input_layernorm.call(x), cos, sin));   // (B, T, C)
        return x.Plus(mlp.call(post_attention_layernorm.call(x)));
    }
}

/// <summary>
/// Causal grouped-query attention (Ainslie et al. 2023): H query heads share H_kv key/value heads, query head h reading
/// key/value head ⌊h / (H/H_kv)⌋ (transformers' repeat_kv); RoPE on q and k; softmax(q·kᵀ/√D) through SDPA.
/// </summary>
public sealed class LlamaAttention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    readonly Linear q_proj;
    readonly Linear k_proj;
    readonly Linear v_proj;
    readonly Linear o_proj;
    readonly int heads, kvHeads, headDim;

    public LlamaAttention(LlamaConfig c) : base("self_attn")
    {
        q_proj = nn.Linear(c.DModel, c.Heads * c.HeadDim, hasBias: c.QkvBias);
        k_proj = nn.Linear(c.DModel, c.KvHeads * c.HeadDim, hasBias: c.QkvBias);
        v_proj = nn.Linear(c.DModel, c.KvHeads * c.HeadDim, hasBias: c.QkvBias);
        o_proj = nn.Linear(c.Heads * c.HeadDim, c.DModel, hasBias: c.OutputBias);
        heads = c.Heads;
        kvHeads = c.KvHeads;
        headDim = c.HeadDim;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor cos, Tensor sin)
    {
        long b = x.shape[0], t = x.shape[1];
        var q = q_proj.call(x).view(b, t, heads, headDim).transpose(1, 2);       // (B, H, T, D)
        var k = k_proj.call(x).view(b, t, kvHeads, headDim).transpose(1, 2);     // (B, Hkv, T, D)
        var v = v_proj.call(x).view(b, t, kvHeads, headDim).transpose(1, 2);     // (B, Hkv, T, D)
        q = Rope.Apply(q, cos, sin);
        k = Rope.Apply(k, cos, sin);
        if (kvHeads != heads)
        {
            k = k.repeat_interleave(heads / kvHeads, 1);                           // (B, H, T, D)
            v = v.repeat_interleave(heads / kvHeads, 1);
        }
        var y = F.scaled_dot_product_attention(q, k, v, is_casual: true);         // (B, H, T, D), scale 1/√D
        return o_proj.call(y.transpose(1, 2).reshape(b, t, heads * headDim));      // (B, T, C)
    }
}

/// <summary>SwiGLU MLP (Shazeer 2020): down(silu(gate(x)) ⊙ up(x)).</summary>
public sealed class SwiGlu : nn.Module<Tensor, Tensor>
{
    readonly Linear gate_proj;
    readonly Linear up_proj;
    readonly Linear down_proj;

    public SwiGlu(LlamaConfig c) : base("mlp")
    {
        gate_proj = nn.Linear(c.DModel, c.Intermediate, hasBias: c.MlpBias);
        up_proj = nn.Linear(c.DModel, c.Intermediate, hasBias: c.MlpBias);
        down_proj = nn.Linear(c.Intermediate, c.DModel, hasBias: c.MlpBias);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => down_proj.call(F.silu(gate_proj.call(x)).mul(up_proj.call(x)));
}
