# The same program, seed and sample count give byte-identical output for any --threads
p='x = norm(1, 3) * lognorm(2, 5); y = x / (1 + x); print(mean(x), percentile(x, 5), percentile(y, 95), sd(y), prob(y > 0.5))'
one=$(sqc -e "$p" --samples 100K --threads 1); two=$(sqc -e "$p" --samples 100K --threads 2)
[ -n "$one" ] && [ "$one" = "$two" ] && echo identical
