/* repl.c — the interactive session (docs/cli.md, "The REPL"): read a line with GNU readline, run it
 * in the session's interpreter, show its value.
 *
 * Entries. A line is added to the pending entry; the entry is run when it parses. A syntax
 * error at the end of the input (an open bracket, a trailing operator, `{` without `}`)
 * means "not finished": the next line is read with the continuation prompt and the whole
 * entry is parsed again, as Lua's REPL does. Any other syntax error is reported at once.
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
 * Interrupts. While an entry runs, Ctrl-C sets the interpreter's stop request (samples.h): the
 * evaluator and the samples engine look at it at every step and before every block, and fail
 * with an ordinary error that unwinds. The REPL then puts the globals back as they were before
 * the entry (a snapshot taken before each entry, frame.h), says `interrupted`, and does not log
 * the entry: nothing of it stays, half-bound or otherwise. A third Ctrl-C before the entry has
 * stopped ends sqc, for what never looks at the flag (a system call that hangs).
 *
 * History: one item per entry (a multi-line entry is recalled whole) or command, appended to
 * the history file as each is read or run (so a session that is killed keeps them) and
 * trimmed to HISTORY_MAX on exit.
 * The file is $SQC_HISTORY, else $HOME/.sqc_history.
 */
#define _POSIX_C_SOURCE 200809L
#include "repl.h"
#include "mem.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "atomic_file.h"
#include "count.h"
#include "display.h"
#include "frame.h"
#include "numfmt.h"
#include "builtins.h"
#include "registry.h"
#include "sparkline.h"

#ifndef SQC_VERSION
#define SQC_VERSION "0.1.0"
#endif

#define PROMPT "sq> "
#define PROMPT_MORE "... "
#define HISTORY_MAX 1000
#define SHOW_ITEMS 10 /* list and record entries shown before "…" */


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

struct Repl {
    Interp *I;
    Entry *log;
    int nlog, cap;
    char note[128];     /* what restart() did, shown after the new setting */
    char *history_path; /* NULL: no history file */
    bool history_exists;
    char **paths;       /* loaded files, by space: paths[0] has space 0, paths[i] space i + 1 */
    int npaths;
    uint64_t *next;     /* the next stream number of each space */
    int nspaces;
    size_t start_n;     /* the settings sqc started with, for :reset */
    uint64_t start_seed;
    bool start_lhs;
    /* a session without a terminal (repl_open, for sqc --serve) */
    bool served;        /* entries are whole: one that ends too soon is a syntax error */
    FILE *diag;         /* where errors go (NULL: standard error) */
    ReplShow show;      /* shows an entry's value (NULL: as text on I->out) */
    void *show_ctx;
    ReplOutcome outcome; /* how the last entry or command ended */
};

/* A served session (sqc --serve, docs/jupyter.md) runs a notebook's cells: they are a script in
 * pieces, so they take space 0, and draw as `sqc` draws the cells put together; every loaded file
 * then has a space of its own (2, 3, ...). */
static int typed_space(const Repl *r) { return r->served ? 0 : SPACE_TYPED; }

static Repl *the_repl; /* for readline's callbacks, which take no context */
static volatile sig_atomic_t got_sigint;
static bool entry_cancelled;
static atomic_int *stop_flag;          /* the session's SampleCtx.stop, for the signal handler */
static volatile sig_atomic_t presses;  /* Ctrl-C presses since the running entry began */

/* ---------- small helpers ---------- */

#define xstrdup mem_strdup

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

static void log_add(Repl *r, const Entry *e) {
    if (r->nlog == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 16;
        r->log = mem_realloc(r->log, (size_t)r->cap * sizeof *r->log);
    }
    char *copy = mem_alloc(e->len + 1);
    memcpy(copy, e->text, e->len);
    copy[e->len] = '\0';
    r->log[r->nlog] = *e;
    r->log[r->nlog].name = xstrdup(e->name);
    r->log[r->nlog].text = copy;
    r->nlog++;
}

static void log_clear(Repl *r, int from) {
    for (int i = from; i < r->nlog; i++) free(r->log[i].name), free(r->log[i].text);
    r->nlog = from;
}

/* ---------- draw streams ---------- */

static uint64_t space_first(int space) { return (uint64_t)space << SPACE_SHIFT; }

static void spaces_reset(Repl *r) {
    for (int k = 0; k < r->nspaces; k++) r->next[k] = space_first(k);
}

static uint64_t *space_next(Repl *r, int space) {
    if (space >= r->nspaces) {
        r->next = mem_realloc(r->next, (size_t)(space + 1) * sizeof *r->next);
        while (r->nspaces <= space) r->next[r->nspaces] = space_first(r->nspaces), r->nspaces++;
    }
    return &r->next[space];
}

/* The space of a loaded file (a new one for a file not loaded before); *first says whether it
 * is space 0, whose numbers are those of `sqc FILE`. */
static int path_space(Repl *r, const char *path, bool *first) {
    char *real = realpath(path, NULL);
    const char *key = real ? real : path;
    int i = 0;
    while (i < r->npaths && strcmp(r->paths[i], key)) i++;
    if (i == r->npaths) {
        r->paths = mem_realloc(r->paths, (size_t)(r->npaths + 1) * sizeof *r->paths);
        r->paths[r->npaths++] = xstrdup(key);
    }
    free(real);
    if (r->served) { /* space 0 belongs to the cells */
        *first = false;
        return i + 2;
    }
    *first = i == 0;
    return i == 0 ? 0 : i + 1;
}

static void paths_clear(Repl *r) {
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

/* ---------- running code ---------- */

/* Where an entry's error goes: standard error, or the served session's channel. */
static FILE *diag_out(void) { return the_repl && the_repl->diag ? the_repl->diag : stderr; }

static void report_syntax(const ParseError *perr) {
    fflush(stdout);
    diag_print(diag_out(), perr->span, perr->message);
    fflush(diag_out());
    if (the_repl) the_repl->outcome = REPL_ERROR;
}

static void report_runtime(Interp *I) {
    fflush(stdout);
    interp_print_error(I, diag_out());
    fflush(diag_out());
    if (the_repl) the_repl->outcome = REPL_ERROR;
}

static void report_interrupt(void) {
    fflush(stdout);
    if (the_repl) the_repl->outcome = REPL_INTERRUPTED;
    if (the_repl && the_repl->served) return; /* the reply says so */
    fputs("\ninterrupted\n", stderr);
    fflush(stderr);
}

/* A command's mistake (a bad argument, an unknown command): said on the error channel. */
static void report_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report_usage(const char *fmt, ...) {
    fflush(stdout);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(diag_out(), fmt, ap);
    va_end(ap);
    fflush(diag_out());
    if (the_repl) the_repl->outcome = REPL_ERROR;
}

/* What the globals and the draw streams were before an entry, to go back to if it is
 * interrupted. */
typedef struct Checkpoint {
    FrameSnapshot *globals;
    uint64_t next_stream;
    bool samples_made;
} Checkpoint;

static Checkpoint checkpoint_take(Interp *I) {
    presses = 0;
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
static void fresh_interp(Repl *r, size_t n, uint64_t seed, bool lhs) {
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
    spaces_reset(r);
}

/* Starts a fresh interpreter with n draws, the given seed and sampling and re-runs the log; false
 * when Ctrl-C stopped the re-run (r->note says what is left). */
static bool restart(Repl *r, size_t n, uint64_t seed, bool lhs) {
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
            fflush(stdout);
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
static bool change_setting(Repl *r, SetKind which, double value, FILE *to, const char *why) {
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
static bool run_entry(Repl *r, const char *name, const char *text, size_t len, bool load) {
    Interp *I = r->I;
    bool first = true;
    int space = load ? path_space(r, name, &first) : typed_space(r);
    if (!first && r->served) /* see "Draw streams" above */
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
            if (!change_setting(r, I->set_request.which, I->set_request.value, load ? stderr : stdout,
                                load ? why : NULL))
                return true; /* stopped while re-running the session */
            continue;
        }
        if (printed) fwrite(printed, 1, nprinted, out), free(printed);
        if (stopped) {
            report_interrupt();
            return true;
        }
        if (st != EV_OK && !I->err.set) { /* a syntax error: nothing ran */
            if (perr.at_end && !load && !r->served) return false;
            report_syntax(&perr);
            return true;
        }
        *space_next(r, space) = I->smp.next_stream;
        log_add(r, &(Entry){(char *)name, (char *)text, len, space, load, st == EV_OK});
        if (st != EV_OK) {
            report_runtime(I);
            return true;
        }
        if (!load) {
            if (last.kind != VAL_NIL) {
                StrBuf sb;
                sb_init(&sb);
                if (r->show ? r->show(r->show_ctx, I, &last) : show_value(I, &last, &sb)) {
                    if (!r->show) sb_putc(&sb, '\n'), fwrite(sb.data, 1, sb.len, I->out);
                } else if (atomic_exchange(&I->smp.stop, SMP_STOP_NONE)) { /* the entry is done: keep it */
                    I->err.set = false;
                    report_interrupt();
                } else {
                    r->log[r->nlog - 1].ok = false;
                    report_runtime(I);
                }
                sb_free(&sb);
            }
            value_release(last);
        }
        fflush(I->out);
        return true;
    }
}

/* :reset: a fresh session with the settings sqc started with; the history stays. */
static void reset(Repl *r) {
    fresh_interp(r, r->start_n, r->start_seed, r->start_lhs);
    log_clear(r, 0);
    paths_clear(r);
    printf("a fresh session: samples = %zu, seed = %llu\n", r->I->smp.n, (unsigned long long)r->I->smp.seed);
}

/* ---------- commands ---------- */

/* The settings `set` changes (docs/language.md, "Statements" and "Sampling"), for :help. */
static const char SETTINGS_HELP[] =
    "settings (in a script before the first distribution; typed here, they re-run the session):\n"
    "  set samples = N       draws per uncertain value\n"
    "  set seed = S          the random seed\n"
    "  set sampling = \"lhs\"  Latin hypercube sampling: each random input's N uniforms\n"
    "                        stratified, one per [k/N, (k+1)/N); \"mc\" (Monte Carlo) is the default\n";

static void help_all(void) {
    printf("Type an expression or a statement; its value is shown. A statement left open\n"
           "(a bracket, a trailing operator, `{` without `}`) continues on the next line.\n"
           "Tab completes names. Ctrl-C drops the entry being typed, or stops the one running\n"
           "(the session is then as it was before that entry).\n\ncommands:\n");
    for (int i = 0; COMMANDS[i].name; i++) {
        char head[32];
        snprintf(head, sizeof head, "%s %s", COMMANDS[i].name, COMMANDS[i].args);
        printf("  %-14s %s\n", head, COMMANDS[i].doc);
    }
    printf("\n%s", SETTINGS_HELP);
    printf("\nbuiltins (:help NAME for one):\n");
    int n = registry_count(the_repl->I);
    const char *done[32];
    int ndone = 0;
    for (int i = 0; i < n; i++) {
        const char *fam = registry_at(the_repl->I, i)->family;
        bool seen = false;
        for (int k = 0; k < ndone; k++) seen |= !strcmp(done[k], fam);
        if (seen || ndone == 32) continue;
        done[ndone++] = fam;
        printf("  %s:", fam);
        int col = 4 + (int)strlen(fam);
        for (int j = i; j < n; j++) {
            const Builtin *b = registry_at(the_repl->I, j);
            if (strcmp(b->family, fam)) continue;
            int w = (int)strlen(b->name) + 1;
            if (col + w > 78) printf("\n   "), col = 3;
            printf(" %s", b->name);
            col += w;
        }
        printf("\n");
    }
}

/* :help NAME on out; false when NAME is nothing known (it says so). */
static bool help_one(const char *name, FILE *out) {
    for (int i = 0; COMMANDS[i].name; i++)
        if (!strcmp(name, COMMANDS[i].name) || (name[0] != ':' && !strcmp(name, COMMANDS[i].name + 1) &&
                                                 !registry_find(the_repl->I, sym_intern_cstr(&the_repl->I->syms, name)))) {
            fprintf(out, "%s %s\n  %s\n", COMMANDS[i].name, COMMANDS[i].args, COMMANDS[i].doc);
            return true;
        }
    if (!strcmp(name, "set") || !strcmp(name, "sampling") || !strcmp(name, "lhs")) {
        fputs(SETTINGS_HELP, out);
        return true;
    }
    const Builtin *b = registry_find(the_repl->I, sym_intern_cstr(&the_repl->I->syms, name));
    if (b) {
        fprintf(out, "%s(%s)    [%s]\n  %s\n", b->name, b->signature, b->family, b->doc);
        return true;
    }
    for (int i = 0; sq_keyword(i); i++)
        if (!strcmp(name, sq_keyword(i))) {
            fprintf(out, "'%s' is a keyword; docs/language.md describes the statements and operators\n", name);
            return true;
        }
    Value v;
    if (interp_get_global(the_repl->I, sym_intern_cstr(&the_repl->I->syms, name), &v)) {
        fprintf(out, "'%s' is your %s\n", name, value_kind_name(&v));
        return true;
    }
    fprintf(out, "no builtin named '%s'; :help lists them\n", name);
    return false;
}

/* Runs a ':' command line; returns false for :quit. */
static bool command(Repl *r, char *line) {
    char *p = line + strspn(line, " \t");
    char *name = p;
    p += strcspn(p, " \t");
    if (*p) *p++ = '\0';
    p += strspn(p, " \t");
    size_t alen = strlen(p);
    while (alen && isspace((unsigned char)p[alen - 1])) p[--alen] = '\0';
    const char *arg = p;
    Interp *I = r->I;

    if (!strcmp(name, ":quit") || !strcmp(name, ":q") || !strcmp(name, ":exit")) return false;
    if (!strcmp(name, ":help") || !strcmp(name, ":h") || !strcmp(name, ":?")) {
        if (*arg) help_one(arg, stdout);
        else help_all();
    } else if (!strcmp(name, ":samples") || !strcmp(name, ":seed")) {
        bool is_samples = name[2] == 'a';
        double x;
        if (!*arg) {
            printf("samples = %zu, seed = %llu\n", I->smp.n, (unsigned long long)I->smp.seed);
        } else if (!count_parse(arg, &x) || (is_samples && (x < 1 || x > 1e9))) {
            report_usage("%s needs a whole number%s, got '%s'\n", name,
                    is_samples ? " from 1 to 1B" : " >= 0", arg);
        } else {
            change_setting(r, is_samples ? SET_SAMPLES : SET_SEED, x, stdout, NULL); /* (memory is checked as arrays are made: mem.h) */
        }
    } else if (!strcmp(name, ":load")) {
        if (!*arg) {
            report_usage(":load needs a file: :load FILE\n");
        } else {
            char err[600];
            Source *src = source_from_file(arg, err, sizeof err);
            if (!src) {
                report_usage("sqc: %s\n", err);
            } else {
                run_entry(r, arg, src->text, src->len, true);
                source_free(src);
            }
        }
    } else if (!strcmp(name, ":reset")) {
        reset(r);
    } else {
        report_usage("unknown command '%s'; :help lists the commands\n", name);
    }
    fflush(stdout);
    fflush(stderr);
    return true;
}

/* ---------- completion ---------- */

typedef struct Names {
    char **v;
    int n, cap;
} Names;

static Names candidates;
static int candidate_next;

static void names_add(Names *ns, const char *s) {
    for (int i = 0; i < ns->n; i++)
        if (!strcmp(ns->v[i], s)) return;
    if (ns->n == ns->cap) {
        ns->cap = ns->cap ? 2 * ns->cap : 64;
        ns->v = mem_realloc(ns->v, (size_t)ns->cap * sizeof *ns->v);
    }
    ns->v[ns->n++] = xstrdup(s);
}

static void names_clear(Names *ns) {
    for (int i = 0; i < ns->n; i++) free(ns->v[i]);
    ns->n = 0;
}

static void add_global(void *ctx, Sym name) { names_add(ctx, name); }

static char *candidate(const char *text, int state) {
    if (!state) candidate_next = 0;
    size_t len = strlen(text);
    while (candidate_next < candidates.n) {
        const char *s = candidates.v[candidate_next++];
        if (!strncmp(s, text, len)) return xstrdup(s);
    }
    return NULL;
}

/* The names that may complete the word starting at `start` of line (into candidates): commands
 * at the start of a line, builtins after :help, else your names, builtins and keywords. False after
 * :load (file names) and after another command (nothing). */
static bool gather(Repl *r, const char *line, int start, const char *text) {
    names_clear(&candidates);
    int lead = (int)strspn(line, " \t");
    bool first_word = start <= lead;
    if (first_word && text[0] == ':') {
        for (int i = 0; COMMANDS[i].name; i++) names_add(&candidates, COMMANDS[i].name);
    } else if (line[lead] == ':') {
        if (strncmp(line + lead, ":help", 5)) return false;
        for (int i = 0; COMMANDS[i].name; i++) names_add(&candidates, COMMANDS[i].name);
        for (int i = 0; i < registry_count(the_repl->I); i++) names_add(&candidates, registry_at(the_repl->I, i)->name);
    } else {
        interp_each_global(r->I, add_global, &candidates);
        for (int i = 0; i < registry_count(r->I); i++) names_add(&candidates, registry_at(r->I, i)->name);
        for (int i = 0; sq_keyword(i); i++) names_add(&candidates, sq_keyword(i));
    }
    return true;
}

static char **complete(const char *text, int start, int end) {
    (void)end;
    int lead = (int)strspn(rl_line_buffer, " \t");
    if (!gather(the_repl, rl_line_buffer, start, text)) {
        if (!strncmp(rl_line_buffer + lead, ":load", 5)) return NULL; /* readline completes file names */
        rl_attempted_completion_over = 1;
        return NULL;
    }
    rl_attempted_completion_over = 1;
    char **matches = rl_completion_matches(text, candidate);
    /* after a whole name: "(" for a function, a space for a keyword or command, else nothing */
    rl_completion_append_character = '\0';
    if (matches && !matches[1]) {
        Value v;
        Sym name = sym_intern_cstr(&the_repl->I->syms, matches[0]);
        if (matches[0][0] == ':' || rl_line_buffer[lead] == ':') rl_completion_append_character = ' ';
        else if (registry_find(the_repl->I, name) && strcmp(registry_find(the_repl->I, name)->family, "constants") != 0) /* not pi, e */
            rl_completion_append_character = '(';
        else if (interp_get_global(the_repl->I, name, &v))
            rl_completion_append_character = v.kind == VAL_FUNC || v.kind == VAL_BUILTIN ? '(' : '\0';
        else rl_completion_append_character = ' ';
    }
    return matches;
}

/* ---------- Ctrl-C while reading: drop the entry, fresh prompt ---------- */

static pthread_t repl_thread; /* sqc runs the interpreter on a thread of its own */

static void on_sigint(int sig) {
    got_sigint = 1;
    /* the kernel may pick another thread (sqc's main thread waits in pthread_join):
     * pass the signal on so that the REPL thread's read is interrupted */
    if (!pthread_equal(pthread_self(), repl_thread)) pthread_kill(repl_thread, sig);
}

/* Called by readline (outside the signal handler) when a read is interrupted. */
static int after_signal(void) {
    if (!got_sigint) return 0;
    got_sigint = 0;
    entry_cancelled = true;
    rl_replace_line("", 0);
    rl_point = rl_end = 0;
    rl_crlf();
    rl_set_prompt(PROMPT);
    rl_on_new_line();
    rl_redisplay();
    return 0;
}

/* ---------- Ctrl-C while an entry runs: ask it to stop ---------- */

static void on_sigint_running(int sig) {
    (void)sig;
    atomic_store(stop_flag, SMP_STOP_INTERRUPT);
    if (++presses >= 3) { /* it does not stop: the third press ends sqc */
        afile_unlink_temps(); /* a write_csv in progress leaves no temporary file */
        signal(SIGINT, SIG_DFL);
        raise(SIGINT);
    }
}

/* reading: Ctrl-C drops the line; otherwise it stops the running entry. */
static void catch_sigint(bool reading) {
    if (reading) got_sigint = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = reading ? on_sigint : on_sigint_running;
    sa.sa_flags = reading ? 0 : SA_RESTART; /* reading: no SA_RESTART, the read returns EINTR */
    sigaction(SIGINT, &sa, NULL);
}

/* ---------- history ---------- */

static void history_open(Repl *r) {
    const char *env = getenv("SQC_HISTORY");
    if (env && *env) {
        r->history_path = xstrdup(env);
    } else {
        const char *home = getenv("HOME");
        if (home && *home) {
            size_t n = strlen(home) + sizeof "/.sqc_history";
            r->history_path = mem_alloc(n);
            snprintf(r->history_path, n, "%s/.sqc_history", home);
        }
    }
    using_history();
    stifle_history(HISTORY_MAX);
    /* a time stamp line before each entry, so that a multi-line entry is read back as one */
    history_comment_char = '#'; /* the stamp is "#<seconds>" (readline writes none without it) */
    history_write_timestamps = 1;
    history_multiline_entries = 1;
    if (r->history_path) r->history_exists = read_history(r->history_path) == 0;
}

static void history_note(Repl *r, const char *line) {
    if (blank(line)) return;
    HIST_ENTRY *prev = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
    if (prev && !strcmp(prev->line, line)) return; /* no repeats in a row */
    add_history(line);
    if (!r->history_path) return;
    if (r->history_exists && append_history(1, r->history_path) == 0) return;
    r->history_exists = write_history(r->history_path) == 0;
}

static void history_close(Repl *r) {
    if (r->history_path && r->history_exists) history_truncate_file(r->history_path, HISTORY_MAX);
    free(r->history_path);
    clear_history();
}

/* ---------- the loop ---------- */

int repl_run(Interp *I) {
    Repl r = {.I = I, .start_n = I->smp.n, .start_seed = I->smp.seed, .start_lhs = I->smp.lhs};
    the_repl = &r;
    repl_thread = pthread_self();
    stop_flag = &I->smp.stop; /* I stays where it is: restart() re-initializes it in place */
    rl_readline_name = "sqc";
    rl_attempted_completion_function = complete;
    rl_completer_word_break_characters = " \t\n\"'`@$><=;|&{(}),[]+-*/^!%#~.";
    rl_catch_signals = 0;
    rl_signal_event_hook = after_signal;
    history_open(&r);

    printf("sqc %s: samples = %zu, seed = %llu. :help for help, Ctrl-D or :quit to leave\n",
           SQC_VERSION, I->smp.n, (unsigned long long)I->smp.seed);
    fflush(stdout);

    StrBuf entry;
    sb_init(&entry);
    bool more = false;
    for (;;) {
        catch_sigint(true);
        entry_cancelled = false;
        char *line = readline(more ? PROMPT_MORE : PROMPT);
        catch_sigint(false);
        if (got_sigint && line) { /* Ctrl-C came while readline was busy, not waiting */
            free(line);
            line = xstrdup("");
            entry_cancelled = true;
            printf("\n");
        }
        if (entry_cancelled) sb_clear(&entry), more = false;
        if (!line) {
            printf("\n");
            break;
        }
        if (!more && line[strspn(line, " \t")] == ':') {
            history_note(&r, line);
            bool go_on = command(&r, line);
            free(line);
            if (!go_on) break;
            continue;
        }
        if (more) sb_putc(&entry, '\n');
        sb_puts(&entry, line);
        free(line);
        if (!entry.data || blank(entry.data)) {
            sb_clear(&entry);
            more = false;
            continue;
        }
        more = !run_entry(&r, "<repl>", entry.data, entry.len, false);
        if (!more) history_note(&r, entry.data), sb_clear(&entry); /* the whole entry, lines and all */
    }
    fflush(stdout);
    signal(SIGINT, SIG_DFL);
    sb_free(&entry);
    history_close(&r);
    names_clear(&candidates);
    free(candidates.v);
    candidates = (Names){0};
    log_clear(&r, 0);
    free(r.log);
    paths_clear(&r);
    free(r.paths);
    free(r.next);
    the_repl = NULL;
    return 0;
}

/* ---------- the session without a terminal (sqc --serve) ---------- */

Repl *repl_open(Interp *I, FILE *diag, ReplShow show, void *show_ctx) {
    Repl *r = calloc(1, sizeof *r);
    if (!r) abort();
    *r = (Repl){.I = I, .start_n = I->smp.n, .start_seed = I->smp.seed, .start_lhs = I->smp.lhs,
                .served = true, .diag = diag, .show = show, .show_ctx = show_ctx};
    the_repl = r;
    return r;
}

void repl_close(Repl *r) {
    names_clear(&candidates);
    free(candidates.v);
    candidates = (Names){0};
    log_clear(r, 0);
    free(r->log);
    paths_clear(r);
    free(r->paths);
    free(r->next);
    if (the_repl == r) the_repl = NULL;
    free(r);
}

void repl_set_diag(Repl *r, FILE *diag) { r->diag = diag; }

ReplOutcome repl_entry(Repl *r, const char *name, const char *text, size_t len) {
    r->outcome = REPL_OK;
    if (!blank(text)) run_entry(r, name, text, len, false);
    return r->outcome;
}

ReplOutcome repl_command(Repl *r, const char *line) {
    r->outcome = REPL_OK;
    char *copy = xstrdup(line);
    if (!command(r, copy)) report_usage(":quit ends the terminal's REPL only; here the session goes on\n");
    free(copy);
    return r->outcome;
}

bool repl_show_text(Interp *I, const Value *v, StrBuf *out) { return show_value(I, v, out); }

bool repl_help(Repl *r, const char *name, FILE *out) {
    (void)r;
    return help_one(name, out);
}

void repl_names(Repl *r, const char *line, size_t start, size_t end, void (*fn)(void *ctx, const char *name),
                void *ctx) {
    char *text = xstrndup(line + start, end - start);
    if (gather(r, line, (int)start, text))
        for (int i = 0; i < candidates.n; i++)
            if (!strncmp(candidates.v[i], text, end - start)) fn(ctx, candidates.v[i]);
    free(text);
}
