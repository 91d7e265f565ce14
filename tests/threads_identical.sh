#!/usr/bin/env bash
# threads_identical.sh SQC SCRIPT — the output must be byte-identical for 1 and 2 threads.
set -eu
sqc=$1; script=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp -r "$(dirname "$script")"/. "$work"/; cd "$work"
"$sqc" "$(basename "$script")" --samples 200K --threads 1 | grep -v 'generated on' >one.txt
"$sqc" "$(basename "$script")" --samples 200K --threads 2 | grep -v 'generated on' >two.txt
diff -u one.txt two.txt
echo "identical: $(wc -l <one.txt) lines"
