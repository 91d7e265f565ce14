/* samples_internal.h — the node struct and private helpers shared by samples*.c and quantile.c.
 *
 * Ownership
 *   A node holds one reference on every operand node it reads (ops[k].node) and owns its
 *   strings, weights and materialized array. smp_release() frees a node when its count reaches
 *   zero and then drops its operands, with an explicit stack (never recursion) so a chain of
 *   10^6 nodes built in a loop is freed in constant C stack. Refcounts are plain ints: nodes are
 *   created and released only on the interpreter's thread; worker threads only read them.
 *
 * Evaluation model
 *   Draw i of a node is a pure function of (its stream key, i, its operands' draws i), so any
 *   block of SMP_BLOCK draws can be computed alone. A reducer builds a Plan for its root: the DAG
 *   below it in topological order (each node once; a materialized node is a leaf whose block is
 *   a pointer into its array), with every computed step writing into a per-thread buffer slot
 *   that is reused after the step's last consumer. Blocks are then evaluated in parallel; each
 *   block's partial result goes to an array indexed by block and the partials are combined in
 *   block order on one thread, so results are bit-identical for any thread count.
 *
 * Materialization and cache
 *   materialize() stores a node's n draws in node->draws (keeping the recipe, so the array can be
 *   dropped again) and links it into the context's LRU list; arrays are evicted least recently
 *   used first when cache_used exceeds cache_budget, never the node being materialized.
 *   smp_from_array nodes own their array for life: they have no recipe and are never in the LRU.
 *   A node is tied to the context (and its n) it was evaluated with.
 *
 * Sharing intermediates
 *   Every node counts its consumers (distinct parent nodes; interpreter variables and stdlib
 *   descriptors hold references but are not consumers). When a full pass is planned, steps whose
 *   node has >= 2 consumers and whose subgraph is costly (a weighted count of the steps below it,
 *   random draws weighing most) are written straight into a fresh n-draw array during that same
 *   pass instead of a block buffer; after the pass the arrays become the nodes' draws (in the LRU),
 *   so later plans read them as leaves. Highest value (cost x consumers) first, while the arrays
 *   fit in cache_budget, evicting older arrays the plan does not read, but an array stored for
 *   sharing only for a more valuable one (else at 10M draws, 6 arrays in 512 MB, each plan would
 *   evict what the next one needs). The stored draws are the very block outputs the recipe gives,
 *   so results are unchanged, for any thread count.
 */
#ifndef SQC_SAMPLES_INTERNAL_H
#define SQC_SAMPLES_INTERNAL_H

#include <math.h>

#include "samples.h"

typedef enum NodeKind {
    NK_ARRAY,     /* smp_from_array: draws only, no recipe */
    NK_NORMAL,    /* ops: mean, sd */
    NK_LOGNORMAL, /* ops: mu, sigma */
    NK_UNIFORM,   /* ops: lo, hi */
    NK_CUSTOM,    /* ops: the sampler's parameters */
    NK_MIXTURE,   /* ops: components; cumw: cumulative normalized weights */
    NK_TABLE,     /* no ops; table: ntable numbers; cumw: their cumulative weights; guide: where to start */
    NK_UNARY,     /* ops: x */
    NK_BINARY,    /* ops: a, b */
    NK_SELECT,    /* ops: cond, if_true, if_false */
    NK_CLAMP,     /* ops: x, lo, hi */
} NodeKind;

#define SMP_QCACHE 24 /* quantiles remembered per node */

struct Samples {
    int refcount;  /* references: consumer nodes, interpreter values, stdlib descriptors */
    int consumers; /* distinct nodes that read this one as an operand (x - x counts once) */
    uint8_t kind; /* NodeKind */
    uint8_t op;   /* SmpUnary / SmpBinary */
    bool is_bool;
    uint64_t key; /* stream key of random nodes */
    bool lhs;     /* random node made under Latin hypercube sampling (SampleCtx.lhs then) */
    /* What determines the draws (kind, op, stream key, numbers, weights, sampler, and the operands'
     * fingerprints), hashed to 128 bits when the node is built: two nodes with the same fingerprint
     * have the same draws, whichever interpreter run built them (prefetch.c). No fingerprint
     * (fp_none) for a node whose draws come from an array, or that reads one. */
    uint64_t fp[2];
    bool fp_none;
    Span origin;  /* blamed for per-draw parameter errors */
    char *name;   /* NK_CUSTOM: the distribution's name (owned) */
    char **param_names; /* NK_CUSTOM: nops names (owned) */
    SmpDrawFn draw;     /* NK_CUSTOM */
    SmpQuantFn quant;   /* NK_CUSTOM: its inverse CDF, for lhs */
    double *cumw;       /* NK_MIXTURE: nops cumulative weights, the last exactly 1; NK_TABLE: ntable */
    double *table;      /* NK_TABLE: the values */
    int32_t *guide;     /* NK_TABLE: guide[b] = first c with cumw[c] > b/ntable (Chen and Asau's guide table) */
    size_t ntable;
    Operand interval[2]; /* smp_set_interval: lo, hi (nodes retained, not consumers) */
    bool has_interval;
    char *label;        /* smp_bind_label / smp_default_label (owned): what sensitivity() calls the node */
    bool label_bound;   /* label is a variable's name (else a default, or none) */
    void *ext;          /* smp_set_ext: owned, freed by ext_free */
    void (*ext_free)(void *);

    /* materialized draws (ctx->n of them) and LRU links; ctx is set while in the LRU */
    double *draws;
    size_t draws_len; /* doubles in draws */
    SampleCtx *ctx;
    Samples *lru_prev, *lru_next;
    bool in_lru;
    double share_value; /* stored for sharing: cost x consumers then (0: stored for other reasons) */
#ifdef SQC_MPI
    /* Stored for sharing by a pass spread over MPI processes (dist.h): only this process's blocks
     * are there. Spread passes read only those; anything else first makes it whole (dist.c). */
    bool draws_partial;
#endif

    /* cached reductions */
    bool have_stats;
    double mean, var, min, max;
    size_t nan_count, inf_count;
    int nq, q_next;
    double qkey[SMP_QCACHE], qval[SMP_QCACHE];

    /* scratch for plan building (valid only within one plan_build) and for release */
    uint64_t plan_mark;
    int plan_idx;
    Samples *free_next;

    int nops;
    Operand ops[]; /* flexible array: one allocation per node */
};

/* A new node like s (kind, op, stream key, numbers, weights, sampler) reading ops instead of its
 * operands: the same recipe elsewhere in the graph (sensitivity.c). Not labelled, no ext. */
Samples *smp_copy_with(const Samples *s, const Operand *ops);
/* The number v on every draw, taking no stream (a one-value table). */
Samples *smp_constant(double v);

/* Computes s->fp once s is complete (samples.c). */
void smp_fingerprint(Samples *s);

/* mem_alloc and mem_calloc (mem.h) under the engine's names: out of memory ends the run at the
 * statement's place (there is no unwinding mid-evaluation). */
void *smp_xmalloc(size_t size);
void *smp_xcalloc(size_t count, size_t size);
/* free() for an array of len draws. Giving back tens of MB of pages takes milliseconds, and free()'s
 * munmap does it on one vCPU: at more than one thread, the pages of a big array (which glibc maps on
 * its own) are first handed back over the threads with MADV_DONTNEED, which holds the mm lock only
 * to read, so the kernel zaps disjoint ranges in parallel. Only whole pages inside the array. */
void smp_free_draws(double *d, size_t len, int threads);

#ifdef SQC_MPI
/* Every array below roots that a spread pass left partial (draws_partial) made whole on every
 * process, before a pass that is not spread reads them. Collective: every process calls it alike. */
void smp_dist_whole_below(SampleCtx *ctx, Samples *const *roots, int nroots);
#endif
/* Makes s->draws hold all n draws (evaluating if needed) and marks it most recently used.
 * Returns false (ctx error set) on an evaluation error. */
bool smp_materialize(SampleCtx *ctx, Samples *s);
/* LRU bookkeeping for materialized arrays (samples.c). */
void smp_lru_add(SampleCtx *ctx, Samples *s);   /* s->draws was just filled */
void smp_lru_touch(SampleCtx *ctx, Samples *s); /* s is being used: most recent */
/* Evicts least recently used arrays, sparing nodes whose plan_mark is `spare` and arrays stored
 * for sharing with a value >= `value`, until `need` more bytes fit in the budget; returns false
 * if they cannot. */
bool smp_lru_make_room(SampleCtx *ctx, size_t need, uint64_t spare, double value);

/* smp_eval_blocks: in samples.h. */

/* The same for the blocks sel[0..nsel) only (ascending); sink gets the real block index. */
bool smp_eval_some_blocks(SampleCtx *ctx, Samples *root, double *dst, SmpBlockSink sink, void *arg,
                          const size_t *sel, size_t nsel);

/* The same, spread over the processes of an MPI run when ctx is (dist.h): each evaluates only the
 * blocks it owns and hands only those to sink, so the sink's per-block results are the caller's to
 * gather (smp_dist_gather); dst, the pass's errors and a stop are made whole on every process here.
 * Nothing is stored for sharing. Without MPI: smp_eval_some_blocks. */
bool smp_eval_spread(SampleCtx *ctx, Samples *root, double *dst, SmpBlockSink sink, void *arg,
                     const size_t *sel, size_t nsel);

/* Several roots in one pass over the union of their graphs (each shared node computed once per
 * block): sink(arg, r, b, x, len) gets block b of roots[r] (distinct fingerprints), possibly from several
 * threads at once. Blocks sel[0..nsel) only, or all when sel is NULL. Nothing is stored for
 * sharing. Returns false on an evaluation error (ctx's error set for the lowest failing draw). */
typedef void (*SmpRootSink)(void *arg, int root, size_t b, const double *x, size_t len);
bool smp_eval_roots(SampleCtx *ctx, Samples *const *roots, int nroots, SmpRootSink sink, void *arg,
                    const size_t *sel, size_t nsel);
/* smp_eval_roots spread as smp_eval_spread is. */
bool smp_eval_roots_spread(SampleCtx *ctx, Samples *const *roots, int nroots, SmpRootSink sink, void *arg,
                           const size_t *sel, size_t nsel);

/* Whether target is root or in the graph below it. */
bool smp_reaches(Samples *root, const Samples *target);

/* One block's moments and extremes; smp_stats_finish combines all n draws' blocks (in block
 * order, so the result is the same for any thread count) into s's cached statistics. */
typedef struct BlockStats {
    double sum, m2, min, max;
    size_t len, nan, inf;
} BlockStats;
void smp_block_stats(BlockStats *bs, const double *x, size_t len);
void smp_stats_finish(Samples *s, const BlockStats *bs, size_t n);


/* The two uniforms of Box-Muller pairs k0 .. k0+np-1 of stream key: rng_open01(key, k, 0) into r
 * and rng_open01(key, k, 1) into a (np <= SMP_BLOCK / 2 + 1). Integer hashing and exact
 * conversions only: the same bits at any vector width (rng_blocks.c). */
void smp_uniform_pairs(double *restrict r, double *restrict a, uint64_t key, uint64_t k0, size_t np);
/* The same for the pairs pairs[p] (p < m), and pairs[m-1] again for m <= p < np (padding). */
void smp_uniform_pairs_at(double *restrict r, double *restrict a, uint64_t key, const uint64_t *pairs,
                          size_t m, size_t np);
/* u[i] = rng_open01(key, i0 + i, 0) for i < len: a block of uniform draws (rng_blocks.c). */
void smp_uniform_block(double *restrict u, uint64_t key, size_t i0, size_t len);
/* The same under Latin hypercube sampling: draw i's stratified uniform of a stream with n draws
 * (rng_inline.h, "Latin hypercube sampling"). */
void smp_lhs_uniform_block(double *restrict u, uint64_t key, size_t n, size_t i0, size_t len);

/* x[i] = exp(x[i]) for the lognormal sampler: within 1 ulp, the same bits at any vector width
 * (samples_normal.c); libm's exp where |x| > 708 or x is NaN. */
void smp_exp_block(double *restrict x, size_t len);

/* Standard normal draws i0 .. i0+len-1 of stream key into z (i0 a multiple of SMP_BLOCK,
 * len <= SMP_BLOCK): Box-Muller over the counter hash (samples_normal.c). */
void smp_std_normal_block(double *restrict z, uint64_t key, size_t i0, size_t len);
/* The cosine (zc) and sine (zs) halves of the standard normal pairs pairs[0..m), m <= SMP_BLOCK/2:
 * bit-identical to smp_std_normal_block's draws 2k, 2k+1 in any block (samples_normal.c). */
void smp_std_normal_pairs(double *restrict zc, double *restrict zs, uint64_t key, const uint64_t *pairs,
                          size_t m);

/* Streaming quantiles over one pass (quantile.c): brackets placed from a pilot of the node's
 * draws, then every block of the pass scanned by the thread that computed it, then selection. */
typedef struct QStream {
    int k, threads;
    double margin_sd; /* SampleCtx.quantile_margin_sd */
    size_t n;
    double *q;
    void *br;     /* threads x k brackets */
    double *arena; /* the brackets' reserved room, one allocation */
    size_t *nans; /* per thread */
    size_t *seen; /* per thread: draws scanned */
} QStream;
/* The pilot: blocks sel[0..return) (sel has room for SMP_PILOT_MAX_BLOCKS), spread over the run;
 * smp_pilot_draws(n) draws in all. */
#define SMP_PILOT_MAX_BLOCKS 32
size_t smp_pilot_blocks(size_t n, size_t *sel);
size_t smp_pilot_draws(size_t n);
/* Sorts pilot[0..m); false (nothing allocated) if it holds a NaN: then every quantile is NaN. */
bool smp_qstream_init(QStream *qs, double *pilot, size_t m, const double *q, int k, size_t n, int threads,
                      double margin_sd);
void smp_qstream_scan(QStream *qs, int thread, const double *x, size_t len);
/* Between two parts of the pass: every bracket narrowed around its quantile as the draws scanned so
 * far place it (many more than the pilot's), dropping the kept draws now outside it. The rest of
 * the pass then keeps far fewer draws. Exact as before: a bracket that misses still falls back. */
void smp_qstream_narrow(QStream *qs);
/* The blocks of a pass in two parts for smp_qstream_narrow: every SMP_STAGE_EVERY-th block first
 * (spread over the run, like the pilot), then the others; both lists ascending. False (lists
 * unset) when the run is too short to gain from it. The caller frees *first (one allocation). */
#define SMP_STAGE_EVERY 10
bool smp_stage_blocks(size_t n, size_t **first, size_t *na, size_t **rest, size_t *nrest);
/* The k quantiles; false if a bracket missed (the pilot misjudged a rank: compute another way). */
bool smp_qstream_finish(QStream *qs, double *out);
void smp_qstream_free(QStream *qs);
#ifdef SQC_MPI
/* After a spread pass (dist.h): every process's brackets made one, on every process (the counts
 * summed, the kept draws of all concatenated in rank order into thread 0's part), so that narrowing
 * and selection then give every process the same answer as one process. */
void smp_qstream_gather(QStream *qs, const SampleCtx *ctx);
/* After narrowing gathered brackets: only process 0 keeps what was counted, so that the next gather
 * adds each draw once. */
void smp_qstream_keep_on_first(QStream *qs, const SampleCtx *ctx);
#endif

/* Tells ctx's observer (samples.h) what a reducer is about to compute. */
static inline void smp_query(SampleCtx *ctx, Samples *s, SmpWant want, const double *q, int k) {
    if (ctx->observer.query) ctx->observer.query(ctx->observer.arg, ctx, s, want, q, k);
}

/* Quantiles of an array of n draws, as smp_quantiles computes them for a stored node. */
void smp_quantiles_of_array(const double *x, size_t n, const double *q, int k, double *out, int threads,
                            double margin_sd);

/* The node's remembered quantiles (quantile.c). */
bool smp_qcache_get(const Samples *s, double q, double *v);
void smp_qcache_put(Samples *s, double q, double v);

/* The CPU's features the kernels use, read once: the engine's only process-wide state, a cache
 * of facts about the machine (samples_eval.c). x^3 and x^4 use FMA where the machine has it
 * (samples_eval.c), quantile.c scans brackets with AVX-512. Tests switch a feature off to run the
 * portable path too (the results are the same bits either way). */
enum { SMP_CPU_FMA = 1, SMP_CPU_AVX512 = 2 };
int smp_cpu_features(void);
void smp_cpu_features_off(int off); /* tests: as if the CPU lacked `off` (0: as it is) */

/* Below this many draws quantiles are found by copying and sorting (quantile.c), and the
 * prefetcher collects and sorts the draws too; from it on, by brackets from a pilot. */
#define SMALL_N 65536

/* The bracket around quantile q placed from m pilot draws: its half-width in ranks, margin_sd
 * standard errors of the pilot rank (SampleCtx.quantile_margin_sd) plus MARGIN_RANKS for the
 * discreteness of small q(1-q); and the share of all draws it holds (both ends, and one rank of
 * rounding each side). quantile.c places and narrows brackets with it; the prefetcher sizes its
 * batches with it. */
#define MARGIN_RANKS 4.0
static inline double smp_bracket_margin(double margin_sd, size_t m, double q) {
    return margin_sd * sqrt((double)m * q * (1 - q)) + MARGIN_RANKS;
}
static inline double smp_bracket_share(double margin_sd, size_t m, double q) {
    return 2 * (smp_bracket_margin(margin_sd, m, q) + 1) / (double)m;
}

/* Sets ctx's error (printf-style) and its span. */
void smp_set_error(SampleCtx *ctx, Span span, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Shortest "%.*g" text that reads back as x (for error messages). */
void smp_fmt_num(char *buf, size_t len, double x);

#endif
