/* session.c — the REPL's session (sqc_embed.h, "a session"; docs/cli.md, "The REPL"): entries
 * run into one interpreter, the `:` commands, :help and Tab's candidates. Its front ends are the
 * terminal's REPL (repl.c: readline, history, Ctrl-C) and `sqc --serve` (serve.c, for Jupyter).
 *
 * Entries. A terminal's line is added to the pending entry; the entry is run when it parses. A
 * syntax error at the end of the input (an open bracket, a trailing operator, `{` without `}`)
 * means "not finished" (SQC_UNFINISHED): the front end reads the next line with the continuation
 * prompt and the whole entry is parsed again, as Lua's REPL does. Any other syntax error is
 * reported at once.
 *
 * Settings. `:samples N` and `:seed S` cannot change a live interpreter: a samples value
 * is tied to the draw count it was created with (materialized arrays and cached
 * statistics are N-sized and seed-specific). So the REPL keeps a log of every entry that
 * parsed (typed lines and :load-ed files) and a settings command starts a fresh
 * interpreter with the new settings and re-runs the log into it with print output
 * discarded (SESSION_REPLAY: the log's `set` lines are ignored, the new setting wins):
 * bindings stay, and samples are re-drawn at the new count or seed. A typed `set seed = S`
 * asks for the same (SESSION_TYPED: eval.c ends the entry with a set_request), and so does
 * a loaded file's `set` when the session already has samples; the entry then runs again.
 *
 * Draw streams. A random value's draws come from (seed, stream number), numbers handed out
 * in order (samples.c). `:load FILE` must print what `sqc FILE` prints whatever the session
 * drew before, so a file's streams are numbered from 0 as in a script run; typed entries
 * take theirs from a space of their own (SPACE_TYPED), so that they never share a stream
 * with a file's values. The first file loaded has space 0, and so has the same file loaded
 * again (its values are then the same draws, as they would be in two runs of it); a second,
 * different file gets a space of its own, and the REPL says that its numbers differ from
 * `sqc FILE` (two files in space 0 would give their values the same draws).
 *
 * Interrupts. While an entry runs, Ctrl-C (sqc_interrupt) sets the interpreter's stop request
 * (samples.h): the evaluator and the samples engine look at it at every step and before every
 * block, and fail with an ordinary error that unwinds. The session then puts the globals back as
 * they were before the entry (a snapshot taken before each entry, frame.h), says `interrupted`,
 * and does not log the entry: nothing of it stays, half-bound or otherwise.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* open_memstream, realpath, strndup */
#endif
#include "sqc_embed.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtins.h"
#include "chart.h"
#include "count.h"
#include "display.h"
#include "frame.h"
#include "embed_state.h"
#include "mem.h"
#include "numfmt.h"
#include "registry.h"
#include "sparkline.h"

#define SHOW_ITEMS 10 /* list and record entries shown before "…" */
#define VALUE_SVG_WIDTH 400 /* a notebook's histogram under a samples value: half plot()'s size */
#define VALUE_SVG_HEIGHT 225

static const struct {
    const char *name, *args, *doc;
} COMMANDS[] = {
    {":help", "[NAME]", "list the commands and builtins, or show one builtin's signature and doc"},
    {":samples", "[N]", "draws per uncertain value (1K, 100_000 work); re-runs the session's entries"},
    {":seed", "[S]", "the random seed; re-runs the session's entries"},
    {":load", "FILE", "run a script into the session: it prints what `sqc FILE` prints, its bindings stay"},
    {":reset", "", "a fresh session: no bindings, the settings sqc started with (history stays)"},
    {":quit", "", "leave (so does Ctrl-D)"},
    {NULL, NULL, NULL},
};

/* One entry that parsed, kept for re-running after a settings change. */
typedef struct Entry {
    char *name; /* "<repl>" or the :load-ed path */
    char *text;
    size_t len;
    int space;  /* its draw streams (below) */
    bool load;  /* a :load-ed file: its streams start again at the space's first */
    bool ok;    /* it ran without error the first time */
} Entry;

#define SPACE_TYPED 1 /* typed entries; loaded files have 0, 2, 3, ... */
#define SPACE_SHIFT 48 /* stream numbers of space k start at k << SPACE_SHIFT */

typedef struct Names {
    char **v;
    int n, cap;
} Names;

struct SqcSession {
    SqcInterp *S;
    Interp *I;          /* &S->I: it stays where it is, restart() re-initializes it in place */
    Entry *log;
    int nlog, log_cap;
    char note[128];     /* what restart() did, shown after the new setting */
    char **paths;       /* loaded files, by space: paths[0] has space 0, paths[i] space i + 1 */
    int npaths, paths_cap;
    uint64_t *next;     /* the next stream number of each space */
    int nspaces, spaces_cap;
    size_t start_n;     /* the settings sqc started with, for :reset */
    uint64_t start_seed;
    bool start_lhs;
    SqcSessionConfig config;
    SqcOutcome outcome; /* how the last entry or command ended */
    Names candidates;   /* Tab's, gathered */
};

/* A served session (sqc --serve, docs/jupyter.md) runs a notebook's cells: they are a script in
 * pieces, so they take space 0, and draw as `sqc` draws the cells put together; every loaded file
 * then has a space of its own (2, 3, ...). */
static int typed_space(const SqcSession *r) { return r->config.notebook ? 0 : SPACE_TYPED; }

/* ---------- small helpers ---------- */


static char *xstrndup(const char *s, size_t n) {
    char *d = strndup(s, n);
    if (!d) {
        fputs("sqc: out of memory\n", stderr);
        abort();
    }
    return d;
}

static bool blank(const char *s) {
    for (; *s; s++)
        if (!isspace((unsigned char)*s)) return false;
    return true;
}

static void log_add(SqcSession *r, const Entry *e) {
    MEM_GROW(r->log, r->log_cap, (size_t)r->nlog + 1);
    char *copy = mem_alloc(e->len + 1);
    memcpy(copy, e->text, e->len);
    copy[e->len] = '\0';
    r->log[r->nlog] = *e;
    r->log[r->nlog].name = mem_strdup(e->name);
    r->log[r->nlog].text = copy;
    r->nlog++;
}

static void log_clear(SqcSession *r, int from) {
    for (int i = from; i < r->nlog; i++) free(r->log[i].name), free(r->log[i].text);
    r->nlog = from;
}

/* ---------- draw streams ---------- */

static uint64_t space_first(int space) { return (uint64_t)space << SPACE_SHIFT; }

static void spaces_reset(SqcSession *r) {
    for (int k = 0; k < r->nspaces; k++) r->next[k] = space_first(k);
}

static uint64_t *space_next(SqcSession *r, int space) {
    if (space >= r->nspaces) {
        MEM_GROW(r->next, r->spaces_cap, (size_t)space + 1);
        while (r->nspaces <= space) r->next[r->nspaces] = space_first(r->nspaces), r->nspaces++;
    }
    return &r->next[space];
}

/* The space of a loaded file (a new one for a file not loaded before); *first says whether it
 * is space 0, whose numbers are those of `sqc FILE`. */
static int path_space(SqcSession *r, const char *path, bool *first) {
    char *real = realpath(path, NULL);
    const char *key = real ? real : path;
    int i = 0;
    while (i < r->npaths && strcmp(r->paths[i], key)) i++;
    if (i == r->npaths) {
        MEM_GROW(r->paths, r->paths_cap, (size_t)r->npaths + 1);
        r->paths[r->npaths++] = mem_strdup(key);
    }
    free(real);
    if (r->config.notebook) { /* space 0 belongs to the cells */
        *first = false;
        return i + 2;
    }
    *first = i == 0;
    return i == 0 ? 0 : i + 1;
}

static void paths_clear(SqcSession *r) {
    for (int i = 0; i < r->npaths; i++) free(r->paths[i]);
    r->npaths = 0;
}

/* ---------- showing values ---------- */

static bool show_compact(Interp *I, const Value *v, StrBuf *out, bool estimates);

/* A record key that print shows bare. */
static bool is_name(const char *s, size_t len) {
    if (!len || !(isalpha((unsigned char)s[0]) || s[0] == '_')) return false;
    for (size_t i = 1; i < len; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_')) return false;
    return true;
}

static bool show_items(Interp *I, const Value *v, StrBuf *out) {
    bool is_list = v->kind == VAL_LIST;
    bool estimates = is_list ? v->as.list->estimates : v->as.rec->estimates;
    int len = is_list ? v->as.list->len : v->as.rec->len;
    sb_putc(out, is_list ? '[' : '{');
    for (int i = 0; i < len && i < SHOW_ITEMS; i++) {
        if (i) sb_puts(out, ", ");
        if (is_list) {
            if (!show_compact(I, &v->as.list->items[i], out, estimates)) return false;
            continue;
        }
        SqString *k = v->as.rec->keys[i];
        if (is_name(k->bytes, k->len)) sb_put(out, k->bytes, k->len);
        else display_quoted(out, k->bytes, k->len);
        sb_puts(out, ": ");
        if (!show_compact(I, &v->as.rec->vals[i], out, estimates)) return false;
    }
    if (len > SHOW_ITEMS) sb_printf(out, ", … %d more", len - SHOW_ITEMS);
    sb_putc(out, is_list ? ']' : '}');
    return true;
}

/* estimates: the numbers of summary() or percentiles(), shown as the summaries show them. */
static bool show_compact(Interp *I, const Value *v, StrBuf *out, bool estimates) {
    if (v->kind == VAL_LIST || v->kind == VAL_RECORD) return show_items(I, v, out);
    if (estimates && v->kind == VAL_NUM) {
        num_compact(out, v->as.num);
        return true;
    }
    return display_value(I, v, out, false);
}

/* The text shown for an entry's value: samples with a sparkline, strings quoted,
 * long lists and records cut short. */
static bool show_value(Interp *I, const Value *v, StrBuf *out) {
    if (v->kind == VAL_SAMPLES) {
        if (!display_samples_summary(I, v->as.smp, out)) return false;
        if (smp_is_bool(v->as.smp)) return true;
        StrBuf bars;
        sb_init(&bars);
        bool ok = sparkline_samples(&I->smp, v->as.smp, SPARKLINE_WIDTH, I->ascii, &bars);
        if (ok && bars.len) sb_puts(out, "  "), sb_put(out, bars.data, bars.len);
        sb_free(&bars);
        if (!ok) rt_error_from_samples(I);
        return ok;
    }
    return show_compact(I, v, out, false);
}

/* plot(v) at half size: the histogram under a samples value in a notebook. */
static bool value_svg(Interp *I, const Value *v, StrBuf *svg) {
    CallArgs call = {0};
    Args a = {.I = I, .call = &call};
    a.v[0] = v;
    static const int IDX[CHART_NARGS] = {0, -1, -1, -1, -1, -1};
    if (!chart_plot_svg(&a, IDX, svg)) return false;
    char from[64], to[64];
    snprintf(from, sizeof from, "width=\"800\" height=\"450\"");
    snprintf(to, sizeof to, "width=\"%d\" height=\"%d\"", VALUE_SVG_WIDTH, VALUE_SVG_HEIGHT);
    char *at = svg->data ? strstr(svg->data, from) : NULL;
    if (at) {
        StrBuf o;
        sb_init(&o);
        sb_put(&o, svg->data, (size_t)(at - svg->data));
        sb_puts(&o, to);
        sb_puts(&o, at + strlen(from));
        sb_free(svg);
        *svg = o;
    }
    return true;
}

/* An entry's value: to the front end's SqcShow (with its histogram when asked), else as text on
 * the output. False, with I's error set or the stop request made, when showing it fails. */
static bool show_entry_value(SqcSession *r, const Value *v) {
    Interp *I = r->I;
    StrBuf text, svg;
    sb_init(&text), sb_init(&svg);
    bool ok = show_value(I, v, &text), has_svg = false;
    if (ok && r->config.value_svg && v->kind == VAL_SAMPLES && !smp_is_bool(v->as.smp)) {
        has_svg = value_svg(I, v, &svg);
        if (!has_svg && atomic_load(&I->smp.stop) != SMP_STOP_NONE) ok = false;
        else if (!has_svg) I->err.set = false; /* no chart (no draw to place): the text alone */
    }
    if (ok && r->config.show)
        r->config.show(r->config.show_ctx, text.data ? text.data : "", text.len,
                       has_svg ? (svg.data ? svg.data : "") : NULL, has_svg ? svg.len : 0);
    else if (ok)
        sb_putc(&text, '\n'), fwrite(text.data, 1, text.len, I->out);
    sb_free(&text), sb_free(&svg);
    return ok;
}

/* ---------- running code ---------- */

/* An entry's error, on the error stream (sqc_set_errors), after what was printed before it. */
static void report_syntax(SqcSession *r, const ParseError *perr) {
    fflush(r->S->out);
    diag_print(r->S->err, perr->span, perr->message);
    fflush(r->S->err);
    r->outcome = SQC_ERROR;
}

static void report_runtime(SqcSession *r) {
    fflush(r->S->out);
    interp_print_error(r->I, r->S->err);
    fflush(r->S->err);
    r->outcome = SQC_ERROR;
}

static void report_interrupt(SqcSession *r) {
    fflush(r->S->out);
    r->outcome = SQC_INTERRUPTED;
    if (r->config.notebook) return; /* the reply says so */
    fputs("\ninterrupted\n", stderr);
    fflush(stderr);
}

/* A command's mistake (a bad argument, an unknown command): said on the error stream. */
static void report_usage(SqcSession *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report_usage(SqcSession *r, const char *fmt, ...) {
    fflush(r->S->out);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(r->S->err, fmt, ap);
    va_end(ap);
    fflush(r->S->err);
    r->outcome = SQC_ERROR;
}

/* What the globals and the draw streams were before an entry, to go back to if it is
 * interrupted. */
typedef struct Checkpoint {
    FrameSnapshot *globals;
    uint64_t next_stream;
    bool samples_made;
} Checkpoint;

static Checkpoint checkpoint_take(Interp *I) {
    atomic_store(&I->smp.stop, SMP_STOP_NONE); /* a press between entries stops nothing */
    return (Checkpoint){frame_snapshot(I->globals), I->smp.next_stream, I->samples_made};
}

/* Called when a run has ended: true when Ctrl-C stopped it, in which case the globals are put
 * back as they were at the checkpoint. The stop request is cleared either way. */
static bool checkpoint_end(Interp *I, Checkpoint *cp, bool failed) {
    bool stopped = atomic_exchange(&I->smp.stop, SMP_STOP_NONE) != SMP_STOP_NONE && failed;
    if (stopped) {
        frame_restore(I->globals, cp->globals);
        I->smp.next_stream = cp->next_stream;
        I->samples_made = cp->samples_made;
        I->err.set = false;
    } else {
        frame_snapshot_free(cp->globals);
    }
    cp->globals = NULL;
    return stopped;
}

/* A fresh interpreter in place of r->I, with the settings sqc started with except n, seed and
 * sampling. */
static void fresh_interp(SqcSession *r, size_t n, uint64_t seed, bool lhs) {
    Interp *I = r->I;
    FILE *out = I->out;
    int threads = I->smp.threads;
    bool ascii = I->ascii, samples_fixed = I->samples_fixed, seed_fixed = I->seed_fixed;
    InlineChartFn chart = I->inline_chart;
    void *chart_ctx = I->inline_chart_ctx;
    bool sampling_fixed = I->sampling_fixed;
    interp_free(I);
    interp_init(I, out);
    stdlib_open(I);
    I->inline_chart = chart;
    I->inline_chart_ctx = chart_ctx;
    I->smp.threads = threads;
    I->ascii = ascii;
    I->samples_fixed = samples_fixed; /* given on the command line */
    I->seed_fixed = seed_fixed;
    I->sampling_fixed = sampling_fixed;
    I->smp.n = n;
    I->smp.seed = seed;
    I->smp.lhs = lhs;
    r->S->error.set = false; /* its span was in a source the old interpreter kept */
    spaces_reset(r);
}

/* Starts a fresh interpreter with n draws, the given seed and sampling and re-runs the log; false
 * when Ctrl-C stopped the re-run (r->note says what is left). */
static bool restart(SqcSession *r, size_t n, uint64_t seed, bool lhs) {
    Interp *I = r->I;
    FILE *out = I->out;
    fresh_interp(r, n, seed, lhs);
    r->note[0] = '\0';
    if (!r->nlog) return true;

    FILE *null = fopen("/dev/null", "w");
    I->out = null ? null : out;
    int failed = 0, done = 0, total = r->nlog;
    for (; done < r->nlog; done++) {
        const Entry *e = &r->log[done];
        uint64_t *next = space_next(r, e->space);
        Checkpoint cp = checkpoint_take(I);
        I->session = SESSION_REPLAY;
        I->smp.next_stream = e->load ? space_first(e->space) : *next;
        EvStatus st = interp_run(I, source_from_string(e->name, e->text, e->len), NULL, NULL);
        I->session = SESSION_SCRIPT;
        if (checkpoint_end(I, &cp, st != EV_OK)) break;
        *next = I->smp.next_stream;
        if (st != EV_OK && e->ok && I->err.set) { /* it worked before: say why not now */
            if (!failed++) fprintf(stderr, "re-running the session's entries:\n");
            fflush(r->S->out);
            interp_print_error(I, stderr); /* a note: the command itself goes on */
            fflush(stderr);
        }
    }
    if (null) fclose(null);
    I->out = out;
    if (done < total) { /* interrupted: the session is the entries that re-ran */
        log_clear(r, done);
        snprintf(r->note, sizeof r->note, " (interrupted after re-running %d of the session's %d entries: "
                 "the other %d are dropped)", done, total, total - done);
        return false;
    }
    snprintf(r->note, sizeof r->note, " (re-ran the session's %d entr%s: earlier samples are re-drawn%s)", r->nlog,
             r->nlog == 1 ? "y" : "ies", failed ? ", some failed" : "");
    return true;
}

/* Sets the draw count, the seed or the sampling (value 1: lhs) and re-runs the session; says what
 * it did on `to`, as `samples = N (...)`. `why`, when not NULL, goes first ("FILE sets "). False
 * when stopped. */
static bool change_setting(SqcSession *r, SetKind which, double value, FILE *to, const char *why) {
    Interp *I = r->I;
    bool ok = restart(r, which == SET_SAMPLES ? (size_t)value : I->smp.n,
                      which == SET_SEED ? (uint64_t)value : I->smp.seed,
                      which == SET_SAMPLING ? value != 0 : I->smp.lhs);
    if (why) fputs(why, to);
    if (which == SET_SAMPLES) fprintf(to, "samples = %zu%s\n", I->smp.n, r->note);
    else if (which == SET_SEED) fprintf(to, "seed = %llu%s\n", (unsigned long long)I->smp.seed, r->note);
    else fprintf(to, "sampling = \"%s\"%s\n", I->smp.lhs ? "lhs" : "mc", r->note);
    fflush(to);
    return ok;
}

/* Runs text as an entry: typed (name "<repl>", its value shown) or a :load-ed file (name its
 * path). Returns false when a typed entry does not parse because the input ended too soon
 * (the caller reads more); otherwise it has run (or failed) and been logged. */
static bool run_entry(SqcSession *r, const char *name, const char *text, size_t len, bool load) {
    Interp *I = r->I;
    bool first = true;
    int space = load ? path_space(r, name, &first) : typed_space(r);
    if (!first && r->config.notebook) /* see "Draw streams" above */
        fprintf(stderr, "note: in a notebook the cells draw as one script, so %s draws apart from them and its "
                "numbers differ from `sqc %s`\n", name, name);
    else if (!first)
        fprintf(stderr, "note: %s draws apart from %s, loaded earlier, so its numbers differ from `sqc %s` "
                "(:reset, then :load, for those)\n", name, r->paths[0], name);
    for (int attempt = 0;; attempt++) {
        ParseError perr;
        Value last;
        FILE *out = I->out, *buf = NULL;
        char *printed = NULL;
        size_t nprinted = 0;
        /* a file's output is held back until it has run: a `set` in it may re-run the session first */
        if (load && (buf = open_memstream(&printed, &nprinted))) I->out = buf;
        Checkpoint cp = checkpoint_take(I);
        bool had_samples = I->samples_made;
        I->session = load ? SESSION_LOAD : SESSION_TYPED;
        I->samples_before = had_samples;
        I->set_request.pending = false;
        if (load) I->samples_made = false; /* `set` is allowed until the file's first distribution */
        I->smp.next_stream = load ? space_first(space) : *space_next(r, space);
        EvStatus st = interp_run(I, source_from_string(name, text, len), &perr, load ? NULL : &last);
        I->session = SESSION_SCRIPT;
        I->samples_made |= had_samples;
        if (buf) fclose(buf), I->out = out;
        bool stopped = checkpoint_end(I, &cp, st != EV_OK);
        if (!stopped && st != EV_OK && I->set_request.pending && attempt < 3) {
            free(printed);
            char why[700] = "";
            if (load) snprintf(why, sizeof why, "%s sets ", name);
            if (!change_setting(r, I->set_request.which, I->set_request.value, load ? stderr : r->S->out,
                                load ? why : NULL))
                return true; /* stopped while re-running the session */
            continue;
        }
        if (printed) fwrite(printed, 1, nprinted, out), free(printed);
        if (stopped) {
            report_interrupt(r);
            return true;
        }
        if (st != EV_OK && !I->err.set) { /* a syntax error: nothing ran */
            if (perr.at_end && !load && !r->config.notebook) return false;
            report_syntax(r, &perr);
            return true;
        }
        *space_next(r, space) = I->smp.next_stream;
        log_add(r, &(Entry){(char *)name, (char *)text, len, space, load, st == EV_OK});
        if (st != EV_OK) {
            report_runtime(r);
            return true;
        }
        if (!load) {
            if (last.kind != VAL_NIL) {
                if (show_entry_value(r, &last)) {
                } else if (atomic_exchange(&I->smp.stop, SMP_STOP_NONE)) { /* the entry is done: keep it */
                    I->err.set = false;
                    report_interrupt(r);
                } else {
                    r->log[r->nlog - 1].ok = false;
                    report_runtime(r);
                }
            }
            value_release(last);
        }
        fflush(I->out);
        return true;
    }
}

/* :reset: a fresh session with the settings sqc started with; the history stays. */
static void reset(SqcSession *r) {
    fresh_interp(r, r->start_n, r->start_seed, r->start_lhs);
    log_clear(r, 0);
    paths_clear(r);
    fprintf(r->S->out, "a fresh session: samples = %zu, seed = %llu\n", r->I->smp.n, (unsigned long long)r->I->smp.seed);
}

/* ---------- commands ---------- */

/* The settings `set` changes (docs/language.md, "Statements" and "Sampling"), for :help. */
static const char SETTINGS_HELP[] =
    "settings (in a script before the first distribution; typed here, they re-run the session):\n"
    "  set samples = N       draws per uncertain value\n"
    "  set seed = S          the random seed\n"
    "  set sampling = \"lhs\"  Latin hypercube sampling: each random input's N uniforms\n"
    "                        stratified, one per [k/N, (k+1)/N); \"mc\" (Monte Carlo) is the default\n";

static void help_all(SqcSession *r, FILE *out) {
    fprintf(out, "Type an expression or a statement; its value is shown. A statement left open\n"
            "(a bracket, a trailing operator, `{` without `}`) continues on the next line.\n"
            "Tab completes names. Ctrl-C drops the entry being typed, or stops the one running\n"
            "(the session is then as it was before that entry).\n\ncommands:\n");
    for (int i = 0; COMMANDS[i].name; i++) {
        char head[32];
        snprintf(head, sizeof head, "%s %s", COMMANDS[i].name, COMMANDS[i].args);
        fprintf(out, "  %-14s %s\n", head, COMMANDS[i].doc);
    }
    fprintf(out, "\n%s", SETTINGS_HELP);
    fprintf(out, "\nbuiltins (:help NAME for one):\n");
    int n = registry_count(r->I);
    const char *done[32];
    int ndone = 0;
    for (int i = 0; i < n; i++) {
        const char *fam = registry_at(r->I, i)->family;
        bool seen = false;
        for (int k = 0; k < ndone; k++) seen |= !strcmp(done[k], fam);
        if (seen || ndone == 32) continue;
        done[ndone++] = fam;
        fprintf(out, "  %s:", fam);
        int col = 4 + (int)strlen(fam);
        for (int j = i; j < n; j++) {
            const Builtin *b = registry_at(r->I, j);
            if (strcmp(b->family, fam)) continue;
            int w = (int)strlen(b->name) + 1;
            if (col + w > 78) fprintf(out, "\n   "), col = 3;
            fprintf(out, " %s", b->name);
            col += w;
        }
        fprintf(out, "\n");
    }
}

static const Builtin *builtin_named(SqcSession *r, const char *name) {
    return registry_find(r->I, sym_intern_cstr(&r->I->syms, name));
}

/* :help NAME into out; false when NAME is nothing known (out then says so). */
static bool help_one(SqcSession *r, const char *name, StrBuf *out) {
    for (int i = 0; COMMANDS[i].name; i++)
        if (!strcmp(name, COMMANDS[i].name) ||
            (name[0] != ':' && !strcmp(name, COMMANDS[i].name + 1) && !builtin_named(r, name))) {
            sb_printf(out, "%s %s\n  %s\n", COMMANDS[i].name, COMMANDS[i].args, COMMANDS[i].doc);
            return true;
        }
    if (!strcmp(name, "set") || !strcmp(name, "sampling") || !strcmp(name, "lhs")) {
        sb_puts(out, SETTINGS_HELP);
        return true;
    }
    const Builtin *b = builtin_named(r, name);
    if (b) {
        sb_printf(out, "%s(%s)    [%s]\n  %s\n", b->name, b->signature, b->family, b->doc);
        return true;
    }
    for (int i = 0; sq_keyword(i); i++)
        if (!strcmp(name, sq_keyword(i))) {
            sb_printf(out, "'%s' is a keyword; docs/language.md describes the statements and operators\n", name);
            return true;
        }
    Value v;
    if (interp_get_global(r->I, sym_intern_cstr(&r->I->syms, name), &v)) {
        sb_printf(out, "'%s' is your %s\n", name, value_kind_name(&v));
        return true;
    }
    sb_printf(out, "no builtin named '%s'; :help lists them\n", name);
    return false;
}

/* Runs a ':' command line; returns false for :quit. */
static bool command(SqcSession *r, char *line) {
    char *p = line + strspn(line, " \t");
    char *name = p;
    p += strcspn(p, " \t");
    if (*p) *p++ = '\0';
    p += strspn(p, " \t");
    size_t alen = strlen(p);
    while (alen && isspace((unsigned char)p[alen - 1])) p[--alen] = '\0';
    const char *arg = p;
    Interp *I = r->I;
    FILE *out = r->S->out;

    if (!strcmp(name, ":quit") || !strcmp(name, ":q") || !strcmp(name, ":exit")) return false;
    if (!strcmp(name, ":help") || !strcmp(name, ":h") || !strcmp(name, ":?")) {
        if (*arg) {
            StrBuf text;
            sb_init(&text);
            help_one(r, arg, &text);
            fwrite(text.data, 1, text.len, out);
            sb_free(&text);
        } else {
            help_all(r, out);
        }
    } else if (!strcmp(name, ":samples") || !strcmp(name, ":seed")) {
        bool is_samples = name[2] == 'a';
        double x;
        if (!*arg) {
            fprintf(out, "samples = %zu, seed = %llu\n", I->smp.n, (unsigned long long)I->smp.seed);
        } else if (!count_parse(arg, &x) || (is_samples && (x < 1 || x > 1e9))) {
            report_usage(r, "%s needs a whole number%s, got '%s'\n", name,
                    is_samples ? " from 1 to 1B" : " >= 0", arg);
        } else {
            change_setting(r, is_samples ? SET_SAMPLES : SET_SEED, x, out, NULL); /* (memory is checked as arrays are made: mem.h) */
        }
    } else if (!strcmp(name, ":load")) {
        if (!*arg) {
            report_usage(r, ":load needs a file: :load FILE\n");
        } else {
            char err[600];
            Source *src = source_from_file(arg, err, sizeof err);
            if (!src) {
                report_usage(r, "sqc: %s\n", err);
            } else {
                run_entry(r, arg, src->text, src->len, true);
                source_free(src);
            }
        }
    } else if (!strcmp(name, ":reset")) {
        reset(r);
    } else {
        report_usage(r, "unknown command '%s'; :help lists the commands\n", name);
    }
    fflush(out);
    fflush(stderr);
    return true;
}


/* ---------- completion ---------- */

static void names_add(Names *ns, const char *s) {
    for (int i = 0; i < ns->n; i++)
        if (!strcmp(ns->v[i], s)) return;
    MEM_GROW_FROM(ns->v, ns->cap, (size_t)ns->n + 1, 64);
    ns->v[ns->n++] = mem_strdup(s);
}

static void names_clear(Names *ns) {
    for (int i = 0; i < ns->n; i++) free(ns->v[i]);
    ns->n = 0;
}

static void add_global(void *ctx, Sym name) { names_add(ctx, name); }

/* The names that may complete the word starting at `start` of line (into r->candidates): commands
 * at the start of a line, builtins after :help, else your names, builtins and keywords. */
static SqcCompletion gather(SqcSession *r, const char *line, size_t start, const char *text) {
    Names *c = &r->candidates;
    names_clear(c);
    size_t lead = strspn(line, " \t");
    bool first_word = start <= lead;
    if (first_word && text[0] == ':') {
        for (int i = 0; COMMANDS[i].name; i++) names_add(c, COMMANDS[i].name);
    } else if (line[lead] == ':') {
        if (strncmp(line + lead, ":help", 5)) return strncmp(line + lead, ":load", 5) ? SQC_COMPLETE_NONE : SQC_COMPLETE_FILES;
        for (int i = 0; COMMANDS[i].name; i++) names_add(c, COMMANDS[i].name);
        for (int i = 0; i < registry_count(r->I); i++) names_add(c, registry_at(r->I, i)->name);
    } else {
        interp_each_global(r->I, add_global, c);
        for (int i = 0; i < registry_count(r->I); i++) names_add(c, registry_at(r->I, i)->name);
        for (int i = 0; sq_keyword(i); i++) names_add(c, sq_keyword(i));
    }
    return SQC_COMPLETE_NAMES;
}

/* What follows `name` completed whole: "(" for a function, a space for a keyword or command, else
 * nothing. */
static char after_name(SqcSession *r, const char *line, const char *name) {
    Value v;
    if (name[0] == ':' || line[strspn(line, " \t")] == ':') return ' ';
    const Builtin *b = builtin_named(r, name);
    if (b && strcmp(b->family, "constants") != 0) return '('; /* not pi, e */
    if (interp_get_global(r->I, sym_intern_cstr(&r->I->syms, name), &v))
        return v.kind == VAL_FUNC || v.kind == VAL_BUILTIN ? '(' : '\0';
    return ' ';
}

SqcCompletion sqc_session_complete(SqcSession *r, const char *line, size_t start, size_t end, SqcCandidate fn,
                                   void *ctx) {
    char *text = xstrndup(line + start, end - start);
    SqcCompletion what = gather(r, line, start, text);
    for (int i = 0; what == SQC_COMPLETE_NAMES && i < r->candidates.n; i++) {
        const char *name = r->candidates.v[i];
        if (!strncmp(name, text, end - start)) fn(ctx, name, after_name(r, line, name));
    }
    free(text);
    return what;
}

/* ---------- the session ---------- */

/* hist, plot and tornado in an entry (Interp.inline_chart): to the front end, except while the
 * session re-runs its entries (their output is discarded). */
static bool on_chart(void *ctx, const char *text, size_t tlen, const char *svg, size_t slen) {
    SqcSession *r = ctx;
    if (r->I->session == SESSION_REPLAY) return true;
    return r->config.chart(r->config.chart_ctx, text, tlen, svg, slen);
}

SqcSession *sqc_session_open(SqcInterp *S, const SqcSessionConfig *config) {
    SqcSession *r = mem_calloc(1, sizeof *r);
    Interp *I = &S->I;
    *r = (SqcSession){.S = S, .I = I, .start_n = I->smp.n, .start_seed = I->smp.seed, .start_lhs = I->smp.lhs};
    if (config) r->config = *config;
    if (r->config.chart) I->inline_chart = on_chart, I->inline_chart_ctx = r;
    return r;
}

void sqc_session_close(SqcSession *r) {
    if (!r) return;
    if (r->config.chart) r->I->inline_chart = NULL, r->I->inline_chart_ctx = NULL;
    names_clear(&r->candidates);
    free(r->candidates.v);
    log_clear(r, 0);
    free(r->log);
    paths_clear(r);
    free(r->paths);
    free(r->next);
    free(r);
}

/* A stop request made while nothing ran is dropped (sqc_interrupt). */
static void session_start(SqcSession *r) {
    r->outcome = SQC_OK;
    atomic_store(&r->I->smp.stop, SMP_STOP_NONE);
}

SqcOutcome sqc_session_entry(SqcSession *r, const char *name, const char *text, size_t len) {
    session_start(r);
    if (!blank(text) && !run_entry(r, name, text, len, false)) return SQC_UNFINISHED;
    return r->outcome;
}

SqcOutcome sqc_session_command(SqcSession *r, const char *line) {
    session_start(r);
    char *copy = mem_strdup(line);
    bool go_on = command(r, copy);
    free(copy);
    if (go_on) return r->outcome;
    if (!r->config.notebook) return SQC_QUIT;
    report_usage(r, ":quit ends the terminal's REPL only; here the session goes on\n");
    return r->outcome;
}

char *sqc_session_help(SqcSession *r, const char *name) {
    StrBuf text;
    sb_init(&text);
    if (help_one(r, name, &text)) return sb_take(&text);
    sb_free(&text);
    return NULL;
}
