using TorchSharp;
using TorchSharp.Modules;
using Harness.Config;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Harness.Modeling;

/// <summary>
/// GPT-2-style decoder (Radford et al. 2019) in the nanoGPT layout: token + learned position embeddings,
/// pre-LayerNorm blocks, causal attention through scaled_dot_product_attention, GELU MLP (4×), final LayerNorm,
/// output head tied to the token embedding by default.  Parameter names follow nanoGPT's state_dict
/// (see <see cref="Checkpoint"/>), so a checkpoint loads in PyTorch.
/// </summary>
public sealed class Gpt : CausalLm
{
    readonly Embedding wte;
    readonly Embedding wpe;
    readonly Dropout drop;
    readonly ModuleList<GptBlock> h;
    readonly LayerNorm ln_f;
    readonly Linear? lm_head;
    readonly Tensor positions;
    readonly bool tanhGelu;

    public GptConfig Config { get; }

    public override int ContextLength => Config.ContextLength;
    public override int OutputSize => Config.VocabSize;
    public override double ForwardFlopsPerToken => ModelMath.ForwardFlopsPerToken(Config);

    /// <param name="tanhGelu">GELU in the tanh approximation (Hendrycks and Gimpel 2016, eq. 2; transformers' "gelu_new",
    /// which OpenAI's GPT-2 checkpoints use) instead of the exact erf form.  Only imported GPT-2 folders set it.</param>
    public Gpt(GptConfig config, torch.Device? device = null, bool tanhGelu = false) : base("gpt")
    {
        Config = config;
        this.tanhGelu = tanhGelu;
        wte = nn.Embedding(config.VocabSize, config.DModel);
        wpe = nn.Embedding(config.ContextLength, config.DModel);
        drop = nn.Dropout(config.Dropout);
        h = new ModuleList<GptBlock>(Enumerable.Range(0, config.Layers).Select(_ => new GptBlock(config, tanhGelu)).ToArray());
        ln_f = nn.LayerNorm(config.DModel);
        lm_head = config.TieEmbeddings ? null : nn.Linear(config.DModel, config.VocabSize, hasBias: false);
        positions = torch.tensor(Enumerable.Range(0, config.ContextLength).Select(i => (long)i).ToArray()); // arange without Scalars
        InitialiseWeights(config);
        RegisterComponents();
        if (device is not null) this.to(device);
    }

    /// <summary>
    /// Token ids (B, T) → final hidden states after ln_f (B, T, C): the whole model except the output head.  Scoring and
    /// generation apply <see cref="Head"/> only at the positions they read, which for small models with a large
    /// vocabulary skips most of the forward FLOPs (the head is 2·C·V per position).
    /// </summary>
    public override Tensor Hidden(Tensor idx)
    {
        using var scope = NewDisposeScope();
        var t = idx.shape[1];
        var pos = positions.narrow(0, 0, t).to(idx.device);                       // (T)
        var x = drop.call(wte.call(idx).Plus(wpe.call(pos)));                          // (B, T, C)
        foreach (var block in h)
            x = block.call(x);                                                     // (B, T, C)
        return ln_f.call(x).MoveToOuterDisposeScope();
    }

    public override CausalLm NewSameShape() => new Gpt(Config, tanhGelu: tanhGelu);

    /// <summary>Output head: hidden states (…, C) → logits (…, V).</summary>
    public override Tensor Head(Tensor hidden) => lm_head is null ? F.linear(hidden, wte.weight!) : lm_head.call(hidden);

    /// <summary>GPT-2 initialisation: N(0, 0.02), residual projections scaled by 1/√(2L) (Radford et al. 2019 §2.3).</summary>
    void InitialiseWeights(GptConfig config)
    {
        using var _ = no_grad();
        nn.init.normal_(wte.weight!, 0, 0.02);
        nn.init.normal_(wpe.weight!, 0, 0.02);
        if (lm_head is not null) nn.init.normal_(lm_head.weight!, 0, 0.02);
        var residualStd = 0.02 / Math.Sqrt(2.0 * config.Layers);
        foreach (var block in h) block.Initialise(residualStd);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) positions.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>Pre-LN transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)).</summary>
public sealed class GptBlock : nn.Module<Tensor, Tensor>
{
    readonly LayerNorm ln_1;
    readonly CausalSelfAttention attn;
    readonly LayerNorm ln_2;
    readonly Mlp mlp;

    public GptBlock(GptConfig config, bool tanhGelu = false) : base("block")
    {
        ln_1 = nn.LayerNorm(config.DModel);
        attn = new CausalSelfAttention(config);
        ln_2 = nn.LayerNorm(config.DModel);
        mlp = new Mlp(config, tanhGelu);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        x = x.Plus(attn.call(ln_1.call(x)));  // (B, T, C)
        return x.Plus(mlp.call(ln_2.call(x)));
    }

    internal void Initialise(double residualStd)
    {
        attn.Initialise(residualStd);
        mlp.Initialise(residualStd);
    }
}

/// <summary>Multi-head causal self-attention (Vaswani et al. 2017) through the fused SDPA kernel.</summary>
public sealed class CausalSelfAttention : nn.Module<Tensor, Tensor>
{
    readonly Linear c_attn;
    readonly Linear c_proj;
    readonly Dropout resid_dropout;
    readonly int heads;
    readonly int dModel;
    readonly double dropout;

    public CausalSelfAttention(GptConfig config) : base("attn")
    {
        c_attn = nn.Linear(config.DModel, 3 * config.DModel);
        c_proj = nn.Linear(config.DModel, config.DModel);
        resid_dropout = nn.Dropout(config.Dropout);
        heads = config.Heads;
        dModel = config.DModel;
        dropout = config.Dropout;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], t = x.shape[1];
        var qkv = c_attn.call(x).view(b, t, 3, heads, dModel / heads);    // (B, T, 3, H, D)
        qkv = qkv.permute(2, 0, 3, 1, 4);                                  // (3, B, H, T, D)
        var q = qkv[0];
        var k = qkv[1];
        var v = qkv[2];
        // TorchSharp 0.107 spells the causal flag `is_casual`; the scale defaults to 1/√D.
        var y = F.scaled_dot_product_attention(q, k, v, p: training ? dropout : 0.0, is_casual: true); // (B, H, T, D)
        y = y.transpose(1, 2).reshape(b, t, dModel);                       // (B, T, C)
        return resid_dropout.call(c_proj.call(y));
    }

    internal void Initialise(double residualStd)
    {
        using var _ = no_grad();
        nn.init.normal_(c_attn.weight!, 0, 0.02);
        nn.init.zeros_(c_attn.bias!);
        nn.init.normal_(c_proj.weight!, 0, residualStd);
        nn.init.zeros_(c_proj.bias!);
    }
}

/// <summary>Position-wise MLP: C → 4C → GELU → C.</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    readonly Linear c_fc;
    readonly Linear c_proj;
    readonly Dropout dropout;
    readonly bool tanhGelu;

    public Mlp(GptConfig config, bool tanhGelu = false) : base("mlp")
    {
        this.tanhGelu = tanhGelu;
        c_fc = nn.Linear(config.DModel, 4 * config.DModel);
        c_proj = nn.Linear(4 * config.DModel, config.DModel);
        dropout = nn.Dropout(config.Dropout);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = c_fc.call(x);
        return dropout.call(c_proj.call(tanhGelu ? TanhGelu(h) : F.gelu(h))); // (B, T, C)
    }

    /// <summary>GELU, tanh approximation: ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (Hendrycks and Gimpel 2016).</summary>
    static Tensor TanhGelu(Tensor x)
    {
        using var scope = NewDisposeScope();
        var inner = x.mul(x).mul(x).Times(0.044715).Plus(x).Times(Math.Sqrt(2.0 / Math.PI));
        return inner.tanh().PlusScalar(1.0).mul(x).Times(0.5).MoveToOuterDisposeScope();
    }

    internal void Initialise(double residualStd)
    {
        using var _ = no_grad();
        nn.init.normal_(c_fc.weight!, 0, 0.02);
        nn.init.zeros_(c_fc.bias!);
        nn.init.normal_(c_proj.weight!, 0, residualStd);
        nn.init.zeros_(c_proj.bias!);
    }
}
