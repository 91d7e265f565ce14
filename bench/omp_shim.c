/* omp_shim.c — for bench/phases.py: preloaded into sqc (LD_PRELOAD), it wraps libgomp's
 * GOMP_parallel, the call behind every `#pragma omp parallel` gcc emits, and keeps the CPU time
 * the calling thread spends inside parallel regions. sqc's SQC_TIMINGS table (runtime/base/
 * timings.c) reads it through the weak symbol sqc_parallel_cpu_seconds, so that at one thread
 * each phase's CPU time splits into the part in parallel regions (which more threads share) and
 * the serial rest: Amdahl's serial fraction, measured in CPU time, whatever else the machine runs.
 *
 * Build: cc -O2 -shared -fPIC -o omp_shim.so bench/omp_shim.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

typedef void (*parallel_fn)(void (*)(void *), void *, unsigned, unsigned);

static _Thread_local double inside; /* this thread's CPU seconds inside its outermost regions */
static _Thread_local int depth;

static double thread_cpu(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags) {
    static parallel_fn real;
    if (!real) real = (parallel_fn)dlsym(RTLD_NEXT, "GOMP_parallel");
    if (!real) abort();
    if (depth++) { /* nested: counted by the outer region */
        real(fn, data, num_threads, flags);
        depth--;
        return;
    }
    double t0 = thread_cpu();
    real(fn, data, num_threads, flags);
    inside += thread_cpu() - t0;
    depth--;
}

double sqc_parallel_cpu_seconds(void) { return inside; }
