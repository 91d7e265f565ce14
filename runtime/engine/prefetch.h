/* prefetch.h — a script's summaries computed ahead, in shared passes.
 *
 * A script asks for its summaries one statement at a time, and each one (the percentiles of a
 * table row, a mean, the draws for a histogram) would cost its own pass over all the draws. A
 * Prefetch learns what a script will ask for from a rehearsal (a run on a few draws with its
 * output discarded, see rehearsal.h), then computes all of it in one pass over the union of the
 * graphs (a pilot and a main pass per batch), and answers the real run's requests from there.
 *
 * Requests are matched by node fingerprint (samples_internal.h), so an answer is only ever used
 * for a node whose draws are exactly those it was computed from: where the real run goes another
 * way than the rehearsal did, it just computes what it needs as it would without a Prefetch. The
 * answers are the ones the engine computes on its own (the same exact order statistics, the same
 * per-block statistics combined in block order), so output is byte-identical either way.
 */
#ifndef SQC_PREFETCH_H
#define SQC_PREFETCH_H

#include <stddef.h>
#include <stdint.h>

#include "samples.h"

typedef struct Prefetch Prefetch;

Prefetch *pf_new(void);
void pf_free(Prefetch *pf); /* drops the recorded nodes and any answers not taken */

/* Makes pf ctx's observer (samples.h): pf_record in a rehearsal, so that pf records what it asks
 * for; pf_serve in the real run, so that its requests are answered from pf (pf_claim). NULL: no
 * observer. pf must outlive the observing. */
void pf_record(SampleCtx *ctx, Prefetch *pf);
void pf_serve(SampleCtx *ctx, Prefetch *pf);

/* What a rehearsal saw asked of its nodes (pf_record calls these). */
void pf_wish_quantiles(Prefetch *pf, Samples *s, const double *q, int k);
void pf_wish_stats(Prefetch *pf, Samples *s);
void pf_wish_draws(Prefetch *pf, Samples *s);

/* How many distinct nodes were recorded (for tests and --rehearse reports). */
size_t pf_count(const Prefetch *pf);

/* A hash of everything recorded, in order (0 records hash alike for NULL): the processes of an MPI
 * run each rehearse, and use what they recorded only if all recorded the same (docs/scale.md). */
uint64_t pf_digest(const Prefetch *pf);

/* In the real run (pf_serve): gives s what was computed for its fingerprint (quantiles into
 * its cache, statistics, its draws). The first call computes every recorded wish with ctx's n and
 * threads. Never fails: an evaluation error there only means that nothing is prefetched. */
void pf_claim(Prefetch *pf, SampleCtx *ctx, Samples *s);

#endif
