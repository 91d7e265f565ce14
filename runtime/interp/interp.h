/* interp.h — the interpreter's state: run settings, limits, the samples context, the globals,
 * and the current error, which every layer above the engine reports into (rt_error). The
 * evaluator (eval.h) runs programs in it; the operators (ops.h), the builtin registry
 * (registry.h) and display (display.h) only read it and report errors into it. */
#ifndef SQC_INTERP_H
#define SQC_INTERP_H

#include <stdbool.h>
#include <stdio.h>

#include "ast.h"
#include "atomic_file.h"
#include "frame.h"
#include "parse.h"
#include "samples.h"
#include "value.h"

#define SQC_DEFAULT_SAMPLES 10000
#define SQC_DEFAULT_SEED 0
#define SQC_MAX_CALL_DEPTH 2000
#define SQC_MAX_LOOP_ITERATIONS 100000000L /* a loop that runs longer is taken to be stuck */
#define SQC_MAX_LIST_LEN 10000000          /* elements of a list, keys of a record (docs/reliability.md) */
#define SQC_MAX_STRING_BYTES 100000000     /* bytes of a string, and of the text print writes at once */

/* How evaluation of a node ended. Anything but EV_OK unwinds to whoever handles it:
 * loops take BREAK/CONTINUE, calls take RETURN, the top level reports ERR. */
typedef enum EvStatus { EV_OK, EV_ERR, EV_BREAK, EV_CONTINUE, EV_RETURN } EvStatus;

/* What a `set samples`/`set seed` that changes the setting does (Interp.session). */
typedef enum SessionMode {
    SESSION_SCRIPT, /* a script run: allowed until the first distribution, an error after */
    SESSION_TYPED,  /* a REPL entry: asks the REPL for the setting (set_request), as :seed does */
    SESSION_LOAD,   /* a :load-ed file: as in a script run of the file, asking the REPL when the
                     * session already has samples (samples_before) */
    SESSION_REPLAY, /* the REPL re-running its entries: ignored, the session's setting wins */
} SessionMode;

/* A front end that shows charts inline, as a notebook does (sqc --serve, docs/jupyter.md): hist
 * hands it its text and an SVG of the same histogram, plot and tornado their SVG (text NULL).
 * Returns false when it does not show them (then they write as usual). */
typedef bool (*InlineChartFn)(void *ctx, const char *text, size_t text_len, const char *svg, size_t svg_len);

/* The run settings `set` changes (Interp.set_request). */
typedef enum SetKind { SET_SAMPLES, SET_SEED, SET_SAMPLING } SetKind;

typedef struct Interp {
    SampleCtx smp;
    SymTab syms;                 /* the names of this interpreter's programs and builtins */
    Builtin *builtins;           /* opened into it (registry_open), in table order */
    int nbuiltins;
    FrameList frames;            /* every live frame, for interp_free */
    Frame *globals;
    FILE *out;                   /* where print writes */
    AfilePolicy files;           /* what write_csv, plot, write_samples may do (atomic_file.h) */
    bool samples_fixed;          /* --samples given: `set samples` is ignored */
    bool seed_fixed;             /* --seed given: `set seed` is ignored */
    bool samples_made;           /* a samples value exists: `set samples` may no longer change N */
    bool ascii;                  /* no Unicode output (--ascii or a non-UTF-8 locale) */
    SessionMode session;         /* SESSION_SCRIPT unless the REPL says otherwise */
    InlineChartFn inline_chart;  /* NULL: none (charts go to the terminal and to files) */
    void *inline_chart_ctx;
    bool samples_before;         /* SESSION_LOAD: the session had samples before the file ran */
    bool sampling_fixed;         /* --sampling given: `set sampling` is ignored */
    struct {                     /* a setting asked for: the run ends with an error, the REPL applies it */
        bool pending;
        SetKind which;
        double value;            /* SET_SAMPLING: 1 for lhs, 0 for mc */
    } set_request;
    /* a rehearsal (rehearsal.h): smp.n is its few draws; these are the real run's */
    size_t rehearsal_n;          /* draws the real run will have (0: not a rehearsal) */
    size_t rehearsal_min_n;      /* fewer than this when the first samples appear: stop */
    int depth;                   /* user-function call depth */
    /* limits (interp_init sets the defaults; the fuzzer lowers them) */
    int max_depth;               /* nested user-function calls: SQC_MAX_CALL_DEPTH */
    long loop_limit;             /* iterations of one while loop: SQC_MAX_LOOP_ITERATIONS */
    size_t max_list;             /* elements of a list, keys of a record: SQC_MAX_LIST_LEN */
    size_t max_string;           /* bytes of a string: SQC_MAX_STRING_BYTES */
    unsigned long step_limit;    /* evaluated syntax nodes per interp_run; 0 = no limit */
    double time_limit;           /* seconds of one interp_run; 0 = no limit */
    const char *step_limit_flag; /* the option that set them ("--max-steps"), named in the error */
    const char *time_limit_flag;
    unsigned long steps;
    double started;              /* when interp_run began (monotonic seconds) */
    Value ret_value;             /* the value carried by EV_RETURN */
    const Ast *node;             /* the node being evaluated (out-of-memory reports name it) */
    SqError err;                 /* the current error (source.h) */
    /* programs whose ASTs functions may still point into */
    Program **programs;
    Source **sources;
    int nprograms, cap_programs;
    /* imported files (docs/language.md, "Modules"): each runs once per run */
    struct Module *modules;
    int nmodules, cap_modules;
} Interp;

void interp_init(Interp *I, FILE *out);
void interp_free(Interp *I);
/* Forgets the imported files (eval.c), for interp_free. */
void interp_free_modules(Interp *I);

/* Whether `bytes` more fit in the memory sqc may use (mem.h); when not, a runtime error at span:
 * "out of memory for WHAT: 1.6 GB more would pass the 1.0 GB allowed by the cgroup". */
bool interp_memory_for(Interp *I, Span span, size_t bytes, const char *what);

/* A limit as the errors write it: 10000000 -> "10M", 100000 -> "100K". */
void interp_limit_text(char *buf, size_t len, size_t limit);

/* Reports I's runtime error (file:line:col, message, source line, caret) to out. */
void interp_print_error(Interp *I, FILE *out);

/* Sets the runtime error at span; always returns EV_ERR (and false where used as bool). */
EvStatus rt_error(Interp *I, Span span, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Moves an error raised inside the samples engine into I. */
EvStatus rt_error_from_samples(Interp *I);

/* Marks that a samples value now exists, fixing the sample count. */
void interp_note_samples(Interp *I);

/* "did you mean": the closest of the names given to suggest_consider, if close enough. */
typedef struct Suggest { const char *target, *best; size_t dist; } Suggest;
void suggest_init(Suggest *s, const char *target);
void suggest_consider(void *ctx, const char *name); /* ctx: a Suggest */

/* Names in scope, for REPL completion: calls fn for each global name. */
void interp_each_global(Interp *I, void (*fn)(void *ctx, Sym name), void *ctx);
bool interp_get_global(Interp *I, Sym name, Value *out); /* borrowed copy into *out */

#endif
