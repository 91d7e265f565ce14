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

#endif
