/* eval.h — the tree-walking evaluator: runs programs in an interpreter (interp.h).
 * Statements run one at a time; samples values are built as lazy graphs (samples.h), so
 * the per-node dispatch here is paid once per operation, never once per draw. */
#ifndef SQC_EVAL_H
#define SQC_EVAL_H

#include <stdbool.h>

#include "interp.h"

/* Parses and runs a source (taking ownership of src). On a syntax error fills *perr
 * (when non-NULL) and returns EV_ERR with I->err.set unset; on a runtime error returns
 * EV_ERR with I->err.message set. When `last` is non-NULL it receives the value of the last
 * top-level expression statement (nil otherwise). */
EvStatus interp_run(Interp *I, Source *src, ParseError *perr, Value *last);
/* Whether a program run in interp (an Interp *) may use `name` without binding it: a builtin
 * or a global of an earlier REPL entry; interp_knows_builtin: a builtin only (an imported
 * file, --check). For program_check_idiv_names. */
bool interp_knows_name(void *interp, Sym name);
bool interp_knows_builtin(void *interp, Sym name);
/* Calls fn with each name a program's top level binds, in the order of the statements that bind
 * them (repeats included): the order of an imported file's record and of --json's keys. */
void interp_top_names(const Ast *root, void (*fn)(void *ctx, Sym name), void *ctx);

/* Calls a function value (user function, lambda or builtin) with positional args
 * (borrowed). `span` is blamed for errors. */
EvStatus interp_call(Interp *I, const Value *fn, int nargs, const Value *args, Span span, Value *out);

#endif
