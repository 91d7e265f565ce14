#!/usr/bin/env bash
# run_example.sh SQC SCRIPT — runs an example script the way a reader would (from its own
# folder, here a scratch copy of it, so files it writes go nowhere) and checks that it works:
# exit status 0, nothing on standard error, some output, and no NaN or infinity in it.
# Examples are not pinned to exact figures: their numbers belong to the model, not the test.
set -u
sqc=$1; script=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp -r "$(dirname "$script")"/. "$work"/; cd "$work"
timeout 120 "$sqc" "$(basename "$script")" >stdout 2>stderr
status=$?
fail=0
[ $status -eq 0 ] || { echo "exit status $status, expected 0"; fail=1; }
[ -s stderr ] && { echo "standard error:"; cat stderr; fail=1; }
[ -s stdout ] || { echo "no output"; fail=1; }
if grep -nwiE 'nan|-?inf' stdout; then echo "NaN or infinity in the output (lines above)"; fail=1; fi
[ $fail -eq 0 ] && echo "ok: $(wc -l <stdout) lines of output"
exit $fail
