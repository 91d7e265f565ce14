/* serve.h — `sqc --serve`: the REPL's session on a pipe, for the Jupyter kernel (docs/jupyter.md). */
#ifndef SQC_SERVE_H
#define SQC_SERVE_H

#include "eval.h"

/* Answers requests on standard input until it ends; returns the exit status. */
int serve_run(Interp *I);

#endif
