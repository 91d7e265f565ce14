#!/usr/bin/env python3
"""bench/scaling.py — thread scaling of sqc, whole runs, interleaved.

usage: bench/scaling.py [-n RUNS] [--threads 1,2,4,...] SQC 'ARGS' ['ARGS' ...]

For each workload (one string of sqc arguments, e.g. 'examples/trainium2_timeline.sq --samples 10M')
and each thread count, runs `SQC ARGS --threads T` RUNS times (default 5), the thread counts
interleaved round by round in alternating order (this project's machines drift), and prints a
Markdown table: median wall time, median CPU time (user + sys), peak RSS, the speed-up over one
thread, the parallel efficiency, and the Karp-Flatt serial fraction e = (1/S - 1/T) / (1 - 1/T),
the share of one thread's work that behaves as serial at T threads (a constant e means a fixed
serial part; a rising e means overhead that grows with T). It also checks that standard output is
byte-identical for every thread count. Timing only: nothing here is a test.
"""
import argparse
import hashlib
import os
import shlex
import statistics
import subprocess
import time


def run_once(cmd):
    """Run cmd; return (wall seconds, cpu seconds, peak RSS in MB, sha256 of stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"scaling.py: exit status {os.waitstatus_to_exitcode(status)}: {shlex.join(cmd)}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, hashlib.sha256(out).hexdigest()


def main():
    ap = argparse.ArgumentParser(description="thread scaling of sqc, interleaved whole runs")
    ap.add_argument("-n", "--runs", type=int, default=5, help="runs per thread count (default 5)")
    ap.add_argument("--threads", default="1,2,4,8,16", help="comma-separated thread counts")
    ap.add_argument("sqc", help="the sqc binary")
    ap.add_argument("workloads", nargs="+", help="sqc arguments, one string per workload")
    args = ap.parse_args()
    counts = [int(t) for t in args.threads.split(",")]
    if args.runs < 1 or not counts or min(counts) < 1:
        ap.error("need at least one run and thread counts >= 1")
    print(f"{os.cpu_count()} CPUs; {args.runs} runs per cell, medians\n")
    print("| workload | threads | wall | CPU | peak RSS | speed-up | efficiency | serial fraction |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for workload in args.workloads:
        cmds = {t: [args.sqc] + shlex.split(workload) + ["--threads", str(t)] for t in counts}
        results = {t: [] for t in counts}
        for i in range(args.runs):
            for t in (counts if i % 2 == 0 else counts[::-1]):
                results[t].append(run_once(cmds[t]))
        digests = {r[3] for t in counts for r in results[t]}
        base = statistics.median(r[0] for r in results[counts[0]]) * counts[0]
        for t in counts:
            wall = statistics.median(r[0] for r in results[t])
            cpu = statistics.median(r[1] for r in results[t])
            rss = max(r[2] for r in results[t])
            speedup = base / wall
            serial = (1 / speedup - 1 / t) / (1 - 1 / t) if t > 1 else float("nan")
            print(f"| {workload} | {t} | {wall:.3f} s | {cpu:.3f} s | {rss:.0f} MB | {speedup:.2f}x | "
                  f"{speedup / t:.0%} | {'' if t == 1 else f'{serial:.3f}'} |")
        print(f"| {workload} | output identical for every thread count: "
              f"{'yes' if len(digests) == 1 else 'NO'} | | | | | | |")


if __name__ == "__main__":
    main()
