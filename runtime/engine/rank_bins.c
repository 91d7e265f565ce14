/* rank_bins.c — ranks of draws through counted bins (rank_bins.h). */
#include "rank_bins.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "ranks.h"

void rank_bins_init(RankBins *rb, double *pilot, size_t len, int threads) {
    memset(rb, 0, sizeof *rb);
    ranks_sort(pilot, len, threads);
    size_t step = (len + RANK_BINS_EDGES - 1) / RANK_BINS_EDGES;
    if (step == 0) step = 1;
    rb->edge = mem_alloc((len / step + 1) * sizeof *rb->edge);
    /* every step-th pilot value, once: a value that fills a run of the pilot longer than a step
     * (an atom) always becomes an edge, so its draws share a bin of their own */
    for (size_t i = step / 2; i < len; i += step)
        if (rb->m == 0 || pilot[i] != rb->edge[rb->m - 1]) rb->edge[rb->m++] = pilot[i];
    rb->count = mem_calloc(2 * rb->m + 1, sizeof *rb->count);
}

void rank_bins_free(RankBins *rb) {
    free(rb->edge);
    free(rb->count);
    free(rb->below);
    memset(rb, 0, sizeof *rb);
}

size_t rank_bins_find(const RankBins *rb, double x) {
    uint32_t bin;
    rank_bins_find_block(rb, &x, 1, &bin);
    return bin;
}

void rank_bins_find_block(const RankBins *rb, const double *x, size_t len, uint32_t *bin) {
    const double *e = rb->edge;
    size_t m = rb->m;
    if (m == 0) {
        memset(bin, 0, len * sizeof *bin);
        return;
    }
    /* a branch-free lower bound (the first edge >= x, m when none) for all draws a level at a
     * time: the draws' searches are independent, so their loads overlap instead of waiting on
     * each other (one draw's 14 dependent loads took 100 ns) */
    for (size_t i = 0; i < len; i++) bin[i] = 0;
    for (size_t width = m; width > 1;) {
        uint32_t half = (uint32_t)(width / 2);
        for (size_t i = 0; i < len; i++) /* a mask, not a branch: the comparison is a coin flip */
            bin[i] += half & (uint32_t)-(int32_t)(e[bin[i] + half - 1] < x[i]);
        width -= half;
    }
    for (size_t i = 0; i < len; i++) {
        uint32_t j = bin[i] + (e[bin[i]] < x[i]);
        bin[i] = j < m && e[j] == x[i] ? 2 * j + 1 : 2 * j;
    }
}

void rank_bins_count(RankBins *rb, const double *x, size_t len) {
    uint32_t bin[RANK_BINS_CHUNK];
    for (size_t c0 = 0; c0 < len; c0 += RANK_BINS_CHUNK) {
        size_t n = len - c0 < RANK_BINS_CHUNK ? len - c0 : RANK_BINS_CHUNK;
        rank_bins_find_block(rb, x + c0, n, bin);
        for (size_t i = 0; i < n; i++) __atomic_fetch_add(&rb->count[bin[i]], 1, __ATOMIC_RELAXED);
    }
}

void rank_bins_finish(RankBins *rb) {
    size_t nbins = 2 * rb->m + 1;
    rb->below = mem_alloc(nbins * sizeof *rb->below);
    uint64_t sum = 0;
    for (size_t b = 0; b < nbins; b++) rb->below[b] = sum, sum += rb->count[b];
    rb->n = (size_t)sum;
}

void rank_bins_rank(const RankBins *rb, const double *x, size_t len, int64_t *out) {
    const int64_t twice_mean = (int64_t)rb->n + 1, one = (int64_t)1 << RANK_BINS_FRAC;
    uint32_t bin[RANK_BINS_CHUNK];
    for (size_t c0 = 0; c0 < len; c0 += RANK_BINS_CHUNK) {
        size_t n = len - c0 < RANK_BINS_CHUNK ? len - c0 : RANK_BINS_CHUNK;
        rank_bins_find_block(rb, x + c0, n, bin);
        for (size_t i = 0; i < n; i++) {
            size_t b = bin[i], j = b / 2;
            int64_t below = (int64_t)rb->below[b], c = (int64_t)rb->count[b];
            double lo = j > 0 ? rb->edge[j - 1] : 0, hi = j < rb->m ? rb->edge[j] : 0, width = hi - lo;
            if (b % 2 == 1 || j == 0 || j == rb->m || !(width > 0 && isfinite(width))) {
                /* an edge's own bin, an outer bin, or one too wide to interpolate: the average rank */
                out[c0 + i] = (2 * below + c + 1 - twice_mean) * one;
            } else {
                /* ranks below+1 .. below+c spread evenly over (lo, hi): twice the rank is
                 * 2 below + 1 + 2 c frac, frac in (0, 1); rounded half up (no libm call) */
                double frac = (x[c0 + i] - lo) / width;
                out[c0 + i] = (2 * below + 1 - twice_mean) * one + (int64_t)(2.0 * (double)c * frac * (double)one + 0.5);
            }
        }
    }
}

double rank_bins_corr(RankWide sx, RankWide sxx, RankWide sy, RankWide syy, RankWide sxy, size_t n) {
    /* the interpolated ranks do not sum to exactly 0: the means are taken out here, in long
     * double from exact sums, so the result is the same for any thread or process count */
    long double N = (long double)n, mx = (long double)sx / N, my = (long double)sy / N;
    long double vx = (long double)sxx - mx * (long double)sx, vy = (long double)syy - my * (long double)sy;
    long double cxy = (long double)sxy - mx * (long double)sy;
    return vx > 0 && vy > 0 ? (double)(cxy / sqrtl(vx * vy)) : 0;
}
