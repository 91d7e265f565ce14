#!/usr/bin/env bash
# front_ends.sh CC SOURCE_DIR READLINE_INCLUDE — the REPL (repl.c) and `sqc --serve` (serve.c) run
# the interpreter through the embedding API alone (runtime/cli/sqc_embed.h; docs/architecture.md,
# "Embedding"): each compiles seeing only runtime/cli and runtime/base, where an interpreter
# header is not found. The probe shows that such an include fails there, so the check can fail.
set -u
cc=$1; src=$2; readline=$3
flags=(-std=c11 -fsyntax-only -D_GNU_SOURCE -I "$src/runtime/cli" -I "$src/runtime/base" -I "$readline")
fail=0
for f in repl.c serve.c; do
  "$cc" "${flags[@]}" "$src/runtime/cli/$f" || { echo "$f reaches past sqc_embed.h (see above)"; fail=1; }
done
probe=$(mktemp --suffix=.c); trap 'rm -f "$probe"' EXIT
printf '#include "sqc_embed.h"\n#include "eval.h"\n' >"$probe"
if "$cc" "${flags[@]}" "$probe" 2>/dev/null; then
  echo "an interpreter header (eval.h) is visible to the front ends: the check would not catch one"
  fail=1
fi
[ $fail -eq 0 ] && echo "ok: repl.c and serve.c see the embedding API and the base utilities only"
exit $fail
