#!/usr/bin/env python3
"""Independent PyTorch reference for Hugging Face causal LMs: writes HF-format model folders with random weights and the
reference logits and greedy continuations the harness must reproduce (tests/Harness.Tests/Modeling/HuggingFaceImportTests.cs).

Written from the papers and transformers' documented semantics, not from the harness (and without transformers, which
Debian does not package):
  GPT-2 (Radford et al. 2019): learned positions, pre-LayerNorm (eps 1e-5), Conv1D y = x @ W + b with W (in, out),
    causal softmax(q k^T / sqrt(d)), GELU (erf for "gelu", tanh for "gelu_new"), head tied unless lm_head.weight.
  Llama family (Touvron et al. 2023; Qwen2; Mistral): RMSNorm w * x / sqrt(mean(x^2) + eps) (Zhang and Sennrich 2019),
    RoPE in the half-split layout with inv_freq = theta^(-2i/D) and Llama-3 scaling (Su et al. 2021; Meta Llama 3.1),
    grouped-query attention (query head h reads kv head h // (H / H_kv); Ainslie et al. 2023), SwiGLU down(silu(gate x) * up x).
The forward runs in float64 from the stored weights (bf16/fp16 storage widened exactly).

Usage: hf_llama_reference.py OUT_DIR   → OUT_DIR/CASE/{config.json, weights, reference.json} for every case below.
       hf_llama_reference.py --forward FOLDER TOKEN…   → the logits (T·V, one a line) of a Llama-family folder with one
       float32 model.safetensors (what `harness export --format hf` writes for a Llama-style student).
Needs python3-torch (Debian's 1.13 is enough)."""
import json, math, os, struct, sys
import torch

VOCAB = 100          # embedding rows; the token ids used stay below TOKENS (the rest are padding rows)
TOKENS = 90
BATCH, SEQ, NEW = 2, 12, 8

CASES = [
    # name, architecture, overrides, storage dtype, shards
    ("gpt2-tied-gelu_new", "GPT2LMHeadModel", dict(activation_function="gelu_new", tie_word_embeddings=True, prefix=True), "F32", 1),
    ("gpt2-untied-gelu", "GPT2LMHeadModel", dict(activation_function="gelu", tie_word_embeddings=False, prefix=False), "F32", 1),
    ("llama-gqa-tied", "LlamaForCausalLM", dict(num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=True), "F32", 1),
    ("llama-mha-untied-theta5e5-bias", "LlamaForCausalLM", dict(num_attention_heads=4, num_key_value_heads=4, tie_word_embeddings=False,
        rope_theta=500000.0, attention_bias=True, mlp_bias=True), "F32", 1),
    ("llama3-rope-scaling", "LlamaForCausalLM", dict(num_attention_heads=4, num_key_value_heads=1, tie_word_embeddings=False, rope_theta=500000.0,
        rope_scaling=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0, original_max_position_embeddings=32)), "F32", 1),
    ("qwen2-qkv-bias-gqa-untied", "Qwen2ForCausalLM", dict(num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=False,
        rope_theta=1000000.0, use_sliding_window=False, sliding_window=4096, max_window_layers=2), "F32", 1),
    ("mistral-bf16", "MistralForCausalLM", dict(num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=False, sliding_window=None), "BF16", 1),
    ("llama-fp16-sharded", "LlamaForCausalLM", dict(num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=True, head_dim=8), "F16", 3),
]

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}

def save_safetensors(path, tensors, dtype):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.to(DTYPES[dtype]).contiguous()
        raw = (t.view(torch.int16) if dtype != "F32" else t.view(torch.int32)).numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw); offset += len(raw)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h))); f.write(h)
        for b in blobs: f.write(b)

def stored(t, dtype):  # what the file holds, widened to float64
    return t.to(DTYPES[dtype]).to(torch.float64)

# ---------------------------------------------------------------- GPT-2
def gpt2_case(o, g):
    d, L, H, ctx = 32, 2, 4, 64
    cfg = dict(architectures=["GPT2LMHeadModel"], model_type="gpt2", vocab_size=VOCAB, n_positions=ctx, n_ctx=ctx, n_embd=d, n_layer=L, n_head=H,
               n_inner=None, activation_function=o["activation_function"], layer_norm_epsilon=1e-5, tie_word_embeddings=o["tie_word_embeddings"],
               resid_pdrop=0.1, embd_pdrop=0.1, attn_pdrop=0.1, initializer_range=0.02, scale_attn_weights=True, torch_dtype="float32",
               bos_token_id=0, eos_token_id=0, use_cache=True, summary_type="cls_index", summary_use_proj=True, summary_activation=None,
               summary_proj_to_labels=True, summary_first_dropout=0.1)
    r = lambda *s: torch.randn(*s, generator=g) * 0.2
    p = "transformer." if o["prefix"] else ""
    W = {p + "wte.weight": r(VOCAB, d), p + "wpe.weight": r(ctx, d)}
    for l in range(L):
        q = f"{p}h.{l}."
        W.update({q + "ln_1.weight": 1 + r(d), q + "ln_1.bias": r(d), q + "attn.c_attn.weight": r(d, 3 * d), q + "attn.c_attn.bias": r(3 * d),
                  q + "attn.c_proj.weight": r(d, d), q + "attn.c_proj.bias": r(d), q + "ln_2.weight": 1 + r(d), q + "ln_2.bias": r(d),
                  q + "mlp.c_fc.weight": r(d, 4 * d), q + "mlp.c_fc.bias": r(4 * d), q + "mlp.c_proj.weight": r(4 * d, d), q + "mlp.c_proj.bias": r(d),
                  q + "attn.bias": torch.tril(torch.ones(ctx, ctx)).view(1, 1, ctx, ctx)})   # the causal-mask buffer old exports carry
    W[p + "ln_f.weight"] = 1 + r(d); W[p + "ln_f.bias"] = r(d)
    if not o["tie_word_embeddings"]: W["lm_head.weight"] = r(VOCAB, d)
    return cfg, W

def gpt2_forward(cfg, W, ids):
    p = "transformer." if "transformer.wte.weight" in W else ""
    w = lambda n: W[p + n]
    d, H = cfg["n_embd"], cfg["n_head"]; hd = d // H
    B, T = ids.shape
    x = w("wte.weight")[ids] + w("wpe.weight")[:T]
    ln = lambda x, n: torch.nn.functional.layer_norm(x, (d,), w(n + ".weight"), w(n + ".bias"), 1e-5)
    if cfg["activation_function"] == "gelu": act = lambda a: 0.5 * a * (1 + torch.erf(a / math.sqrt(2)))
    else: act = lambda a: 0.5 * a * (1 + torch.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a ** 3)))
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for l in range(cfg["n_layer"]):
        n = f"h.{l}."
        qkv = ln(x, n + "ln_1") @ w(n + "attn.c_attn.weight") + w(n + "attn.c_attn.bias")
        q, k, v = [t.view(B, T, H, hd).transpose(1, 2) for t in qkv.split(d, -1)]
        s = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
        a = torch.softmax(s.masked_fill(~mask, float("-inf")), -1) @ v
        x = x + a.transpose(1, 2).reshape(B, T, d) @ w(n + "attn.c_proj.weight") + w(n + "attn.c_proj.bias")
        f = act(ln(x, n + "ln_2") @ w(n + "mlp.c_fc.weight") + w(n + "mlp.c_fc.bias"))
        x = x + f @ w(n + "mlp.c_proj.weight") + w(n + "mlp.c_proj.bias")
    x = ln(x, "ln_f")
    head = W["lm_head.weight"] if "lm_head.weight" in W and not cfg["tie_word_embeddings"] else w("wte.weight")
    return x @ head.T

# ---------------------------------------------------------------- Llama family
def llama_case(arch, o, g):
    d, L, inter, ctx = 32, 2, 48, 128
    H, KV = o["num_attention_heads"], o["num_key_value_heads"]
    hd = o.get("head_dim", d // H)
    cfg = dict(architectures=[arch], model_type={"LlamaForCausalLM": "llama", "Qwen2ForCausalLM": "qwen2", "MistralForCausalLM": "mistral"}[arch],
               vocab_size=VOCAB, hidden_size=d, intermediate_size=inter, num_hidden_layers=L, max_position_embeddings=ctx, hidden_act="silu",
               rms_norm_eps=1e-5, rope_theta=10000.0, initializer_range=0.02, attention_dropout=0.0, use_cache=True, bos_token_id=1, eos_token_id=2,
               torch_dtype="float32", transformers_version="4.44.0")
    cfg.update(o)
    qkv_bias = arch == "Qwen2ForCausalLM" or cfg.get("attention_bias", False)
    o_bias, mlp_bias = cfg.get("attention_bias", False), cfg.get("mlp_bias", False)
    r = lambda *s: torch.randn(*s, generator=g) * 0.2
    W = {"model.embed_tokens.weight": r(VOCAB, d), "model.norm.weight": 1 + r(d)}
    for l in range(L):
        q = f"model.layers.{l}."
        W.update({q + "input_layernorm.weight": 1 + r(d), q + "post_attention_layernorm.weight": 1 + r(d),
                  q + "self_attn.q_proj.weight": r(H * hd, d), q + "self_attn.k_proj.weight": r(KV * hd, d), q + "self_attn.v_proj.weight": r(KV * hd, d),
                  q + "self_attn.o_proj.weight": r(d, H * hd), q + "mlp.gate_proj.weight": r(inter, d), q + "mlp.up_proj.weight": r(inter, d),
                  q + "mlp.down_proj.weight": r(d, inter)})
        if qkv_bias: W.update({q + "self_attn.q_proj.bias": r(H * hd), q + "self_attn.k_proj.bias": r(KV * hd), q + "self_attn.v_proj.bias": r(KV * hd)})
        if o_bias: W[q + "self_attn.o_proj.bias"] = r(d)
        if mlp_bias: W.update({q + "mlp.gate_proj.bias": r(inter), q + "mlp.up_proj.bias": r(inter), q + "mlp.down_proj.bias": r(d)})
    if not cfg["tie_word_embeddings"]: W["lm_head.weight"] = r(VOCAB, d)
    return cfg, W

def inv_freq(cfg, hd):
    theta = cfg.get("rope_theta", 10000.0)
    f = [theta ** (-(2 * i) / hd) for i in range(hd // 2)]
    s = cfg.get("rope_scaling")
    if s and s.get("rope_type") == "llama3":
        L0, lo, hi, k = s["original_max_position_embeddings"], s["low_freq_factor"], s["high_freq_factor"], s["factor"]
        out = []
        for x in f:
            wl = 2 * math.pi / x
            if wl < L0 / hi: out.append(x)
            elif wl > L0 / lo: out.append(x / k)
            else:
                sm = (L0 / wl - lo) / (hi - lo)
                out.append((1 - sm) * x / k + sm * x)
        f = out
    return torch.tensor(f, dtype=torch.float64)

def llama_forward(cfg, W, ids):
    d, H = cfg["hidden_size"], cfg["num_attention_heads"]
    KV = cfg.get("num_key_value_heads", H); hd = cfg.get("head_dim") or d // H; eps = cfg["rms_norm_eps"]
    B, T = ids.shape
    rms = lambda x, w: w * (x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps))
    ang = torch.arange(T, dtype=torch.float64)[:, None] * inv_freq(cfg, hd)[None, :]      # (T, D/2)
    cos, sin = torch.cos(ang), torch.sin(ang)
    def rope(t):  # t (B, h, T, D): pair i with i + D/2
        a, b = t[..., : hd // 2], t[..., hd // 2:]
        return torch.cat([a * cos - b * sin, b * cos + a * sin], -1)
    lin = lambda x, n: x @ W[n + ".weight"].T + (W[n + ".bias"] if n + ".bias" in W else 0)
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    x = W["model.embed_tokens.weight"][ids]
    for l in range(cfg["num_hidden_layers"]):
        n = f"model.layers.{l}."
        h = rms(x, W[n + "input_layernorm.weight"])
        q = rope(lin(h, n + "self_attn.q_proj").view(B, T, H, hd).transpose(1, 2))
        k = rope(lin(h, n + "self_attn.k_proj").view(B, T, KV, hd).transpose(1, 2))
        v = lin(h, n + "self_attn.v_proj").view(B, T, KV, hd).transpose(1, 2)
        heads = []
        for head in range(H):
            kv = head // (H // KV)
            s = (q[:, head] @ k[:, kv].transpose(-1, -2)) / math.sqrt(hd)
            heads.append(torch.softmax(s.masked_fill(~mask, float("-inf")), -1) @ v[:, kv])
        x = x + lin(torch.stack(heads, 1).transpose(1, 2).reshape(B, T, H * hd), n + "self_attn.o_proj")
        h = rms(x, W[n + "post_attention_layernorm.weight"])
        g = lin(h, n + "mlp.gate_proj")
        x = x + lin(g * torch.sigmoid(g) * lin(h, n + "mlp.up_proj"), n + "mlp.down_proj")
    x = rms(x, W["model.norm.weight"])
    head = W["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else W["lm_head.weight"]
    return x @ head.T

def load_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    W = {}
    for name, info in header.items():
        if name == "__metadata__": continue
        if info["dtype"] != "F32": raise SystemExit(f"{path}: {name} is {info['dtype']}; --forward reads float32 only")
        a, b = info["data_offsets"]
        W[name] = torch.frombuffer(bytearray(raw[8 + n + a: 8 + n + b]), dtype=torch.float32).reshape(info["shape"]).to(torch.float64)
    return W

def forward_folder(folder, tokens):
    cfg = json.load(open(os.path.join(folder, "config.json")))
    W = load_safetensors(os.path.join(folder, "model.safetensors"))
    with torch.no_grad():
        logits = llama_forward(cfg, W, torch.tensor([tokens]))
    sys.stdout.write("".join(f"{v!r}\n" for v in logits.flatten().tolist()))

def main():
    if sys.argv[1] == "--forward":
        return forward_folder(sys.argv[2], [int(t) for t in sys.argv[3:]])
    out = sys.argv[1]
    for index, (name, arch, o, dtype, shards) in enumerate(CASES):
        g = torch.Generator().manual_seed(1000 + index)
        cfg, W = gpt2_case(o, g) if arch == "GPT2LMHeadModel" else llama_case(arch, o, g)
        cfg.pop("prefix", None)
        folder = os.path.join(out, name); os.makedirs(folder, exist_ok=True)
        cfg["torch_dtype"] = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[dtype]
        json.dump(cfg, open(os.path.join(folder, "config.json"), "w"), indent=2)
        names = list(W)
        if shards == 1: save_safetensors(os.path.join(folder, "model.safetensors"), W, dtype)
        else:
            weight_map = {}
            for s in range(shards):
                file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
                part = {n: W[n] for n in names[s::shards]}
                save_safetensors(os.path.join(folder, file), part, dtype)
                weight_map.update({n: file for n in part})
            json.dump({"metadata": {}, "weight_map": weight_map}, open(os.path.join(folder, "model.safetensors.index.json"), "w"), indent=2)
        Wd = {n: stored(t, dtype) for n, t in W.items()}
        forward = gpt2_forward if arch == "GPT2LMHeadModel" else llama_forward
        ids = torch.randint(0, TOKENS, (BATCH, SEQ), generator=g)
        with torch.no_grad():
            logits = forward(cfg, Wd, ids)
            seq = ids[:1, :4]
            for _ in range(NEW):
                nxt = forward(cfg, Wd, seq)[0, -1].argmax()
                seq = torch.cat([seq, nxt.view(1, 1)], 1)
        json.dump({"architecture": arch, "dtype": dtype, "shards": shards, "tokens": ids.tolist(), "logits": logits.flatten().tolist(),
                   "vocab": VOCAB, "prompt": ids[0, :4].tolist(), "greedy": seq[0, 4:].tolist()}, open(os.path.join(folder, "reference.json"), "w"))
        print(name)

if __name__ == "__main__":
    main()
