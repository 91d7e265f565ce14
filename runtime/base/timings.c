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

static TmMark now(const Timings *t) {
    struct timespec ts, own;
    struct rusage ru;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &own);
    getrusage(RUSAGE_SELF, &ru);
    return (TmMark){ts.tv_sec + ts.tv_nsec * 1e-9,
                    ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6,
                    own.tv_sec + own.tv_nsec * 1e-9, t->parallel_cpu ? t->parallel_cpu() : 0,
                    ru.ru_minflt, ru.ru_majflt};
}

/* Past TM_DEPTH every level is the same phase as stack[TM_DEPTH - 1] (nested marks take the outer's). */
static TmPhase current(const Timings *t) {
    return t->depth ? t->stack[(t->depth < TM_DEPTH ? t->depth : TM_DEPTH) - 1] : TM_RUN;
}

static bool owned(const Timings *t) { return pthread_equal(t->owner, pthread_self()); }

/* What passed since the last mark goes to the current phase. */
static void charge(Timings *t) {
    TmMark m = now(t), *last = &t->last;
    TmMark *s = &t->spent[current(t)];
    s->wall += m.wall - last->wall, s->cpu += m.cpu - last->cpu;
    s->own += m.own - last->own, s->inpar += m.inpar - last->inpar;
    s->minflt += m.minflt - last->minflt, s->majflt += m.majflt - last->majflt;
    *last = m;
}

void tm_enter_(Timings *t, TmPhase p) {
    if (!owned(t)) return;
    TmPhase cur = current(t);
    if (cur != TM_RUN) p = cur; /* nested: the outer phase's */
    else if (p != TM_RUN) charge(t), t->entries[p]++;
    if (t->depth < TM_DEPTH) t->stack[t->depth] = p;
    t->depth++;
}

void tm_leave_(Timings *t) {
    if (!owned(t) || t->depth == 0) return;
    if (t->depth == 1 && t->stack[0] != TM_RUN) charge(t); /* the phase ends: its time */
    t->depth--;
}

bool tm_requested(void) {
    const char *v = getenv("SQC_TIMINGS");
    return v && *v && strcmp(v, "0") != 0;
}

void tm_start(Timings *t) {
    *t = (Timings){.owner = pthread_self()};
    t->parallel_cpu = (double (*)(void))dlsym(RTLD_DEFAULT, "sqc_parallel_cpu_seconds");
    t->last = now(t);
}

void tm_report(Timings *t, FILE *fp, size_t draws, int threads) {
    if (!t || !owned(t)) return;
    charge(t);
    TmMark total = {0};
    fprintf(fp, "sqc timings: %zu draws, %d thread%s\n", draws, threads, threads == 1 ? "" : "s");
    /* serial ms: this thread's CPU outside parallel regions, with bench/omp_shim.c preloaded
     * (else "-"): at one thread, the part of the phase that more threads would not share */
    fprintf(fp, "%-22s %10s %10s %8s %10s %12s %6s %8s\n", "phase", "wall ms", "CPU ms", "CPU/wall", "serial ms",
            "minor faults", "major", "entries");
    for (int p = 0; p <= TM_PHASES; p++) {
        TmMark *s = p < TM_PHASES ? &t->spent[p] : &total;
        if (p < TM_PHASES) {
            total.wall += s->wall, total.cpu += s->cpu, total.own += s->own, total.inpar += s->inpar;
            total.minflt += s->minflt, total.majflt += s->majflt;
            if (p != TM_RUN && !t->entries[p]) continue;
        }
        char serial[32] = "-";
        if (t->parallel_cpu) snprintf(serial, sizeof serial, "%.3f", (s->own - s->inpar) * 1e3);
        fprintf(fp, "%-22s %10.3f %10.3f %8.2f %10s %12ld %6ld", p < TM_PHASES ? names[p] : "total", s->wall * 1e3,
                s->cpu * 1e3, s->wall > 0 ? s->cpu / s->wall : 0, serial, s->minflt, s->majflt);
        if (p < TM_PHASES) fprintf(fp, " %8ld", p == TM_RUN ? 1 : t->entries[p]);
        fputc('\n', fp);
    }
    fflush(fp);
}
