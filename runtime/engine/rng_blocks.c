/* rng_blocks.c — blocks of counter-hash uniforms, for the samplers in samples_eval.c and
 * samples_normal.c. Integer hashing and exact conversions only, so wider vectors (and AVX-512's
 * 64-bit multiply) give the same bits: built for AVX-512 and AVX2 machines too. In a file of their
 * own so that every call goes through the load-time choice of clone (a call from an AVX2 clone in
 * the same file would be bound to the AVX2 clone). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("vect-cost-model=dynamic")
#endif
#include "samples_internal.h"

#include "rng_inline.h"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define HASH_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define HASH_CLONES
#endif

HASH_CLONES void smp_uniform_pairs(double *restrict r, double *restrict a, uint64_t key, uint64_t k0, size_t np) {
    for (size_t p = 0; p < np; p++) {
        r[p] = rng_open01_inline(key, k0 + p, 0);
        a[p] = rng_open01_inline(key, k0 + p, 1);
    }
}

HASH_CLONES void smp_uniform_block(double *restrict u, uint64_t key, size_t i0, size_t len) {
    for (size_t i = 0; i < len; i++) u[i] = rng_open01_inline(key, i0 + i, 0);
}

HASH_CLONES void smp_uniform_pairs_at(double *restrict r, double *restrict a, uint64_t key, const uint64_t *pairs,
                                      size_t m, size_t np) {
    for (size_t p = 0; p < np; p++) {
        uint64_t k = pairs[p < m ? p : m - 1];
        r[p] = rng_open01_inline(key, k, 0);
        a[p] = rng_open01_inline(key, k, 1);
    }
}

/* Latin hypercube uniforms (rng_inline.h) for a block: one pass of the Feistel network over every
 * draw and the placing in the stratum are the same operations per draw, so they vectorize (with the
 * 64-bit multiplies of AVX-512 where there are); only the draws whose first pass lands at or above
 * n walk on, one by one (fewer than half of them, and under 5% at n = 1M or 1000). The same bits as
 * rng_lhs_uniform_inline, at any vector width. */
HASH_CLONES static void lhs_feistel_block(uint64_t *restrict x, const LhsPerm *p, uint64_t i0, size_t len) {
    for (size_t i = 0; i < len; i++) x[i] = rng_lhs_feistel(p, i0 + i);
}

HASH_CLONES static void lhs_place_block(double *restrict u, const uint64_t *restrict x, const LhsPerm *p, uint64_t i0,
                                        size_t len) {
    for (size_t i = 0; i < len; i++) u[i] = rng_lhs_place(p, i0 + i, x[i]);
}

void smp_lhs_uniform_block(double *restrict u, uint64_t key, size_t n, size_t i0, size_t len) {
    LhsPerm p;
    uint64_t x[SMP_BLOCK];
    rng_lhs_init(&p, key, n);
    for (size_t d = 0; d < len; d += SMP_BLOCK) {
        size_t m = len - d < SMP_BLOCK ? len - d : SMP_BLOCK;
        lhs_feistel_block(x, &p, i0 + d, m);
        for (size_t i = 0; i < m; i++)
            while (x[i] >= n) x[i] = rng_lhs_feistel(&p, x[i]);
        lhs_place_block(u + d, x, &p, i0 + d, m);
    }
}
