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

/* The interpreter itself, for the sqc command (runtime/cli) that sets more than SqcConfig. */
Interp *sqc_interp(SqcInterp *S);

#endif
