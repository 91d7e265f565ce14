#!/usr/bin/env python3
"""bench/phases.py — where a run's time goes, per phase, and what Amdahl's law makes of it.

usage: bench/phases.py [-n RUNS] [--threads 1,2] [--predict 4,8,16] SQC 'ARGS'

Runs `SQC ARGS --threads T` with SQC_TIMINGS=1 (docs/cli.md, "Environment") RUNS times per
thread count (default 7), the counts interleaved round by round in alternating order, from a
scratch folder, with bench/omp_shim.c built and preloaded: sqc's per-phase table then says, per
phase, its wall and CPU time and its serial CPU time (the interpreter thread's CPU outside
parallel regions). What the table does not hold (process start, sqc's restart with
OMP_WAIT_POLICY set, loading, the kernel's teardown at exit) is the row "process start, exit":
the whole process's wall time measured here less the table's total.

The model: at the first thread count (1), each phase's CPU time splits into its serial part S and
its part in parallel regions P; `files` (fsync, rename) and "process start, exit" count as serial
wall time. Predicted time at T threads = sum of S + P / T: Amdahl's law with every parallel region
scaling perfectly, so an upper bound on the speed-up. CPU time, unlike wall time, hardly moves
when other processes load the machine, so the model holds on a busy machine; the second thread
count's wall times are printed beside it, and are only as good as the machine is quiet. Also
checks that standard output is the same bytes for every thread count. Timing only: not a test.
"""
import argparse
import os
import re
import shlex
import statistics
import subprocess
import tempfile
import time

OUTSIDE = "process start, exit"
SERIAL_WALL = ("files", OUTSIDE)  # waiting (disk, kernel), not CPU: their wall time is serial
ROW = re.compile(r"^(.+?)\s+(-?[0-9.]+)\s+(-?[0-9.]+)\s+(-?[0-9.]+)\s+(-?[0-9.]+|-)\s+(-?\d+)\s+(-?\d+)(?:\s+\d+)?$")


def run_once(cmd, cwd, env):
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True)
    wall = (time.perf_counter() - start) * 1e3
    if done.returncode != 0:
        raise SystemExit(f"phases.py: exit status {done.returncode}: {shlex.join(cmd)}\n{done.stderr.decode()}")
    phases = {}
    for line in done.stderr.decode().splitlines():
        m = ROW.match(line)
        if m:
            serial = float(m.group(5)) if m.group(5) != "-" else None
            phases[m.group(1)] = {"wall": float(m.group(2)), "cpu": float(m.group(3)), "serial": serial,
                                  "faults": int(m.group(6))}
    if "total" not in phases:
        raise SystemExit("phases.py: no timings on standard error (an sqc without SQC_TIMINGS?)")
    inside = phases.pop("total")
    phases[OUTSIDE] = {"wall": wall - inside["wall"], "cpu": 0.0, "serial": 0.0, "faults": 0}
    phases["whole run"] = {"wall": wall, "cpu": inside["cpu"], "serial": inside["serial"],
                           "faults": inside["faults"]}
    return phases, done.stdout


def main():
    ap = argparse.ArgumentParser(description="per-phase timings and an Amdahl model")
    ap.add_argument("-n", "--runs", type=int, default=7)
    ap.add_argument("--threads", default="1,2", help="two thread counts, comma-separated; the model uses the first")
    ap.add_argument("--predict", default="2,4,8,16", help="thread counts to predict")
    ap.add_argument("sqc")
    ap.add_argument("workload", help="sqc arguments, one string")
    args = ap.parse_args()
    t1, t2 = (int(t) for t in args.threads.split(","))
    predict = [int(t) for t in args.predict.split(",")]
    sqc = os.path.abspath(args.sqc)
    here = os.path.dirname(os.path.abspath(__file__))
    results = {t1: [], t2: []}
    outputs = set()
    with tempfile.TemporaryDirectory() as scratch:
        shim = os.path.join(scratch, "omp_shim.so")
        env = dict(os.environ, SQC_TIMINGS="1")
        if subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", shim, os.path.join(here, "omp_shim.c"), "-ldl"]
                          ).returncode == 0:
            env["LD_PRELOAD"] = shim
        else:
            print("(bench/omp_shim.c did not build: no serial CPU times, no model)")
        words = [os.path.abspath(w) if os.path.exists(w) else w for w in shlex.split(args.workload)]
        work = os.path.join(scratch, "run")
        os.mkdir(work)
        for i in range(args.runs):
            for t in ((t1, t2) if i % 2 == 0 else (t2, t1)):
                phases, out = run_once([sqc] + words + ["--threads", str(t)], work, env)
                results[t].append(phases)
                outputs.add(out)
    names = []
    for runs in results.values():
        for p in runs:
            names += [k for k in p if k not in names]
    names.remove("whole run")
    names.append("whole run")

    def med(t, name, field):
        vals = [p[name][field] for p in results[t] if name in p and p[name][field] is not None]
        return statistics.median(vals) if vals else None

    def fmt(v, digits=1):
        return "" if v is None else f"{v:.{digits}f}"

    print(f"`sqc {args.workload}`, {args.runs} runs per thread count, interleaved; medians (ms)\n")
    print(f"| phase | wall, {t1} | CPU, {t1} | serial CPU, {t1} | parallel share | minor faults, {t1} | "
          f"wall, {t2} | CPU, {t2} | wall speed-up {t1}->{t2} |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    S = P = 0.0
    have_model = True
    for name in names:
        w1, c1, s1, f1 = (med(t1, name, k) for k in ("wall", "cpu", "serial", "faults"))
        w2, c2 = med(t2, name, "wall"), med(t2, name, "cpu")
        share = None
        if name in SERIAL_WALL:
            s1, share = w1, 0.0
            if name != "whole run":
                S += w1
        elif name != "whole run":
            if s1 is None:
                have_model = False
            else:
                S += s1
                P += max(0.0, c1 - s1)
                share = max(0.0, c1 - s1) / c1 if c1 else 0.0
        if name == "whole run":
            s1 = S if have_model else None
            share = P / (S + P) if have_model and S + P else None
        speed = w1 / w2 if w1 and w2 else None
        print(f"| {name} | {fmt(w1)} | {'' if name == OUTSIDE else fmt(c1)} | {fmt(s1)} | {fmt(share, 3)} | "
              f"{fmt(f1, 0)} | {fmt(w2)} | {'' if name == OUTSIDE else fmt(c2)} | {fmt(speed, 2)}{'x' if speed else ''} |")
    if have_model and S + P > 0:
        print(f"\nmodel, from {t1} thread: serial {S:.1f} ms + parallel {P:.1f} ms; serial fraction "
              f"{S / (S + P):.3f}")
        for T in predict:
            pred = S + P * t1 / T
            print(f"- predicted at {T} threads: {pred:.1f} ms, {(S + P) / pred:.2f}x")
    print(f"\noutput identical for every thread count: {'yes' if len(outputs) == 1 else 'NO'}")


if __name__ == "__main__":
    main()
