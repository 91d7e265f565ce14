/* ranks.c — radix sorts of draws and Spearman's rank correlation (ranks.h). */
#include "ranks.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void *xmalloc(size_t size) {
    void *p = malloc(size ? size : 1);
    if (!p) abort();
    return p;
}

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

/* Stable LSD radix sort of keys k[0..n), carrying v[0..n) along when v is non-NULL. All the digits'
 * counts in one read; a pass where every key has the same digit is skipped. */
static void radix(uint64_t *k, uint32_t *v, size_t n) {
    uint64_t *kt = xmalloc(n * sizeof *kt);
    uint32_t *vt = v ? xmalloc(n * sizeof *vt) : NULL;
    size_t(*count)[RADIX] = calloc(PASSES, sizeof *count);
    if (!count) abort();
    for (size_t i = 0; i < n; i++)
        for (int p = 0; p < PASSES; p++) count[p][(k[i] >> (p * DIGIT)) & (RADIX - 1)]++;
    uint64_t *ks = k, *kd = kt;
    uint32_t *vs = v, *vd = vt;
    for (int p = 0; p < PASSES; p++) {
        int shift = p * DIGIT;
        if (count[p][(k[0] >> shift) & (RADIX - 1)] == n) continue;
        size_t sum = 0;
        for (size_t d = 0; d < RADIX; d++) {
            size_t c = count[p][d];
            count[p][d] = sum, sum += c;
        }
        size_t *at = count[p];
        if (v) {
            for (size_t i = 0; i < n; i++) {
                size_t j = at[(ks[i] >> shift) & (RADIX - 1)]++;
                kd[j] = ks[i], vd[j] = vs[i];
            }
            uint32_t *t = vs;
            vs = vd, vd = t;
        } else {
            for (size_t i = 0; i < n; i++) kd[at[(ks[i] >> shift) & (RADIX - 1)]++] = ks[i];
        }
        uint64_t *t = ks;
        ks = kd, kd = t;
    }
    if (ks != k) memcpy(k, ks, n * sizeof *k);
    if (v && vs != v) memcpy(v, vs, n * sizeof *v);
    free(kt);
    free(vt);
    free(count);
}

void ranks_sort(double *x, size_t n) {
    if (n < 2) return;
    uint64_t *k = xmalloc(n * sizeof *k);
    for (size_t i = 0; i < n; i++) k[i] = key_of(x[i]);
    radix(k, NULL, n);
    for (size_t i = 0; i < n; i++) x[i] = double_of(k[i]);
    free(k);
}

void ranks_order(const double *x, size_t n, uint32_t *order) {
    uint64_t *k = xmalloc((n ? n : 1) * sizeof *k);
    for (size_t i = 0; i < n; i++) k[i] = key_of(x[i]), order[i] = (uint32_t)i;
    if (n > 1) radix(k, order, n);
    free(k);
}

double *ranks_average(const double *x, size_t n) {
    uint32_t *o = xmalloc(n * sizeof *o);
    double *r = xmalloc(n * sizeof *r);
    ranks_order(x, n, o);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && x[o[j + 1]] == x[o[i]]) j++;
        double avg = (double)(i + j) / 2 + 1;
        for (size_t t = i; t <= j; t++) r[o[t]] = avg;
        i = j + 1;
    }
    free(o);
    return r;
}

double ranks_corr(const double *rx, const double *ry, size_t n) {
    if (n < 2) return NAN;
    double m = (double)(n + 1) / 2, sxy = 0, sxx = 0, syy = 0; /* the mean rank, ties or not */
    for (size_t i = 0; i < n; i++) {
        double dx = rx[i] - m, dy = ry[i] - m;
        sxy += dx * dy, sxx += dx * dx, syy += dy * dy;
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}

double ranks_spearman(const double *x, const double *y, size_t n) {
    if (n < 2) return NAN;
    double *rx = ranks_average(x, n), *ry = ranks_average(y, n);
    double r = ranks_corr(rx, ry, n);
    free(rx);
    free(ry);
    return r;
}
