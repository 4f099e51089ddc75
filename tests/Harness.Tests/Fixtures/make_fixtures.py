#!/usr/bin/env python3
"""Regenerates the synthetic results folders results-a and results-b (pure Python, deterministic).

Losses follow a Chinchilla-style law L(N, D) = E + A/N^a + B/D^b; logit-KD acts as an effective-data multiplier k(N)
on D.  results-b differs from results-a in exactly one config field, kd.temperature, so its logit-kd units get new unit
keys and new numbers; scratch units are identical.  Multipliers are computed against a power-law (loss) or sigmoid
(accuracy) frontier fitted to the scratch points by grid search, as the estimator would.
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
ACCOUNTINGS = ["student", "+inference", "+teacher", "amortised:10"]
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


def fit_power_law(points):
    best = None
    lo = min(y for _, y in points)
    for i in range(1, 96):
        e = lo * i / 100
        for j in range(1, 200):
            a = j * 0.005
            xs = [c ** -a for c, _ in points]
            ys = [y - e for _, y in points]
            amp = sum(x * y for x, y in zip(xs, ys)) / sum(x * x for x in xs)
            sse = sum((amp * x - y) ** 2 for x, y in zip(xs, ys))
            if best is None or sse < best[0]:
                best = (sse, e, amp, a)
    return {"E": best[1], "A": best[2], "alpha": best[3]}


def fit_sigmoid(points, floor):
    best = None
    for ci in range(50, 100):
        ceil = ci / 100
        for si in range(1, 40):
            k = si * 0.1
            for mi in range(0, 120):
                x0 = 25 + mi * 0.25
                sse = sum((floor + (ceil - floor) / (1 + math.exp(-k * (math.log(c) - x0))) - y) ** 2 for c, y in points)
                if best is None or sse < best[0]:
                    best = (sse, ceil, k, x0)
    return {"floor": floor, "ceiling": best[1], "slope": best[2], "midpoint": best[3]}


def envelope(points, lower):
    pts = sorted(points)
    out, best = [], None
    for c, y in pts:
        if best is None or (y < best if lower else y > best):
            best = y
            out.append((c, y))
    return out


def make(name, temperature, with_fits, started):
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

    # Frontiers fitted on scratch points (student compute).
    scratch_curve = [(float(r[8]), float(r[13])) for r in curves if r[2] == "scratch"]
    pl = fit_power_law(envelope(scratch_curve, lower=True))
    acc_pts = [(c, float(e[9])) for (c, _), e in zip(
        [(float(r[8]), 0) for r in curves for _ in TASKS], evals) if e[2] == "scratch" and e[6] == "arc_easy"]
    sg = fit_sigmoid(envelope(acc_pts, lower=False), 0.25)
    max_scratch_c = max(c for c, _ in scratch_curve)

    def c_loss(y):
        r = y - pl["E"]
        return math.inf if r <= 0 else (pl["A"] / r) ** (1 / pl["alpha"])

    def c_acc(y):
        p = (y - sg["floor"]) / (sg["ceiling"] - sg["floor"])
        if p >= 1: return math.inf
        return math.exp(sg["midpoint"] + math.log(p / (1 - p)) / sg["slope"])

    mult = []
    head_mult = "treatment,metric,student,params,tokens,compute,accounting,y_treatment,baseline_compute,multiplier,ci90_low,ci90_high,ci95_low,ci95_high,extrapolated,beyond_asymptote,budget,seed,unit_key".split(",")
    final_acc = {e[1]: float(e[9]) for e in evals if e[6] == "arc_easy" and e[5] == "true"}
    for metric, inv in [("val_loss", c_loss), ("arc_easy/acc", c_acc)]:
        logs = {a: [] for a in ACCOUNTINGS}
        for u in units:
            if u["method"] != "logit-kd":
                continue
            y = u["vl"] if metric == "val_loss" else final_acc[u["key"]]
            base = inv(y)
            for acc in ACCOUNTINGS:
                c = {"student": u["fs"], "+inference": u["fs"] + u["cache"], "+teacher": u["fs"] + u["cache"] + u["pre"],
                     "amortised:10": u["fs"] + u["cache"] + u["pre"] / 10}[acc]
                if math.isinf(base):
                    m = lo90 = hi90 = lo95 = hi95 = ""
                else:
                    mv = base / c
                    logs[acc].append(math.log(mv))
                    s = 0.12 + 0.05 * u["si"]
                    m, lo90, hi90, lo95, hi95 = (g(round(x, 6)) for x in (mv, mv * math.exp(-1.645 * s), mv * math.exp(1.645 * s),
                                                                           mv * math.exp(-1.96 * s), mv * math.exp(1.96 * s)))
                mult.append(["logit-kd", metric, u["student"], u["n"], u["tokens"], g(c), acc, g(round(y, 5)),
                             "" if math.isinf(base) else g(base), m, lo90, hi90, lo95, hi95,
                             str((not math.isinf(base)) and base > max_scratch_c).lower(), str(math.isinf(base)).lower(),
                             u["budget"], 0, u["key"]])
        for acc in ACCOUNTINGS:
            gm = math.exp(sum(logs[acc]) / len(logs[acc]))
            s = 0.09
            mult.append(["logit-kd", metric, "*", "", "", "", acc, "", "", g(round(gm, 6)), g(round(gm * math.exp(-1.645 * s), 6)),
                         g(round(gm * math.exp(1.645 * s), 6)), g(round(gm * math.exp(-1.96 * s), 6)), g(round(gm * math.exp(1.96 * s), 6)),
                         "false", "false", "*", "*", ""])
    with open(os.path.join(out, "multipliers.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(head_mult)
        w.writerows(mult)

    fits_path = os.path.join(out, "fits.json")
    if with_fits:
        fits = {"schema_version": 1, "baseline": "scratch", "compute": "flops_student_train",
                "frontiers": {"val_loss": dict(form="power_law", **pl, n_points=len(scratch_curve)),
                              "arc_easy/acc": dict(form="sigmoid", **sg, n_points=len(acc_pts))}}
        with open(fits_path, "w") as f:
            json.dump(fits, f, indent=2)
            f.write("\n")
    elif os.path.exists(fits_path):
        os.remove(fits_path)

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


make("results-a", 2.0, True, "2026-11-20T09:12:44Z")
make("results-b", 4.0, False, "2026-11-21T09:03:10Z")
