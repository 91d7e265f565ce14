/* given.h — given=c on the reducers, hist, plot and summary (docs/language.md, "Conditioning"):
 * only the draws where the condition c is true count (conditioning by rejection). */
#ifndef SQC_GIVEN_H
#define SQC_GIVEN_H

#include <stdbool.h>
#include <stddef.h>

#include "fold.h"
#include "registry.h"

/* What parameter gi (given=) says. GIVEN_NONE: absent, or `true` (every draw). GIVEN_MASK: mask[i]
 * is whether draw i counts (m of the N do, 0 < m). GIVEN_STREAM, where an array of N draws would not
 * fit the budget for stored draws (docs/scale.md, "Memory"): m of the
 * condition c's draws hold, counted in a pass; the draws are selected pass by pass
 * (smp_eval_selected), never held. False, with the error set, for anything but a condition, and for
 * a condition true on no draw; a note on stderr says how many when m < 100. */
typedef enum GivenKind { GIVEN_NONE, GIVEN_MASK, GIVEN_STREAM } GivenKind;
typedef struct Given {
    GivenKind kind;
    unsigned char *mask; /* GIVEN_MASK: N bytes (owned) */
    size_t m;
    Samples *c; /* GIVEN_STREAM: the condition (borrowed from the argument) */
} Given;
bool given_read(Args *a, int gi, Given *g);
void given_free(Given *g);

/* The draws of samples s where g holds, in order: a malloc'd array of g->m. NULL with the error set
 * when s fails to evaluate. */
double *given_draws(Args *a, Samples *s, const Given *g);

/* fold (fold.h) of the draws of s where g (GIVEN_STREAM) holds, in one pass that holds none of them.
 * False with the error set when s fails to evaluate. */
bool given_fold(Args *a, Samples *s, const Given *g, FoldKind kind, double mean, double scale, double *out);
/* Quantiles q[0..k) of the draws of s where g holds (numpy's linear interpolation; NaN for all if one
 * is NaN): *done false when they must be found from given_draws instead (the stored path). */
bool given_quantiles(Args *a, Samples *s, const Given *g, const double *q, int k, double *out, bool *done);

/* For hist and plot, which show samples (x, parameter xi: samples, a number, or a list or record of
 * them): runs fn with every samples value in x replaced by samples of its m draws where given=
 * (parameter gi) holds, and the run's N set to m for the call; without given= just runs fn. */
bool given_call(Args *a, int xi, int gi, BuiltinFn fn, Value *out);

#endif
