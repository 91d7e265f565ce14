/* ttb_limit.c — time-to-botec as plain C: our "physical limit" for sqc on this model.
 *
 * The same sampling algorithms as sqc's runtime (the counter-based hash of runtime/engine/internal/rng_inline.h,
 * the block Box-Muller of runtime/engine/samples_normal.c and runtime/engine/rng_blocks.c, included here), with
 * nothing interpreted:
 * for each 4096-draw block, pick a component per draw (hashing vectorized, also for AVX2/AVX-512;
 * counting without a branch), then draw each lognormal component only for the draws that picked
 * it (gathered; Box-Muller on samples_normal.c's own log and sin/cos, vectorized for any width),
 * and sum. One thread. Built by bench/run.sh with the flags sqc builds samples_normal.c with.
 * usage: ttb_limit N   prints the mean (~0.887) */
#include "samples_normal.c"
#include "rng_blocks.c"
#include "rng_inline.h"

#include <stdio.h>
#include <stdlib.h>

/* Uniforms by the counter hash, built as runtime/engine/rng_blocks.c builds them (also for AVX2 and
 * AVX-512: integer hashing only, the same bits at any width). */
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default"))) static void
uniforms(double *restrict u, uint64_t key, size_t i0, size_t len) {
    for (size_t i = 0; i < len; i++) u[i] = rng_open01_inline(key, i0 + i, 0);
}

/* The Box-Muller uniforms of the pairs holding draws idx[0..m). */
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default"))) static void
gathered_uniforms(double *restrict r, double *restrict a, uint64_t key, const uint64_t *idx, size_t m) {
    for (size_t j = 0; j < m; j++) {
        r[j] = rng_open01_inline(key, idx[j] >> 1, 0);
        a[j] = rng_open01_inline(key, idx[j] >> 1, 1);
    }
}


#define Z90 1.6448536269514722

static double pairwise(const double *x, size_t n) {
    if (n <= 64) {
        double s = 0;
        for (size_t i = 0; i < n; i++) s += x[i];
        return s;
    }
    return pairwise(x, n / 2) + pairwise(x + n / 2, n - n / 2);
}

int main(int argc, char **argv) {
    size_t n = argc > 1 ? (size_t)strtod(argv[1], NULL) : 1000000;
    const double p_c = 0.8 * 0.5;
    const double cumw[3] = {1 - p_c, 1 - p_c + p_c / 2, 1 - p_c + 3 * p_c / 4};
    const double lo[2] = {1, 2}, hi[2] = {3, 10};
    double mu[2], sg[2];
    for (int c = 0; c < 2; c++) {
        mu[c] = (log(lo[c]) + log(hi[c])) / 2;
        sg[c] = (log(hi[c]) - log(lo[c])) / (2 * Z90);
    }
    const uint64_t kmix = 0x1234567, kcomp[2] = {0xabcdef1, 0x7654321};
    static double out[SMP_BLOCK], r[SMP_BLOCK], a[SMP_BLOCK], v[SMP_BLOCK], pc[SMP_BLOCK], zc[SMP_BLOCK], zs[SMP_BLOCK];
    static uint64_t idx[2][SMP_BLOCK];
    double total = 0;
    for (size_t i0 = 0; i0 < n; i0 += SMP_BLOCK) {
        size_t len = n - i0 < SMP_BLOCK ? n - i0 : SMP_BLOCK, m[2] = {0, 0};
        uniforms(out, kmix, i0, len); /* the picking uniforms, overwritten below */
        for (size_t i = 0; i < len; i++) {
            double u = out[i];
            pc[i] = (u >= cumw[0] ? 1.0 : 0.0) + (u >= cumw[1] ? 1.0 : 0.0) + (u >= cumw[2] ? 1.0 : 0.0);
            out[i] = pc[i] == 1.0 ? 1.0 : 0.0;
        }
        for (int c = 0; c < 2; c++) /* the draws that picked each lognormal, without a branch */
            for (size_t i = 0; i < len; i++) {
                idx[c][m[c]] = i0 + i;
                m[c] += pc[i] == 2.0 + c;
            }
        for (int c = 0; c < 2; c++) {
            size_t mc = m[c];
            gathered_uniforms(r, a, kcomp[c], idx[c], mc);
            box_muller(zc, zs, r, a, mc); /* samples_normal.c's, the same draws as sqc's */
            for (size_t j = 0; j < mc; j++) v[j] = exp(mu[c] + sg[c] * ((idx[c][j] & 1) ? zs[j] : zc[j]));
            for (size_t j = 0; j < mc; j++) out[idx[c][j] - i0] = v[j];
        }
        total += pairwise(out, len);
    }
    printf("%.17g\n", total / (double)n);
    return 0;
}
