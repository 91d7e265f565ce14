#!/usr/bin/env bash
# valgrind.sh VALGRIND SQC PROGRAM.sq — runs the program under valgrind's memcheck with a
# smaller sample count and two threads, with and without a rehearsal; fails on any invalid access, use of uninitialized
# memory, or definite/indirect leak. ("Possibly lost" blocks are libgomp's thread pool.)
set -u
valgrind=$1 sqc=$2 program=$3
cd "$(mktemp -d)" || exit 1
trap 'rm -rf "$PWD"' EXIT
cp "$program" .
# twice: as given, and after a rehearsal (whose shared pass a small run would not get otherwise)
for rehearse in auto always; do
  "$valgrind" --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect "$sqc" "$(basename "$program")" --samples 2000 --threads 2 \
    --rehearse=$rehearse >/dev/null
  status=$?
  if [ "$status" = 99 ]; then
    echo "valgrind found errors (above), --rehearse=$rehearse"
    exit 1
  fi
  # the program's own status: 0 for an example, 1 for a failing program (valgrind_*.sq)
  case "$(basename "$program")" in
    valgrind_*) [ "$status" = 1 ] || { echo "exit status $status, expected 1 (--rehearse=$rehearse)"; exit 1; } ;;
    *) [ "$status" = 0 ] || { echo "exit status $status, expected 0 (--rehearse=$rehearse)"; exit 1; } ;;
  esac
done
exit 0
