/* timings.h — where a run's time goes, phase by phase: wall time, CPU time of all threads and
 * page faults, printed to standard error at the end of a run when the environment variable
 * SQC_TIMINGS is set (docs/cli.md, "Environment"; bench/README.md uses it). Off, each mark is
 * one test of a flag.
 *
 * The phases are the top-level steps of a run: a mark made inside a phase other than TM_RUN
 * counts towards that outer phase (the pilot's evaluation pass is the pilot's), so the phases'
 * times add up to the run's. Marks are made by the interpreter's thread only, outside parallel
 * regions. */
#ifndef SQC_TIMINGS_H
#define SQC_TIMINGS_H

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

extern bool tm_on;

void tm_enter_(TmPhase p);
void tm_leave_(void);

/* Starts phase p until the matching tm_leave (inside another phase than TM_RUN: counts to it). */
static inline void tm_enter(TmPhase p) {
    if (tm_on) tm_enter_(p);
}

static inline void tm_leave(void) {
    if (tm_on) tm_leave_();
}

/* Turns the timings on when SQC_TIMINGS is set (to anything but "" or "0"), from this call on, for
 * marks made by the calling thread. */
void tm_start(void);

/* The table, when on: every phase's wall ms, CPU ms, CPU/wall, minor and major page faults and
 * entries, then the total since tm_start. */
void tm_report(FILE *fp, size_t draws, int threads);

#endif
