#!/bin/sh
# bench/run.sh — builds sqc and the C limit program, installs numpy (Debian's) and Squiggle
# (npm, into bench/squiggle), runs the suite and prints its table. Not part of ctest or CI.
# usage: bench/run.sh [--reps R] [--quick]      (run as root, or with sudo for apt-get)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
need=""
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import numpy' 2>/dev/null || need="$need python3-numpy"
command -v node >/dev/null && command -v npm >/dev/null || need="$need nodejs npm"
if [ -n "$need" ]; then apt-get update && apt-get install -y $need; fi
if [ ! -d "$here/squiggle/node_modules/@quri/squiggle-lang" ]; then
    mkdir -p "$here/squiggle"
    npm install --no-audit --no-fund --prefix "$here/squiggle" @quri/squiggle-lang@0.10.0
fi
cp "$here/models/ttb.mjs" "$here/squiggle/ttb.mjs" # node resolves the package from the script's folder
cmake -S "$root" -B "$here/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$here/build" -j2 --target sqc >/dev/null
gcc -O3 -fno-math-errno -ffp-contract=off -std=gnu11 -I"$root/runtime/engine" -I"$root/runtime/engine/internal" -I"$root/runtime/base" -I"$root/lang" $(pkg-config --cflags gsl 2>/dev/null || true) \
    -o "$here/build/ttb_limit" "$here/limit/ttb_limit.c" -lm
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB; load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
/usr/bin/python3 "$here/bench.py" "$here/build/sqc" "$here/build/ttb_limit" "$@"
