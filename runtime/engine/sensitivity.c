/* sensitivity.c — rank correlations and one-at-a-time swings of y's random inputs (sensitivity.h). */
#include "sensitivity.h"
#include "mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dist.h"
#include "rank_bins.h"
#include "ranks.h"
#include "samples_internal.h"
#include "timings.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* ---- the graph below y, once: nodes in post-order (operands before the nodes that read them) ---- */

typedef struct Graph {
    Samples **node; /* post-order */
    size_t len, cap;
    Samples **slot; /* open addressing: node pointers */
    size_t *index;  /* slot -> position in node[] */
    size_t slots;
} Graph;

static size_t ptr_hash(const Samples *s, size_t mask) {
    uint64_t x = (uint64_t)(uintptr_t)s;
    x ^= x >> 33, x *= 0xff51afd7ed558ccdu, x ^= x >> 33;
    return (size_t)x & mask;
}

/* Position of s in the post-order, or (size_t)-1. */
static size_t graph_find(const Graph *g, const Samples *s) {
    for (size_t i = ptr_hash(s, g->slots - 1);; i = (i + 1) & (g->slots - 1)) {
        if (!g->slot[i]) return (size_t)-1;
        if (g->slot[i] == s) return g->index[i];
    }
}

static void graph_put(Graph *g, Samples *s, size_t pos) {
    size_t i = ptr_hash(s, g->slots - 1);
    while (g->slot[i]) i = (i + 1) & (g->slots - 1);
    g->slot[i] = s;
    g->index[i] = pos;
}

/* Iterative DFS (a chain of a million nodes is fine): a node is placed once all its operands are. */
static void graph_build(Graph *g, Samples *root) {
    memset(g, 0, sizeof *g);
    g->slots = 1024;
    g->slot = smp_xcalloc(g->slots, sizeof *g->slot);
    g->index = smp_xcalloc(g->slots, sizeof *g->index);
    size_t cap = 64, top = 0;
    struct Frame { Samples *s; int next; } *stack = smp_xmalloc(cap * sizeof *stack);
    /* "seen" nodes get a provisional entry (SIZE_MAX) so they are pushed once */
    graph_put(g, root, (size_t)-2);
    stack[top++] = (struct Frame){root, 0};
    while (top) {
        struct Frame *f = &stack[top - 1];
        if (f->next < f->s->nops) {
            Samples *c = f->s->ops[f->next++].node;
            if (!c || graph_find(g, c) != (size_t)-1) continue;
            if (2 * (g->len + top + 1) > g->slots) { /* grow: rehash every node seen so far */
                Samples **old_slot = g->slot;
                size_t *old_index = g->index, old_slots = g->slots;
                g->slots *= 2;
                g->slot = smp_xcalloc(g->slots, sizeof *g->slot);
                g->index = smp_xcalloc(g->slots, sizeof *g->index);
                for (size_t i = 0; i < old_slots; i++)
                    if (old_slot[i]) graph_put(g, old_slot[i], old_index[i]);
                free(old_slot);
                free(old_index);
            }
            graph_put(g, c, (size_t)-2);
            MEM_GROW(stack, cap, top + 1);
            stack[top++] = (struct Frame){c, 0};
            continue;
        }
        Samples *s = f->s;
        top--;
        MEM_GROW_FROM(g->node, g->cap, g->len + 1, 64);
        size_t pos = g->len;
        g->node[g->len++] = s;
        for (size_t i = ptr_hash(s, g->slots - 1);; i = (i + 1) & (g->slots - 1))
            if (g->slot[i] == s) {
                g->index[i] = pos;
                break;
            }
    }
    free(stack);
}

static void graph_free(Graph *g) {
    free(g->node);
    free(g->slot);
    free(g->index);
}

/* A random input: what draws on its own (not an operation on other nodes, not a constant). */
static bool is_input(const Samples *s) {
    switch ((NodeKind)s->kind) {
    case NK_UNARY: case NK_BINARY: case NK_SELECT: case NK_CLAMP: return false;
    case NK_TABLE: return s->ntable > 1;
    default: return true;
    }
}

/* y with input g->node[leaf] replaced by the constant v: copies of the nodes on the paths from the
 * input up to y, every other node shared. rep[] is scratch of g->len. Returns a new reference. */
static Samples *substitute(const Graph *g, size_t leaf, double v, Samples **rep) {
    Operand ops[64];
    memset(rep, 0, g->len * sizeof *rep);
    rep[leaf] = smp_constant(v);
    for (size_t i = leaf + 1; i < g->len; i++) {
        Samples *s = g->node[i];
        bool touched = false;
        for (int k = 0; k < s->nops && !touched; k++)
            touched = s->ops[k].node && rep[graph_find(g, s->ops[k].node)];
        if (!touched) continue;
        Operand *o = s->nops <= 64 ? ops : smp_xmalloc((size_t)s->nops * sizeof *o);
        for (int k = 0; k < s->nops; k++) {
            o[k] = s->ops[k];
            if (o[k].node) {
                Samples *r = rep[graph_find(g, o[k].node)];
                if (r) o[k].node = r;
            }
        }
        rep[i] = smp_copy_with(s, o);
        if (o != ops) free(o);
    }
    Samples *root = rep[g->len - 1];
    smp_retain(root);
    for (size_t i = leaf; i < g->len; i++) smp_release(rep[i]);
    return root;
}

/* ---- the fused pass: every held copy's mean ---- */

typedef struct MeanArg {
    BlockStats *bs; /* roots x blocks */
    size_t nb;
} MeanArg;

static void mean_sink(void *arg, int r, size_t b, const double *x, size_t len) {
    MeanArg *m = arg;
    smp_block_stats(&m->bs[(size_t)r * m->nb + b], x, len);
}

/* The means of roots[0..nr) into out: one pass over all; if a draw fails there, root by root, and
 * a root whose draws fail gets NaN (its held value made some parameter invalid). */
static void means_of(SampleCtx *ctx, Samples **roots, int nr, double *out) {
    size_t nb = smp_nblocks(ctx->n);
    MeanArg m = {smp_xcalloc((size_t)nr * nb, sizeof(BlockStats)), nb};
    bool ok = smp_eval_roots_spread(ctx, roots, nr, mean_sink, &m, NULL, nb);
    for (int r = 0; r < nr && ok && smp_spread(ctx); r++) smp_dist_gather(ctx, &m.bs[(size_t)r * nb], sizeof *m.bs, NULL, nb);
    Samples *tmp = smp_xcalloc(1, sizeof *tmp);
    for (int r = 0; r < nr; r++) {
        if (ok) {
            smp_stats_finish(tmp, &m.bs[(size_t)r * nb], ctx->n);
            out[r] = tmp->mean;
        } else {
            ctx->err.set = false;
            out[r] = smp_mean(ctx, roots[r], &out[r]) ? out[r] : NAN;
        }
    }
    ctx->err.set = false;
    free(tmp);
    free(m.bs);
}

/* ---- sensitivity ---- */

static int by_share(const void *pa, const void *pb) {
    const SmpInput *a = pa, *b = pb;
    if (a->share != b->share) return a->share < b->share ? 1 : -1;
    return 0;
}

/* A copy of s's n draws, or NULL (ctx's error set: an evaluation error, or a NaN draw). */
static double *draws_copy(SampleCtx *ctx, Samples *s, const char *what) {
    const double *d = smp_draws(ctx, s);
    if (!d) return NULL;
    tm_enter(ctx->timings, TM_RANKS);
    size_t n = ctx->n, first_nan = n;
    double *c = smp_xmalloc(n * sizeof *c);
    /* copied and checked a chunk at a time on every thread; the first NaN is the least index */
#pragma omp parallel for schedule(static) num_threads(ctx->threads) reduction(min : first_nan) if (n >= 2 * SMP_BLOCK)
    for (size_t c0 = 0; c0 < n; c0 += SMP_BLOCK) {
        size_t end = n - c0 < SMP_BLOCK ? n : c0 + SMP_BLOCK;
        memcpy(c + c0, d + c0, (end - c0) * sizeof *c);
        bool any = false;
        for (size_t i = c0; i < end; i++) any |= c[i] != c[i];
        for (size_t i = c0; any && i < end; i++)
            if (isnan(c[i])) {
                first_nan = i < first_nan ? i : first_nan;
                break;
            }
    }
    if (first_nan < n) {
        smp_set_error(ctx, s->origin, "sensitivity: %s has a NaN draw (draw %zu): NaN has no rank", what, first_nan);
        free(c);
        tm_leave(ctx->timings);
        return NULL;
    }
    tm_leave(ctx->timings);
    return c;
}

/* ---- rank correlations beyond the store budget: ranks through counted bins (rank_bins.h) ---- */

typedef RankWide Wide;

/* The variables whose ranks are needed: y and the inputs, each node once (root r). */
typedef struct RankRoots {
    Samples **node;
    int n;
    int y;       /* y's root */
    int *of;     /* the root of input j */
} RankRoots;

static int root_index(RankRoots *rr, Samples *s) {
    for (int r = 0; r < rr->n; r++)
        if (rr->node[r] == s || (!s->fp_none && !rr->node[r]->fp_none && rr->node[r]->fp[0] == s->fp[0] &&
                                 rr->node[r]->fp[1] == s->fp[1]))
            return r;
    rr->node[rr->n] = s;
    return rr->n++;
}

typedef struct BinPass {
    const RankRoots *rr;
    RankBins *bins;     /* per root */
    const size_t *sel;  /* the pilot pass: its blocks, and each root's pilot draws */
    double **pilot;
    size_t *first_nan;  /* the count pass: threads x roots, the least index of a NaN draw */
    int threads;
    /* the product pass: per thread, the ranks of the block's roots so far and their sums */
    int64_t *rank;      /* threads x roots x SMP_BLOCK */
    int *got;           /* threads: roots of the current block ranked */
    Wide *sum;          /* threads x (2 + 3 inputs): y's sum and sum of squares; per input sx, sxx, sxy */
    size_t k;
} BinPass;

static int thread_no(void) {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

static void bin_pilot_sink(void *arg, int r, size_t b, const double *x, size_t len) {
    BinPass *p = arg;
    size_t j = 0;
    while (p->sel[j] != b) j++;
    memcpy(p->pilot[r] + j * SMP_BLOCK, x, len * sizeof *x);
}

static void bin_count_sink(void *arg, int r, size_t b, const double *x, size_t len) {
    BinPass *p = arg;
    size_t *nan_at = &p->first_nan[(size_t)thread_no() * (size_t)p->rr->n + (size_t)r];
    for (size_t i = 0; i < len; i++)
        if (isnan(x[i])) {
            if (b * SMP_BLOCK + i < *nan_at) *nan_at = b * SMP_BLOCK + i;
            return; /* the pass's result is an error: nothing else of it counts */
        }
    rank_bins_count(&p->bins[r], x, len);
}

/* A block's roots all come from one thread, one after another (samples_eval.c's eval_block);
 * once the last is ranked, the block's sums are added to the thread's. */
static void bin_product_sink(void *arg, int r, size_t b, const double *x, size_t len) {
    BinPass *p = arg;
    (void)b;
    size_t t = (size_t)thread_no(), nr = (size_t)p->rr->n;
    int64_t *rank = p->rank + t * nr * SMP_BLOCK;
    rank_bins_rank(&p->bins[r], x, len, rank + (size_t)r * SMP_BLOCK);
    if (++p->got[t] < p->rr->n) return;
    p->got[t] = 0;
    Wide *sum = p->sum + t * (2 + 3 * p->k);
    const int64_t *ry = rank + (size_t)p->rr->y * SMP_BLOCK;
    for (size_t i = 0; i < len; i++) sum[0] += ry[i], sum[1] += (Wide)ry[i] * ry[i];
    for (size_t j = 0; j < p->k; j++) {
        const int64_t *rx = rank + (size_t)p->rr->of[j] * SMP_BLOCK;
        Wide sx = 0, sxx = 0, sxy = 0;
        for (size_t i = 0; i < len; i++) sx += rx[i], sxx += (Wide)rx[i] * rx[i], sxy += (Wide)rx[i] * ry[i];
        sum[2 + 3 * j] += sx, sum[3 + 3 * j] += sxx, sum[4 + 3 * j] += sxy;
    }
}

#ifdef SQC_MPI
/* Sums of 128-bit integers over the processes: four 32-bit limbs each, summed as 64-bit numbers
 * (no carry lost for fewer than 2^32 processes), then put together modulo 2^128. */
static void dist_sum_wide(Wide *v, size_t n) {
    uint64_t *limb = smp_xmalloc(4 * n * sizeof *limb);
    for (size_t i = 0; i < n; i++)
        for (int l = 0; l < 4; l++) limb[4 * i + (size_t)l] = (uint64_t)((unsigned __int128)v[i] >> (32 * l)) & 0xFFFFFFFFu;
    smp_dist_sum(limb, 4 * n);
    for (size_t i = 0; i < n; i++) {
        unsigned __int128 u = 0;
        for (int l = 0; l < 4; l++) u += (unsigned __int128)limb[4 * i + (size_t)l] << (32 * l);
        v[i] = (Wide)u;
    }
    free(limb);
}
#endif

/* in[j].rank_corr for every input, without holding any variable's draws: three passes over the
 * graph of y and its inputs (a pilot, the counts, the ranks), each root's bins in memory
 * (docs/scale.md, "Memory"). False with ctx's error set. */
static bool rank_corrs_binned(SampleCtx *ctx, Samples *y, SmpInput *in, size_t k) {
    size_t n = ctx->n, nb = smp_nblocks(n);
    int threads = ctx->threads < 1 ? 1 : ctx->threads;
    RankRoots rr = {smp_xmalloc((k + 1) * sizeof(Samples *)), 0, 0, smp_xmalloc(k * sizeof(int))};
    rr.y = root_index(&rr, y);
    for (size_t j = 0; j < k; j++) rr.of[j] = root_index(&rr, in[j].node);
    size_t nr = (size_t)rr.n;
    BinPass p = {.rr = &rr, .bins = smp_xcalloc(nr, sizeof(RankBins)), .threads = threads, .k = k};
    bool ok;

    /* the pilot: blocks spread over the run, every root's draws there, sorted into edges */
    size_t count = nb < RANK_BINS_PILOT_BLOCKS ? nb : RANK_BINS_PILOT_BLOCKS;
    size_t *sel = smp_xmalloc(count * sizeof *sel);
    for (size_t j = 0; j < count; j++) sel[j] = j * nb / count;
    size_t m = (count - 1) * SMP_BLOCK + (sel[count - 1] == nb - 1 ? n - (nb - 1) * SMP_BLOCK : SMP_BLOCK);
    p.sel = sel;
    p.pilot = smp_xmalloc(nr * sizeof *p.pilot);
    for (size_t r = 0; r < nr; r++) p.pilot[r] = smp_xmalloc(count * SMP_BLOCK * sizeof(double));
    ok = smp_eval_roots_spread(ctx, rr.node, rr.n, bin_pilot_sink, &p, sel, count);
    for (size_t r = 0; r < nr; r++) {
        if (ok && smp_spread(ctx)) smp_dist_gather_draws(ctx, p.pilot[r], sel, count);
        size_t keep = 0; /* a NaN in the pilot is found again, with its index, by the count pass */
        for (size_t i = 0; ok && i < m; i++)
            if (!isnan(p.pilot[r][i])) p.pilot[r][keep++] = p.pilot[r][i];
        tm_enter(ctx->timings, TM_RANKS);
        if (ok) rank_bins_init(&p.bins[r], p.pilot[r], keep, threads);
        tm_leave(ctx->timings);
        free(p.pilot[r]);
    }
    free(p.pilot);
    free(sel);

    /* the counts, and the least NaN draw of each root */
    if (ok) {
        p.first_nan = smp_xmalloc((size_t)threads * nr * sizeof *p.first_nan);
        for (size_t i = 0; i < (size_t)threads * nr; i++) p.first_nan[i] = n;
        ok = smp_eval_roots_spread(ctx, rr.node, rr.n, bin_count_sink, &p, NULL, nb);
        for (size_t r = 0; ok && r < nr; r++) {
            size_t least = n;
            for (int t = 0; t < threads; t++) least = p.first_nan[(size_t)t * nr + r] < least ? p.first_nan[(size_t)t * nr + r] : least;
#ifdef SQC_MPI
            if (smp_spread(ctx)) {
                least = (size_t)smp_dist_min(least);
                smp_dist_sum(p.bins[r].count, 2 * p.bins[r].m + 1);
            }
#endif
            p.first_nan[r] = least; /* thread 0's row holds the least now */
        }
        /* the message of the held path: y's NaN first, then the inputs' in order */
        for (size_t j = 0; ok && j <= k; j++) {
            int r = j == 0 ? rr.y : rr.of[j - 1];
            if (p.first_nan[r] < n) {
                smp_set_error(ctx, rr.node[r]->origin, "sensitivity: %s has a NaN draw (draw %zu): NaN has no rank",
                              j == 0 ? "the result" : "an input", p.first_nan[r]);
                ok = false;
            }
        }
        free(p.first_nan);
        for (size_t r = 0; ok && r < nr; r++) rank_bins_finish(&p.bins[r]);
    }

    /* the ranks, and their sums and products */
    if (ok) {
        size_t nsum = 2 + 3 * k;
        p.rank = smp_xmalloc((size_t)threads * nr * SMP_BLOCK * sizeof *p.rank);
        p.got = smp_xcalloc((size_t)threads, sizeof *p.got);
        p.sum = smp_xcalloc((size_t)threads * nsum, sizeof *p.sum);
        ok = smp_eval_roots_spread(ctx, rr.node, rr.n, bin_product_sink, &p, NULL, nb);
        for (int t = 1; t < threads; t++) /* whole numbers: the same in any order */
            for (size_t i = 0; i < nsum; i++) p.sum[i] += p.sum[(size_t)t * nsum + i];
#ifdef SQC_MPI
        if (ok && smp_spread(ctx)) dist_sum_wide(p.sum, nsum);
#endif
        for (size_t j = 0; ok && j < k; j++) {
            const Wide *s = p.sum;
            in[j].rank_corr = rank_bins_corr(s[2 + 3 * j], s[3 + 3 * j], s[0], s[1], s[4 + 3 * j], n);
        }
        for (int t = 0; t < threads; t++) sq_assert(p.got[t] == 0);
        free(p.rank);
        free(p.got);
        free(p.sum);
    }
    for (size_t r = 0; r < nr; r++) rank_bins_free(&p.bins[r]);
    free(p.bins);
    free(rr.node);
    free(rr.of);
    return ok;
}

/* The input's own 5th and 95th percentiles, where it is held for the swings. */
static bool input_percentiles(SampleCtx *ctx, SmpInput *in) {
    static const double Q[2] = {0.05, 0.95};
    double q[2];
    if (!smp_quantiles(ctx, in->node, Q, 2, q)) return false;
    in->p5 = q[0], in->p95 = q[1];
    return true;
}

/* The sorts hold y's ranks, an input's copy, its ranks and the sort's scratch at once: four arrays
 * of n draws beside the cache. While they fit half its budget, sorts; beyond (above 8.4M draws at
 * the default 512 MiB), ranks through bins, in memory that does not grow with n (docs/scale.md,
 * "Memory"). */
static bool sorts_fit(const SampleCtx *ctx) { return ctx->n <= ctx->cache_budget / 2 / (4 * sizeof(double)); }

/* in[j].p5, p95 and rank_corr from sorts of y's and each input's draws. False with ctx's error set. */
static bool corrs_held(SampleCtx *ctx, Samples *y, SmpInput *in, size_t k) {
    size_t n = ctx->n;
    double *yd = draws_copy(ctx, y, "the result");
    tm_enter(ctx->timings, TM_RANKS);
    double *ry = yd ? ranks_average(yd, n, ctx->threads) : NULL;
    free(yd);
    tm_leave(ctx->timings);
    bool ok = ry != NULL;
    for (size_t j = 0; j < k && ok; j++) {
        ok = input_percentiles(ctx, &in[j]);
        if (!ok) break;
        double *xd = draws_copy(ctx, in[j].node, "an input");
        ok = xd != NULL;
        if (!ok) break;
        tm_enter(ctx->timings, TM_RANKS);
        double *rx = ranks_average(xd, n, ctx->threads);
        double r = ranks_corr(rx, ry, n, ctx->threads);
        in[j].rank_corr = isnan(r) ? 0 : r; /* one value on every draw: no rank order to follow */
        free(rx);
        free(xd);
        tm_leave(ctx->timings);
    }
    tm_enter(ctx->timings, TM_RANKS);
    free(ry);
    tm_leave(ctx->timings);
    return ok;
}

/* The same through counted bins. */
static bool corrs_binned(SampleCtx *ctx, Samples *y, SmpInput *in, size_t k) {
    for (size_t j = 0; j < k; j++)
        if (!input_percentiles(ctx, &in[j])) return false;
    return rank_corrs_binned(ctx, y, in, k);
}

bool smp_sensitivity(SampleCtx *ctx, Samples *y, SmpInput **inputs, size_t *count) {
    size_t n = ctx->n;
    *inputs = NULL;
    *count = 0;
    Graph g;
    graph_build(&g, y);
    size_t k = 0;
    for (size_t i = 0; i < g.len; i++) k += is_input(g.node[i]);
    if (k == 0 || n == 0) {
        graph_free(&g);
        return true;
    }
    SmpInput *in = smp_xcalloc(k, sizeof *in);
    size_t *pos = smp_xmalloc(k * sizeof *pos);
    /* inputs in the order met from y down: post-order reversed */
    for (size_t i = g.len, j = 0; i-- > 0;)
        if (is_input(g.node[i])) pos[j] = i, in[j++].node = smp_retain(g.node[i]);

    bool ok = sorts_fit(ctx) ? corrs_held(ctx, y, in, k) : corrs_binned(ctx, y, in, k);
    if (ok) {
        /* every input held at p5 and at p95: 2k copies of y, their means in one pass */
        Samples **roots = smp_xmalloc(2 * k * sizeof *roots), **rep = smp_xmalloc(g.len * sizeof *rep);
        int nr = 0;
        for (size_t j = 0; j < k; j++) {
            roots[nr++] = substitute(&g, pos[j], in[j].p5, rep);
            roots[nr++] = substitute(&g, pos[j], in[j].p95, rep);
        }
        /* the same copy twice (p5 == p95: an input that is mostly one value) is one root */
        double *mean = smp_xmalloc(2 * k * sizeof *mean);
        int *uniq = smp_xmalloc(2 * k * sizeof *uniq), nu = 0;
        Samples **distinct = smp_xmalloc(2 * k * sizeof *distinct);
        for (int r = 0; r < nr; r++) {
            int u = 0;
            while (u < nu && !(distinct[u]->fp[0] == roots[r]->fp[0] && distinct[u]->fp[1] == roots[r]->fp[1] &&
                               !roots[r]->fp_none))
                u++;
            if (u == nu) distinct[nu++] = roots[r];
            uniq[r] = u;
        }
        double *dm = smp_xmalloc((size_t)(nu ? nu : 1) * sizeof *dm);
        means_of(ctx, distinct, nu, dm);
        for (int r = 0; r < nr; r++) mean[r] = dm[uniq[r]];
        double total = 0;
        for (size_t j = 0; j < k; j++) {
            in[j].low = mean[2 * j];
            in[j].high = mean[2 * j + 1];
            total += in[j].rank_corr * in[j].rank_corr;
        }
        for (size_t j = 0; j < k; j++) in[j].share = total > 0 ? in[j].rank_corr * in[j].rank_corr / total : 0;
        for (int r = 0; r < nr; r++) smp_release(roots[r]);
        free(dm), free(distinct), free(uniq), free(mean), free(rep), free(roots);
        /* most influential first; equal shares keep the order met from y (qsort is not stable) */
        SmpInput *sorted = smp_xmalloc(k * sizeof *sorted);
        memcpy(sorted, in, k * sizeof *in);
        for (size_t a = 1; a < k; a++) { /* insertion sort: stable, k is small */
            SmpInput t = sorted[a];
            size_t b = a;
            while (b > 0 && by_share(&sorted[b - 1], &t) > 0) sorted[b] = sorted[b - 1], b--;
            sorted[b] = t;
        }
        free(in);
        in = sorted;
    }
    free(pos);
    graph_free(&g);
    if (!ok) {
        smp_inputs_free(in, k);
        return false;
    }
    *inputs = in;
    *count = k;
    return true;
}

void smp_inputs_free(SmpInput *inputs, size_t count) {
    for (size_t j = 0; j < count; j++) smp_release(inputs[j].node);
    free(inputs);
}
