/* ranks.h — sorting draws and their order, for rank statistics (correlate, sensitivity).
 *
 * LSD radix sorts on the bits of the doubles, 11 bits a pass, over `threads` threads: at 10M
 * draws GSL's heapsort (gsl_sort_index) took 24 s on the development machine, these about a
 * second. Stable, so the result is the same for any thread count. The doubles must not be NaN
 * (callers check); -0 sorts before +0 (and ties with it in ranks_average). */
#ifndef SQC_RANKS_H
#define SQC_RANKS_H

#include <stddef.h>
#include <stdint.h>

/* Sorts x[0..n) ascending. */
void ranks_sort(double *x, size_t n, int threads);
/* order[r] = the index of the r-th smallest x (ties in index order); n < 2^32. */
void ranks_order(const double *x, size_t n, uint32_t *order, int threads);
/* The ranks 1..n of x (malloc'd), ties sharing their average rank (-0 ties +0). */
double *ranks_average(const double *x, size_t n, int threads);
/* The Pearson correlation of two rank vectors from ranks_average (multiples of 1/2; n < 2^62);
 * NaN when either is constant. Its sums are exact, so it is the same for any thread count. */
double ranks_corr(const double *rx, const double *ry, size_t n, int threads);
/* The Spearman correlation of x and y (n draws each, no NaN): the Pearson correlation of their
 * ranks, ties sharing their average rank. NaN when either is constant. */
double ranks_spearman(const double *x, const double *y, size_t n, int threads);

#endif
