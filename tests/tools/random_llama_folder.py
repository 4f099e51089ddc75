#!/usr/bin/env python3
"""Writes a Hugging Face LlamaForCausalLM folder with random weights (N(0, 0.02), norms 1), for benchmarks such as
`harness bench --cache-fill DIR` (README "Performance").  Default shape: SmolLM-135M's width and heads (d 576, 9 query
heads of 64, 3 key/value heads, SwiGLU 1536, vocabulary 49,152, tied head) with 20 layers instead of 30: about 99M
parameters; max_position_embeddings 128 (the cache window of the quickstart). float32 storage.

Usage: random_llama_folder.py OUT_DIR [LAYERS]      (needs python3-torch; Debian's 1.13 is enough)"""
import json, os, struct, sys
import torch

def main():
    out, layers = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20
    d, heads, kv, hd, inter, vocab, ctx = 576, 9, 3, 64, 1536, 49152, 128   # ctx: the quickstart's window
    cfg = dict(architectures=["LlamaForCausalLM"], model_type="llama", vocab_size=vocab, hidden_size=d, intermediate_size=inter,
               num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=kv, max_position_embeddings=ctx,
               hidden_act="silu", rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=True, torch_dtype="float32")
    g = torch.Generator().manual_seed(0)
    r = lambda *s: torch.randn(*s, generator=g) * 0.02
    W = {"model.embed_tokens.weight": r(vocab, d), "model.norm.weight": torch.ones(d)}
    for l in range(layers):
        p = f"model.layers.{l}."
        W.update({p + "input_layernorm.weight": torch.ones(d), p + "post_attention_layernorm.weight": torch.ones(d),
                  p + "self_attn.q_proj.weight": r(heads * hd, d), p + "self_attn.k_proj.weight": r(kv * hd, d),
                  p + "self_attn.v_proj.weight": r(kv * hd, d), p + "self_attn.o_proj.weight": r(d, heads * hd),
                  p + "mlp.gate_proj.weight": r(inter, d), p + "mlp.up_proj.weight": r(inter, d), p + "mlp.down_proj.weight": r(d, inter)})
    os.makedirs(out, exist_ok=True)
    json.dump(cfg, open(os.path.join(out, "config.json"), "w"), indent=2)
    header, offset = {}, 0
    for name, t in W.items():
        n = t.numel() * 4
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + n]}
        offset += n
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(os.path.join(out, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(h))); f.write(h)
        for t in W.values(): f.write(t.contiguous().numpy().tobytes())
    print(f"{out}: {sum(t.numel() for t in W.values()):,} parameters")

if __name__ == "__main__":
    main()
