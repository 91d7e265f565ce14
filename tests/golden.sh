#!/usr/bin/env bash
# golden.sh TOOL CASE — runs one golden case and diffs it against its expectations.
#   CASE.sq:  runs `TOOL CASE.sq [$(cat CASE.args)]` from the case's folder
#   CASE.cmd: runs the command line in CASE.cmd with "sqc" meaning TOOL (stdin from CASE.in if present)
# Expectations beside the case: .out (stdout), .err (stderr), .status (exit status; default
# 1 when .err exists, else 0). The run happens in a scratch copy of the folder, so cases
# that write files cannot disturb each other or the source tree.
set -u
tool=$1
case=$2
dir=$(cd "$(dirname "$case")" && pwd)
file=$(basename "$case")
name=${file%.*}
ext=${file##*.}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$dir"/. "$work"/
cd "$work"

stdin=/dev/null
[ -f "$name.in" ] && stdin="$name.in"
if [ "$ext" = cmd ]; then
  export tool
  timeout 60 bash -c "sqc() { \"\$tool\" \"\$@\"; }; $(cat "$name.cmd")" <"$stdin" >"$work/.stdout" 2>"$work/.stderr"
else
  args=()
  [ -f "$name.args" ] && read -r -a args <"$name.args"
  timeout 60 "$tool" "$file" "${args[@]}" <"$stdin" >"$work/.stdout" 2>"$work/.stderr"
fi
status=$?

expected_status=0
[ -f "$dir/$name.err" ] && expected_status=1
[ -f "$dir/$name.status" ] && expected_status=$(cat "$dir/$name.status")

fail=0
if [ "$status" != "$expected_status" ]; then
  echo "exit status $status, expected $expected_status"
  fail=1
fi
if [ -f "$dir/$name.out" ]; then
  diff -u "$dir/$name.out" "$work/.stdout" || { echo "stdout differs (above: - expected, + got)"; fail=1; }
elif [ -s "$work/.stdout" ] && [ "$ext" = sq ] && [ -f "$dir/$name.err" ]; then
  : # output before an error is allowed when only the error is pinned
fi
if [ -f "$dir/$name.err" ]; then
  diff -u "$dir/$name.err" "$work/.stderr" || { echo "stderr differs (above: - expected, + got)"; fail=1; }
elif [ -s "$work/.stderr" ]; then
  echo "unexpected stderr:"; cat "$work/.stderr"; fail=1
fi
exit $fail
