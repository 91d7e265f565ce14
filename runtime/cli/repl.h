/* repl.h — the interactive session (docs/cli.md, "The REPL"). */
#ifndef SQC_REPL_H
#define SQC_REPL_H

#include "eval.h"

/* Runs the REPL on the terminal until :quit or end of input; returns the exit status. */
int repl_run(Interp *I);

#endif
