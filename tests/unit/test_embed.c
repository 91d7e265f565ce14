/* test_embed.c — the embedding header (sqc_embed.h): output and errors through callbacks, runs
 * that see earlier runs' bindings, a value's summary as text and as JSON, an interrupt from
 * another thread, interpreters with settings of their own side by side, and a session (the REPL's
 * and the notebook's: values shown, :samples re-running, an interrupted entry undone, :help, Tab). */
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

typedef struct Shown {
    Buf text;
    int values, svgs, charts;
} Shown;

static void on_show(void *ctx, const char *text, size_t len, const char *svg, size_t svg_len) {
    Shown *s = ctx;
    (void)svg_len;
    s->values++;
    s->svgs += svg != NULL && strstr(svg, "<svg") != NULL;
    collect(&s->text, text, len);
}

static bool on_chart(void *ctx, const char *text, size_t len, const char *svg, size_t svg_len) {
    (void)text, (void)len, (void)svg, (void)svg_len;
    ((Shown *)ctx)->charts++;
    return true;
}

typedef struct Offered {
    char names[64][32];
    char after[64];
    int n;
} Offered;

static void offer(void *ctx, const char *name, char after) {
    Offered *o = ctx;
    if (o->n < 64) snprintf(o->names[o->n], sizeof o->names[0], "%s", name), o->after[o->n++] = after;
}

static int offered(const Offered *o, const char *name) { /* its `after`, or -1 when not offered */
    for (int i = 0; i < o->n; i++)
        if (!strcmp(o->names[i], name)) return o->after[i];
    return -1;
}

static SqcOutcome entry(SqcSession *s, const char *code) { return sqc_session_entry(s, "<cell>", code, strlen(code)); }

static SqcCompletion complete(SqcSession *s, const char *line, Offered *o) {
    o->n = 0;
    size_t end = strlen(line), start = end;
    while (start > 0 && line[start - 1] != ' ' && line[start - 1] != '(') start--;
    return sqc_session_complete(s, line, start, end, offer, o);
}

/* The session (sqc_embed.h, "a session"), as a notebook kernel would drive it. */
static void session_checks(void) {
    static Buf out, err;
    static Shown shown;
    SqcInterp *S = sqc_open(&(SqcConfig){.samples = 4000, .seed = 7, .seed_given = true, .threads = 2,
                                         .out = collect, .out_ctx = &out, .err = collect, .err_ctx = &err});
    SqcSession *s = sqc_session_open(S, &(SqcSessionConfig){.notebook = true, .show = on_show, .show_ctx = &shown,
                                                            .value_svg = true, .chart = on_chart, .chart_ctx = &shown});
    check("an entry runs", entry(s, "x = norm(8, 12)\ncount = 3") == SQC_OK && err.len == 0);
    check("a value goes to show, with its histogram", entry(s, "x") == SQC_OK && shown.values == 1 &&
          shown.svgs == 1 && strncmp(shown.text.text, "mean ", 5) == 0);
    check("a number has no histogram", entry(s, "count * 2") == SQC_OK && shown.values == 2 && shown.svgs == 1);
    check("hist goes to the chart callback", entry(s, "hist(x)") == SQC_OK && shown.charts == 1);
    check("a notebook's entry is whole: ending too soon is an error", entry(s, "y = (1 +") == SQC_ERROR &&
          strstr(err.text, "<cell>:1:"));
    err.len = 0;
    check("a blank entry does nothing", entry(s, "  \n") == SQC_OK);

    size_t n;
    uint64_t seed;
    out.len = 0;
    check(":samples re-runs the session", sqc_session_command(s, ":samples 2K") == SQC_OK &&
          strstr(out.text, "samples = 2000 (re-ran the session's"));
    sqc_settings(S, &n, &seed);
    check("sqc_settings says so", n == 2000 && seed == 7);
    check("the bindings stay", entry(s, "x") == SQC_OK && shown.values == 3);
    check("a bad argument is an error", sqc_session_command(s, ":samples lots") == SQC_ERROR &&
          strstr(err.text, ":samples needs a whole number"));
    err.len = 0;
    check("a notebook refuses :quit", sqc_session_command(s, ":quit") == SQC_ERROR);
    err.len = 0;

    /* an interrupted entry leaves nothing of itself */
    Interrupter it = {S, false};
    pthread_t t;
    pthread_create(&t, NULL, interrupt_soon, &it);
    SqcOutcome o = entry(s, "count = 100\nwhile true { count = count + 1 }");
    atomic_store(&it.done, true);
    pthread_join(t, NULL);
    check("an entry is interrupted", o == SQC_INTERRUPTED);
    out.len = 0;
    check("and undone", sqc_run(S, "check", "print(count)", 12, false) == 0 && strcmp(out.text, "3\n") == 0);

    char *help = sqc_session_help(s, "norm");
    check(":help of a builtin", help && strncmp(help, "norm(", 5) == 0);
    free(help);
    help = sqc_session_help(s, "count");
    check(":help of a global", help && strstr(help, "'count' is your number"));
    free(help);
    check(":help of nothing known", sqc_session_help(s, "no_such_thing") == NULL);

    Offered off;
    check("Tab: names", complete(s, "cou", &off) == SQC_COMPLETE_NAMES && offered(&off, "count") == '\0');
    check("Tab: a builtin takes (", complete(s, "y = nor", &off) == SQC_COMPLETE_NAMES && offered(&off, "norm") == '(');
    check("Tab: a command takes a space", complete(s, ":sa", &off) == SQC_COMPLETE_NAMES &&
          offered(&off, ":samples") == ' ' && off.n == 1);
    check("Tab: a file after :load", complete(s, ":load ex", &off) == SQC_COMPLETE_FILES && off.n == 0);
    check("Tab: nothing after :seed", complete(s, ":seed 1", &off) == SQC_COMPLETE_NONE);

    check("whole", sqc_completeness(S, "a = 1", 5) == SQC_WHOLE);
    check("incomplete", sqc_completeness(S, "a = (1 +", 8) == SQC_INCOMPLETE);
    check("invalid", sqc_completeness(S, "a = )", 5) == SQC_INVALID);
    sqc_session_close(s);

    /* a terminal's session: an entry that ends too soon waits for more, :quit quits */
    out.len = 0;
    s = sqc_session_open(S, NULL);
    check("unfinished", entry(s, "z = [1,") == SQC_UNFINISHED && err.len == 0);
    check("finished", entry(s, "z = [1,\n2]\nz") == SQC_OK && strcmp(out.text, "[1, 2]\n") == 0);
    check(":quit", sqc_session_command(s, ":quit") == SQC_QUIT);
    sqc_session_close(s);

    static Buf err2;
    sqc_set_errors(S, collect, &err2);
    check("errors go where sqc_set_errors says", sqc_run(S, "e", "nope", 4, false) == 1 &&
          strstr(err2.text, "unknown name 'nope'") && !strstr(err.text, "nope"));
    sqc_close(S);
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

    session_checks();
    return check_report();
}
