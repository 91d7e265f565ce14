/* fuzz_limits.h — the limits every fuzzed program runs under (fuzz_sqc.c), shared with the
 * seed generator (fuzz_seeds.c) so that a seed it calls valid is valid for the fuzzer too:
 * 64 samples, one thread, calls nested at most 200 deep, loops of at most 10,000 iterations,
 * a budget of 200,000 evaluation steps and 2 seconds, lists of at most 100,000 elements and
 * strings of at most 1 MB (doubling a list or string to sqc's own limits, 10M and 100M, takes
 * 8-13 s under the sanitizers, over libFuzzer's timeout). */
#ifndef SQC_FUZZ_LIMITS_H
#define SQC_FUZZ_LIMITS_H

#include "eval.h"

#define FUZZ_SAMPLES 64
#define FUZZ_MAX_DEPTH 200
#define FUZZ_LOOP_LIMIT 10000
#define FUZZ_STEP_LIMIT 200000
#define FUZZ_SECONDS 2.0
#define FUZZ_MAX_LIST 100000
#define FUZZ_MAX_STRING 1000000

static inline void fuzz_limits(Interp *I, const void *unused) {
    (void)unused;
    I->smp.n = FUZZ_SAMPLES;
    I->smp.threads = 1;
    I->samples_fixed = true; /* `set samples = 1B` is ignored, as --samples would make it */
    I->max_depth = FUZZ_MAX_DEPTH;
    I->loop_limit = FUZZ_LOOP_LIMIT;
    I->step_limit = FUZZ_STEP_LIMIT;
    I->time_limit = FUZZ_SECONDS;
    I->max_list = FUZZ_MAX_LIST;
    I->max_string = FUZZ_MAX_STRING;
}

#endif
