/* test_embed.c — the embedding header (sqc_embed.h): output and errors through callbacks, runs
 * that see earlier runs' bindings, a value's summary as text and as JSON, an interrupt from
 * another thread, and interpreters with settings of their own side by side. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sqc_embed.h"

#include "unit_check.h"

typedef struct Buf {
    char text[1 << 16];
    size_t len;
} Buf;

static void collect(void *ctx, const char *text, size_t len) {
    Buf *b = ctx;
    if (b->len + len >= sizeof b->text) len = sizeof b->text - 1 - b->len;
    memcpy(b->text + b->len, text, len);
    b->len += len;
    b->text[b->len] = '\0';
}

static int run(SqcInterp *S, const char *code, bool show_last) {
    return sqc_run(S, "cell", code, strlen(code), show_last);
}

typedef struct Interrupter {
    SqcInterp *S;
    atomic_bool done;
} Interrupter;

static void *interrupt_soon(void *arg) {
    Interrupter *it = arg;
    while (!atomic_load(&it->done)) { /* until the run has seen one */
        nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
        sqc_interrupt(it->S);
    }
    return NULL;
}

int main(void) {
    static Buf out, err;
    SqcInterp *S = sqc_open(&(SqcConfig){.samples = 20000, .seed = 42, .seed_given = true, .threads = 2,
                                         .out = collect, .out_ctx = &out, .err = collect, .err_ctx = &err});
    check("a run succeeds", run(S, "x = norm(8, 12)\nprint(\"hello\", 1 + 2)", false) == 0);
    check("print goes to the output callback", strcmp(out.text, "hello 3\n") == 0);
    check("no error after a good run", sqc_error(S, NULL, NULL) == NULL && err.len == 0);

    out.len = 0;
    check("a later run sees the bindings", run(S, "y = x * 2\nmean(y) > 15", true) == 0);
    check("show_last writes the last value", strcmp(out.text, "true\n") == 0);

    int line = 0, col = 0;
    check("an error fails the run", run(S, "a = 1\nb = a + nope", false) == 1);
    const char *msg = sqc_error(S, &line, &col);
    check("its message", msg && strstr(msg, "unknown name 'nope'"));
    check("its place", line == 2 && col == 9);
    check("the error callback gets it as sqc writes it", strstr(err.text, "cell:2:9: error: unknown name 'nope'") != NULL);
    err.len = 0;
    check("a syntax error", run(S, "y = (1 +", false) == 1 && sqc_error(S, &line, &col) && line == 1);

    char *text = sqc_summary(S, "x", SQC_TEXT);
    check("a samples value's summary as text", text && strncmp(text, "mean ", 5) == 0 && strstr(text, "90% CI"));
    free(text);
    char *json = sqc_summary(S, "x", SQC_JSON);
    check("as JSON", json && json[0] == '{' && strstr(json, "\"mean\":") && strstr(json, "\"p99\":"));
    free(json);
    check("no such global", sqc_summary(S, "nothing_here", SQC_TEXT) == NULL && sqc_error(S, NULL, NULL));

    /* an interrupt from another thread stops a long run; the next run is unaffected */
    Interrupter it = {S, false};
    pthread_t t;
    pthread_create(&t, NULL, interrupt_soon, &it);
    err.len = 0;
    int st = run(S, "n = 0\nwhile true { n = n + 1 }", false);
    atomic_store(&it.done, true);
    pthread_join(t, NULL);
    check("an interrupted run fails", st == 1);
    msg = sqc_error(S, NULL, NULL);
    check("with 'interrupted'", msg && strstr(msg, "interrupted"));
    out.len = 0;
    check("the next run is unaffected", run(S, "print(mean(y) > 15)", false) == 0 && strcmp(out.text, "true\n") == 0);
    sqc_close(S);

    /* two at once, each with its own settings: the second's seed does not change the first's draws */
    static Buf o1, o2;
    SqcInterp *A = sqc_open(&(SqcConfig){.samples = 5000, .seed = 1, .seed_given = true, .out = collect, .out_ctx = &o1});
    SqcInterp *B = sqc_open(&(SqcConfig){.samples = 7000, .seed = 2, .seed_given = true, .out = collect, .out_ctx = &o2});
    run(A, "z = uniform(0, 1)", false);
    run(B, "z = uniform(0, 1)\nprint(sample_count())", false);
    run(A, "print(sample_count(), mean(z))", false);
    SqcInterp *C = sqc_open(&(SqcConfig){.samples = 5000, .seed = 1, .seed_given = true, .out = collect, .out_ctx = &o2});
    o2.len = 0;
    run(C, "z = uniform(0, 1)\nprint(sample_count(), mean(z))", false);
    check("each interpreter its own settings and draws", strcmp(o1.text, o2.text) == 0 && strncmp(o1.text, "5000 ", 5) == 0);
    sqc_close(A), sqc_close(B), sqc_close(C);

    return check_report();
}
