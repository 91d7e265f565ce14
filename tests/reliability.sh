#!/usr/bin/env bash
# reliability.sh — the second half of the README's test command (docs/reliability.md):
#   1. the whole suite again, built with AddressSanitizer + UndefinedBehaviorSanitizer
#      (build-asan/); any sanitizer report fails its test;
#   2. the libFuzzer target built with clang (build-fuzz/), run for SQC_FUZZ_SECONDS
#      (default 60) from the seed corpus; a crash, leak or timeout fails the run and
#      leaves the input in build-fuzz/artifacts/.
# Run from the repository root after the normal build; needs clang, libomp-dev (and
# valgrind for the normal suite's valgrind tests).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${SQC_JOBS:-2}
seconds=${SQC_FUZZ_SECONDS:-60}

# halt on the first report; leaks count (LeakSanitizer is part of ASan on Linux)
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

echo "== sanitizer build: ASan + UBSan, whole suite"
cmake -S . -B build-asan -DSQC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-asan -j"$jobs"
ctest --test-dir build-asan --output-on-failure -j"$jobs"

echo "== fuzzing: ${seconds}s of libFuzzer over parse + evaluate"
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DSQC_FUZZ=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzz_sqc   # also generates build-fuzz/tests/fuzz_seed_corpus
corpus=build-fuzz/corpus   # grows across runs; the seeds are read from the source and build trees
mkdir -p "$corpus" build-fuzz/artifacts
start=$(date +%s)
status=0
build-fuzz/tests/fuzz_sqc -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
  -dict=tests/fuzz/sq.dict -artifact_prefix=build-fuzz/artifacts/ -print_final_stats=1 \
  "$corpus" tests/fuzz/regressions build-fuzz/tests/fuzz_seed_corpus tests/lang tests/errors tests/parse examples \
  >build-fuzz/fuzz.log 2>&1 || status=$?
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' build-fuzz/fuzz.log || true
echo "fuzzed for $(($(date +%s) - start))s of one core; exit status $status"
if [ "$status" != 0 ]; then
  tail -60 build-fuzz/fuzz.log
  echo "the fuzzer found a problem: the input is in build-fuzz/artifacts/; once fixed, copy it" \
       "into tests/fuzz/regressions/ so the suite replays it" >&2
  exit 1
fi
