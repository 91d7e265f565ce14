#!/usr/bin/env bash
# timings.sh SQC EXAMPLE — SQC_TIMINGS (docs/cli.md, "Environment"): set, a run prints its
# per-phase table to standard error and the same standard output as without; the phases add up to
# the total; unset, empty or 0, nothing is printed; --check prints none.
set -u
sqc=$1; example=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail=0
run() { "$sqc" "$example" --samples 100K --threads 2 "$@"; }
run >plain.out 2>plain.err || { echo "the example failed"; cat plain.err; exit 1; }
[ -s plain.err ] && { echo "without SQC_TIMINGS, standard error is not empty:"; cat plain.err; fail=1; }
SQC_TIMINGS=1 run >timed.out 2>timed.err || { echo "the example failed with SQC_TIMINGS=1"; cat timed.err; exit 1; }
cmp -s plain.out timed.out || { echo "SQC_TIMINGS changed standard output"; diff plain.out timed.out | head; fail=1; }
grep -q '^sqc timings: 100000 draws, 2 threads$' timed.err || { echo "no header line:"; cat timed.err; fail=1; }
# the example has a rehearsal and a shared pass, and sensitivity, hist, plot and files
for phase in "interpreter, printing" parse rehearsal pilot brackets "shared pass" "selection, merge" \
             "ranks (sensitivity)" "hist/plot bins" files "exit (frees)" total; do
  grep -q "^$phase  " timed.err || { echo "no row for '$phase':"; cat timed.err; fail=1; }
done
# the rows' wall times add up to the total (each printed to 0.001 ms)
awk '/^sqc timings|^phase/ {next} $1 == "total" {total = $2; next}
     {for (i = 1; i <= NF; i++) if ($i ~ /^-?[0-9.]+$/) {sum += $i; break}}
     END {d = sum - total; if (d < 0) d = -d; if (d > 0.02 || total <= 0) {print "rows sum to " sum " ms, total " total " ms"; exit 1}}' \
  timed.err || fail=1
for off in "" 0; do
  SQC_TIMINGS=$off run >off.out 2>off.err
  [ -s off.err ] && { echo "SQC_TIMINGS='$off' printed:"; cat off.err; fail=1; }
done
SQC_TIMINGS=1 "$sqc" --check "$example" 2>check.err
[ -s check.err ] && { echo "--check printed timings:"; cat check.err; fail=1; }
[ $fail -eq 0 ] && echo "ok: SQC_TIMINGS prints the phases, adds up, changes no output; off by default"
exit $fail
