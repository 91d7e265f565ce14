# An if-expression whose untaken branch fails on some draws, and one whose used branch does: the
# same output and the same first used draw's error for any thread count (#14 item 7).
cat > m.sq <<'SQ'
d1 = norm(1, 10)
r = if d1 < 7 then d1 + norm(mean=7 - d1, sd=7 - d1) else d1
print(r, mean(r), percentile(r, 1), percentile(r, 99))
x = norm(0, 3)
print(if x > -0.0001 then gamma(x) else 0)
SQ
for t in 1 2 5; do sqc m.sq --samples 300K --threads $t; done
