/* test_interps.c — two interpreters in one process, on two threads, do not see each other
 * (#17): each has its own names, builtins, frames, samples context and file policy. Each runs a
 * program of its own (other seeds, sample counts, thread counts and bindings, some names the
 * same) one statement at a time, the two threads in step so that their statements overlap; the
 * output of each must be byte for byte what the same program prints in an interpreter alone,
 * and neither sees the other's bindings. A rehearsal runs beside them too, as it may now. */
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
    char *out;    /* what it printed, then its errors */
    size_t len;
    bool saw_own, saw_other;
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
    interp_free(&I);
    fclose(out);
    return NULL;
}

/* A rehearsal of a whole program beside the two: it records summaries, prints nothing. */
static void apply_none(Interp *I, const void *arg) {
    (void)arg;
    I->smp.n = 200000, I->samples_fixed = true;
}

static void *run_rehearsal(void *arg) {
    int *recorded = arg;
    const char *text = "x = norm(0, 1)\ny = x * x\nprint(mean(y), quantile(y, 0.99))\n";
    Source *src = source_from_string("rehearsed", text, strlen(text));
    RehearsalSetup setup = {apply_none, NULL, false, false, 0};
    for (int i = 0; i < 4; i++) {
        Prefetch *pf = rehearse(src, &setup);
        *recorded += pf ? (int)pf_count(pf) : 0;
        pf_free(pf);
    }
    source_free(src);
    return NULL;
}

int main(void) {
    /* each alone, one after the other */
    Run alone_a = {&A, false, NULL, 0, false, false}, alone_b = {&B, false, NULL, 0, false, false};
    run_program(&alone_a);
    run_program(&alone_b);
    check("a alone prints", alone_a.len > 100 && !strstr(alone_a.out, "error"));
    check("b alone prints", alone_b.len > 100 && !strstr(alone_b.out, "error"));
    check("a alone sees its own binding, not b's", alone_a.saw_own && !alone_a.saw_other);
    check("b alone sees its own binding, not a's", alone_b.saw_own && !alone_b.saw_other);

    for (int round = 0; round < 3; round++) {
        pthread_barrier_init(&step, NULL, 2);
        Run ra = {&A, true, NULL, 0, false, false}, rb = {&B, true, NULL, 0, false, false};
        int recorded = 0;
        pthread_t ta, tb, tr;
        if (pthread_create(&ta, NULL, run_program, &ra) || pthread_create(&tb, NULL, run_program, &rb) ||
            pthread_create(&tr, NULL, run_rehearsal, &recorded))
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
        check(what, recorded >= 4);
        if (failed && round == 0) printf("a alone:\n%s\na beside b:\n%s\n", alone_a.out, ra.out);
        free(ra.out);
        free(rb.out);
    }
    free(alone_a.out);
    free(alone_b.out);
    return check_report();
}
