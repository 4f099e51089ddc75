#!/usr/bin/env python3
"""Regenerates the synthetic results folder results-a (pure Python, deterministic).

Kept for the report-layout tests (Reporting/ReportWriterTests), which read numbers of a realistic-scale sweep (three
sizes, two benchmarks, a failed unit) that a test-time pipeline run is too small to produce, and for the test of
runs.csv files written before the design columns.  Every other test reads folders the real pipeline writes
(Results/PipelineFixture.cs).

Writes manifest.json, runs.csv, curves.csv and evals.csv.  Losses follow a Chinchilla-style law
L(N, D) = E + A/N^a + B/D^b; logit-KD acts as an effective-data multiplier k(N) on D; task scores are a logistic
function of loss.  The folder has one failed unit.  multipliers.csv, summary.json and fits.json come from the real
estimator:

    python3 make_fixtures.py
    harness estimate results-a --replicates 200 --seed 0
"""
import csv, hashlib, json, math, os, random

HERE = os.path.dirname(os.path.abspath(__file__))
STUDENTS = [("s1", 2, 128), ("s2", 4, 192), ("s3", 6, 256)]
BUDGETS = [("20tpp", 20), ("80tpp", 80)]
VOCAB, CTX = 4096, 256
TEACHER_PARAMS, TEACHER_PRETRAIN = 25_165_824, 7.5e16
CACHE_TOKENS, CACHE_FLOPS = 200_000_000, 2 * 25_165_824 * 200_000_000
E, A, ALPHA, B, BETA = 1.7, 150.0, 0.34, 100.0, 0.28
BYTES_PER_TOKEN = 3.2
TASKS = [("arc_easy", "acc", 0.25, 0.78, 3.7, 2.2, 500), ("hellaswag", "acc_norm", 0.25, 0.62, 3.3, 1.8, 1000)]
STEPS = 8


def g(x):  # compact float text
    return repr(float(x)) if not (isinstance(x, float) and math.isnan(x)) else "NaN"


def loss(n, d, k=1.0):
    return E + A / n ** ALPHA + B / (k * d) ** BETA


def score(l, chance, ceil, l0, slope):
    return chance + (ceil - chance) / (1 + math.exp(slope * (l - l0)))


def kd_factor(student_index, temperature):
    base = [2.6, 2.1, 1.7][student_index]
    return base if temperature == 2.0 else 1 + (base - 1) * 0.8


def unit_key(*parts):
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:16]


def make(name, temperature, started):
    out = os.path.join(HERE, name)
    os.makedirs(out, exist_ok=True)
    rng = random.Random(7)
    runs, curves, evals = [], [], []
    units = []
    for si, (student, layers, d) in enumerate(STUDENTS):
        n = 12 * layers * d * d
        total = n + VOCAB * d + CTX * d
        for budget, tpp in BUDGETS:
            tokens = tpp * n
            for method in ["scratch", "logit-kd"]:
                seed = 0
                key = unit_key(method, student, budget, seed, temperature if method != "scratch" else "")
                k = kd_factor(si, temperature) if method == "logit-kd" else 1.0
                noise = rng.Random if False else random.Random(key)
                for step in range(1, STEPS + 1):
                    t = tokens * step // STEPS
                    fs = 6.0 * total * t
                    cache = CACHE_FLOPS * min(1.0, t / CACHE_TOKENS) if method == "logit-kd" else 0.0
                    pre = TEACHER_PRETRAIN if method == "logit-kd" else 0.0
                    vl = loss(n, t, k) * (1 + noise.gauss(0, 0.004))
                    final = step == STEPS
                    curves.append([1, key, method, student, seed, n, step * 100, t, g(fs), g(0.0), g(cache), g(0.0), g(pre),
                                   g(round(vl, 5)), g(round(vl / math.log(2) / BYTES_PER_TOKEN, 5)), str(final).lower()])
                    for task, metric, chance, ceil, l0, slope, items in TASKS:
                        sub_items = items if final else 200
                        v = score(vl, chance, ceil, l0, slope) + noise.gauss(0, 0.01)
                        se = math.sqrt(v * (1 - v) / sub_items)
                        evals.append([1, key, method, step * 100, t, str(final).lower(), task, 1, metric, g(round(v, 4)),
                                      g(round(se, 4)), sub_items, g(chance), "true", str(not final).lower()])
                units.append(dict(key=key, method=method, student=student, budget=budget, n=n, total=total, si=si, tokens=tokens,
                                  fs=fs, cache=cache, pre=pre, vl=vl))
                runs.append([1, key, method, student, budget, seed, layers, d, total, n, tokens, g(fs), g(0.0), g(cache), g(0.0), g(pre),
                             g(round(vl, 5)), g(round(vl / math.log(2) / BYTES_PER_TOKEN, 5)), "ok", "",
                             g(round(tokens / 41000.0 * (1 + si), 1)), g(41000.0 / (1 + si)), "cuda:0", 16])
    # One unit that failed before its first evaluation.
    fk = unit_key("logit-kd", "s3", "160tpp", 0, temperature)
    runs.append([1, fk, "logit-kd", "s3", "160tpp", 0, 6, 256, 0, 0, 0, g(0.0), g(0.0), g(0.0), g(0.0), g(0.0), "NaN", "NaN",
                 "failed", "CUDA out of memory while allocating the logit cache batch (tried 3.1 GiB)", g(12.5), g(0.0), "cuda:0", 16])
    # Teacher scores.
    for task, metric, chance, ceil, l0, slope, items in TASKS:
        v = score(2.45, chance, ceil, l0, slope)
        evals.append([1, "teacher", "teacher", 0, 0, "true", task, 1, metric, g(round(v, 4)), g(round(math.sqrt(v * (1 - v) / items), 4)),
                      items, g(chance), "true", "false"])

    head_runs = "schema_version,unit_key,method,student,budget,seed,n_layer,d_model,params_total,params_non_embedding,tokens,flops_student_train,flops_teacher_inference,flops_teacher_cache_share,flops_synthetic_generation,flops_teacher_pretrain,val_loss,val_bpb,status,failure_reason,wall_seconds,tokens_per_second,device,threads".split(",")
    head_curves = "schema_version,unit_key,method,student,seed,params_non_embedding,step,tokens,flops_student_train,flops_teacher_inference,flops_teacher_cache_share,flops_synthetic_generation,flops_teacher_pretrain,val_loss,val_bpb,is_final".split(",")
    head_evals = "schema_version,unit_key,method,step,tokens,is_final,task,task_version,metric,value,stderr,n_items,chance,higher_is_better,subset".split(",")
    for fname, head, rows in [("runs.csv", head_runs, runs), ("curves.csv", head_curves, curves), ("evals.csv", head_evals, evals)]:
        with open(os.path.join(out, fname), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(head)
            w.writerows(rows)

    config = {
        "name": "kd-tinystories",
        "data": {"corpus": "tinystories-v2", "tokenizer": {"kind": "bpe", "vocab_size": VOCAB},
                 "split": {"validation_fraction": 0.01, "seed": 1234}, "mix": {"natural": 1.0, "synthetic": 0.0}},
        "students": [{"name": s, "n_layer": l, "d_model": d, "n_head": d // 32, "context": CTX} for s, l, d in STUDENTS],
        "budgets": [{"name": b, "tokens_per_param": t} for b, t in BUDGETS] + [{"name": "160tpp", "tokens_per_param": 160, "students": ["s3"]}],
        "methods": ["scratch", "logit-kd"],
        "kd": {"temperature": temperature, "alpha": 0.5, "logit_cache": True, "top_k": 64},
        "seeds": [0],
        "evaluation": {"tasks": ["arc_easy", "hellaswag"], "curve_subset_items": 200, "evals_per_run": STEPS, "batch_size": 32},
    }
    cfg_text = json.dumps(config, sort_keys=True, separators=(",", ":"))
    manifest = {
        "schema_version": 1, "experiment": "kd-tinystories",
        "config_hash": "sha256:" + hashlib.sha256(cfg_text.encode()).hexdigest(),
        "config": config,
        "git_commit": "83e6a23c41d0b7e5a9f2c8d16e4b3a7f90c1d2e5",
        "versions": {"torchsharp": "0.107.0", "libtorch": "2.7.1", "dotnet": "10.0.1", "harness": "0.1.0"},
        "device": "cuda:0 (NVIDIA H100 80GB HBM3)", "threads": 16,
        "corpus_hash": "sha256:5f1c0d8e2b7a49c3a1e0f6d4b8c27e91a3d5f7b9c1e2d4f6a8b0c2e4f6a8b0c2",
        "tokenizer_hash": "sha256:9a8b7c6d5e4f30211f2e3d4c5b6a79881a2b3c4d5e6f70819a8b7c6d5e4f3021",
        "teacher": {"path": "teachers/t25m/model.ckpt", "hash": "sha256:0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6",
                    "params": TEACHER_PARAMS, "flops": TEACHER_PRETRAIN},
        "flop_formula": "6ND+attention (Kaplan 2020 Table 1)",
        "task_versions": {"arc_easy": 1, "hellaswag": 1},
        "started_utc": started, "finished_utc": started.replace("T09", "T17"),
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


make("results-a", 2.0, "2026-11-20T09:12:44Z")
