# --samples takes digits with _ only between two digits and an optional K, M or B suffix; hex,
# a leading or trailing _, signs and blanks are refused (exit 2) instead of read as something else.
for v in 10_000 2K 1.5K 1e3 0x10 _10 10_ 1__0 -5 ' 10' 10k; do
  sqc -e 'sample_count()' --samples "$v" 2>&1 | head -1
  echo "$v: exit ${PIPESTATUS[0]}"
done
sqc -e 'sample_count()' --seed=0x1
echo "seed: exit $?"
