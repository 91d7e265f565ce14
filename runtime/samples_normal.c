/* samples_normal.c — the block Box-Muller sampler, in its own file so it can be built with
 * -O3 -ffast-math: then gcc vectorizes log/sin/cos through glibc's libmvec. Fast-math is safe
 * here: every input is a finite uniform in (0, 1), and there are no reductions to reassociate.
 * Build it either as its own translation unit (with those flags, and -DSQC_FAST_NORMAL for
 * samples_eval.c) or not at all: samples_eval.c then #includes it (correct, ~5x slower). */
#include "samples_internal.h"

#include <math.h>

#define TWO_PI 6.283185307179586476925286766559

/* Standard normals for draws i0 .. i0+len-1 (i0 even). Pair k = i/2 gives draw 2k the cosine
 * and draw 2k+1 the sine half, so each draw is a pure function of its index. The hash runs in
 * its own function (integer only, so it is also built for AVX2 and AVX-512: 64-bit multiplies do
 * not vectorize on baseline x86-64) and sin and cos in separate loops (gcc would fuse them into
 * sincos, which has no vector form). */

void smp_std_normal_block(double *restrict z, uint64_t key, size_t i0, size_t len) {
    double r[SMP_BLOCK / 2 + 1], a[SMP_BLOCK / 2 + 1], c[SMP_BLOCK / 2 + 1], s[SMP_BLOCK / 2 + 1];
    uint64_t k0 = i0 / 2;
    size_t np = (len + 1) / 2; /* an odd final block uses only the cosine of its last pair */
    smp_uniform_pairs(r, a, key, k0, np);
    for (size_t p = 0; p < np; p++) {
        r[p] = sqrt(-2.0 * log(r[p]));
        a[p] *= TWO_PI;
    }
    for (size_t p = 0; p < np; p++) c[p] = r[p] * cos(a[p]);
    for (size_t p = 0; p < np; p++) s[p] = r[p] * sin(a[p]);
    for (size_t p = 0; p < len / 2; p++) {
        z[2 * p] = c[p];
        z[2 * p + 1] = s[p];
    }
    if (len & 1) z[len - 1] = c[np - 1];
}

/* The standard normal pairs pairs[0..m) (pair k: draws 2k and 2k+1) of stream key: cosine halves
 * into zc, sine halves into zs (m <= SMP_BLOCK / 2). The same loops as smp_std_normal_block over
 * the gathered pairs, padded to a multiple of 8 with copies of the last pair, so that every pair
 * goes through the same vector lanes of libmvec as in a full block: the values are bit-identical
 * to those of smp_std_normal_block for any full block. (A final partial block with an odd pair
 * count computes its last pair with scalar libm, which can differ in the last bit: callers
 * compute that block densely instead.) */
void smp_std_normal_pairs(double *restrict zc, double *restrict zs, uint64_t key, const uint64_t *pairs,
                          size_t m) {
    double r[SMP_BLOCK / 2 + 8], a[SMP_BLOCK / 2 + 8], c[SMP_BLOCK / 2 + 8], s[SMP_BLOCK / 2 + 8];
    if (m == 0) return;
    size_t np = (m + 7) & ~(size_t)7;
    smp_uniform_pairs_at(r, a, key, pairs, m, np);
    for (size_t p = 0; p < np; p++) {
        r[p] = sqrt(-2.0 * log(r[p]));
        a[p] *= TWO_PI;
    }
    for (size_t p = 0; p < np; p++) c[p] = r[p] * cos(a[p]);
    for (size_t p = 0; p < np; p++) s[p] = r[p] * sin(a[p]);
    for (size_t p = 0; p < m; p++) {
        zc[p] = c[p];
        zs[p] = s[p];
    }
}
