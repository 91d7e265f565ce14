# time-to-botec in numpy, the idiomatic way: pick a component per draw, draw each lognormal only
# where it was picked. usage: python3 ttb_numpy.py N
import sys
import numpy as np
Z = 1.6448536269514722
n = int(float(sys.argv[1]))
rng = np.random.default_rng(1)
p_c = 0.8 * 0.5
c = rng.choice(4, size=n, p=[1 - p_c, p_c / 2, p_c / 4, p_c / 4])
out = (c == 1).astype(np.float64)
for k, (lo, hi) in ((2, (1, 3)), (3, (2, 10))):
    m = c == k
    a, b = np.log(lo), np.log(hi)
    out[m] = rng.lognormal((a + b) / 2, (b - a) / (2 * Z), m.sum())
print(out.mean())
