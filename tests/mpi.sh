#!/usr/bin/env bash
# mpi.sh SQC | mpi.sh --build SOURCE_DIR BUILD_DIR — a run spread over MPI processes
# (`mpirun -np K sqc FILE`, docs/scale.md) prints, writes and fails exactly as one process does.
#   SQC: an sqc built with -DSQC_MPI=ON. --build: first build one (the sqc target only) in BUILD_DIR.
# For K = 2 and 3 (more processes than this machine may have cores: --oversubscribe) it compares
# standard output, standard error, the exit status and every file written with one process of the
# same binary: the Trainium2 timeline (rehearsal, fused passes, streaming quantiles, hist, plot,
# sensitivity, tornado, write_csv), the same without the rehearsal and under --sampling lhs, the CSV export example at two sizes (sorted and streamed
# quantiles, CSV summary columns), sensitivity beyond the store budget (ranks through bins), draw errors found by one process only (a plain one and one
# behind an if-expression), a file that cannot be written, a program on standard input, and a
# command-line error.
set -u
if [ "${1:-}" = --build ]; then
  src=$2 dir=$3
  cmake -S "$src" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DSQC_MPI=ON >"$dir.log" 2>&1 &&
    cmake --build "$dir" --target sqc -j2 >>"$dir.log" 2>&1 || { cat "$dir.log"; echo "FAIL: building sqc with MPI"; exit 1; }
  sqc=$dir/sqc
  root=$src
else
  sqc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
  root=$(cd "$(dirname "$0")/.." && pwd)
fi
command -v mpirun >/dev/null || { echo "FAIL: no mpirun"; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 # containers run tests as root
export OMPI_MCA_rmaps_base_oversubscribe=1 # Open MPI 4 and 5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

# run NAME K ARGS...: sqc ARGS in a fresh copy of the examples, as one process (K = 1) or under
# mpirun -np K; leaves out.txt, err.txt, status and the files written in $work/NAME.K
run() {
  local name=$1 k=$2
  shift 2
  local d=$work/$name.$k
  mkdir -p "$d" && cp -r "$root/examples/." "$d/" && cd "$d" || exit 1
  local input=/dev/null
  [ -f "$work/$name.in" ] && input=$work/$name.in
  if [ "$k" = 1 ]; then
    timeout 300 "$sqc" "$@" <"$input" >out.txt 2>err.txt
  else
    timeout 300 mpirun -q --oversubscribe -np "$k" "$sqc" "$@" <"$input" >out.txt 2>err.txt
  fi
  echo $? >status
  cd "$work" || exit 1
}

# same NAME ARGS...: one process, then 2 and 3; every byte must agree (the CSV's now() stamp aside)
same() {
  local name=$1
  shift
  run "$name" 1 "$@"
  for k in 2 3; do
    run "$name" "$k" "$@"
    local a=$work/$name.1 b=$work/$name.$k
    local diffs
    diffs=$(diff -r -x '*.csv' "$a" "$b" 2>&1)
    for f in $(cd "$a" && find . -name '*.csv'); do
      diffs+=$(diff <(grep -v 'generated on' "$a/$f") <(grep -v 'generated on' "$b/$f") 2>&1)
    done
    if [ -n "$diffs" ]; then
      echo "FAIL: $name: mpirun -np $k differs from one process:"
      echo "$diffs" | head -40
      fail=1
    else
      echo "ok: $name at -np $k (exit status $(cat "$b/status"), $(wc -l <"$b/out.txt") lines out, $(wc -l <"$b/err.txt") err)"
    fi
  done
}

same timeline trainium2_timeline.sq --samples 200K
# without the rehearsal: passes one by one, intermediates stored for sharing (each process its blocks)
same timeline_unrehearsed trainium2_timeline.sq --samples 200K --rehearse never
# Latin hypercube sampling: each draw's stratum comes from its index alone, so any split of the blocks
same timeline_lhs trainium2_timeline.sq --samples 200K --sampling lhs
same csv_export_streamed basics/5_csv_export.sq --samples 200K
same csv_export_sorted basics/5_csv_export.sq
# sensitivity beyond the store budget (a budget of 10 MB: sorts up to 156K draws): ranks through
# counted bins, the counts and the 128-bit sums added over the processes
cat >"$work/binned.sq" <<'SQ'
set seed = 5
hours = lognorm(100, 400)
rate = norm(40, 60)
risk = mixture([norm(0, 100), norm(2000, 8000)], [0.8, 0.2])
print(sensitivity(hours * rate + risk))
SQ
SQC_MEMORY_LIMIT=40M same sensitivity_binned "$work/binned.sq" --samples 2M
# the lowest failing draw, 94315, lies in the last process's blocks for 2 and 3 processes
same draw_error -e 'x = norm(mean=0, sd=norm(mean=1, sd=0.25)); print(mean(x))' --samples 100K --seed 56
# the same behind an if-expression: the careful pass finds the error that the branch uses
same draw_error_branch -e 's = norm(mean=1, sd=0.25); y = if s < 0.5 then norm(mean=0, sd=s) else 0; print(percentile(y, 50))' --samples 100K --seed 56
# given= and trim= beyond the store budget: the draws where the condition holds are selected chunk
# by chunk, each chunk gathered from the processes that computed it (docs/scale.md, "Memory")
SQC_MEMORY_LIMIT=60M same given_trim_streamed -e 'x = norm(10, 20) + lognorm(1, 3); c = x > 12
print(summary(x, given=c)); print(prob(x > 30, given=c), cdf(x, 20, given=c), min(x, given=c))
print(percentiles(x, [1, 99], given=x > 25)); hist(x, bins=6, width=20, trim=2.5)' --samples 1M
same file_error -e 'print(mean(norm(1, 2))); write_csv("basics", [{a: 1}])'
printf 'x = lognorm(1, 10) * norm(5, 7)\nprint(x)\nprint(percentiles(x, [1, 50, 99]))\n' >"$work/stdin_program.in"
same stdin_program --samples 100K
same usage_error --samples 0
grep -q 'draw 94315' "$work/draw_error.3/err.txt" || { echo "FAIL: draw_error: no error at draw 94315"; fail=1; }
[ "$(cat "$work/timeline.1/status")" = 0 ] || { echo "FAIL: the timeline failed"; cat "$work/timeline.1/err.txt"; fail=1; }
exit $fail
