# --samples and --seed override the script's set statements; suffixes are accepted
sqc -e 'set samples = 10; sample_count()' --samples 1K
sqc -e 'set samples = 10; sample_count()'
sqc -e 'sample_count()' --samples=2_000
a=$(sqc -e 'mean(norm(0, 1))' --seed 5); b=$(sqc -e 'set seed = 5; mean(norm(0, 1))'); c=$(sqc -e 'mean(norm(0, 1))' --seed 6)
[ "$a" = "$b" ] && [ "$a" != "$c" ] && echo "seed ok"
