#!/usr/bin/env bash
# rehearse_identical.sh SQC SCRIPT — output and written files must be byte-identical with and
# without a rehearsal, at a sample count where quantiles stream (brackets from a pilot).
set -eu
sqc=$1; script=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for mode in never always; do
  mkdir "$work/$mode"
  cp -r "$(dirname "$script")"/. "$work/$mode"/
  (cd "$work/$mode" && "$sqc" "$(basename "$script")" --samples 200K --rehearse=$mode 2>&1 |
     grep -v 'generated on' >"$work/$mode.txt")
  find "$work/$mode" -name '*.csv' -exec sed -i '/generated on/d' {} +
done
diff -u "$work/never.txt" "$work/always.txt"
diff -r "$work/never" "$work/always"
echo "identical: $(wc -l <"$work/never.txt") lines"
