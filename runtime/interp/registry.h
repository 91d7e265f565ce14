/* registry.h — the table of builtin functions and the shared argument checks.
 * Every builtin is one row: name, signature, family, one-line doc, and a C function
 * that receives its arguments already bound to the signature's parameters. The same
 * table feeds name lookup, `:help`, `sqc --help` and the docs check. */
#ifndef SQC_REGISTRY_H
#define SQC_REGISTRY_H

#include <stdbool.h>

#include "interp.h"
#include "samples.h"
#include "value.h"

#define ARGS_MAX 12 /* named parameters of one builtin */

/* A call's arguments as the evaluator collected them (all borrowed). */
typedef struct CallArgs {
    int npos;
    const Value *pos;
    const Span *pos_span;
    int nkw;
    const Sym *kw_names;
    const Value *kw;
    const Span *kw_span;
    Span span; /* the whole call */
    /* The argument expressions (pos_node[i], kw_node[k]) when the call is written in the source;
     * NULL for calls made by the runtime (map, `a to b`). */
    Ast *const *pos_node;
    Ast *const *kw_node;
} CallArgs;

typedef struct Args Args;
typedef bool (*BuiltinFn)(Args *a, Value *out);

/* A row of a family table, as the standard library writes it (const: shared by every
 * interpreter). A signature names the parameters: "lo, hi, credibility=, lclip=, rclip=".
 * `name` is required, `name=` optional, a last `name...` takes the remaining positional
 * arguments. */
typedef struct BuiltinDef {
    const char *name;
    const char *signature;
    const char *family; /* "distributions", "math", "reducers", "lists", "strings", "output", "run", "data" */
    const char *doc;
    BuiltinFn fn;
} BuiltinDef;

/* A builtin as one interpreter holds it (Interp.builtins): its row, and its parameters as
 * names interned in that interpreter's symbol table. */
struct Builtin {
    const char *name;
    const char *signature;
    const char *family;
    const char *doc;
    BuiltinFn fn;
    /* filled by registry_open from the signature */
    int nparams;
    Sym params[ARGS_MAX];
    bool required[ARGS_MAX];
    bool variadic; /* the last parameter takes the rest */
};

/* Bound arguments as a builtin sees them. v[i] is NULL when parameter i was not given. */
struct Args {
    Interp *I;
    const Builtin *fn;
    const CallArgs *call;
    const Value *v[ARGS_MAX];
    Span span[ARGS_MAX];
    const Ast *node[ARGS_MAX]; /* the argument's expression, or NULL (CallArgs.pos_node) */
    int nrest; /* the variadic parameter's values */
    const Value *rest;
    const Span *rest_span;
};

/* Opens family tables (each ended by a row with name NULL) into I's builtins, after those it
 * has, as Lua's linit.c opens its libraries into a state: the standard library's are opened by
 * stdlib_open() (builtins.h). */
void registry_open(Interp *I, const BuiltinDef *const *families, size_t nfamilies);
const Builtin *registry_find(const Interp *I, Sym name);
int registry_count(const Interp *I);
const Builtin *registry_at(const Interp *I, int i); /* in table order */

/* Binds call to b's parameters and runs it. */
bool builtin_invoke(Interp *I, const Builtin *b, const CallArgs *call, Value *out);

/* Errors, prefixed with the builtin's name ("norm: ..."); all return false. */
bool arg_error(Args *a, int i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool call_error(Args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool arg_type_error(Args *a, int i, const char *expected);
/* Writes text to the program's output (print, hist); a failed write (a full disk, a closed pipe
 * when SIGPIPE is ignored) is an error at the call, so the program stops instead of losing output. */
bool write_output(Args *a, const char *text, size_t len);

/* Typed access to parameter i. `need_` requires it, `opt_` uses the default when absent. */
bool need_num(Args *a, int i, double *out);          /* a number (or bool) */
bool opt_num(Args *a, int i, double dflt, double *out);
bool need_int(Args *a, int i, long *out);            /* a whole number */
bool need_operand(Args *a, int i, Operand *out);     /* a number or samples (borrowed) */
bool need_str(Args *a, int i, const SqString **out);
bool need_list(Args *a, int i, const SqList **out);
bool need_record(Args *a, int i, const SqRecord **out);
bool need_func(Args *a, int i);                      /* a user function, lambda or builtin */
bool has_arg(Args *a, int i);
/* Parameter i is written as a `%` literal (`95%`), or a list literal holding one ([5%, 95%]). */
bool arg_is_percent_literal(Args *a, int i);

/* A number or samples into a Value: samples results are marked for the run. */
Value result_samples(Args *a, Samples *s);

/* One row of a family table (a BuiltinDef); a row with name NULL ends the table. */
#define BUILTIN(n, sig, fam, text, f) {.name = (n), .signature = (sig), .family = (fam), .doc = (text), .fn = (f)}

#endif
