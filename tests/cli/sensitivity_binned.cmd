# Beyond the memory budget for arrays of draws, sensitivity() ranks through counted bins instead of
# sorting every input's draws (docs/scale.md, "Memory"). The table below is the one the sorts give
# (the same program at 2M draws without a limit: 208 MB); under SQC_MEMORY_LIMIT=120M (a budget of
# 30 MB: sorts up to 937K draws; room for sanitizer builds) the sorts' arrays (208 MB in all) could
# not be made, so this is the binned path (25 MB), and its correlations agree to every printed digit, the weakest too.
# Then the same at 1 thread: the bins' sums are whole numbers, the same bits for any thread count.
cat > model.sq <<'SQ'
set seed = 5
hours = lognorm(100, 400)
rate = norm(40, 60)
overhead = uniform(1000, 3000)
risk = mixture([norm(0, 100), norm(2000, 8000)], [0.8, 0.2])
noise = norm(0, 1)
cost = hours * rate + overhead + risk + 50 * noise
s = sensitivity(cost)
print(s)
print(map(s, {|r| round(r.rank_corr, 4)}))
SQ
SQC_MEMORY_LIMIT=120M sqc --samples 2M --threads 2 model.sq > two.txt; echo "exit $?"
cat two.txt
SQC_MEMORY_LIMIT=120M sqc --samples 2M --threads 1 model.sq | cmp - two.txt && echo "1 and 2 threads: the same bytes"
