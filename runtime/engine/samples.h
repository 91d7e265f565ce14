/* samples.h — the samples type: N Monte Carlo draws per uncertain value.
 *
 * A Samples value is a *recipe*: a node in an expression graph over distributions,
 * numbers and earlier samples. Draw i of a distribution node is a pure function of
 * (run seed, the node's stream, i), so any block of draws can be computed on its own,
 * by any thread, in any order, and gives the same numbers every time. That is what
 * keeps identity (`x - x` is exactly 0: both sides read the same node) and makes the
 * output independent of the thread count.
 *
 * Evaluation is block-wise: for a reducer (mean, percentile, ...) the graph below the
 * node is evaluated SMP_BLOCK draws at a time with intermediates in small per-thread
 * buffers that stay in cache. A node's full array is stored ("materialized") only when
 * an order statistic needs it, and kept under a memory budget (LRU), so later reducers
 * and later expressions that read the node are fast.
 *
 * Ownership: every constructor returns a new reference; it *borrows* its operands
 * (retaining what it keeps). smp_release() drops one reference.
 * Errors: functions that evaluate return false (or NaN where documented) after setting
 * the context's error (message + the origin span of the node that failed).
 */
#ifndef SQC_SAMPLES_H
#define SQC_SAMPLES_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h> /* gsl_rng is an anonymous-struct typedef: it cannot be forward-declared */

#include "arith.h"
#include "source.h"
#include "timings.h"

#define SMP_BLOCK 4096 /* draws per evaluation block */

typedef struct Samples Samples;
typedef struct SampleCtx SampleCtx;

/* What a reducer is about to compute (SmpObserver). */
typedef enum SmpWant { SMP_WANT_QUANTILES, SMP_WANT_STATS, SMP_WANT_DRAWS } SmpWant;
/* Every reducer tells the context's observer what it is about to compute, before computing it
 * (q[0..k) for SMP_WANT_QUANTILES): the prefetcher (prefetch.h) records that in a rehearsal and
 * answers it from its fused passes in the real run. The engine knows nothing else of either. */
typedef struct SmpObserver {
    void (*query)(void *arg, SampleCtx *ctx, Samples *s, SmpWant want, const double *q, int k);
    void *arg;
} SmpObserver;

/* Why what is running should stop (SampleCtx.stop). */
enum {
    SMP_STOP_NONE = 0,
    SMP_STOP_INTERRUPT = 1, /* Ctrl-C in the REPL */
    SMP_STOP_TIME = 2       /* the deadline passed (--max-time) */
};

/* Bracket half-width in standard errors of the pilot rank (SampleCtx.quantile_margin_sd). A
 * quantile outside its bracket (about 6e-7 of them at 5) is still exact, by a slower path; each
 * unit more widens every bracket, and the draws copied into it and selected among, by a fifth. */
#define SMP_QUANTILE_MARGIN_SD 5.0

/* Run-wide settings and state shared by all samples of one interpreter. */
typedef struct SampleCtx {
    size_t n;             /* draws per samples value */
    uint64_t seed;        /* run seed */
    int threads;          /* worker threads for block evaluation (>= 1) */
    uint64_t next_stream; /* incremented by every random constructor call */
    /* Latin hypercube sampling for the random nodes made while it is set (docs/language.md,
     * "Sampling"): each stream's n uniforms are stratified, one in each [k/n, (k+1)/n), and every
     * distribution is drawn by its inverse CDF. false (the default): plain Monte Carlo. */
    bool lhs;
    size_t cache_budget;  /* bytes of materialized arrays kept (LRU); 0 = never keep */
    size_t cache_used;
    Samples *lru_head, *lru_tail; /* materialized nodes, most recently used first */
    SmpObserver observer; /* told of every reducer's request (query NULL: nobody listens) */
    SqError err;          /* set when an evaluation fails (source.h) */
    Samples *error_node;  /* the node whose draw failed (borrowed: valid while its graph lives) */
    /* A request to stop (SMP_STOP_*), set from a signal handler or another thread. Block passes
     * look at it before each block: once set, every thread skips its remaining blocks and the
     * pass fails with smp_stop_text() as its error, which unwinds like any other (nothing is
     * cached from a pass that stopped). The evaluator looks at it at every step. Whoever set it
     * clears it once the run has unwound. */
    atomic_int stop;
    /* CLOCK_MONOTONIC seconds after which block passes stop as if asked to (SMP_STOP_TIME), so
     * that --max-time also bounds a long pass over draws, not only the evaluator; 0: none. */
    double deadline;
    /* Half-width of quantile.c's brackets in standard errors (SMP_QUANTILE_MARGIN_SD); tests
     * lower it to exercise the exact fallback. */
    double quantile_margin_sd;
    /* The processes of an MPI run that block passes are spread over, and this one's (dist.h);
     * 1 and 0 but in a build with MPI run by mpirun. */
    int ranks, rank;
    /* The run's SQC_TIMINGS table (timings.h), lent by whoever runs it; NULL: no marks. */
    Timings *timings;
} SampleCtx;

static inline int smp_stop_requested(SampleCtx *ctx) {
    return atomic_load_explicit(&ctx->stop, memory_order_relaxed);
}
/* smp_stop_requested, after turning a passed deadline into SMP_STOP_TIME (read once a block). */
int smp_should_stop(SampleCtx *ctx);
double smp_monotonic_seconds(void);
const char *smp_stop_text(int reason); /* the error message for a stop: "interrupted" */

void smp_ctx_init(SampleCtx *ctx, size_t n, uint64_t seed, int threads);
void smp_ctx_free(SampleCtx *ctx); /* drops cached arrays (not the nodes) */

/* An operand: a samples node, or (node == NULL) a number broadcast to every draw. */
typedef struct Operand {
    Samples *node;
    double num;
} Operand;
static inline Operand opnd_num(double x) { return (Operand){NULL, x}; }
static inline Operand opnd_smp(Samples *s) { return (Operand){s, 0.0}; }

/* SmpUnary and SmpBinary, the element-wise operations, are defined with their arithmetic in arith.h. */

/* Random nodes: each call takes a fresh stream from ctx->next_stream. `origin` is the
 * span blamed if a per-draw parameter turns out invalid (e.g. a negative sd draw). */
Samples *smp_normal(SampleCtx *ctx, Operand mean, Operand sd, Span origin);
Samples *smp_lognormal(SampleCtx *ctx, Operand mu, Operand sigma, Span origin);
Samples *smp_uniform(SampleCtx *ctx, Operand lo, Operand hi, Span origin);

/* A distribution drawn per draw through a GSL sampler. `draw` receives an RNG positioned
 * at this draw (see rng.h) and the draw's parameter values; it returns the value, or NaN
 * with *bad set to the index of the parameter that is invalid for that draw. */
typedef double (*SmpDrawFn)(const gsl_rng *rng, const double *params, int *bad);
/* The same distribution's inverse CDF at u in (0, 1), with the same parameter checks: what the node
 * draws by under Latin hypercube sampling (ctx->lhs), from its draw's stratified uniform. Required
 * when ctx->lhs is set (the constructor of a distribution without one must refuse lhs itself). */
typedef double (*SmpQuantFn)(double u, const double *params, int *bad);
Samples *smp_custom(SampleCtx *ctx, const char *name, SmpDrawFn draw, SmpQuantFn quant, int nparams,
                    const Operand *params, const char *const *param_names, Span origin);

/* Per draw, one of k numbers: values[c] with probability weights[c] (normalized, >= 0, sum > 0;
 * NULL: all equal). A table lookup per draw whatever k is (discrete() of a million data values),
 * picking exactly as smp_mixture does from the same uniform; k == 1 is a constant (inf too). */
Samples *smp_table(SampleCtx *ctx, size_t k, const double *values, const double *weights, Span origin);

/* Per draw, pick component k with probability weights[k] (normalized, >= 0, sum > 0). */
Samples *smp_mixture(SampleCtx *ctx, int k, const Operand *components, const double *weights,
                     Span origin);

Samples *smp_unary(SmpUnary op, Samples *x);
Samples *smp_binary(SmpBinary op, Operand a, Operand b); /* at least one operand is a node */
Samples *smp_select(Samples *cond, Operand if_true, Operand if_false); /* cond != 0 picks if_true */
Samples *smp_clamp(Operand x, Operand lo, Operand hi);  /* lo/hi may be +-INFINITY */
Samples *smp_from_array(double *draws); /* takes ownership of n doubles (malloc'd) */

/* Streams the blocks of `root` to sink(arg, b, x, len) (x = draws b*SMP_BLOCK ..), possibly
 * from several threads at once; sink must write only to per-block storage. If dst is non-NULL
 * the root's draws are written there (n doubles) instead. Returns false on an evaluation
 * error, with ctx's error set for the lowest failing draw. */
typedef void (*SmpBlockSink)(void *arg, size_t b, const double *x, size_t len);
bool smp_eval_blocks(SampleCtx *ctx, Samples *root, double *dst, SmpBlockSink sink, void *arg);
static inline size_t smp_nblocks(size_t n) { return (n + SMP_BLOCK - 1) / SMP_BLOCK; }

Samples *smp_retain(Samples *s);
void smp_release(Samples *s); /* iterative: a chain of a million nodes is fine */

/* Data a library attaches to a node (stdlib/dist_family.c: which distribution a constructor built,
 * for truncate()). The node owns it: ext_free(ext) runs when the node is freed, or when another
 * ext replaces it. It is not a reference to the node, so it neither keeps the node alive nor
 * counts as a consumer. */
void smp_set_ext(Samples *s, void *ext, void (*ext_free)(void *));
void *smp_ext(const Samples *s);
bool smp_reads(const Samples *s, const Samples *operand); /* operand is one of s's operands */

/* A normal or lognormal node built from a credible interval (norm(lo, hi), lognorm(lo, hi), to):
 * the bounds as the user wrote them, for the message of a draw where they are the wrong way round
 * (the sd derived from them is then negative, and the user never wrote an sd). The node keeps a
 * reference to them; they are not operands and do not change the draws. */
void smp_set_interval(Samples *s, Operand lo, Operand hi);

/* Names for sensitivity() (docs/language.md, "Sensitivity"): the variable a random input was first
 * bound to. smp_bind_label(s, name) labels the random node s stands for (s itself, or the one random
 * node below a chain of one-operand steps: `x = norm(1, 2) * 1000` names the normal `x`) unless a
 * variable already did; smp_default_label sets a name only where there is none. smp_label is the
 * name or NULL; smp_origin the call that made the node (its source text is the fallback name). */
void smp_bind_label(Samples *s, const char *name);
void smp_default_label(Samples *s, const char *name);
const char *smp_label(const Samples *s);
Span smp_origin(const Samples *s);

bool smp_is_bool(const Samples *s); /* comparisons and logic give 0/1 draws marked bool */
Samples *smp_mark_bool(Samples *s); /* returns s with the bool mark (s must be fresh) */

/* Reducers. Each evaluates the graph if needed; results are cached on the node. */
bool smp_mean(SampleCtx *ctx, Samples *s, double *out);
bool smp_var(SampleCtx *ctx, Samples *s, double *out); /* population variance (ddof 0, numpy's) */
bool smp_min(SampleCtx *ctx, Samples *s, double *out);
bool smp_max(SampleCtx *ctx, Samples *s, double *out);
/* Quantiles q[i] in [0,1], numpy's default linear interpolation between order statistics. */
bool smp_quantiles(SampleCtx *ctx, Samples *s, const double *q, int k, double *out);
/* numpy's pairwise sum of n numbers, the one behind smp_mean and smp_var: a list reduced as data. */
double smp_pairwise_sum(const double *x, size_t n);
/* The same interpolation on n >= 1 sorted numbers (no NaN): a list reduced as data. */
double smp_quantile_sorted(const double *x, size_t n, double q);
/* Share of draws <= v. */
bool smp_cdf(SampleCtx *ctx, Samples *s, double v, double *out);
/* The draws in order (a view valid until the next call on ctx; do not free). */
const double *smp_draws(SampleCtx *ctx, Samples *s);
/* Draws that are NaN or +-inf. */
bool smp_nonfinite(SampleCtx *ctx, Samples *s, size_t *nan_count, size_t *inf_count);
/* The draws of x where c holds (c's draw != 0), handed to take(arg, x, len) in draw order, on the
 * calling thread, a chunk at a time: the blocks are computed a chunk at a time (in parallel, spread
 * over an MPI run's processes) and only a chunk is held, so given= summaries need no array of n
 * draws (docs/scale.md, "Memory"). Blocks sel[0..nsel) only (ascending), all when sel is NULL.
 * x may be c. False with ctx's error set on an evaluation error. */
typedef void (*SmpTakeFn)(void *arg, const double *x, size_t len);
/* An SmpTakeFn that appends to an array with room for all of them: arg is an SmpCollect. */
typedef struct SmpCollect {
    double *x;
    size_t len;
} SmpCollect;
void smp_take_collect(void *arg, const double *x, size_t len);
bool smp_eval_selected(SampleCtx *ctx, Samples *x, Samples *c, const size_t *sel, size_t nsel, SmpTakeFn take,
                       void *arg);
/* Quantiles q[0..k) of the m draws of x where c holds (numpy's linear interpolation, exact), by a
 * pilot and bracketed selection over smp_eval_selected passes: memory flat in n. 1: done; 0: a
 * bracket missed or the pilot held too few of them (select another way); -1: an evaluation error. */
int smp_quantiles_selected(SampleCtx *ctx, Samples *x, Samples *c, size_t m, const double *q, int k, double *out);
/* smp_pairwise_sum of m numbers that come a few at a time, in order (the same bits): state of
 * O(log m), one leaf of numbers. */
typedef struct SmpSumFrame {
    size_t n, half; /* a part of n numbers, split at half */
    double left;    /* its left half's sum, once right is set */
    bool right;
} SmpSumFrame;
typedef struct SmpSumStream {
    SmpSumFrame frame[64];
    size_t depth;
    double leaf[128];
    size_t leaf_len, leaf_want; /* leaf_want 0: the sum is complete */
    double sum;
} SmpSumStream;
void smp_sumstream_init(SmpSumStream *p, size_t m);
void smp_sumstream_add(SmpSumStream *p, const double *x, size_t len);
double smp_sumstream_value(const SmpSumStream *p); /* once all m were added */
/* Storing draws is an optimisation under a fixed budget (docs/scale.md, "Memory"): whether an
 * array of all n draws fits it (half of ctx->cache_budget, as the rehearsal's prefetch keeps), and
 * whether s holds its draws now. A reducer that could do without an array (hist, plot) streams
 * over the draws when one would not fit and none is held. */
bool smp_store_fits(const SampleCtx *ctx);
bool smp_stored(const Samples *s);

#endif
