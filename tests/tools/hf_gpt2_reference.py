#!/usr/bin/env python3
"""Pure-Python forward pass of a Hugging Face GPT2LMHeadModel folder (standard library only), written from
transformers' modeling_gpt2.py semantics: Conv1D y = x @ W + b with W (in, out); pre-LayerNorm blocks; c_attn splits
q, k, v; causal softmax(q k^T / sqrt(d_head)); GELU per config.activation_function; tied head unless lm_head.weight.

Usage: hf_gpt2_reference.py DIR TOKEN [TOKEN ...]  → prints the last position's logits, one per line.
Independent of the harness (used by a test to check `harness export --format hf`)."""
import json, math, struct, sys

def load_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    tensors = {}
    for name, meta in header.items():
        if name == "__metadata__": continue
        assert meta["dtype"] == "F32", meta["dtype"]
        start, end = meta["data_offsets"]
        flat = struct.unpack(f"<{(end - start) // 4}f", data[base + start:base + end])
        shape = meta["shape"]
        tensors[name] = (shape, flat)
    return tensors

def matrix(t):
    shape, flat = t
    rows, cols = shape
    return [list(flat[r * cols:(r + 1) * cols]) for r in range(rows)]

def vector(t): return list(t[1])

def conv1d(x, w, b):  # x (n, in) @ w (in, out) + b
    out = len(w[0])
    return [[b[j] + sum(xi[k] * w[k][j] for k in range(len(xi))) for j in range(out)] for xi in x]

def layer_norm(x, g, b, eps):
    res = []
    for row in x:
        m = sum(row) / len(row)
        v = sum((a - m) ** 2 for a in row) / len(row)
        res.append([(a - m) / math.sqrt(v + eps) * g[i] + b[i] for i, a in enumerate(row)])
    return res

def gelu(a, kind):
    if kind == "gelu": return 0.5 * a * (1 + math.erf(a / math.sqrt(2)))
    return 0.5 * a * (1 + math.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a ** 3)))  # gelu_new

def main():
    folder, tokens = sys.argv[1], [int(t) for t in sys.argv[2:]]
    cfg = json.load(open(f"{folder}/config.json"))
    assert cfg["model_type"] == "gpt2" and cfg["architectures"] == ["GPT2LMHeadModel"]
    W = load_safetensors(f"{folder}/model.safetensors")
    d, H, eps = cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
    wte, wpe = matrix(W["transformer.wte.weight"]), matrix(W["transformer.wpe.weight"])
    x = [[wte[t][i] + wpe[p][i] for i in range(d)] for p, t in enumerate(tokens)]
    n, hd = len(tokens), d // H
    for l in range(cfg["n_layer"]):
        P = lambda s: W[f"transformer.h.{l}.{s}"]
        h = layer_norm(x, vector(P("ln_1.weight")), vector(P("ln_1.bias")), eps)
        qkv = conv1d(h, matrix(P("attn.c_attn.weight")), vector(P("attn.c_attn.bias")))
        att = [[0.0] * d for _ in range(n)]
        for head in range(H):
            q = [r[head * hd:(head + 1) * hd] for r in qkv]
            k = [r[d + head * hd:d + (head + 1) * hd] for r in qkv]
            v = [r[2 * d + head * hd:2 * d + (head + 1) * hd] for r in qkv]
            for i in range(n):
                s = [sum(q[i][c] * k[j][c] for c in range(hd)) / math.sqrt(hd) for j in range(i + 1)]
                m = max(s); e = [math.exp(a - m) for a in s]; z = sum(e)
                for c in range(hd): att[i][head * hd + c] = sum(e[j] / z * v[j][c] for j in range(i + 1))
        proj = conv1d(att, matrix(P("attn.c_proj.weight")), vector(P("attn.c_proj.bias")))
        x = [[a + b for a, b in zip(r, p)] for r, p in zip(x, proj)]
        h = layer_norm(x, vector(P("ln_2.weight")), vector(P("ln_2.bias")), eps)
        f = conv1d(h, matrix(P("mlp.c_fc.weight")), vector(P("mlp.c_fc.bias")))
        f = [[gelu(a, cfg["activation_function"]) for a in r] for r in f]
        f = conv1d(f, matrix(P("mlp.c_proj.weight")), vector(P("mlp.c_proj.bias")))
        x = [[a + b for a, b in zip(r, p)] for r, p in zip(x, f)]
    x = layer_norm(x, vector(W["transformer.ln_f.weight"]), vector(W["transformer.ln_f.bias"]), eps)
    head = matrix(W["lm_head.weight"]) if "lm_head.weight" in W else wte
    if "lm_head.weight" not in W: assert cfg["tie_word_embeddings"]
    last = x[-1]
    for row in head: print(repr(sum(a * b for a, b in zip(last, row))))

main()
