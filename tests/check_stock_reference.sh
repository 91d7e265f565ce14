#!/usr/bin/env bash
# check_stock_reference.sh SQC SCRIPT — runs the Trainium2 stock example at 1M draws and checks
# each model's median, p5, p95 and mean against ../shared/reference/README.md (10M-draw numpy):
# medians and means within 1%, p5 and p95 within 2%. The script prints millions with two
# decimals, as does the reference, so a figure can be off by rounding alone by up to 0.6%.
set -eu
sqc=$1; script=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp -r "$(dirname "$script")"/. "$work"/; cd "$work"
"$sqc" "$(basename "$script")" --samples 1M >out.txt

# model  p5  median  p95  mean   (millions of units, from the reference table)
cat >ref.txt <<'REF'
1 1.39 1.95 2.74 1.99
2 1.21 1.72 2.45 1.76
REF

awk '
  function check(what, got, want, tol) {
    rel = (got - want) / want; if (rel < 0) rel = -rel
    status = rel <= tol ? "ok  " : "FAIL"
    if (rel > tol) bad++
    printf "%s %-18s got %5.2fM  reference %5.2fM  off %.2f%% (limit %g%%)\n", status, what, got, want, 100 * rel, 100 * tol
    n++
  }
  FNR == NR { p5[$1] = $2; med[$1] = $3; p95[$1] = $4; avg[$1] = $5; next }
  /^Model [12]: / && !/[0-9]M/ { model = substr($2, 1, 1) }
  /^Median: / && model { gsub("M", "", $2); check("model " model " median", $2, med[model], 0.01) }
  /^90% CI: / && model { gsub("M", "", $3); gsub("M", "", $5)
                         check("model " model " p5", $3, p5[model], 0.02)
                         check("model " model " p95", $5, p95[model], 0.02) }
  /^Mean: / && model { gsub("M", "", $2); check("model " model " mean", $2, avg[model], 0.01); model = "" }
  END {
    if (n != 8) { print "expected 8 figures, found " n; exit 1 }
    print (n - bad) " passed, " bad + 0 " failed"
    exit bad > 0
  }' ref.txt out.txt
