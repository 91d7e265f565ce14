/* ranks.c — radix sorts of draws and Spearman's rank correlation (ranks.h). */
#include "ranks.h"

#include "mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* An order-preserving map of a double's bits to an unsigned integer. */
static inline uint64_t key_of(double x) {
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b >> 63 ? ~b : b | 0x8000000000000000u;
}

static inline double double_of(uint64_t k) {
    uint64_t b = k >> 63 ? k & 0x7FFFFFFFFFFFFFFFu : ~k;
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

#define DIGIT 11 /* bits per pass: 2048 counters stay in L1, six passes cover 64 bits */
#define PASSES 6
#define RADIX (1u << DIGIT)
#define PARALLEL_FROM 65536 /* fewer keys: one thread */

/* The threads for n keys: one below PARALLEL_FROM. */
static int threads_for(size_t n, int threads) { return n >= PARALLEL_FROM && threads > 1 ? threads : 1; }

/* Stable LSD radix sort of keys k[0..n), carrying v[0..n) along when v is non-NULL. A pass where
 * every key has the same digit is skipped (the bits where some key differs from k[0]: an OR over
 * all keys, any split exact). With several threads each pass counts and scatters a chunk per
 * thread, chunk t's keys of a digit placed after chunk t-1's: the stable order, which is unique,
 * so the result is the same for any thread count. Every loop over the keys runs on the threads:
 * one left on a single thread bounds the speed-up on many (bench/README.md, "Thread scaling"). */
static void radix(uint64_t *k, uint32_t *v, size_t n, int threads) {
    int T = threads_for(n, threads);
    uint64_t *kt = mem_alloc(n * sizeof *kt);
    uint32_t *vt = v ? mem_alloc(n * sizeof *vt) : NULL;
    size_t(*at)[RADIX] = mem_calloc((size_t)T, sizeof *at); /* per chunk: where its next key of a digit goes */
    uint64_t differ = 0, k0 = k[0];
#pragma omp parallel for schedule(static) num_threads(T) reduction(| : differ)
    for (size_t i = 0; i < n; i++) differ |= k[i] ^ k0;
    uint64_t *ks = k, *kd = kt;
    uint32_t *vs = v, *vd = vt;
    for (int p = 0; p < PASSES; p++) {
        int shift = p * DIGIT;
        if (!((differ >> shift) & (RADIX - 1))) continue;
#pragma omp parallel num_threads(T)
        {
#ifdef _OPENMP
            int t = omp_get_thread_num();
#else
            int t = 0;
#endif
            size_t lo = n * (size_t)t / (size_t)T, hi = n * (size_t)(t + 1) / (size_t)T;
            size_t *c = at[t];
            memset(c, 0, RADIX * sizeof *c);
            for (size_t i = lo; i < hi; i++) c[(ks[i] >> shift) & (RADIX - 1)]++;
#pragma omp barrier
#pragma omp single
            {
                size_t sum = 0;
                for (size_t d = 0; d < RADIX; d++)
                    for (int u = 0; u < T; u++) {
                        size_t cnt = at[u][d];
                        at[u][d] = sum, sum += cnt;
                    }
            }
            if (v) {
                for (size_t i = lo; i < hi; i++) {
                    size_t j = c[(ks[i] >> shift) & (RADIX - 1)]++;
                    kd[j] = ks[i], vd[j] = vs[i];
                }
            } else {
                for (size_t i = lo; i < hi; i++) kd[c[(ks[i] >> shift) & (RADIX - 1)]++] = ks[i];
            }
        }
        uint64_t *t = ks;
        ks = kd, kd = t;
        uint32_t *tv = vs;
        vs = vd, vd = tv;
    }
    if (ks != k || (v && vs != v)) { /* an odd number of passes ran: back into k and v */
#pragma omp parallel for schedule(static) num_threads(T)
        for (size_t c = 0; c < n; c += PARALLEL_FROM) {
            size_t len = n - c < PARALLEL_FROM ? n - c : PARALLEL_FROM;
            if (ks != k) memcpy(k + c, ks + c, len * sizeof *k);
            if (v && vs != v) memcpy(v + c, vs + c, len * sizeof *v);
        }
    }
    free(kt);
    free(vt);
    free(at);
}

void ranks_sort(double *x, size_t n, int threads) {
    if (n < 2) return;
    int T = threads_for(n, threads);
    uint64_t *k = mem_alloc(n * sizeof *k);
#pragma omp parallel for schedule(static) num_threads(T)
    for (size_t i = 0; i < n; i++) k[i] = key_of(x[i]);
    radix(k, NULL, n, threads);
#pragma omp parallel for schedule(static) num_threads(T)
    for (size_t i = 0; i < n; i++) x[i] = double_of(k[i]);
    free(k);
}

void ranks_order(const double *x, size_t n, uint32_t *order, int threads) {
    int T = threads_for(n, threads);
    uint64_t *k = mem_alloc((n ? n : 1) * sizeof *k);
#pragma omp parallel for schedule(static) num_threads(T)
    for (size_t i = 0; i < n; i++) k[i] = key_of(x[i]), order[i] = (uint32_t)i;
    if (n > 1) radix(k, order, n, threads);
    free(k);
}

/* The first index of chunk t of T over sorted keys k[0..n) that starts a run of equal keys (or n):
 * the chunks then hold whole runs. */
static size_t run_start(const uint64_t *k, size_t n, int t, int T) {
    size_t i = n * (size_t)t / (size_t)T;
    while (i > 0 && i < n && k[i] == k[i - 1]) i++;
    return i;
}

double *ranks_average(const double *x, size_t n, int threads) {
    int T = threads_for(n, threads);
    uint32_t *o = mem_alloc((n ? n : 1) * sizeof *o);
    uint64_t *k = mem_alloc((n ? n : 1) * sizeof *k);
    double *r = mem_alloc((n ? n : 1) * sizeof *r);
#pragma omp parallel for schedule(static) num_threads(T)
    for (size_t i = 0; i < n; i++) k[i] = key_of(x[i] == 0 ? 0.0 : x[i]), o[i] = (uint32_t)i; /* -0 ties +0 */
    if (n > 1) radix(k, o, n, threads);
    /* a run of equal keys shares its average rank; each thread takes the runs that start in its
     * chunk (o is a permutation: the writes to r never meet) */
#pragma omp parallel num_threads(T)
    {
#ifdef _OPENMP
        int t = omp_get_thread_num();
#else
        int t = 0;
#endif
        size_t hi = run_start(k, n, t + 1, T);
        for (size_t i = run_start(k, n, t, T); i < hi;) {
            size_t j = i;
            while (j + 1 < n && k[j + 1] == k[i]) j++;
            double avg = (double)(i + j) / 2 + 1;
            for (size_t u = i; u <= j; u++) r[o[u]] = avg;
            i = j + 1;
        }
    }
    free(o);
    free(k);
    return r;
}

/* Ranks are multiples of 1/2, and so is their mean (n + 1) / 2 (ties or not): twice a rank's
 * distance from the mean is a whole number below n in size, so the sums of products are exact
 * in 128-bit integers, in any order: chunks on every thread, then the chunks' sums. Each sum is
 * rounded once, to a double; below about 300,000 draws, where a double holds every partial sum
 * exactly, that is the serial sum of doubles this replaced, to the bit. */
typedef __int128 Wide;
#define CORR_CHUNK 65536

double ranks_corr(const double *rx, const double *ry, size_t n, int threads) {
    if (n < 2) return NAN;
    int T = threads_for(n, threads);
    size_t nc = (n + CORR_CHUNK - 1) / CORR_CHUNK;
    Wide(*part)[3] = mem_alloc(nc * sizeof *part);
    const int64_t twice_mean = (int64_t)n + 1;
#pragma omp parallel for schedule(static) num_threads(T)
    for (size_t c = 0; c < nc; c++) {
        size_t end = n - c * CORR_CHUNK < CORR_CHUNK ? n : (c + 1) * CORR_CHUNK;
        Wide sxy = 0, sxx = 0, syy = 0;
        for (size_t i = c * CORR_CHUNK; i < end; i++) {
            int64_t dx = (int64_t)(2 * rx[i]) - twice_mean, dy = (int64_t)(2 * ry[i]) - twice_mean;
            sxy += (Wide)dx * dy, sxx += (Wide)dx * dx, syy += (Wide)dy * dy;
        }
        part[c][0] = sxy, part[c][1] = sxx, part[c][2] = syy;
    }
    Wide s[3] = {0, 0, 0};
    for (size_t c = 0; c < nc; c++) s[0] += part[c][0], s[1] += part[c][1], s[2] += part[c][2];
    free(part);
    /* the sums of (2 dx)(2 dy): a quarter of each is the sum of dx dy */
    double sxy = (double)s[0] / 4, sxx = (double)s[1] / 4, syy = (double)s[2] / 4;
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}

double ranks_spearman(const double *x, const double *y, size_t n, int threads) {
    if (n < 2) return NAN;
    double *rx = ranks_average(x, n, threads), *ry = ranks_average(y, n, threads);
    double r = ranks_corr(rx, ry, n, threads);
    free(rx);
    free(ry);
    return r;
}
