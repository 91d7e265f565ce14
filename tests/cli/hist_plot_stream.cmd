# At large N, hist and plot of a samples value count its draws block by block instead of holding
# them (docs/scale.md, "Memory"): 20M draws, 160 MB as an array, within SQC_MEMORY_LIMIT=100M.
# Then at 1M draws, held (the default) and streamed (a budget too small to hold them), byte for byte.
SQC_MEMORY_LIMIT=100M sqc -e 'x = norm(10, 20) + lognorm(1, 3); hist(x, bins=8); plot(x, "big.svg", bins=8)' --samples 20M
test -s big.svg && echo "big.svg written"
P='x = norm(10, 20) + lognorm(1, 3); hist(x, bins=8, width=20); plot(x, "x.svg", bins=8)'
sqc -e "$P" --samples 1M >held.txt && mv x.svg held.svg
SQC_MEMORY_LIMIT=40M sqc -e "$P" --samples 1M >streamed.txt
cmp held.txt streamed.txt && cmp held.svg x.svg && echo "1M draws: held and streamed, the same bytes"
