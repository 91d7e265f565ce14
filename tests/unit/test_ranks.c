/* test_ranks.c — the radix sorts and average ranks of ranks.c (ranks.h) against a plain
 * reference (qsort by value, ties in index order), at 1 to 7 threads, which must give the same
 * bits: many ties (runs of equal keys that cross the threads' chunks: ranks_average splits its
 * work at the start of a run), every key equal (one run over all chunks), -0 beside +0, and keys
 * that differ in one digit only (one radix pass: the sorted keys are copied back). ranks_corr:
 * the same bits at every thread count, and below 300,000 draws (where a double holds every
 * partial sum exactly) the same as the plain serial sum of doubles. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ranks.h"

static int passed, failed;

static void check(const char *what, bool ok) {
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL %s\n", what);
    }
}

static const double *ref_x;

/* by value (-0 before +0, as the radix sort orders them), then by index: a stable sort */
static int by_value(const void *pa, const void *pb) {
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    double x = ref_x[a], y = ref_x[b];
    if (x != y) return x < y ? -1 : 1;
    if (signbit(x) != signbit(y)) return signbit(x) ? -1 : 1;
    return a < b ? -1 : a > b;
}

static uint32_t *ref_order(const double *x, size_t n) {
    uint32_t *o = malloc(n * sizeof *o);
    for (size_t i = 0; i < n; i++) o[i] = (uint32_t)i;
    ref_x = x;
    qsort(o, n, sizeof *o, by_value);
    return o;
}

/* average ranks, ties (with -0 == +0) sharing theirs */
static double *ref_average(const double *x, size_t n) {
    uint32_t *o = ref_order(x, n);
    double *r = malloc(n * sizeof *r);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && x[o[j + 1]] == x[o[i]]) j++;
        for (size_t t = i; t <= j; t++) r[o[t]] = (double)(i + j) / 2 + 1;
        i = j + 1;
    }
    free(o);
    return r;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t next(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* the serial sum of doubles ranks_corr was until its sums became exact 128-bit integers */
static double serial_corr(const double *rx, const double *ry, size_t n) {
    double m = (double)(n + 1) / 2, sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = rx[i] - m, dy = ry[i] - m;
        sxy += dx * dy, sxx += dx * dx, syy += dy * dy;
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}

static void check_corr(const char *name, const double *x, const double *y, size_t n, bool exact) {
    char what[160];
    double *rx = ranks_average(x, n, 1), *ry = ranks_average(y, n, 1);
    double want = serial_corr(rx, ry, n), one = ranks_corr(rx, ry, n, 1);
    snprintf(what, sizeof what, "%s: ranks_corr %.17g, serial sum %.17g", name, one, want);
    check(what, exact ? memcmp(&one, &want, sizeof one) == 0 : fabs(one - want) < 1e-12);
    for (int threads = 2; threads <= 7; threads++) {
        double r = ranks_corr(rx, ry, n, threads);
        snprintf(what, sizeof what, "%s: ranks_corr at %d threads %.17g, at 1 %.17g", name, threads, r, one);
        check(what, memcmp(&r, &one, sizeof r) == 0);
    }
    free(rx);
    free(ry);
}

static void check_case(const char *name, const double *x, size_t n) {
    char what[160];
    uint32_t *ro = ref_order(x, n);
    double *ra = ref_average(x, n);
    for (int threads = 1; threads <= 7; threads++) {
        double *r = ranks_average(x, n, threads);
        snprintf(what, sizeof what, "%s: ranks_average at %d threads", name, threads);
        check(what, memcmp(r, ra, n * sizeof *r) == 0);
        free(r);

        uint32_t *o = malloc(n * sizeof *o);
        ranks_order(x, n, o, threads);
        snprintf(what, sizeof what, "%s: ranks_order at %d threads", name, threads);
        check(what, memcmp(o, ro, n * sizeof *o) == 0);
        free(o);

        double *s = malloc(n * sizeof *s);
        memcpy(s, x, n * sizeof *s);
        ranks_sort(s, n, threads);
        bool same = true;
        for (size_t i = 0; i < n && same; i++) same = memcmp(&s[i], &x[ro[i]], sizeof *s) == 0;
        snprintf(what, sizeof what, "%s: ranks_sort at %d threads", name, threads);
        check(what, same);
        free(s);
    }
    free(ro);
    free(ra);
}

int main(void) {
    size_t n = 300001; /* above ranks.c's PARALLEL_FROM, and not a multiple of any thread count */
    double *x = malloc(n * sizeof *x);

    for (size_t i = 0; i < n; i++) x[i] = (double)(next() % 37) - 18; /* runs of ~8,000 */
    for (size_t i = 0; i < n; i += 97) x[i] = -0.0;                    /* -0 ties +0 */
    check_case("37 values", x, n);

    for (size_t i = 0; i < n; i++) x[i] = (double)(next() >> 11) * 0x1p-53 * 1e6 - 5e5;
    check_case("distinct", x, n);

    for (size_t i = 0; i < n; i++) x[i] = 2.5;
    check_case("all equal", x, n);

    for (size_t i = 0; i < n; i++) x[i] = 1.0 + (double)(next() % 2048) * 0x1p-52; /* low 11 bits */
    check_case("one digit", x, n);

    for (size_t i = 0; i < n; i++) x[i] = i < n / 2 ? 1.0 : (double)(i % 3); /* a run over half */
    check_case("a long run", x, n);

    double *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        x[i] = (double)(next() % 1000);                  /* ties */
        y[i] = x[i] + (double)(next() >> 11) * 0x1p-53 * 800; /* correlated with x */
    }
    check_corr("100000 draws", x, y, 100000, true);
    check_corr("300001 draws", x, y, n, false);
    for (size_t i = 0; i < n; i++) y[i] = 7;
    double *rx = ranks_average(x, n, 2), *ry = ranks_average(y, n, 2);
    check("ranks_corr of a constant is NaN", isnan(ranks_corr(rx, ry, n, 3)));
    free(rx);
    free(ry);
    free(y);
    free(x);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
