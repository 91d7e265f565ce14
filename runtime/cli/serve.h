/* serve.h — `sqc --serve`: the REPL's session on a pipe, for the Jupyter kernel (docs/jupyter.md);
 * a front end of the embedding API's session (sqc_embed.h). */
#ifndef SQC_SERVE_H
#define SQC_SERVE_H

#include "sqc_embed.h"

/* Answers requests on standard input until it ends; returns the exit status. */
int serve_run(SqcInterp *S);

#endif
