#!/usr/bin/env bash
# docs_examples.sh SQC FILE.md|DIR... — runs every code example in the Markdown files (a folder:
# its *.md).
#   ```sq        must run with exit status 0 and nothing on standard error
#   ```sq-error  must fail with exit status 1 (a syntax or runtime error)
#   ```output    pins the exact standard output of the nearest ```sq block above it
# Each block runs on its own (no state is shared between blocks) in a scratch folder, so
# examples that write files leave nothing behind. A failure names the file and line.
set -u
sqc=$1; shift
export LC_ALL=C.UTF-8   # hist and sparklines draw Unicode blocks in a UTF-8 locale, '#' otherwise
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
blocks=0; bad=0

pages=()
for arg in "$@"; do
  if [ -d "$arg" ]; then pages+=("$arg"/*.md); else pages+=("$arg"); fi
done
for md in "${pages[@]}"; do
  name=$(basename "$md" .md)
  # Split the file into blocks: BLOCK_DIR/NNN.{sq,sq-error,output}, each output named after
  # the sq block it pins. The line of each block's opening fence goes into NNN.line.
  dir="$work/$name"; mkdir -p "$dir"
  awk -v dir="$dir" '
    function close_block() { close(path); inside = 0 }
    /^```/ && inside { close_block(); next }
    /^```(sq|sq-error|output)[ \t]*$/ && !inside && !skip {
      kind = substr($0, 4); sub(/[ \t]+$/, "", kind)
      if (kind == "output") {
        if (last_sq == "") { printf "%s:%d: an output block with no sq block above it\n", FILENAME, FNR > "/dev/stderr"; exit 1 }
        path = dir "/" last_sq ".output"
      } else {
        n++; id = sprintf("%03d", n); path = dir "/" id "." kind
        print FNR > (dir "/" id ".line"); close(dir "/" id ".line")
        last_sq = kind == "sq" ? id : ""
      }
      printf "" > path; inside = 1; next
    }
    /^```/ { skip = !skip; next }     # any other fenced block: skip its contents
    inside { print > path }
  ' "$md" || { bad=$((bad + 1)); continue; }

  for block in "$dir"/*.sq "$dir"/*.sq-error; do
    [ -e "$block" ] || continue
    id=$(basename "$block"); id=${id%%.*}
    kind=${block##*.}
    where="$md:$(cat "$dir/$id.line")"
    blocks=$((blocks + 1))
    run="$work/run"; rm -rf "$run"; mkdir -p "$run"; cp "$block" "$run/example.sq"
    (cd "$run" && timeout 60 "$sqc" example.sq >stdout 2>stderr); status=$?
    if [ "$kind" = sq ]; then
      if [ $status -ne 0 ] || [ -s "$run/stderr" ]; then
        echo "FAIL $where: exit status $status, expected 0"; cat "$run/stderr"; bad=$((bad + 1)); continue
      fi
      if [ -f "$dir/$id.output" ] && ! diff -u "$dir/$id.output" "$run/stdout" >"$run/diff"; then
        echo "FAIL $where: output differs from the output block below it (- documented, + sqc):"
        cat "$run/diff"; bad=$((bad + 1)); continue
      fi
    elif [ $status -ne 1 ]; then
      echo "FAIL $where: exit status $status, expected 1 (an sq-error block)"; cat "$run/stderr"
      bad=$((bad + 1)); continue
    fi
    echo "ok   $where ($kind)"
  done
done
echo "$((blocks - bad)) of $blocks examples passed"
[ $blocks -gt 0 ] && [ $bad -eq 0 ]
