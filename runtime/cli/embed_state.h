/* embed_state.h — what an SqcInterp holds (sqc_embed.h), for the library's own files: the
 * embedding API (sqc_embed.c) and the session (session.c). Not for front ends. */
#ifndef SQC_EMBED_STATE_H
#define SQC_EMBED_STATE_H

#include <stdio.h>

#include "eval.h"
#include "sqc_embed.h"

struct SqcInterp {
    Interp I;
    FILE *out, *err;         /* stdout/stderr, or streams over the callbacks */
    bool own_out, own_err;   /* the streams are ours to close */
    SqcWrite out_fn, err_fn; /* the callbacks */
    void *out_ctx, *err_ctx;
    SqError error;           /* the last run's (source.h); its span points into a source I keeps */
};

#endif
