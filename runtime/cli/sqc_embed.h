/* sqc_embed.h — sqc as a library: the one header a program that embeds the interpreter needs
 * (docs/architecture.md, "Embedding"). An SqcInterp is one interpreter with the standard library
 * opened into it; it shares no state with any other, so several may live in one process and run
 * on different threads at once (one thread at a time per interpreter).
 *
 *     SqcInterp *S = sqc_open(&(SqcConfig){.samples = 100000, .threads = 4});
 *     sqc_run(S, "model.sq", text, len, false);  // print() goes to stdout, errors to stderr
 *     char *json = sqc_summary(S, "total", SQC_JSON); ... free(json);
 *     sqc_close(S);
 *
 * Output and errors go to callbacks when given (else to stdout and stderr); an error is written
 * as sqc writes it ("NAME:LINE:COL: error: MESSAGE", the source line and a caret) and can also
 * be asked for as message and position (sqc_error). */
#ifndef SQC_EMBED_H
#define SQC_EMBED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct SqcInterp SqcInterp;
typedef struct Interp Interp;

/* Receives len bytes of text (not NUL-terminated). */
typedef void (*SqcWrite)(void *ctx, const char *text, size_t len);

typedef struct SqcConfig {
    size_t samples;  /* draws per samples value; 0: the default, which the program's
                      * `set samples` may change; else fixed, as with --samples */
    uint64_t seed;   /* with seed_given: fixed, as with --seed; else the default */
    bool seed_given;
    int threads;     /* worker threads of a pass; 0: one */
    bool ascii;      /* no Unicode in the output */
    SqcWrite out;    /* the program's output (print, hist, ...); NULL: stdout */
    void *out_ctx;
    SqcWrite err;    /* errors, as sqc writes them; NULL: stderr */
    void *err_ctx;
} SqcConfig;

/* A fresh interpreter (NULL config: all defaults). Never NULL: out of memory ends the process
 * (docs/reliability.md). */
SqcInterp *sqc_open(const SqcConfig *config);

/* Runs text (len bytes) as a program named `name` (in errors), in the interpreter's globals: a
 * later run sees the bindings of earlier ones, as REPL entries do. When show_last, the value of
 * a last expression statement is written to the output as `sqc -e` shows it. Returns 0, or 1
 * after an error (written to the error callback; sqc_error tells it). An interrupt
 * (sqc_interrupt) ends the run with the error "interrupted". */
int sqc_run(SqcInterp *S, const char *name, const char *text, size_t len, bool show_last);

/* The last run's error: its message (NULL after a run without one), and, when they are not NULL,
 * its line and column (1-based; 0 when it has no place). Valid until the next run. */
const char *sqc_error(SqcInterp *S, int *line, int *col);

typedef enum SqcFormat { SQC_TEXT, SQC_JSON } SqcFormat;
/* The global `name` as text (as print shows it: a samples value as its summary) or as JSON (as
 * --json writes it). A malloc'ed string for the caller to free, or NULL when there is no such
 * global or it cannot be summarized (then sqc_error says why). */
char *sqc_summary(SqcInterp *S, const char *name, SqcFormat format);

/* Asks the run in progress to stop (the run then fails with "interrupted"). Safe from another
 * thread and from a signal handler; a request made while nothing runs is dropped by the next
 * run's start. */
void sqc_interrupt(SqcInterp *S);

void sqc_close(SqcInterp *S); /* NULL: nothing */

/* The draws per samples value and the seed now (the program's `set` or a session's :samples may
 * have changed them). Either pointer may be NULL. */
void sqc_settings(SqcInterp *S, size_t *samples, uint64_t *seed);

/* Where errors go from now on (NULL: stderr), as SqcConfig.err: a front end that reports each
 * cell's error on its own collects them here. */
void sqc_set_errors(SqcInterp *S, SqcWrite err, void *ctx);

/* Whether text is a whole program yet (a console's Enter): it parses, it ends too soon (an open
 * bracket, a trailing operator: more lines would finish it), or it has a syntax error. */
typedef enum SqcCompleteness { SQC_WHOLE, SQC_INCOMPLETE, SQC_INVALID } SqcCompleteness;
SqcCompleteness sqc_completeness(SqcInterp *S, const char *text, size_t len);

/* ---------- a session: the REPL's, on a terminal or in a notebook (docs/cli.md, "The REPL") ----------
 *
 * A session runs entries into S as the REPL does: an entry that is stopped (sqc_interrupt) leaves
 * nothing of itself behind, `:samples N` and `:seed S` re-run the entries so far at the new
 * setting, `:load FILE` prints what `sqc FILE` prints. The sqc REPL (runtime/cli/repl.c) and
 * `sqc --serve` (serve.c, for the Jupyter kernel) are its two front ends.
 *
 *     SqcSession *s = sqc_session_open(S, &(SqcSessionConfig){.notebook = true});
 *     sqc_session_entry(s, "<cell>", "x = norm(1, 2)\nx", 16);  // shows x's summary
 *     sqc_session_command(s, ":samples 10K");                   // re-runs it at 10K draws
 *     sqc_session_close(s);
 *
 * Where its text goes: what entries print, an entry's value (unless SqcSessionConfig.show takes
 * it) and a command's output (`:help`, `samples = N`) go to S's output; errors (syntax, runtime,
 * a command's bad argument) to S's error stream; notes (a file that draws apart from the session,
 * an entry that fails when the session re-runs it, "interrupted" on a terminal) to stderr. */
typedef struct SqcSession SqcSession;

typedef enum SqcOutcome {
    SQC_OK,          /* it ran (an entry or a command) */
    SQC_ERROR,       /* it failed; the error went to the error stream */
    SQC_INTERRUPTED, /* sqc_interrupt stopped it: the session is as it was before it */
    SQC_UNFINISHED,  /* (terminal sessions) the entry ends too soon: add the next line, run again */
    SQC_QUIT,        /* (terminal sessions) :quit */
} SqcOutcome;

/* An entry's value as the REPL shows it (samples: the summary and a sparkline), and with
 * SqcSessionConfig.value_svg a histogram of a samples value as SVG (svg NULL when none). */
typedef void (*SqcShow)(void *ctx, const char *text, size_t len, const char *svg, size_t svg_len);
/* hist's text and SVG, plot's and tornado's SVG (text NULL), to show inline in a notebook's cell;
 * false: not shown (then they write to the output and files as in a script). */
typedef bool (*SqcChart)(void *ctx, const char *text, size_t len, const char *svg, size_t svg_len);

typedef struct SqcSessionConfig {
    bool notebook;   /* a notebook's cells: every entry is whole (one that ends too soon is a
                      * syntax error), cells draw as one script of them put together would
                      * (docs/jupyter.md), :quit is refused, "interrupted" is the caller's to say */
    SqcShow show;    /* an entry's value; NULL: its text and a newline to S's output */
    void *show_ctx;
    bool value_svg;  /* show also gets a samples value's histogram (plot's, at half size) */
    SqcChart chart;  /* NULL: charts write as in a script */
    void *chart_ctx;
} SqcSessionConfig;

/* A session over S (NULL config: a terminal's, values shown as text); one at a time per S. */
SqcSession *sqc_session_open(SqcInterp *S, const SqcSessionConfig *config);
void sqc_session_close(SqcSession *s); /* S stays open, with the session's bindings */

/* Runs text (named `name` in errors) as a typed entry, its value shown. A blank entry does
 * nothing (SQC_OK). */
SqcOutcome sqc_session_entry(SqcSession *s, const char *name, const char *text, size_t len);

/* Runs a `:` command line: :help [NAME], :samples [N], :seed [S], :load FILE, :reset, :quit. */
SqcOutcome sqc_session_command(SqcSession *s, const char *line);

/* `:help NAME` as text (malloc'ed, for the caller to free): a command, a builtin's signature and
 * doc, a keyword, a global; NULL when NAME is none of these. */
char *sqc_session_help(SqcSession *s, const char *name);

/* Tab: what completes the word line[start, end) (line: the text up to the cursor, or further).
 * `after` is what follows a candidate completed whole: '(' for a function, ' ' for a command or
 * keyword, '\0' for a value. Commands at the start of a line, builtins after :help, else the
 * session's names, the builtins and the keywords. */
typedef void (*SqcCandidate)(void *ctx, const char *name, char after);
typedef enum SqcCompletion {
    SQC_COMPLETE_NAMES, /* fn got each candidate (perhaps none) */
    SQC_COMPLETE_FILES, /* a file name (after :load): none offered, the front end's to complete */
    SQC_COMPLETE_NONE,  /* nothing completes there (the argument of another command) */
} SqcCompletion;
SqcCompletion sqc_session_complete(SqcSession *s, const char *line, size_t start, size_t end, SqcCandidate fn,
                                   void *ctx);

/* The interpreter itself, for the sqc command (runtime/cli/sqc.c) that sets more than SqcConfig
 * (limits, prefetching, MPI). The REPL and `sqc --serve` do without it: they see no interpreter
 * header, so an Interp is opaque to them. */
Interp *sqc_interp(SqcInterp *S);

#endif
