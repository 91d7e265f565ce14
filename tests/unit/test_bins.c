/* test_bins.c — unit tests for stdlib/chart.c's bins: bins_count (the vectorized count over many
 * draws) must give exactly the counts of bins_index applied draw by draw, for draws on and next to
 * every edge, at the ends, outside the range, NaN and infinite, in runs long enough to be split
 * over threads. Exit status 0 when every check passes, 1 otherwise. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"

static int passed, failed;

static void check(const char *what, int ok) {
    if (ok) passed++;
    else {
        failed++;
        printf("FAIL %s\n", what);
    }
}

static uint64_t state = 88172645463325252ull;
static double uniform(void) { /* xorshift64: reproducible, no library needed */
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    return (double)(state >> 11) * 0x1p-53;
}

/* Counts of bins_count and of bins_index draw by draw agree, and cover every placeable draw. */
static void check_counts(const char *what, const Bins *b, const double *x, size_t n) {
    size_t *got = calloc((size_t)b->n, sizeof *got), *want = calloc((size_t)b->n, sizeof *want);
    bins_count(NULL, b, x, n, got);
    size_t placed = 0;
    for (size_t i = 0; i < n; i++) {
        int k = bins_index(b, x[i]);
        if (k >= 0) want[k]++, placed++;
    }
    int same = 1;
    size_t sum = 0;
    for (int k = 0; k < b->n; k++) {
        if (got[k] != want[k]) {
            if (same) printf("  %s: bin %d: bins_count %zu, bins_index %zu\n", what, k, got[k], want[k]);
            same = 0;
        }
        sum += got[k];
    }
    char msg[200];
    snprintf(msg, sizeof msg, "bins_count = bins_index draw by draw: %s (n=%zu, %d bins)", what, n, b->n);
    check(msg, same && sum == placed);
    free(got);
    free(want);
}

/* Draws on each edge, one ulp either side of it, at both ends, outside, NaN and inf, then
 * uniform fill: n in all. */
static double *edge_draws(const Bins *b, size_t n) {
    double *x = malloc(n * sizeof *x);
    size_t m = 0;
    for (int i = 0; i <= b->n && m + 3 <= n; i++) {
        double e = bins_edge(b, i);
        x[m++] = e, x[m++] = nextafter(e, -INFINITY), x[m++] = nextafter(e, INFINITY);
    }
    double special[] = {NAN, INFINITY, -INFINITY, b->lo - 1, b->hi + 1, -0.0, 0.0};
    for (size_t i = 0; i < sizeof special / sizeof special[0] && m < n; i++) x[m++] = special[i];
    while (m < n) x[m++] = b->lo + (b->hi - b->lo) * uniform();
    for (size_t i = n - 1; i > 0; i--) { /* shuffle: edge cases land in every chunk position */
        size_t j = (size_t)(uniform() * (double)(i + 1));
        double t = x[i];
        x[i] = x[j], x[j] = t;
    }
    return x;
}

int main(void) {
    struct {
        double lo, hi;
        int nb;
    } cases[] = {
        {0, 1, 10},         {-3.7, 12.25, 30},   {1.26e6, 1.54e6, 30},  {-1e-300, 1e-300, 7},
        {1e15, 1e15 + 64, 50}, {-5, -4.999999999, 40}, {0, 1e308, 30}, {0.1, 0.3, 1},
    };
    size_t ns[] = {1, 7, 1023, 1025, 4096 + 5, 300001};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (size_t t = 0; t < sizeof ns / sizeof ns[0]; t++) {
            Bins b = {.n = cases[c].nb, .lo = cases[c].lo, .hi = cases[c].hi};
            double *x = edge_draws(&b, ns[t]);
            char what[80];
            snprintf(what, sizeof what, "[%g, %g]", b.lo, b.hi);
            check_counts(what, &b, x, ns[t]);
            free(x);
        }
    /* every draw exactly on an edge, many of them */
    Bins b = {.n = 30, .lo = -2.5, .hi = 7.125};
    size_t n = 200000;
    double *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++) x[i] = bins_edge(&b, (int)(i % 31));
    check_counts("all draws on edges", &b, x, n);
    free(x);
    printf("bins: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
