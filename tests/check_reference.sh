#!/usr/bin/env bash
# check_reference.sh SQC SCRIPT — runs the timeline example at 1M draws and checks every
# quarterly and cumulative figure against ../shared/reference/README.md (10M-draw numpy):
# medians within 1%, p5 and p95 within 2%.
set -eu
sqc=$1; script=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp -r "$(dirname "$script")"/. "$work"/; cd "$work"
"$sqc" "$(basename "$script")" --samples 1M >out.txt

# quarter  p5  median  p95  cum_p5  cum_median  cum_p95   (from the reference table)
cat >ref.txt <<'REF'
Q1_2024 6748 12815 22921 6748 12815 22921
Q2_2024 19042 31503 48122 25920 44344 70825
Q3_2024 50717 77526 106678 77900 122187 175176
Q4_2024 123256 189785 263961 207031 313921 426617
Q1_2025 179582 212556 249482 429195 526930 631854
Q2_2025 213104 247324 284321 675765 775052 880006
Q3_2025 248765 287723 329585 951408 1063951 1178690
Q4_2025 285386 334626 389118 1259848 1399990 1540045
REF

awk '
  function check(what, got, want, tol) {
    rel = (got - want) / want; if (rel < 0) rel = -rel
    status = rel <= tol ? "ok  " : "FAIL"
    if (rel > tol) bad++
    printf "%s %-28s got %10d  reference %10d  off %.2f%% (limit %g%%)\n", status, what, got, want, 100 * rel, 100 * tol
  }
  FNR == NR { for (i = 2; i <= 7; i++) ref[$1, i] = $i; next }
  /^Trainium2 Quarterly Production Estimates/ { table = "quarterly" }
  /^Trainium2 Quarterly Production \(rounded/ { table = "" }
  /^Trainium2 Cumulative Production/ { table = "cumulative" }
  /^$/ { table = "" }
  /^Q[1-4] 20[0-9][0-9] / && table != "" {
    key = $1 "_" $2; off = table == "cumulative" ? 3 : 0
    for (i = 3; i <= 5; i++) gsub(",", "", $i)
    check(table " " $1 " " $2 " p5", $3, ref[key, 2 + off], 0.02)
    check(table " " $1 " " $2 " median", $4, ref[key, 3 + off], 0.01)
    check(table " " $1 " " $2 " p95", $5, ref[key, 4 + off], 0.02)
    n += 3
  }
  END {
    if (n != 48) { print "expected 48 figures, found " n; exit 1 }
    print (n - bad) " passed, " bad " failed"
    exit bad > 0
  }' ref.txt out.txt
