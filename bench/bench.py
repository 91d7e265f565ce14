#!/usr/bin/python3
"""bench.py — runs the benchmark programs and prints a Markdown table of whole-process wall time
(median of several runs), peak RSS (largest of the runs) and the ratios the targets are about,
all measured in this one run, the programs of each comparison interleaved. Called by bench/run.sh, which builds and installs what it needs.
usage: bench.py SQC LIMIT [--reps R] [--quick]"""
import os, statistics, subprocess, sys, tempfile, time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
sqc, limit = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
reps = int(sys.argv[sys.argv.index("--reps") + 1]) if "--reps" in sys.argv else 5
quick = "--quick" in sys.argv
py = "/usr/bin/python3"  # Debian's python3 with Debian's python3-numpy
node = ["node", "--max-old-space-size=12000"]
work = tempfile.mkdtemp(prefix="sqc-bench-")  # the timeline writes a CSV and an SVG here
M = lambda p: os.path.join(here, "models", p)
timeline = os.path.join(root, "examples", "trainium2_timeline.sq")


def measure_once(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out_b = p.stdout.read()
    err_b = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed ({status}):\n{err_b.decode()[-2000:]}")
    return wall, ru.ru_maxrss / 1024, out_b.decode()


rows, res = [], {}


def run_group(entries):
    """Runs the programs of one comparison interleaved: round by round, each program that still
    needs runs once, in alternating order. This machine's speed drifts by 10-20% within minutes;
    run one after the other, a program measured in a slow minute would look slow next to one
    measured in a fast minute. entries: (key, label, cmd, runs)."""
    walls = {key: [] for key, _, _, _ in entries}
    rss, out = {key: 0.0 for key, _, _, _ in entries}, {}
    for i in range(max(n for _, _, _, n in entries)):
        for key, label, cmd, n in (entries if i % 2 == 0 else entries[::-1]):
            if len(walls[key]) < n:
                wall, r, out[key] = measure_once(cmd)
                walls[key].append(wall)
                rss[key] = max(rss[key], r)
    for key, label, cmd, n in entries:
        wall = statistics.median(walls[key])
        res[key] = (wall, rss[key], out[key])
        rows.append((label, wall, rss[key], n))
        print(f"  {label}: {wall:.3f} s, {rss[key]:.0f} MB", file=sys.stderr, flush=True)


print("time-to-botec", file=sys.stderr)
for s, n in [("1M", "1000000"), ("10M", "10000000")]:
    group = [(f"ttb_sqc_{s}", f"time-to-botec {s}: sqc --threads 1", [sqc, M("ttb.sq"), "--samples", s, "--threads", "1"], reps),
             (f"ttb_sqc2_{s}", f"time-to-botec {s}: sqc --threads 2", [sqc, M("ttb.sq"), "--samples", s, "--threads", "2"], reps),
             (f"ttb_limit_{s}", f"time-to-botec {s}: C limit (bench/limit)", [limit, n], reps),
             (f"ttb_numpy_{s}", f"time-to-botec {s}: numpy", [py, M("ttb_numpy.py"), n], reps)]
    if not quick or s == "1M":
        group.append((f"ttb_squiggle_{s}", f"time-to-botec {s}: Squiggle (node)",
                      node + [os.path.join(here, "squiggle", "ttb.mjs"), n], 1 if s == "10M" else min(reps, 3)))
    run_group(group)

print("timeline", file=sys.stderr)
for s, n in [("100K", "100000"), ("1M", "1000000"), ("10M", "10000000")]:
    group = [(f"tl_sqc1_{s}", f"timeline {s}: sqc --threads 1", [sqc, timeline, "--samples", s, "--threads", "1"], reps),
             (f"tl_sqc2_{s}", f"timeline {s}: sqc --threads 2", [sqc, timeline, "--samples", s, "--threads", "2"], reps)]
    if s == "10M":
        group.append(("tl_never_10M", "timeline 10M: sqc --threads 2 --rehearse=never",
                      [sqc, timeline, "--samples", "10M", "--threads", "2", "--rehearse=never"], reps))
    if s != "100K":
        group.append((f"tl_numpy_{s}", f"timeline {s}: numpy", [py, M("timeline_numpy.py"), n], min(reps, 3)))
    run_group(group)
run_group([("parse", "startup + parse of the timeline (sqc --check)", [sqc, "--check", timeline], 4 * reps),
           ("startup", "startup + parse + 1000-draw run of the timeline", [sqc, timeline, "--samples", "1000", "--threads", "1"], 4 * reps)])

same = res["tl_sqc1_10M"][2] == res["tl_sqc2_10M"][2]
def ratio(a, b):
    return res[a][0] / res[b][0]

print(f"| program | wall (median) | peak RSS | runs |")
print(f"|---|---:|---:|---:|")
for label, wall, rss, n in rows:
    print(f"| {label} | {wall:.3f} s | {rss:.0f} MB | {n} |")
print()
print("| ratio (this run) | value | target |")
print("|---|---:|---|")
print(f"| time-to-botec 10M: sqc 1 thread / C limit | {ratio('ttb_sqc_10M', 'ttb_limit_10M'):.2f}x | <= 1.5x |")
if "ttb_squiggle_10M" in res:
    print(f"| time-to-botec 10M: Squiggle / sqc 2 threads | {ratio('ttb_squiggle_10M', 'ttb_sqc2_10M'):.1f}x | >= 50x |")
    print(f"| time-to-botec 10M: Squiggle / sqc 1 thread | {ratio('ttb_squiggle_10M', 'ttb_sqc_10M'):.1f}x | |")
print(f"| time-to-botec 1M: Squiggle / sqc 1 thread | {ratio('ttb_squiggle_1M', 'ttb_sqc_1M'):.1f}x | |")
print(f"| time-to-botec 10M: numpy / sqc 1 thread | {ratio('ttb_numpy_10M', 'ttb_sqc_10M'):.1f}x | |")
print(f"| timeline 10M: numpy / sqc 2 threads | {ratio('tl_numpy_10M', 'tl_sqc2_10M'):.1f}x | >= 20x |")
print(f"| timeline 10M: numpy / sqc 1 thread | {ratio('tl_numpy_10M', 'tl_sqc1_10M'):.1f}x | |")
print(f"| timeline 10M, 2 threads: --rehearse=never / the default (a rehearsal) | {ratio('tl_never_10M', 'tl_sqc2_10M'):.1f}x | |")
print(f"| timeline 10M: peak RSS sqc (2 threads) | {res['tl_sqc2_10M'][1]:.0f} MB | <= 800 MB |")
print(f"| timeline 10M: --threads 1 / --threads 2 | {ratio('tl_sqc1_10M', 'tl_sqc2_10M'):.2f}x | >= 1.8x |")
print(f"| timeline 10M: output of 1 and 2 threads byte-identical | {'yes' if same else 'NO'} | yes |")
print(f"| timeline scaling 1M / 100K, 10M / 1M (1 thread) | {ratio('tl_sqc1_1M', 'tl_sqc1_100K'):.1f}x, {ratio('tl_sqc1_10M', 'tl_sqc1_1M'):.1f}x | ~10x (linear) |")
print(f"| startup + parse of the timeline (sqc --check) | {res['parse'][0]*1000:.1f} ms | < 5 ms |")
print(f"| startup + parse + 1000-draw run of the timeline | {res['startup'][0]*1000:.1f} ms | |")
