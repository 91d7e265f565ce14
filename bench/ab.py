#!/usr/bin/env python3
"""bench/ab.py — interleaved A/B timing of whole commands.

usage: bench/ab.py [-n RUNS] CMD_A CMD_B [CMD ...]     (each command one shell string)

Runs every command RUNS times (default 20), alternating the order each round (A B, B A, ...), and
prints each one's median, 25th percentile and fastest wall time. On a machine whose speed drifts
(this project's KVM guest moved by 20% within minutes), only interleaved runs compare two builds
fairly: hyperfine runs all of A, then all of B, so a drift between them reads as a difference.
"""
import argparse
import os
import statistics
import subprocess
import time


def main():
    ap = argparse.ArgumentParser(description="interleaved A/B timing of whole commands")
    ap.add_argument("-n", "--runs", type=int, default=20, help="runs of each command (default 20)")
    ap.add_argument("commands", nargs="+", help="shell commands to compare")
    args = ap.parse_args()
    if args.runs < 1 or len(args.commands) < 1:
        ap.error("need at least one run and one command")
    times = [[] for _ in args.commands]
    with open(os.devnull, "w") as devnull:
        for i in range(args.runs):
            order = list(range(len(args.commands)))
            if i % 2:
                order.reverse()
            for j in order:
                start = time.perf_counter()
                done = subprocess.run(args.commands[j], shell=True, stdout=devnull, stderr=devnull)
                times[j].append(time.perf_counter() - start)
                if done.returncode != 0:
                    raise SystemExit(f"ab.py: exit status {done.returncode}: {args.commands[j]}")
    for cmd, t in zip(args.commands, times):
        t.sort()
        print(f"{statistics.median(t) * 1e3:9.1f} ms median  {t[len(t) // 4] * 1e3:9.1f} p25  "
              f"{t[0] * 1e3:9.1f} min   {cmd}")


if __name__ == "__main__":
    main()
