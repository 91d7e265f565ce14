# At large N, given= summaries and trim= charts select and count the draws block by block instead of
# holding them (docs/scale.md, "Memory"): 20M draws, 160 MB as an array, within SQC_MEMORY_LIMIT=200M (room for sanitizer builds; its budget, 50 MB, holds no such array).
# Then at 2M draws, held (the default) and streamed (SQC_MEMORY_LIMIT=100M: a budget of 25 MB, too small to hold 16 MB arrays), byte for byte:
# moments, shares, quantiles (selected from brackets, and from a short array for a rare condition),
# extremes, hist and plot with trim= and range= and of whole numbers, hist with given=.
# A sanitizer build (SQC_TEST_SANITIZED, tests/CMakeLists.txt) is several times larger in memory:
# there the same programs run without the limits (the budget's own 512 MiB still streams at 20M).
big=200M small=100M
[ -n "${SQC_TEST_SANITIZED:-}" ] && big= small=
SQC_MEMORY_LIMIT=$big sqc -e 'x = norm(10, 20) + lognorm(1, 3); print(mean(x, given=x > 12), percentile(x, 50, given=x > 12))
hist(x, bins=6, width=20, trim=2.5)' --samples 20M
cat >p.sq <<'SQ'
x = norm(10, 20) + lognorm(1, 3)
c = x > 12
print(mean(x, given=c), sd(x, given=c), var(x, given=c))
print(prob(x > 30, given=c), cdf(x, 20, given=c), geomean(x, given=c))
print(percentiles(x, [0, 1, 5, 50, 95, 99, 100], given=c))
print(summary(x, given=c))
print(median(x, given=x > 25), min(x, given=c), max(x, given=c))
hist(x, bins=8, width=20, trim=2.5)
hist(x, bins=6, width=20, range=[5, 30])
hist(x, bins=6, width=20, trim=1, log=true)
plot(x, "x.svg", bins=8, trim=5)
k = round(5 + norm(-2, 2))
hist(k, trim=1, width=10)
hist(k, width=10)
plot(k, "k.svg")
hist(x, bins=6, width=20, given=c)
SQ
sqc p.sq --samples 2M >held.txt && mv x.svg held.svg && mv k.svg held_k.svg
SQC_MEMORY_LIMIT=$small sqc p.sq --samples 2M >streamed.txt
cmp held.txt streamed.txt && cmp held.svg x.svg && cmp held_k.svg k.svg && echo "2M draws: held and streamed, the same bytes"
