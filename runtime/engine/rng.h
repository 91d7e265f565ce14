/* rng.h — the one place that owns random numbers. Counter-based: the j-th uniform of
 * draw i of a stream is a hash of (stream key, i, j). Nothing is sequential, so any
 * draw can be made on its own, by any thread, in any order. */
#ifndef SQC_RNG_H
#define SQC_RNG_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

uint64_t rng_stream_key(uint64_t seed, uint64_t stream);

/* 64 random bits for (key, draw i, sub-index j). */
uint64_t rng_bits(uint64_t key, uint64_t i, uint64_t j);
/* Uniform in (0, 1): never 0 nor 1, safe for log(). */
double rng_open01(uint64_t key, uint64_t i, uint64_t j);

/* Latin hypercube sampling (rng_inline.h): the stratum pi(i) in [0, n) of draw i < n of a stream
 * with n draws (a bijection of [0, n) for each key), and draw i's uniform, in [pi(i)/n, (pi(i)+1)/n). */
uint64_t rng_lhs_stratum_of(uint64_t key, uint64_t n, uint64_t i);
double rng_lhs_uniform(uint64_t key, uint64_t n, uint64_t i);

/* A gsl_rng whose output for draw i is rng_bits(key, i, 0), rng_bits(key, i, 1), ...
 * so that GSL's samplers (which consume a variable number of uniforms) can be used per
 * draw. Allocate one per thread; position it with rng_gsl_at() before each draw. */
gsl_rng *rng_gsl_alloc(void);
void rng_gsl_at(gsl_rng *r, uint64_t key, uint64_t draw);

#endif
