/* rank_bins.h — the ranks of draws that are not held (docs/scale.md, "Memory").
 *
 * Beyond the store budget sensitivity() cannot sort a variable's draws, so it ranks them through
 * bins: the edges are distinct values of a pilot (every few blocks of the run, sorted), a pass
 * counts the draws in each bin, and a draw's rank is then the number of draws in lower bins plus
 * its place in its own bin. Each pilot value is a bin of its own (an atom such as 0 of a mixture
 * gets exactly its average rank, as with a sort); in an open bin between two edges the place is
 * interpolated linearly between the edges, and in the two outer bins it is the bin's average rank.
 *
 * A rank is returned as twice the rank minus (n + 1), in fixed point with RANK_BINS_FRAC
 * fractional bits: an integer, so sums of them and of their products (128-bit) are exact and the
 * same for any thread or process count. */
#ifndef SQC_RANK_BINS_H
#define SQC_RANK_BINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RANK_BINS_FRAC 8         /* fractional bits of a returned rank */
#define RANK_BINS_EDGES 16384    /* at most this many edges: 128 KiB, searched per draw */
#define RANK_BINS_PILOT_BLOCKS 64 /* pilot blocks (of SMP_BLOCK draws) spread over the run */
#define RANK_BINS_CHUNK 1024      /* draws searched together */

typedef struct RankBins {
    double *edge;    /* m distinct values, ascending */
    size_t m;
    uint64_t *count; /* 2m + 1 bins: 2j the open bin below edge[j] (above edge[j-1]), 2j + 1 edge[j] itself */
    uint64_t *below; /* after rank_bins_finish: draws in lower bins, per bin */
    size_t n;        /* all draws, after rank_bins_finish */
} RankBins;

/* Edges from len pilot draws (no NaN; sorted in place here): at most RANK_BINS_EDGES distinct ones,
 * evenly spaced in the pilot's order. */
void rank_bins_init(RankBins *rb, double *pilot, size_t len, int threads);
void rank_bins_free(RankBins *rb);

/* The bin of x (not NaN); for x[0..len) into bin[] (faster than one at a time). */
size_t rank_bins_find(const RankBins *rb, double x);
void rank_bins_find_block(const RankBins *rb, const double *x, size_t len, uint32_t *bin);
/* Adds x[0..len) to the counts; safe from several threads at once (atomic increments). */
void rank_bins_count(RankBins *rb, const double *x, size_t len);
/* After every draw was counted (on every process): the draws below each bin. */
void rank_bins_finish(RankBins *rb);
/* 2 * rank(x) - (n + 1), times 2^RANK_BINS_FRAC, for x[0..len) into out (see above). */
void rank_bins_rank(const RankBins *rb, const double *x, size_t len, int64_t *out);

/* Exact sums of such ranks: of x's, of their squares, the same for y, and of the products x y. */
typedef __int128 RankWide;
/* Their Pearson correlation over n draws: Spearman's of x and y; 0 when either is constant (no
 * rank order to follow, as sensitivity() shows it). */
double rank_bins_corr(RankWide sx, RankWide sxx, RankWide sy, RankWide syy, RankWide sxy, size_t n);

#endif
