/* select_pass.c — the draws of a node where a condition holds, in draw order, without an array of
 * either (samples.h, smp_eval_selected; docs/scale.md, "Memory"), and numpy's pairwise sum of a
 * sequence taken a few numbers at a time (SmpSumStream). */
#include "samples_internal.h"

#include "dist.h"

#include <stdlib.h>
#include <string.h>

/* ---- numpy's pairwise sum, streamed ---- */

#define LEAF_MAX 128 /* pairwise_sum's leaves: 8 accumulators up to 128 numbers, halving above */

/* Down the left edge of the part of n numbers that comes next, to its first leaf. */
static void sum_descend(SmpSumStream *p, size_t n) {
    while (n > LEAF_MAX) {
        size_t half = n / 2;
        half -= half % 8; /* pairwise_sum's split */
        p->frame[p->depth++] = (SmpSumFrame){n, half, 0, false};
        n = half;
    }
    p->leaf_want = n;
}

/* A finished part's sum v: the left half waits for its right half; a right half completes its
 * parent (left + right, pairwise_sum's order). */
static void sum_ascend(SmpSumStream *p, double v) {
    while (p->depth) {
        SmpSumFrame *f = &p->frame[p->depth - 1];
        if (!f->right) {
            f->left = v, f->right = true;
            sum_descend(p, f->n - f->half);
            return;
        }
        v = f->left + v;
        p->depth--;
    }
    p->sum = v;
    p->leaf_want = 0;
}

void smp_sumstream_init(SmpSumStream *p, size_t m) {
    p->depth = 0, p->leaf_len = 0, p->sum = 0;
    if (m) sum_descend(p, m);
    else p->leaf_want = 0;
}

void smp_sumstream_add(SmpSumStream *p, const double *x, size_t len) {
    while (len && p->leaf_want) {
        if (!p->leaf_len && len >= p->leaf_want) { /* a whole leaf in x: no copy */
            size_t w = p->leaf_want;
            sum_ascend(p, smp_pairwise_sum(x, w));
            x += w, len -= w;
            continue;
        }
        size_t take = p->leaf_want - p->leaf_len < len ? p->leaf_want - p->leaf_len : len;
        memcpy(p->leaf + p->leaf_len, x, take * sizeof *x);
        p->leaf_len += take, x += take, len -= take;
        if (p->leaf_len == p->leaf_want) {
            p->leaf_len = 0;
            sum_ascend(p, smp_pairwise_sum(p->leaf, p->leaf_want));
        }
    }
}

double smp_sumstream_value(const SmpSumStream *p) { return p->sum; }

/* ---- the selected draws, chunk by chunk ---- */

void smp_take_collect(void *arg, const double *x, size_t len) {
    SmpCollect *c = arg;
    memcpy(c->x + c->len, x, len * sizeof *x);
    c->len += len;
}

#define CHUNK_BLOCKS 64 /* blocks computed (in parallel) and held at a time: 256K draws */

typedef struct Chunk {
    const size_t *pos; /* the pass's block list (NULL: all blocks), from this chunk's first */
    size_t first, count; /* the chunk: positions [first, first+count) of the pass */
    double *x, *c; /* count blocks each, at their position in the chunk */
    int croot; /* the root that is the condition (0 when x is c) */
} Chunk;

static void chunk_sink(void *arg, int root, size_t b, const double *v, size_t len) {
    Chunk *ch = arg;
    size_t j = b - ch->first; /* all blocks: the position is the block */
    if (ch->pos) { /* ascending: find b's position */
        size_t lo = 0, hi = ch->count;
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (ch->pos[mid] <= b) lo = mid;
            else hi = mid;
        }
        j = lo;
    }
    memcpy((root == ch->croot ? ch->c : ch->x) + j * SMP_BLOCK, v, len * sizeof *v);
}

bool smp_eval_selected(SampleCtx *ctx, Samples *x, Samples *c, const size_t *sel, size_t nsel, SmpTakeFn take,
                       void *arg) {
    size_t n = ctx->n, nb = smp_nblocks(n), total = sel ? nsel : nb;
    bool same = x == c;
    Samples *roots[2] = {c, x};
    double *buf = smp_xmalloc((same ? 2 : 3) * (size_t)CHUNK_BLOCKS * SMP_BLOCK * sizeof *buf);
    Chunk ch = {NULL, 0, 0, buf + (size_t)CHUNK_BLOCKS * SMP_BLOCK, buf, 0};
    double *out = same ? ch.x : buf + 2 * (size_t)CHUNK_BLOCKS * SMP_BLOCK;
    if (same) ch.x = ch.c;
    size_t *list = smp_xmalloc(CHUNK_BLOCKS * sizeof *list);
    bool ok = true;
    for (size_t j0 = 0; j0 < total && ok; j0 += CHUNK_BLOCKS) {
        size_t count = total - j0 < CHUNK_BLOCKS ? total - j0 : CHUNK_BLOCKS;
        for (size_t j = 0; j < count; j++) list[j] = sel ? sel[j0 + j] : j0 + j;
        ch.pos = sel ? list : NULL;
        ch.first = sel ? 0 : j0;
        ch.count = count;
        /* spread over an MPI run's processes, then every process holds the whole chunk (dist.h) */
        ok = smp_eval_roots_spread(ctx, roots, same ? 1 : 2, chunk_sink, &ch, list, count);
        if (!ok) break;
        if (smp_spread(ctx)) {
            smp_dist_gather_draws(ctx, ch.c, list, count);
            if (!same) smp_dist_gather_draws(ctx, ch.x, list, count);
        }
        size_t m = 0; /* in draw order, on this thread: the order the callers' sums depend on */
        for (size_t j = 0; j < count; j++) {
            size_t b = list[j], len = b == nb - 1 ? n - b * SMP_BLOCK : SMP_BLOCK;
            const double *xv = ch.x + j * SMP_BLOCK, *cv = ch.c + j * SMP_BLOCK;
            for (size_t i = 0; i < len; i++) { /* no branch: which draws hold is random */
                out[m] = xv[i];
                m += cv[i] != 0;
            }
        }
        if (m) take(arg, out, m);
    }
    free(list);
    free(buf);
    return ok;
}

/* ---- quantiles of the selected draws ---- */

static void scan_take(void *arg, const double *x, size_t len) { smp_qstream_scan(arg, 0, x, len); }

int smp_quantiles_selected(SampleCtx *ctx, Samples *x, Samples *c, size_t m, const double *q, int k, double *out) {
    size_t sel[SMP_PILOT_MAX_BLOCKS];
    size_t nsel = smp_pilot_blocks(ctx->n, sel);
    SmpCollect pt = {smp_xmalloc(nsel * SMP_BLOCK * sizeof(double)), 0};
    if (!smp_eval_selected(ctx, x, c, sel, nsel, smp_take_collect, &pt)) {
        ctx->err.set = false; /* the caller's pass reports the lowest failing draw instead */
        free(pt.x);
        return 0;
    }
    if (pt.len < 2) { /* too few to place brackets by */
        free(pt.x);
        return 0;
    }
    QStream qs;
    bool no_nan = smp_qstream_init(&qs, pt.x, pt.len, q, k, m, 1, ctx->quantile_margin_sd);
    free(pt.x);
    if (!no_nan) {
        for (int j = 0; j < k; j++) out[j] = NAN; /* numpy: any NaN draw makes every quantile NaN */
        return 1;
    }
    /* a tenth of the blocks first, then the brackets narrowed to what they place (quantile.c) */
    size_t *first = NULL, *rest, na, nrest;
    bool ok;
    if (smp_stage_blocks(ctx->n, &first, &na, &rest, &nrest)) {
        ok = smp_eval_selected(ctx, x, c, first, na, scan_take, &qs);
        if (ok) smp_qstream_narrow(&qs);
        ok = ok && smp_eval_selected(ctx, x, c, rest, nrest, scan_take, &qs);
    } else {
        ok = smp_eval_selected(ctx, x, c, NULL, 0, scan_take, &qs);
    }
    free(first);
    int done = !ok ? -1 : smp_qstream_finish(&qs, out) ? 1 : 0;
    smp_qstream_free(&qs);
    return done;
}
