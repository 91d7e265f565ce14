/* timings.h — where a run's time goes, phase by phase: wall time, CPU time of all threads and
 * page faults, printed to standard error at the end of a run when the environment variable
 * SQC_TIMINGS is set (docs/cli.md, "Environment"; bench/README.md uses it).
 *
 * A run's table is a Timings of its own, which its interpreters borrow (SampleCtx.timings): the
 * sqc command lends one table to the rehearsal's interpreter and to the real run's, so two
 * interpreters in one process keep apart tables, or none. NULL is off: each mark is one test of
 * a pointer.
 *
 * The phases are the top-level steps of a run: a mark made inside a phase other than TM_RUN
 * counts towards that outer phase (the pilot's evaluation pass is the pilot's; the rehearsal's
 * whole run is the rehearsal's), so the phases' times add up to the run's. Marks are made by the
 * interpreter's thread only, outside parallel regions. */
#ifndef SQC_TIMINGS_H
#define SQC_TIMINGS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum TmPhase {
    TM_RUN,       /* what no other phase holds: the interpreter, formatting, printing */
    TM_PARSE,     /* parsing the program (and imported files) */
    TM_REHEARSAL, /* the quick silent run before a big one, all of it (runtime/cli/rehearsal.c) */
    TM_PILOT,     /* the shared pass's pilot: the draws of the pilot blocks (prefetch.c) */
    TM_BRACKETS,  /* brackets placed from the pilots, then narrowed after a tenth of the pass */
    TM_SHARED,    /* the shared pass over all draws: every recorded summary at once */
    TM_SELECT,    /* quantiles selected from the brackets; statistics merged; the pass's frees */
    TM_EVAL,      /* other passes over draws: summaries not prefetched, arrays materialized */
    TM_RANKS,     /* sensitivity and tornado: copies of draws, rank sorts, rank correlations */
    TM_CHART,     /* hist and plot: range and bins of the draws */
    TM_FILES,     /* files committed: write_csv, plot, tornado (fsync, rename) */
    TM_EXIT,      /* the interpreter and the prefetcher freed at the end */
    TM_PHASES
} TmPhase;

/* The clocks and counters at one moment. */
typedef struct TmMark {
    double wall, cpu;  /* cpu: all threads' */
    double own, inpar; /* this thread's CPU, and the part of it inside parallel regions */
    long minflt, majflt;
} TmMark;

#define TM_DEPTH 64

/* One run's table (tm_start fills it in). */
typedef struct Timings {
    TmMark last;             /* at the last mark */
    TmMark spent[TM_PHASES]; /* each phase's share of the run */
    long entries[TM_PHASES];
    TmPhase stack[TM_DEPTH];
    int depth;       /* stack[0..depth) open; the current phase is stack[depth - 1], TM_RUN if none */
    pthread_t owner; /* marks come from the thread that called tm_start; others' are dropped */
    double (*parallel_cpu)(void); /* bench/omp_shim.c, when preloaded: this thread's CPU seconds
                                   * inside parallel regions */
} Timings;

void tm_enter_(Timings *t, TmPhase p);
void tm_leave_(Timings *t);

/* Starts phase p until the matching tm_leave (inside another phase than TM_RUN: counts to it). */
static inline void tm_enter(Timings *t, TmPhase p) {
    if (t) tm_enter_(t, p);
}

static inline void tm_leave(Timings *t) {
    if (t) tm_leave_(t);
}

/* Whether SQC_TIMINGS asks for the table (set to anything but "" or "0"). */
bool tm_requested(void);

/* Starts t from now, for marks made by the calling thread. */
void tm_start(Timings *t);

/* The table: every phase's wall ms, CPU ms, CPU/wall, minor and major page faults and entries,
 * then the total since tm_start. t NULL: nothing. */
void tm_report(Timings *t, FILE *fp, size_t draws, int threads);

#endif
