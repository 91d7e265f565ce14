/* timings.c — per-phase wall time, CPU time and page faults of a run (timings.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "timings.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

bool tm_on;

typedef struct Mark {
    double wall, cpu;  /* cpu: all threads' */
    double own, inpar; /* this thread's CPU, and the part of it inside parallel regions */
    long minflt, majflt;
} Mark;

/* bench/omp_shim.c, when preloaded: this thread's CPU seconds inside parallel regions */
static double (*parallel_cpu)(void);

static _Thread_local bool owner; /* marks come from the thread that called tm_start */
static Mark last;
static Mark spent[TM_PHASES];
static long entries[TM_PHASES];
#define DEPTH 64
static TmPhase stack[DEPTH];
static int depth; /* stack[0..depth) open; the current phase is stack[depth - 1], TM_RUN if none */

static const char *const names[TM_PHASES] = {
    [TM_RUN] = "interpreter, printing",
    [TM_PARSE] = "parse",
    [TM_REHEARSAL] = "rehearsal",
    [TM_PILOT] = "pilot",
    [TM_BRACKETS] = "brackets",
    [TM_SHARED] = "shared pass",
    [TM_SELECT] = "selection, merge",
    [TM_EVAL] = "other passes",
    [TM_RANKS] = "ranks (sensitivity)",
    [TM_CHART] = "hist/plot bins",
    [TM_FILES] = "files",
    [TM_EXIT] = "exit (frees)",
};

static Mark now(void) {
    struct timespec ts, own;
    struct rusage ru;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &own);
    getrusage(RUSAGE_SELF, &ru);
    return (Mark){ts.tv_sec + ts.tv_nsec * 1e-9,
                  ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6,
                  own.tv_sec + own.tv_nsec * 1e-9, parallel_cpu ? parallel_cpu() : 0,
                  ru.ru_minflt, ru.ru_majflt};
}

/* Past DEPTH every level is the same phase as stack[DEPTH - 1] (nested marks take the outer's). */
static TmPhase current(void) { return depth ? stack[(depth < DEPTH ? depth : DEPTH) - 1] : TM_RUN; }

/* What passed since the last mark goes to the current phase. */
static void charge(void) {
    Mark m = now();
    Mark *s = &spent[current()];
    s->wall += m.wall - last.wall, s->cpu += m.cpu - last.cpu;
    s->own += m.own - last.own, s->inpar += m.inpar - last.inpar;
    s->minflt += m.minflt - last.minflt, s->majflt += m.majflt - last.majflt;
    last = m;
}

void tm_enter_(TmPhase p) {
    if (!owner) return;
    TmPhase cur = current();
    if (cur != TM_RUN) p = cur; /* nested: the outer phase's */
    else if (p != TM_RUN) charge(), entries[p]++;
    if (depth < DEPTH) stack[depth] = p;
    depth++;
}

void tm_leave_(void) {
    if (!owner || depth == 0) return;
    if (depth == 1 && stack[0] != TM_RUN) charge(); /* the phase ends: its time */
    depth--;
}

void tm_start(void) {
    const char *v = getenv("SQC_TIMINGS");
    if (!v || !*v || !strcmp(v, "0")) return;
    owner = true;
    parallel_cpu = (double (*)(void))dlsym(RTLD_DEFAULT, "sqc_parallel_cpu_seconds");
    last = now();
    tm_on = true;
}

void tm_report(FILE *fp, size_t draws, int threads) {
    if (!tm_on || !owner) return;
    charge();
    Mark total = {0};
    fprintf(fp, "sqc timings: %zu draws, %d thread%s\n", draws, threads, threads == 1 ? "" : "s");
    /* serial ms: this thread's CPU outside parallel regions, with bench/omp_shim.c preloaded
     * (else "-"): at one thread, the part of the phase that more threads would not share */
    fprintf(fp, "%-22s %10s %10s %8s %10s %12s %6s %8s\n", "phase", "wall ms", "CPU ms", "CPU/wall", "serial ms",
            "minor faults", "major", "entries");
    for (int p = 0; p <= TM_PHASES; p++) {
        Mark *s = p < TM_PHASES ? &spent[p] : &total;
        if (p < TM_PHASES) {
            total.wall += s->wall, total.cpu += s->cpu, total.own += s->own, total.inpar += s->inpar;
            total.minflt += s->minflt, total.majflt += s->majflt;
            if (p != TM_RUN && !entries[p]) continue;
        }
        char serial[32] = "-";
        if (parallel_cpu) snprintf(serial, sizeof serial, "%.3f", (s->own - s->inpar) * 1e3);
        fprintf(fp, "%-22s %10.3f %10.3f %8.2f %10s %12ld %6ld", p < TM_PHASES ? names[p] : "total", s->wall * 1e3,
                s->cpu * 1e3, s->wall > 0 ? s->cpu / s->wall : 0, serial, s->minflt, s->majflt);
        if (p < TM_PHASES) fprintf(fp, " %8ld", p == TM_RUN ? 1 : entries[p]);
        fputc('\n', fp);
    }
    fflush(fp);
}
