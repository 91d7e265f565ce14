#!/usr/bin/env bash
# docs_builtins.sh SQC LANGUAGE.md — every builtin registered in stdlib/ (as `sqc
# --list-builtins` prints them) must be documented in docs/language.md, written there as
# `name` or as a call, name( .
set -u
sqc=$1; doc=$2
names=$("$sqc" --list-builtins) || { echo "sqc --list-builtins failed"; exit 1; }
[ -n "$names" ] || { echo "sqc --list-builtins printed no names"; exit 1; }
count=0; missing=0
for name in $names; do
  count=$((count + 1))
  if ! grep -qE "\`$name\`|(^|[^A-Za-z0-9_])$name\(" "$doc"; then
    echo "missing from $doc: $name"
    missing=$((missing + 1))
  fi
done
echo "$((count - missing)) of $count builtins documented"
[ $missing -eq 0 ]
