#!/usr/bin/env bash
# cgroup_limit.sh SQC — in a memory cgroup of 150 MB, nested under the one sqc runs in, a run that
# needs more ends with "error: out of memory ... allowed by the cgroup" and exit status 1, not an
# OOM kill (exit 137). Needs the right to create a cgroup (root, a writable cgroup file system):
# otherwise it says why and is skipped (exit status 77).
set -u
sqc=$1
skip() { echo "skipped: $*"; exit 77; }

limit=150000000
# The cgroup this shell is in: v2 ("0::PATH") or v1's memory controller ("N:...memory...:PATH").
v2=$(sed -n 's/^0:://p' /proc/self/cgroup)
v1=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)
if [ -n "$v1" ] && [ -d /sys/fs/cgroup/memory ]; then
  parent=/sys/fs/cgroup/memory${v1%/}; file=memory.limit_in_bytes
  [ -d "$parent" ] || parent=/sys/fs/cgroup/memory # a cgroup namespace: its root is ours
elif [ -n "$v2" ] && [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  parent=/sys/fs/cgroup${v2%/}; file=memory.max
  grep -qw memory "$parent/cgroup.subtree_control" 2>/dev/null || skip "the memory controller is not enabled for child cgroups of $parent"
else
  skip "no cgroup memory controller found"
fi
group=$parent/sqc-test-$$
mkdir "$group" 2>/dev/null || skip "cannot create a cgroup under $parent (not root, or read-only)"
cleanup() {
  [ -d "$group" ] || return
  # move anything left back to the parent before removing the group
  while read -r pid; do echo "$pid" >"$parent/cgroup.procs" 2>/dev/null; done <"$group/cgroup.procs"
  rmdir "$group" 2>/dev/null
}
trap cleanup EXIT
echo "$limit" >"$group/$file" 2>/dev/null || skip "cannot set $file in $group"

fail=0
run() { # runs sqc inside the group; prints stderr's first line and the exit status
  # stderr is read whole (not through head -1, whose early close would end sqc with SIGPIPE)
  local err status
  err=$(bash -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' _ "$group" "$sqc" "$@" 2>&1 >/dev/null)
  status=$?
  [ -n "$err" ] && printf '%s\n' "${err%%$'\n'*}"
  echo "status $status"
}
expect_oom() {
  local out
  out=$(run "$@")
  echo "$out"
  case "$out" in
    *"error: out of memory"*"allowed by the cgroup"*"status 1") ;;
    *) echo "FAIL: sqc $* in a cgroup of $limit bytes: expected an out-of-memory error and status 1"; fail=1 ;;
  esac
}
expect_oom -e 'xs = range(10M)'                    # a list of 160 MB
expect_oom --samples 20M -e 'x = norm(0, 1); hist(x, given=x > -9)' # an array of 20M selected draws (hist with given= holds them), inside the samples engine
# a run that fits is not refused
out=$(run -e 'print(len(range(1M)))')
[ "$out" = "status 0" ] || { echo "FAIL: a small run in the cgroup: $out"; fail=1; }
[ $fail -eq 0 ] && echo "ok: out of memory in a cgroup of $limit bytes is an error with a place, exit status 1"
exit $fail
