#!/usr/bin/env python3
"""lhs_accuracy.py — what Latin hypercube sampling gains: the RMSE of a model's mean, p5 and p95
over many seeds, Monte Carlo (--sampling mc) against LHS (--sampling lhs), at several draw counts.

  bench/lhs_accuracy.py [--seeds 50] [--sizes 1K,10K,100K] [--truth-n 10M] [--truth-runs 4] SQC

Models: time-to-botec (bench/models/ttb.sq, `result`: a mixture of 0, 1 and two lognormals) and
the Trainium2 timeline (examples/trainium2_timeline.sq): its `total` (which is the stock input,
a normal, up to rounding: the quarters' shares sum to 1) and `timeline-q4`, Q4 2024's production
(the product of four inputs through a nonlinear growth formula). Each is copied without its `set`
lines and followed by a line that prints the three figures. The truth: the botec's mean and p95 are exact (`mean` of its lognormal parts, `inv` of the
mixture: GSL's CDFs); the timeline has no closed form, so its truth is the average of --truth-runs
LHS runs at --truth-n draws with seeds apart from the measured ones (their spread is printed: it
must be well below the RMSEs it is compared with). Seeds 1..--seeds for both methods; one thread.
Prints a Markdown table: RMSE of each figure for MC and LHS, their ratio, and ratio^2 (how many
times more Monte Carlo draws would give LHS's accuracy).
"""
import argparse
import math
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MODELS = {  # name: (file, the figure's expression)
    "botec": (os.path.join(ROOT, "bench/models/ttb.sq"), "result"),
    "timeline": (os.path.join(ROOT, "examples/trainium2_timeline.sq"), "total"),
    "timeline-q4": (os.path.join(ROOT, "examples/trainium2_timeline.sq"), 'quarterly_production["Q4 2024"]'),
}

# The botec's exact figures, computed by sqc itself from the distributions' exact CDFs.
BOTEC_TRUTH = """
p_c = 0.8 * 0.5
parts = [0, 1, 1 to 3, 2 to 10]
w = [1 - p_c, p_c/2, p_c/4, p_c/4]
m = mixture(parts, w)
lm(lo, hi) = { mu = (log(lo) + log(hi)) / 2; s = (log(hi) - log(lo)) / (2 * inv(norm(mean=0, sd=1), 0.95)); exp(mu + s * s / 2) }
print(w[1] * 1 + w[2] * lm(1, 3) + w[3] * lm(2, 10), inv(m, 0.05), inv(m, 0.95))
"""


def count(text):
    mult = {"K": 1e3, "M": 1e6, "B": 1e9}
    return int(float(text[:-1]) * mult[text[-1]]) if text[-1] in mult else int(text)


def wrapper(path, expr, model, folder):
    """The model's text (its `set` lines dropped: the command line sets them), then one line with
    the three figures of `expr`."""
    w = os.path.join(folder, f"wrap_{model}.sq")
    with open(path) as src, open(w, "w") as f:
        f.writelines(l for l in src if not l.startswith("set "))
        f.write(f"\nfig = {expr}\nprint(\"@@\", mean(fig), percentile(fig, 5), percentile(fig, 95))\n")
    return w


def figures(sqc, script, n, seed, sampling):
    out = subprocess.run([sqc, script, "--samples", str(n), "--seed", str(seed), "--sampling", sampling,
                          "--threads", "1"], capture_output=True, text=True, check=True).stdout
    line = [l for l in out.splitlines() if l.startswith("@@ ")][-1]
    return [float(x) for x in line.split()[1:]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sqc")
    ap.add_argument("--seeds", type=int, default=50)
    ap.add_argument("--sizes", default="1K,10K,100K")
    ap.add_argument("--truth-n", default="10M")
    ap.add_argument("--truth-runs", type=int, default=4)
    ap.add_argument("--models", default="botec,timeline,timeline-q4")
    a = ap.parse_args()
    sizes = [count(s) for s in a.sizes.split(",")]
    names = ["mean", "p5", "p95"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for model in a.models.split(","):
            path, expr = MODELS[model]
            script = wrapper(path, expr, model, tmp)
            if model == "botec":
                t = os.path.join(tmp, "truth.sq")
                open(t, "w").write(BOTEC_TRUTH)
                truth = [float(x) for x in subprocess.run([a.sqc, t], capture_output=True, text=True,
                                                          check=True).stdout.split()]
                print(f"# botec truth (exact): mean {truth[0]:.6g}, p5 {truth[1]:.6g}, p95 {truth[2]:.6g}",
                      file=sys.stderr)
            else:
                runs = [figures(a.sqc, script, count(a.truth_n), 1000 + k, "lhs") for k in range(a.truth_runs)]
                truth = [sum(r[j] for r in runs) / len(runs) for j in range(3)]
                spread = [math.sqrt(sum((r[j] - truth[j]) ** 2 for r in runs) / max(1, len(runs) - 1) / len(runs))
                          for j in range(3)]
                print(f"# {model} truth: {a.truth_runs} LHS runs at {a.truth_n}: " +
                      ", ".join(f"{names[j]} {truth[j]:.6g} (se {spread[j]:.3g})" for j in range(3)),
                      file=sys.stderr)
            for n in sizes:
                err = {"mc": [[], [], []], "lhs": [[], [], []]}
                for seed in range(1, a.seeds + 1):
                    for sampling in ("mc", "lhs"):
                        f = figures(a.sqc, script, n, seed, sampling)
                        for j in range(3):
                            err[sampling][j].append(f[j] - truth[j])
                for j in range(3):
                    rm = math.sqrt(sum(e * e for e in err["mc"][j]) / a.seeds)
                    rl = math.sqrt(sum(e * e for e in err["lhs"][j]) / a.seeds)
                    rows.append((model, names[j], n, truth[j], rm, rl))
                print(f"# {model} at {n} done", file=sys.stderr)
    print("| model | figure | draws | truth | RMSE MC | RMSE LHS | MC / LHS | draws MC needs for LHS's RMSE |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for model, fig, n, t, rm, rl in rows:
        if rm == 0 and rl == 0:
            print(f"| {model} | {fig} | {n:,} | {t:.4g} | 0 | 0 | – | – (a point mass: exact either way) |")
            continue
        ratio = rm / rl if rl > 0 else float("inf")
        print(f"| {model} | {fig} | {n:,} | {t:.4g} | {rm:.3g} | {rl:.3g} | {ratio:.2f} | {ratio * ratio:.1f}× |")


if __name__ == "__main__":
    main()
