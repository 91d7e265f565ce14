# `lo to hi` and to(lo, hi) are one constructor: the same draws for the same seed
sqc --seed 5 -e 'x = 1 to 10; print(mean(x), percentile(x, 5), percentile(x, 95))'
sqc --seed 5 -e 'x = to(1, 10); print(mean(x), percentile(x, 5), percentile(x, 95))'
sqc --seed 5 -e 'x = -1 to 1; print(mean(x), sd(x))'
sqc --seed 5 -e 'x = to(-1, 1); print(mean(x), sd(x))'
