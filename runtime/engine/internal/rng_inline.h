/* rng_inline.h — the counter-based hash behind rng.h, inline so that block kernels vectorize. */
#ifndef SQC_RNG_INLINE_H
#define SQC_RNG_INLINE_H

#include <stdint.h>

/* splitmix64's finalizer (Stafford variant 13): a bijection with full avalanche. */
static inline uint64_t rng_mix_a(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Pelle Evensen's moremur: a second, differently-constant bijection so that two rounds do not
 * share structure. */
static inline uint64_t rng_mix_b(uint64_t z) {
    z = (z ^ (z >> 27)) * 0x3C79AC492BA7B653u;
    z = (z ^ (z >> 33)) * 0x1C69B3F74AC4AE35u;
    return z ^ (z >> 27);
}

/* 64 bits for (key, draw i, sub-index j). The counter combination is injective in i at fixed j
 * and in j at fixed i (odd multipliers); the key enters before and between the two rounds so
 * that distinct streams do not merely shift each other's counters. */
static inline uint64_t rng_bits_inline(uint64_t key, uint64_t i, uint64_t j) {
    uint64_t x = key ^ (i * 0x9E3779B97F4A7C15u + j * 0xD1B54A32D192ED03u + 0x2545F4914F6CDD1Du);
    x = rng_mix_a(x);
    return rng_mix_b(x + key);
}

/* Uniform in (0, 1): 53 bits centered in their cell, so never 0 nor 1. */
static inline double rng_open01_inline(uint64_t key, uint64_t i, uint64_t j) {
    return ((double)(rng_bits_inline(key, i, j) >> 11) + 0.5) * 0x1.0p-53;
}

/* ---- Latin hypercube sampling (docs/language.md, "Sampling: Monte Carlo or Latin hypercube") ----
 * Under LHS, draw i of a stream with n draws gets the uniform (pi(i) + v_i) / n: pi a permutation of
 * [0, n) keyed by the stream key, v_i a uniform jitter. Every stratum [k/n, (k+1)/n) then holds
 * exactly one of the stream's n uniforms, and pi(i) is computed from i alone (no table, no pass
 * over the other draws), so any block of draws can still be made on its own, by any thread.
 *
 * pi is a keyed Feistel network on b-bit numbers (2^b >= n; the halves need not be equal:
 * each round XORs one half with a hash of the other, which is a bijection whatever the widths),
 * restricted to [0, n) by cycle walking: apply it again until the result is below n. A
 * permutation of [0, 2^b) walks back into [0, n) on the cycle it started from, and 2^b < 2n,
 * so fewer than two rounds of walking on average. */
#define RNG_LHS_ROUNDS 4

typedef struct LhsPerm {
    uint64_t rk[RNG_LHS_ROUNDS]; /* round keys */
    uint64_t key, n;
    unsigned lo_bits, hi_bits; /* b = lo_bits + hi_bits */
    unsigned jit_bits;         /* bits of jitter below the stratum: 50 - b (at least 1) */
    double denom;              /* n * 2^jit_bits, exact */
} LhsPerm;

static inline void rng_lhs_init(LhsPerm *p, uint64_t key, uint64_t n) {
    unsigned b = 0;
    while (b < 63 && ((uint64_t)1 << b) < n) b++;
    p->key = key;
    p->n = n;
    p->lo_bits = b / 2;
    p->hi_bits = b - b / 2;
    p->jit_bits = b < 49 ? 50 - b : 1;
    p->denom = (double)n * (double)((uint64_t)1 << p->jit_bits);
    for (int r = 0; r < RNG_LHS_ROUNDS; r++) p->rk[r] = rng_mix_b(key + (uint64_t)(r + 1) * 0x9E3779B97F4A7C15u);
}

/* The top w bits (w <= 32) of a keyed hash of x. */
static inline uint64_t rng_lhs_round(uint64_t x, uint64_t rk, unsigned w) {
    return w ? rng_mix_a(x ^ rk) >> (64 - w) : 0;
}

/* One pass of the Feistel network on a b-bit number: a bijection of [0, 2^b). */
static inline uint64_t rng_lhs_feistel(const LhsPerm *p, uint64_t x) {
    uint64_t lo = x & (((uint64_t)1 << p->lo_bits) - 1), hi = x >> p->lo_bits;
    for (int r = 0; r < RNG_LHS_ROUNDS; r += 2) {
        hi ^= rng_lhs_round(lo, p->rk[r], p->hi_bits);
        lo ^= rng_lhs_round(hi, p->rk[r + 1], p->lo_bits);
    }
    return hi << p->lo_bits | lo;
}

/* pi(i): the stratum of draw i (i < n): the network applied until the result is below n. */
static inline uint64_t rng_lhs_stratum(const LhsPerm *p, uint64_t i) {
    uint64_t x = rng_lhs_feistel(p, i);
    while (x >= p->n) x = rng_lhs_feistel(p, x);
    return x;
}

/* Draw i's uniform in (0, 1) from its stratum k = pi(i), inside [k/n, (k+1)/n) with a margin: k
 * and jit_bits of jitter form one integer t < 2^50, and t + 1/2 divided by n * 2^jit_bits is
 * rounded once, so that floor(u * n) is k exactly. */
static inline double rng_lhs_place(const LhsPerm *p, uint64_t i, uint64_t k) {
    uint64_t jit = rng_bits_inline(p->key, i, 3) >> (64 - p->jit_bits);
    return ((double)(k << p->jit_bits | jit) + 0.5) / p->denom;
}

static inline double rng_lhs_uniform_inline(const LhsPerm *p, uint64_t i) {
    return rng_lhs_place(p, i, rng_lhs_stratum(p, i));
}

#endif
