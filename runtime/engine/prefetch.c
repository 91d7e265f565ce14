/* prefetch.c — recording a rehearsal's requests and answering them from fused passes. */
#include "prefetch.h"

#include "dist.h"
#include "mem.h"
#include "rng_inline.h"
#include "samples_internal.h"
#include "timings.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define BATCH_BYTES ((size_t)256 << 20) /* pilots, brackets and statistics of one fused pass, estimated */
#define MAX_BATCH_ROOTS 512                      /* nodes per fused pass */
#define MAX_WISHES 65536 /* nodes recorded at most: each keeps its graph alive until the run ends */

/* One recorded node and, once computed, its answers. */
typedef struct Wish {
    Samples *node; /* a rehearsal node (retained) with this fingerprint */
    double *q;     /* requested quantiles, distinct */
    int nq, cap_q;
    bool stats, draws;
    /* answers */
    bool have_q, have_stats;
    double *qval;   /* nq */
    double mean, var, min, max;
    size_t nan_count, inf_count;
    double *draw_arr; /* n draws until a node takes them */
} Wish;

struct Prefetch {
    Wish *wishes;
    size_t len, cap;
    size_t *table; /* open addressing on fp[0]: index + 1 into wishes, 0 = empty */
    size_t table_cap;
    bool computed;
    size_t n; /* draws the answers are for */
};

Prefetch *pf_new(void) { return smp_xcalloc(1, sizeof(Prefetch)); }

void pf_free(Prefetch *pf) {
    if (!pf) return;
    for (size_t i = 0; i < pf->len; i++) {
        Wish *w = &pf->wishes[i];
        smp_release(w->node);
        free(w->q);
        free(w->qval);
        free(w->draw_arr);
    }
    free(pf->wishes);
    free(pf->table);
    free(pf);
}

size_t pf_count(const Prefetch *pf) { return pf ? pf->len : 0; }

static uint64_t digest_add(uint64_t h, uint64_t x) { return rng_mix_a(h ^ x) + 0x9E3779B97F4A7C15u; }

uint64_t pf_digest(const Prefetch *pf) {
    uint64_t h = 0;
    for (size_t i = 0; pf && i < pf->len; i++) {
        const Wish *w = &pf->wishes[i];
        h = digest_add(digest_add(h, w->node->fp[0]), w->node->fp[1]);
        h = digest_add(h, (uint64_t)w->nq << 2 | (uint64_t)w->stats << 1 | (uint64_t)w->draws);
        for (int j = 0; j < w->nq; j++) {
            uint64_t bits;
            memcpy(&bits, &w->q[j], sizeof bits);
            h = digest_add(h, bits);
        }
    }
    return digest_add(h, pf ? pf->len : 0);
}

/* ---- the fingerprint table ---- */

static Wish *find(const Prefetch *pf, const Samples *s) {
    if (!pf->table_cap) return NULL;
    size_t mask = pf->table_cap - 1;
    for (size_t i = s->fp[0] & mask;; i = (i + 1) & mask) {
        size_t e = pf->table[i];
        if (!e) return NULL;
        Wish *w = &pf->wishes[e - 1];
        if (w->node->fp[0] == s->fp[0] && w->node->fp[1] == s->fp[1]) return w;
    }
}

static void table_insert(Prefetch *pf, size_t idx) {
    size_t mask = pf->table_cap - 1;
    size_t i = pf->wishes[idx].node->fp[0] & mask;
    while (pf->table[i]) i = (i + 1) & mask;
    pf->table[i] = idx + 1;
}

static Wish *wish_for(Prefetch *pf, Samples *s) {
    if (s->fp_none || pf->computed) return NULL;
    Wish *w = find(pf, s);
    if (w || pf->len == MAX_WISHES) return w;
    MEM_GROW_FROM(pf->wishes, pf->cap, pf->len + 1, 64);
    if (2 * (pf->len + 1) > pf->table_cap) { /* keep the table at most half full */
        free(pf->table);
        pf->table_cap = pf->table_cap ? 2 * pf->table_cap : 256;
        pf->table = smp_xcalloc(pf->table_cap, sizeof *pf->table);
        for (size_t i = 0; i < pf->len; i++) table_insert(pf, i);
    }
    w = &pf->wishes[pf->len];
    memset(w, 0, sizeof *w);
    w->node = smp_retain(s);
    table_insert(pf, pf->len++);
    return w;
}

/* ---- recording ---- */

void pf_wish_quantiles(Prefetch *pf, Samples *s, const double *q, int k) {
    Wish *w = wish_for(pf, s);
    if (!w) return;
    for (int j = 0; j < k; j++) {
        if (isnan(q[j])) continue;
        bool dup = false;
        for (int i = 0; i < w->nq && !dup; i++) dup = w->q[i] == q[j];
        if (dup) continue;
        MEM_GROW_FROM(w->q, w->cap_q, (size_t)w->nq + 1, 4);
        w->q[w->nq++] = q[j];
    }
}

void pf_wish_stats(Prefetch *pf, Samples *s) {
    Wish *w = wish_for(pf, s);
    if (w) w->stats = true;
}

void pf_wish_draws(Prefetch *pf, Samples *s) {
    Wish *w = wish_for(pf, s);
    if (w) w->draws = true;
}

/* ---- the fused passes ---- */

/* One root of a batch: what its blocks feed. */
typedef struct Root {
    Wish *w;
    bool stream_q;    /* quantiles by brackets from a pilot (n >= SMALL_N) */
    bool collect;     /* draws into `all` (wished, or quantiles for small n) */
    bool keep_draws;  /* wished, and within the budget: `all` becomes the answer */
    double *pilot;    /* pilot draws */
    bool pilot_borrowed; /* pilot is part of some root's `all` (run_batch) */
    QStream qs;
    bool qs_live;
    BlockStats *bs;   /* per block, when stats are wished */
    double *all;      /* n draws */
} Root;

typedef struct BatchArg {
    Root *roots;
    const size_t *sel; /* pilot blocks, or NULL in the main pass */
} BatchArg;

static void pilot_sink(void *arg, int r, size_t b, const double *x, size_t len) {
    BatchArg *a = arg;
    Root *rt = &a->roots[r];
    if (!rt->stream_q) return;
    int j = 0;
    while (a->sel[j] != b) j++;
    memcpy(rt->pilot + (size_t)j * SMP_BLOCK, x, len * sizeof *x);
}

static void main_sink(void *arg, int r, size_t b, const double *x, size_t len) {
    BatchArg *a = arg;
    Root *rt = &a->roots[r];
#ifdef _OPENMP
    int t = omp_get_thread_num();
#else
    int t = 0;
#endif
    if (rt->qs_live) smp_qstream_scan(&rt->qs, t, x, len);
    if (rt->bs) smp_block_stats(&rt->bs[b], x, len);
    if (rt->all) memcpy(rt->all + b * SMP_BLOCK, x, len * sizeof *x);
}

/* Bytes a root of w takes during its batch at n draws, roughly: its pilot and brackets (quantile.c's
 * margins), or its draws when quantiles are sorted, and its per-block statistics. */
static size_t root_bytes(const Wish *w, size_t n, size_t m, double margin_sd) {
    double share = 0;
    for (int j = 0; j < w->nq; j++) share += smp_bracket_share(margin_sd, m, w->q[j]);
    size_t bytes = (size_t)(share * (double)n * sizeof(double));
    if (w->nq) bytes += (n >= SMALL_N ? m : n) * sizeof(double);
    if (w->stats) bytes += smp_nblocks(n) * sizeof(BlockStats);
    return bytes;
}

/* Computes the wishes ws[0..nr) in one pilot pass and one main pass; false on an evaluation error
 * (ctx's error_node is the node whose draw failed), and then nothing is answered. */
static bool run_batch(SampleCtx *ctx, Wish **ws, size_t nr, size_t *draw_bytes) {
    size_t n = ctx->n, nb = smp_nblocks(n), m = smp_pilot_draws(n), draw_bytes_before = *draw_bytes;
    int threads = ctx->threads < 1 ? 1 : ctx->threads;
    Root *roots = smp_xcalloc(nr, sizeof *roots);
    Samples **nodes = smp_xmalloc(nr * sizeof *nodes);
    bool any_pilot = false, ok = true, spread = smp_spread(ctx);
    bool *want = smp_xmalloc(nr * sizeof *want);
    for (size_t r = 0; r < nr; r++) {
        roots[r].w = ws[r];
        nodes[r] = ws[r]->node;
        /* whole arrays only within the cache's half and the memory (mem.h): one that does not fit
         * is left to the real call, which then reports it at its own place */
        want[r] = ws[r]->draws && *draw_bytes + n * sizeof(double) <= ctx->cache_budget / 2 &&
                  mem_fits(*draw_bytes - draw_bytes_before + n * sizeof(double), NULL, 0);
        if (want[r]) *draw_bytes += n * sizeof(double);
    }
    if (spread) { /* memory differs between machines: keep an array only where every process can */
        smp_dist_and(want, nr);
        *draw_bytes = draw_bytes_before;
        for (size_t r = 0; r < nr; r++) *draw_bytes += want[r] ? n * sizeof(double) : 0;
    }
    for (size_t r = 0; r < nr; r++) {
        Root *rt = &roots[r];
        bool want_draws = want[r];
        rt->keep_draws = want_draws;
        rt->stream_q = rt->w->nq && n >= SMALL_N;
        rt->collect = want_draws || (rt->w->nq && n < SMALL_N);
        if (rt->w->stats) rt->bs = smp_xcalloc(nb, sizeof(BlockStats));
        if (rt->collect) rt->all = smp_xmalloc(n * sizeof(double));
    }
    /* The pilots live in a collected root's draw array while it is not yet written (the main pass
     * fills it): fresh pages cost more than the pilot's own work (see bench/README.md), and these
     * get written again anyway. Else each pilot has its own. */
    size_t npilots = 0;
    double *arena = NULL;
    for (size_t r = 0; r < nr; r++) npilots += roots[r].stream_q;
    for (size_t r = 0; r < nr && !arena; r++)
        if (roots[r].all && npilots * m <= n) arena = roots[r].all;
    for (size_t r = 0, i = 0; r < nr; r++) {
        Root *rt = &roots[r];
        if (!rt->stream_q) continue;
        rt->pilot = arena ? arena + m * i++ : smp_xmalloc(m * sizeof(double));
        rt->pilot_borrowed = arena != NULL;
        any_pilot = true;
    }
    if (any_pilot) {
        size_t sel[SMP_PILOT_MAX_BLOCKS];
        size_t nsel = smp_pilot_blocks(n, sel);
        BatchArg pa = {roots, sel};
        tm_enter(ctx->timings, TM_PILOT);
        ok = smp_eval_roots_spread(ctx, nodes, (int)nr, pilot_sink, &pa, sel, nsel);
        for (size_t r = 0; r < nr && ok && spread; r++)
            if (roots[r].stream_q) smp_dist_gather_draws(ctx, roots[r].pilot, sel, nsel);
        tm_leave(ctx->timings);
        tm_enter(ctx->timings, TM_BRACKETS);
        /* each root's brackets on its own: roots over threads (the quantiles within run serially) */
#pragma omp parallel for schedule(dynamic) num_threads(threads) if (ok)
        for (size_t r = 0; r < nr; r++) {
            Root *rt = &roots[r];
            if (!rt->stream_q) continue;
            rt->qs_live = smp_qstream_init(&rt->qs, rt->pilot, m, rt->w->q, rt->w->nq, n, threads, ctx->quantile_margin_sd);
            if (!rt->qs_live) { /* a NaN in the pilot: every quantile is NaN, as quantile.c says */
                free(rt->w->qval);
                rt->w->qval = smp_xmalloc((size_t)rt->w->nq * sizeof(double));
                for (int j = 0; j < rt->w->nq; j++) rt->w->qval[j] = NAN;
                rt->w->have_q = true;
            }
        }
        tm_leave(ctx->timings);
    }
    if (ok) {
        BatchArg ma = {roots, NULL};
        size_t *first, *rest, na, nrest;
        if (any_pilot && smp_stage_blocks(n, &first, &na, &rest, &nrest)) {
            /* a tenth of the blocks, then brackets narrowed from them, then the rest: the brackets
             * keep ~2.4x fewer draws (memory, selection) and the answers are the same */
            tm_enter(ctx->timings, TM_SHARED);
            ok = smp_eval_roots_spread(ctx, nodes, (int)nr, main_sink, &ma, first, na);
            tm_leave(ctx->timings);
            tm_enter(ctx->timings, TM_BRACKETS);
#ifdef SQC_MPI
            for (size_t r = 0; r < nr && ok && spread; r++)
                if (roots[r].qs_live) smp_qstream_gather(&roots[r].qs, ctx);
#endif
#pragma omp parallel for schedule(dynamic) num_threads(threads) if (ok)
            for (size_t r = 0; r < nr; r++)
                if (roots[r].qs_live) smp_qstream_narrow(&roots[r].qs);
#ifdef SQC_MPI
            for (size_t r = 0; r < nr && ok && spread; r++)
                if (roots[r].qs_live) smp_qstream_keep_on_first(&roots[r].qs, ctx);
#endif
            tm_leave(ctx->timings);
            tm_enter(ctx->timings, TM_SHARED);
            if (ok) ok = smp_eval_roots_spread(ctx, nodes, (int)nr, main_sink, &ma, rest, nrest);
            tm_leave(ctx->timings);
            free(first);
        } else {
            tm_enter(ctx->timings, TM_SHARED);
            ok = smp_eval_roots_spread(ctx, nodes, (int)nr, main_sink, &ma, NULL, nb);
            tm_leave(ctx->timings);
        }
    }
    tm_enter(ctx->timings, TM_SELECT);
#ifdef SQC_MPI
    for (size_t r = 0; r < nr && ok && spread; r++) { /* every process's part of the main pass, to all */
        Root *rt = &roots[r];
        if (rt->qs_live) smp_qstream_gather(&rt->qs, ctx);
        if (rt->bs) smp_dist_gather(ctx, rt->bs, sizeof *rt->bs, NULL, nb);
        if (rt->all) smp_dist_gather_draws(ctx, rt->all, NULL, nb);
    }
#endif
#pragma omp parallel for schedule(dynamic) num_threads(threads)
    for (size_t r = 0; r < nr; r++) {
        Root *rt = &roots[r];
        Wish *w = rt->w;
        if (ok && rt->qs_live) {
            free(w->qval);
            w->qval = smp_xmalloc((size_t)w->nq * sizeof(double));
            w->have_q = smp_qstream_finish(&rt->qs, w->qval); /* a missed bracket: computed later */
        }
        if (ok && w->nq && !rt->stream_q) {
            free(w->qval);
            w->qval = smp_xmalloc((size_t)w->nq * sizeof(double));
            smp_quantiles_of_array(rt->all, n, w->q, w->nq, w->qval, threads, ctx->quantile_margin_sd);
            w->have_q = true;
        }
        if (ok && rt->bs) {
            /* smp_stats_finish writes a node's fields: use a scratch node, copy out */
            Samples *tmp = smp_xcalloc(1, sizeof *tmp);
            smp_stats_finish(tmp, rt->bs, n);
            w->mean = tmp->mean, w->var = tmp->var, w->min = tmp->min, w->max = tmp->max;
            w->nan_count = tmp->nan_count, w->inf_count = tmp->inf_count;
            w->have_stats = true;
            free(tmp);
        }
        if (ok && rt->keep_draws) w->draw_arr = rt->all, rt->all = NULL;
        if (rt->qs_live) smp_qstream_free(&rt->qs);
        if (!rt->pilot_borrowed) free(rt->pilot);
        free(rt->bs);
        free(rt->all);
    }
    free(nodes);
    free(roots);
    free(want);
    tm_leave(ctx->timings);
    if (!ok) *draw_bytes = draw_bytes_before;
    return ok;
}

static void compute(Prefetch *pf, SampleCtx *ctx) {
    pf->computed = true;
    pf->n = ctx->n;
    if (ctx->n == 0 || pf->len == 0) return;
    size_t m = smp_pilot_draws(ctx->n), draw_bytes = 0;
    Wish **ws = smp_xmalloc(pf->len * sizeof *ws);
    for (size_t lo = 0; lo < pf->len;) {
        size_t hi = lo, bytes = 0;
        while (hi < pf->len && hi - lo < MAX_BATCH_ROOTS) {
            size_t b = root_bytes(&pf->wishes[hi], ctx->n, m, ctx->quantile_margin_sd);
            if (hi > lo && bytes + b > BATCH_BYTES) break;
            bytes += b;
            hi++;
        }
        size_t nr = hi - lo;
        for (size_t i = 0; i < nr; i++) ws[i] = &pf->wishes[lo + i];
        /* A draw that fails (a negative sd, say) fails the pass: drop the roots that read the
         * failing node and go again. The real run meets that error where it asks, and reports it
         * there; the other roots are still answered from one pass. */
        while (nr && !run_batch(ctx, ws, nr, &draw_bytes)) {
            const Samples *bad = ctx->error_node;
            ctx->err.set = false;
            size_t kept = 0;
            for (size_t i = 0; i < nr; i++)
                if (!bad || !smp_reaches(ws[i]->node, bad)) ws[kept++] = ws[i];
            if (kept == nr) break; /* cannot happen; never loop */
            nr = kept;
        }
        lo = hi;
    }
    free(ws);
}

/* ---- serving ---- */

static void on_record(void *arg, SampleCtx *ctx, Samples *s, SmpWant want, const double *q, int k) {
    (void)ctx;
    if (want == SMP_WANT_QUANTILES) pf_wish_quantiles(arg, s, q, k);
    else if (want == SMP_WANT_STATS) pf_wish_stats(arg, s);
    else pf_wish_draws(arg, s);
}

static void on_serve(void *arg, SampleCtx *ctx, Samples *s, SmpWant want, const double *q, int k) {
    (void)want, (void)q, (void)k;
    pf_claim(arg, ctx, s);
}

void pf_record(SampleCtx *ctx, Prefetch *pf) {
    ctx->observer = pf ? (SmpObserver){on_record, pf} : (SmpObserver){NULL, NULL};
}

void pf_serve(SampleCtx *ctx, Prefetch *pf) {
    ctx->observer = pf ? (SmpObserver){on_serve, pf} : (SmpObserver){NULL, NULL};
}

void pf_claim(Prefetch *pf, SampleCtx *ctx, Samples *s) {
    if (s->fp_none || s->kind == NK_ARRAY) return;
    if (!pf->computed) compute(pf, ctx);
    if (pf->n != ctx->n) return;
    Wish *w = find(pf, s);
    if (!w) return;
    double v;
    if (w->have_q)
        for (int j = 0; j < w->nq; j++)
            if (!smp_qcache_get(s, w->q[j], &v)) smp_qcache_put(s, w->q[j], w->qval[j]);
    if (w->have_stats && !s->have_stats) {
        s->mean = w->mean, s->var = w->var, s->min = w->min, s->max = w->max;
        s->nan_count = w->nan_count, s->inf_count = w->inf_count;
        s->have_stats = true;
    }
    if (w->draw_arr && !s->draws) {
        s->draws = w->draw_arr;
        s->draws_len = ctx->n;
        w->draw_arr = NULL;
        smp_lru_add(ctx, s);
    }
}
