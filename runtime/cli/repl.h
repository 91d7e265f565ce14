/* repl.h — the interactive session (docs/cli.md, "The REPL"), on a terminal or, for
 * `sqc --serve` (docs/jupyter.md), driven by a front end. */
#ifndef SQC_REPL_H
#define SQC_REPL_H

#include <stdio.h>

#include "eval.h"
#include "strbuf.h"

/* Runs the REPL on the terminal until :quit or end of input; returns the exit status. */
int repl_run(Interp *I);

/* The same session without a terminal: entries are whole (one that ends too soon is a syntax
 * error), errors go to `diag`, and an entry's value goes to `show` (which returns false with I's
 * error set when showing it fails). A notebook's cells draw as one script would (the entries take
 * the draw streams a script run takes). Ctrl-C is the caller's: it sets I->smp.stop. One session
 * at a time. */
typedef struct Repl Repl;
typedef enum ReplOutcome { REPL_OK, REPL_ERROR, REPL_INTERRUPTED } ReplOutcome;
typedef bool (*ReplShow)(void *ctx, Interp *I, const Value *v);
Repl *repl_open(Interp *I, FILE *diag, ReplShow show, void *show_ctx);
void repl_close(Repl *r);
/* Where errors go from now on (NULL: standard error). */
void repl_set_diag(Repl *r, FILE *diag);
/* Runs text (named `name` in errors) as an entry. */
ReplOutcome repl_entry(Repl *r, const char *name, const char *text, size_t len);
/* Runs a `:` command line (`:samples 1K`, `:help norm`); its output goes to standard output. */
ReplOutcome repl_command(Repl *r, const char *line);
/* The text the REPL shows for a value (samples: the summary and a sparkline). */
bool repl_show_text(Interp *I, const Value *v, StrBuf *out);
/* `:help NAME` on out; false when NAME is nothing known. */
bool repl_help(Repl *r, const char *name, FILE *out);
/* Calls fn with each completion of line[start, end): what Tab offers in the REPL. */
void repl_names(Repl *r, const char *line, size_t start, size_t end, void (*fn)(void *ctx, const char *name),
                void *ctx);

#endif
