/* repl.h — the interactive session on a terminal (docs/cli.md, "The REPL"): a front end of the
 * embedding API's session (sqc_embed.h). */
#ifndef SQC_REPL_H
#define SQC_REPL_H

#include "sqc_embed.h"

/* Runs the REPL on the terminal until :quit or end of input; returns the exit status. */
int repl_run(SqcInterp *S);

#endif
