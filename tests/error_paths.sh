#!/usr/bin/env bash
# error_paths.sh SQC PTY_DRIVER CASES NAME — runs error case NAME of CASES (tests/error_paths/
# cases.txt) through every path that shows a value: print, str, format, hist, plot, write_csv, a
# list and a record printed, the REPL's echo and -e's last value. Each must fail with exit status
# 1 and the same "LINE:COL: error: MESSAGE" as mean() of the case reports (the REPL: up to the
# message's first number, see below), and that must be a
# message (not empty, not an internal error) at a place inside the case's own code: never at 1:1
# of a line that does not start with the failing code, never at the wrapper around it.
# error_paths.sh SQC - CASES --coverage: every registered builtin has a case.
set -u
sqc=$1 pty=$2 cases=$3 want=$4

trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; s=${s%"${s##*[![:space:]]}"}; printf '%s' "$s"; }

if [ "$want" = --coverage ]; then
  names=$("$sqc" --list-builtins) || { echo "sqc --list-builtins failed"; exit 1; }
  missing=0
  for b in $names; do
    grep -qE "^${b}_[a-z0-9_]* \|" "$cases" || { echo "no error case for builtin $b in $cases"; missing=1; }
  done
  exit $missing
fi

line=$(grep -E "^$want \|" "$cases" | head -1)
[ -n "$line" ] || { echo "no case named $want"; exit 1; }
IFS='|' read -r _ setup expr <<<"$line"
setup=$(trim "$setup") expr=$(trim "$expr")
case "$setup" in ''|[A-Za-z_]*' = '*) ;; *) echo "SETUP must start with an assignment: $setup"; exit 1 ;; esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

# run PRE SUF: the program "SETUP\nPRE EXPR SUF" as a file; prints "STATUS|LINE|COL|MESSAGE" of its
# first error line, COL on line 2 counted from EXPR's first character.
run() {
  local pre=$1 suf=$2
  printf '%s\n%s%s%s\n' "$setup" "$pre" "$expr" "$suf" > p.sq
  timeout 60 "$sqc" p.sq > /dev/null 2> err.txt
  local status=$? first
  first=$(head -1 err.txt)
  normalize "$status" "$first" "p.sq" "${#pre}"
}

# normalize STATUS FIRST_LINE NAME PREFIX_LEN
normalize() {
  local re="^$3:([0-9]+):([0-9]+): error: (.*)$"
  if [[ $2 =~ $re ]]; then
    local l=${BASH_REMATCH[1]} c=${BASH_REMATCH[2]} m=${BASH_REMATCH[3]}
    [ "$l" = 2 ] && c=$((c - $4))
    printf '%s|%s|%s|%s' "$1" "$l" "$c" "$m"
  else
    printf '%s|?|?|%s' "$1" "$2"
  fi
}

fail=0
ref=$(run 'm = mean(' ')')
IFS='|' read -r rs rl rc rm <<<"$ref"
if [ "$rs" != 1 ] || [ "$rl" = '?' ]; then
  echo "mean($expr) did not fail with an error line (status $rs): $(head -3 err.txt)"; exit 1
fi
[ -n "$(trim "$rm")" ] || { echo "mean($expr): empty message"; fail=1; }
case "$rm" in *'internal error'*) echo "mean($expr): $rm"; fail=1 ;; esac
case "$rm" in *'(null)'*|*'-nan'*) echo "mean($expr): $rm"; fail=1 ;; esac
if [ "$rl" = 1 ] && [ "$rc" = 1 ]; then echo "mean($expr): error at 1:1"; fail=1; fi
if [ "$rl" != 1 ] && [ "$rl" != 2 ]; then echo "mean($expr): error on line $rl, not in the case"; fail=1; fi
if [ "$rl" = 2 ] && { [ "$rc" -lt 1 ] || [ "$rc" -gt "${#expr}" ]; }; then
  echo "mean($expr): error at column $rc of the expression, outside it"; fail=1
fi

check() { # NAME GOT
  if [ "$2" != "$ref" ]; then
    echo "$1: got    $2"
    echo "$1: wanted $ref (as mean() reports it)"
    fail=1
  fi
}
check print "$(run 'print(' ')')"
check str "$(run 's = str(' ')')"
check format "$(run 's = format("{}", ' ')')"
check hist "$(run 'hist(' ')')"
check plot "$(run 'plot(' ', "w.svg")')"
check write_csv "$(run 'write_csv("w.csv", [{a: ' '}])')"
check list "$(run 'print([1, ' '])')"
check record "$(run 'print({a: ' '})')"

# -e: the program on the command line, its last value shown
timeout 60 "$sqc" -e "$(printf '%s\n%s' "$setup" "$expr")" > /dev/null 2> err.txt
check -e "$(normalize $? "$(head -1 err.txt)" '<command line>' 0)"

# the REPL: the setup entered, then the expression; its echo shows the error at its place. Typed
# entries draw from streams of their own (docs/cli.md), so a value or draw number in the message may
# differ from a script's: the message is compared up to its first number.
if [ "$pty" != - ]; then
  words=$(printf '%s' "$rm" | sed -E 's/ [-(]?[0-9].*$/ /')
  {
    echo spawn
    [ -n "$setup" ] && echo "send $setup"
    echo "send $expr"
    echo "expect <repl>:1:$rc: error: $words"
    echo "send :quit"
    echo "exit 0"
  } > s.repl
  if ! timeout 120 "$pty" "$sqc" "$work" s.repl > pty.txt 2>&1; then
    echo "REPL echo: wanted <repl>:1:$rc: error: $words"; cat pty.txt; fail=1
  fi
fi
exit $fail
