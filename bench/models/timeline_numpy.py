# The Trainium2 timeline in numpy (the model of ../shared/reference/numpy_reference.py), printing
# the same tables as examples/trainium2_timeline.sq. usage: python3 timeline_numpy.py N
import sys
import numpy as np
Z = 1.6448536269514722
N = int(float(sys.argv[1]))
rng = np.random.default_rng(12345)
def norm(lo, hi, n, lclip=None, rclip=None):
    x = rng.normal((lo + hi) / 2, (hi - lo) / (2 * Z), n)
    return np.clip(x, lclip, rclip) if lclip is not None or rclip is not None else x
def lognorm(lo, hi, n):
    a, b = np.log(lo), np.log(hi)
    return np.exp(rng.normal((a + b) / 2, (b - a) / (2 * Z), n))
M = 1e6
total = norm(1.26 * M, 1.54 * M, N)
f24 = norm(0.15, 0.30, N, 0.01, 0.99)
h1 = norm(0.40, 0.45, N, 0.01, 0.99)
g24 = lognorm(2.0, 3.0, N)
g25 = np.sqrt(1 / h1 - 1)
pc = lambda a: np.percentile(a, [5, 50, 95])
print("implied g25", pc(g25), "g24", pc(g24))
p24 = total * f24; p25 = total - p24
b25 = p25 * (g25 - 1) / (g25 ** 4 - 1)
b24 = p24 * (g24 - 1) / (g24 ** 4 - 1)
Q = ['Q1 2024', 'Q2 2024', 'Q3 2024', 'Q4 2024', 'Q1 2025', 'Q2 2025', 'Q3 2025', 'Q4 2025']
qp = {}
for i in range(4):
    qp[Q[i]] = b24 * g24 ** i; qp[Q[4 + i]] = b25 * g25 ** i
tot = sum(qp[q] for q in Q)
for q in Q + ["TOTAL"]:
    print(q, " ".join(f"{int(v):>10,}" for v in pc(tot if q == "TOTAL" else qp[q])))
t24 = sum(qp[q] for q in Q[:4]); t25 = sum(qp[q] for q in Q[4:])
print("2024 share", np.median(t24 / tot), "h1 share", np.median((qp['Q1 2025'] + qp['Q2 2025']) / t25),
      "jump", np.median(qp['Q1 2025'] / qp['Q4 2024']))
run = np.zeros(N)
for q in Q:
    run += qp[q]
    print("cum", q, " ".join(f"{int(v):>10,}" for v in pc(run)))
counts, edges = np.histogram(tot, bins=30)
print("hist", counts.max())
