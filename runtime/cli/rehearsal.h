/* rehearsal.h — a quick, silent run of a script that learns what it will ask of its samples.
 *
 * Before a big run, sqc runs the script once on REHEARSAL_DRAWS draws, with everything it prints
 * and every file it writes discarded, and records each summary it asks for (prefetch.h). The real
 * run then gets all of them from shared passes instead of one pass per statement. The rehearsal
 * stops early, and is simply not used, if the script turns out to want fewer draws than `min_n`;
 * an error or a time budget ends it where it is, and what it recorded so far is still used.
 */
#ifndef SQC_REHEARSAL_H
#define SQC_REHEARSAL_H

#include <stdbool.h>

#include "eval.h"
#include "prefetch.h"

#define REHEARSAL_DRAWS 1024     /* draws per samples value in a rehearsal: a quarter block */
#define REHEARSAL_SECONDS 1.0    /* a rehearsal that runs longer stops there */
#define REHEARSAL_MIN_DRAWS 50000 /* --rehearse=auto: only runs with at least this many draws */

typedef struct RehearsalSetup {
    void (*apply)(Interp *I, const void *arg); /* the command line's settings */
    const void *arg;
    bool show_last; /* -e: the last value is displayed */
    bool json;      /* --json: every binding is summarized at the end */
    size_t min_n;   /* rehearse only runs of at least this many draws (0: any) */
} RehearsalSetup;

/* Runs a copy of src in an interpreter of its own, beside any others (each has its own state).
 * Returns what it recorded, or NULL when there is nothing worth prefetching. */
Prefetch *rehearse(const Source *src, const RehearsalSetup *setup);

#endif
