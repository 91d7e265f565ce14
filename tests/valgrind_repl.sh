#!/usr/bin/env bash
# valgrind_repl.sh VALGRIND PTY_DRIVER SQC SOURCE_DIR CASE.repl — a REPL golden (tests/repl/) with
# sqc under valgrind's memcheck: the session's re-runs, :load, Tab and an interrupted entry's undo
# (runtime/cli/session.c) without invalid accesses, uninitialized reads or definite/indirect leaks.
# valgrind's status 99 on an error makes the case's `exit 0` fail.
set -u
valgrind=$1 driver=$2 sqc=$3 src=$4 case=$5
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
cat >"$dir/sqc" <<WRAP
#!/bin/sh
exec "$valgrind" --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
  --errors-for-leak-kinds=definite,indirect "$sqc" "\$@"
WRAP
chmod +x "$dir/sqc"
"$driver" "$dir/sqc" "$src" "$case"
