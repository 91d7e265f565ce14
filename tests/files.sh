#!/usr/bin/env bash
# files.sh SQC — what the golden cases cannot pin: a device node (needs root), a full disk
# (/dev/full), and a write interrupted by a signal (SIGINT, SIGTERM, SIGHUP, then kill -9).
# A case whose facility is missing prints why it is skipped; the others must pass.
set -u
sqc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail=0
bad() { echo "FAIL: $*"; fail=1; }
skip() { echo "skipped: $*"; }

# --- a device node is never replaced (as root, the old writer renamed over it) ---
if mknod dev c 1 3 2>/dev/null; then # the same device as /dev/null, in this folder
  "$sqc" -e 'write_csv("dev", [{a: 1}])' 2>err && bad "write_csv to a device succeeded"
  grep -q "'dev' is a character device, not a regular file" err || bad "device: $(cat err)"
  [ -c dev ] || bad "the device node was replaced"
  ln -s dev devlink
  "$sqc" -e 'write_csv("devlink", [{a: 1}])' 2>err && bad "write_csv through a link to a device succeeded"
  [ -c dev ] && [ -L devlink ] || bad "the device or the link to it was replaced"
  rm -f dev devlink err
else
  skip "device node: mknod needs root"
fi

# --- output that cannot be written: exit 1 with a message ---
if [ -w /dev/full ]; then
  check_full() { # CODE MESSAGE-PATTERN [FLAGS...]
    local code=$1 pattern=$2
    shift 2
    "$sqc" "$@" -e "$code" >/dev/full 2>err
    local st=$?
    [ "$st" = 1 ] || bad "'$code' > /dev/full: exit status $st, expected 1"
    grep -q "$pattern" err || bad "'$code' > /dev/full: message $(cat err)"
  }
  check_full 'for i in range(100000) { print(i) }' 'print: cannot write the output: No space left on device'
  check_full 'print(1)' 'sqc: error: cannot write the output: No space left on device'
  check_full 'norm(1, 2)' 'sqc: error: cannot write the output: No space left on device'
  check_full 'hist(norm(1, 2))' 'cannot write the output: No space left on device'
  check_full 'x = 5' 'sqc: error: cannot write the output: No space left on device' --json
  printf 'print(1)\n' | "$sqc" >/dev/full 2>err && bad "a program from stdin > /dev/full exited 0"
  rm -f err
else
  skip "full disk: /dev/full is not available"
fi

# --- signals: the temporary file goes, the exit status is the signal's ---
# write_samples formats a million rows into its temporary file; each run is interrupted as soon
# as that file appears. Job control (set -m) keeps SIGINT deliverable to a background job.
set -m
tmp_files() { compgen -G '.big.csv?*'; compgen -G 'big.csv?*'; } # any naming of a temporary file
interrupt() { # SIGNAL: starts a write, sends SIGNAL once its temporary file exists; prints the pid
  "$sqc" --samples 1M --threads 1 --rehearse never -e 'write_samples("big.csv", norm(0, 1))' 2>/dev/null &
  local pid=$! i
  for ((i = 0; i < 6000; i++)); do
    [ -n "$(tmp_files)" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  if [ -z "$(tmp_files)" ]; then
    wait "$pid"
    return 1
  fi
  kill "-$1" "$pid"
  wait "$pid"
  echo $? >status
}
for sig in INT TERM HUP; do
  rm -f big.csv status
  if ! interrupt "$sig"; then
    skip "SIG$sig: the write ended before its temporary file was seen"
    continue
  fi
  want=$((128 + $(kill -l "$sig")))
  [ "$(cat status)" = "$want" ] || bad "SIG$sig: exit status $(cat status), expected $want"
  [ -z "$(tmp_files)" ] || bad "SIG$sig left $(tmp_files)"
  [ -e big.csv ] && bad "SIG$sig: big.csv was written"
done

# kill -9 cannot be caught: the next write to the same path removes what it left
rm -f big.csv status
if interrupt KILL; then
  [ -n "$(tmp_files)" ] || bad "kill -9: no temporary file left (the test expected one)"
  "$sqc" -e 'write_csv("big.csv", [{a: 1}, {a: 2}])' || bad "the write after kill -9 failed"
  [ -z "$(tmp_files)" ] || bad "the write after kill -9 left $(tmp_files)"
  [ "$(head -1 big.csv)" = "a" ] && [ "$(wc -l <big.csv)" = 3 ] || bad "the write after kill -9: $(head -3 big.csv)"
else
  skip "kill -9: the write ended before its temporary file was seen"
fi

[ "$fail" = 0 ] && echo "files.sh: all passed"
exit $fail
