/* test_interps.c — two interpreters in one process, on two threads, do not see each other
 * (#17): each has its own names, builtins, frames, samples context and file policy. Each runs a
 * program of its own (other seeds, sample counts, thread counts and bindings, some names the
 * same) one statement at a time, the two threads in step so that their statements overlap; the
 * output of each must be byte for byte what the same program prints in an interpreter alone,
 * and neither sees the other's bindings. A rehearsal runs beside them too, as it may now. Each
 * keeps its own SQC_TIMINGS table (timings.h), or none: a table counts the marks of its own
 * interpreter alone, as many as the program alone makes. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtins.h"
#include "eval.h"
#include "rehearsal.h"
#include "symbol.h"

#include "unit_check.h"

/* One program, as statements run one interp_run at a time (as the REPL runs entries). */
typedef struct Script {
    const char *name;
    size_t samples;
    uint64_t seed;
    int threads;
    const char *const *statements;
    const char *own_name;   /* a global only this program binds */
    const char *other_name; /* a global only the other program binds */
} Script;

static const char *const A_STATEMENTS[] = {
    "x = norm(8, 12)",
    "f(v) = v * 3 + lognorm(1, 5)",
    "y = f(x)",
    "only_a = [1, 2, 3]",
    "print(mean(y), sd(y), quantile(y, 0.9))",
    "print(summary(x - 10))",
    "total = 0\nfor i in range(200) { total = total + i }\nprint(total)",
    "print(mean(x > 11), percentiles(y, [5, 50, 95]))",
    "print(only_a, len(only_a))",
    NULL,
};

static const char *const B_STATEMENTS[] = {
    "x = uniform(0, 1)",
    "f(v) = v ^ 2 - beta(2, 5)",
    "y = f(x)",
    "only_b = {a: 1, b: \"two\"}",
    "print(mean(y), sd(y), quantile(y, 0.1))",
    "print(summary(x))",
    "total = 1\nfor i in range(1, 20) { total = total * 2 }\nprint(total)",
    "print(mean(x < 0.5), percentiles(y, [25, 75]))",
    "print(only_b)",
    NULL,
};

static const Script A = {"a", 50000, 7, 2, A_STATEMENTS, "only_a", "only_b"};
static const Script B = {"b", 30000, 123, 1, B_STATEMENTS, "only_b", "only_a"};

static pthread_barrier_t step; /* both threads run statement i, then wait for each other */

typedef struct Run {
    const Script *prog;
    bool in_step; /* wait at the barrier after each statement */
    bool timed;   /* keep a timings table, started on its thread */
    char *out;    /* what it printed, then its errors */
    size_t len;
    bool saw_own, saw_other;
    Timings timings; /* when timed: the table, */
    char *table;     /* as tm_report prints it, */
    size_t table_len;
    double seconds; /* and how long it was kept */
} Run;

static void *run_program(void *arg) {
    Run *r = arg;
    FILE *out = open_memstream(&r->out, &r->len);
    if (!out) abort();
    Interp I;
    interp_init(&I, out);
    stdlib_open(&I);
    I.smp.n = r->prog->samples, I.samples_fixed = true;
    I.smp.seed = r->prog->seed, I.seed_fixed = true;
    I.smp.threads = r->prog->threads;
    I.files.dry = true;
    double started = smp_monotonic_seconds();
    Timings *tm = r->timed ? &r->timings : NULL;
    if (tm) tm_start(tm);
    I.smp.timings = tm;
    for (int i = 0; r->prog->statements[i]; i++) {
        const char *code = r->prog->statements[i];
        ParseError perr;
        if (interp_run(&I, source_from_string(r->prog->name, code, strlen(code)), &perr, NULL) != EV_OK) {
            if (I.err.set) interp_print_error(&I, out);
            else fprintf(out, "syntax error: %s\n", perr.message);
        }
        fflush(out);
        if (r->in_step) pthread_barrier_wait(&step);
    }
    Value v;
    r->saw_own = interp_get_global(&I, sym_intern_cstr(&I.syms, r->prog->own_name), &v);
    r->saw_other = interp_get_global(&I, sym_intern_cstr(&I.syms, r->prog->other_name), &v);
    tm_enter(tm, TM_EXIT);
    interp_free(&I);
    tm_leave(tm);
    fclose(out);
    if (tm) {
        FILE *table = open_memstream(&r->table, &r->table_len);
        if (!table) abort();
        tm_report(tm, table, r->prog->samples, r->prog->threads);
        fclose(table);
        r->seconds = smp_monotonic_seconds() - started;
    }
    return NULL;
}

/* A rehearsal of a whole program beside the two: it records summaries, prints nothing. Its
 * interpreter borrows the table of the run it rehearses, as sqc's does, and every mark it makes
 * counts to TM_REHEARSAL. */
typedef struct Rehearsals {
    int recorded;
    Timings timings;
} Rehearsals;

static void apply_none(Interp *I, const void *arg) {
    I->smp.n = 200000, I->samples_fixed = true;
    I->smp.timings = (Timings *)arg;
}

static void *run_rehearsal(void *arg) {
    Rehearsals *r = arg;
    const char *text = "x = norm(0, 1)\ny = x * x\nprint(mean(y), quantile(y, 0.99))\n";
    Source *src = source_from_string("rehearsed", text, strlen(text));
    tm_start(&r->timings);
    RehearsalSetup setup = {apply_none, &r->timings, false, false, 0};
    for (int i = 0; i < 4; i++) {
        tm_enter(&r->timings, TM_REHEARSAL);
        Prefetch *pf = rehearse(src, &setup);
        tm_leave(&r->timings);
        r->recorded += pf ? (int)pf_count(pf) : 0;
        pf_free(pf);
    }
    source_free(src);
    return NULL;
}

static int count_statements(const Script *s) {
    int k = 0;
    while (s->statements[k]) k++;
    return k;
}

/* Whether r's table counts its own program's marks, as many as the program alone makes (`alone`),
 * none open, and its phases' times fit in the time it was kept; tm_report printed it. */
static bool table_sane(const Run *r, const Run *alone) {
    const Timings *t = &r->timings;
    bool ok = t->depth == 0 && memcmp(t->entries, alone->timings.entries, sizeof t->entries) == 0;
    ok = ok && t->entries[TM_PARSE] == 2 * count_statements(r->prog); /* each run: parsed, names checked */
    ok = ok && t->entries[TM_EVAL] > 0 && t->entries[TM_EXIT] == 1 && t->entries[TM_REHEARSAL] == 0;
    double wall = 0;
    for (int p = 0; p < TM_PHASES; p++) {
        ok = ok && t->spent[p].wall >= 0;
        wall += t->spent[p].wall;
    }
    ok = ok && wall > 0 && wall <= r->seconds;
    char head[80];
    snprintf(head, sizeof head, "sqc timings: %zu draws, %d thread%s\n", r->prog->samples, r->prog->threads,
             r->prog->threads == 1 ? "" : "s");
    return ok && r->table && !strncmp(r->table, head, strlen(head)) && strstr(r->table, "\nparse ") &&
           strstr(r->table, "\nother passes ") && strstr(r->table, "\ntotal ");
}

/* Whether the rehearsals' table holds their four runs, every mark inside them theirs. */
static bool rehearsals_sane(const Rehearsals *r) {
    const Timings *t = &r->timings;
    bool ok = t->depth == 0 && t->entries[TM_REHEARSAL] == 4 && t->spent[TM_REHEARSAL].wall > 0;
    for (int p = 0; p < TM_PHASES; p++)
        if (p != TM_REHEARSAL) ok = ok && t->entries[p] == 0 && (p == TM_RUN || t->spent[p].wall == 0);
    return ok;
}

int main(void) {
    /* each alone, one after the other */
    Run alone_a = {.prog = &A, .timed = true}, alone_b = {.prog = &B, .timed = true};
    run_program(&alone_a);
    run_program(&alone_b);
    check("a alone prints", alone_a.len > 100 && !strstr(alone_a.out, "error"));
    check("b alone prints", alone_b.len > 100 && !strstr(alone_b.out, "error"));
    check("a alone sees its own binding, not b's", alone_a.saw_own && !alone_a.saw_other);
    check("b alone sees its own binding, not a's", alone_b.saw_own && !alone_b.saw_other);
    check("a alone: its timings table is sane", table_sane(&alone_a, &alone_a));
    check("b alone: its timings table is sane", table_sane(&alone_b, &alone_b));

    for (int round = 0; round < 3; round++) {
        pthread_barrier_init(&step, NULL, 2);
        /* timings: both tables in round 0, then a's alone, then b's alone */
        Run ra = {.prog = &A, .in_step = true, .timed = round != 2};
        Run rb = {.prog = &B, .in_step = true, .timed = round != 1};
        Rehearsals rh = {0};
        pthread_t ta, tb, tr;
        if (pthread_create(&ta, NULL, run_program, &ra) || pthread_create(&tb, NULL, run_program, &rb) ||
            pthread_create(&tr, NULL, run_rehearsal, &rh))
            abort();
        pthread_join(ta, NULL);
        pthread_join(tb, NULL);
        pthread_join(tr, NULL);
        pthread_barrier_destroy(&step);
        char what[120];
        snprintf(what, sizeof what, "round %d: a beside b prints what a alone prints", round);
        check(what, ra.len == alone_a.len && memcmp(ra.out, alone_a.out, ra.len) == 0);
        snprintf(what, sizeof what, "round %d: b beside a prints what b alone prints", round);
        check(what, rb.len == alone_b.len && memcmp(rb.out, alone_b.out, rb.len) == 0);
        snprintf(what, sizeof what, "round %d: neither sees the other's bindings", round);
        check(what, ra.saw_own && !ra.saw_other && rb.saw_own && !rb.saw_other);
        snprintf(what, sizeof what, "round %d: the rehearsal beside them records its summaries", round);
        check(what, rh.recorded >= 4);
        snprintf(what, sizeof what, "round %d: a's timings count a's marks alone, as many as alone", round);
        check(what, !ra.timed || table_sane(&ra, &alone_a));
        snprintf(what, sizeof what, "round %d: b's timings count b's marks alone, as many as alone", round);
        check(what, !rb.timed || table_sane(&rb, &alone_b));
        snprintf(what, sizeof what, "round %d: the rehearsals' marks all count to their rehearsal phase", round);
        check(what, rehearsals_sane(&rh));
        if (failed && round == 0) printf("a alone:\n%s\na beside b:\n%s\n", alone_a.out, ra.out);
        if (failed && ra.table) printf("a's timings beside b:\n%s\na's alone:\n%s\n", ra.table, alone_a.table);
        free(ra.out);
        free(rb.out);
        free(ra.table);
        free(rb.table);
    }
    free(alone_a.out);
    free(alone_b.out);
    free(alone_a.table);
    free(alone_b.table);
    return check_report();
}
