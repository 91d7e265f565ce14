/* rng.c — stream keys, the counter-based uniform, and a gsl_rng adapter positioned per draw. */
#include "rng.h"

#include "mem.h"
#include "rng_inline.h"

uint64_t rng_stream_key(uint64_t seed, uint64_t stream) {
    /* Two rounds so that neighbouring (seed, stream) pairs give unrelated keys. */
    uint64_t k = rng_mix_a(seed ^ 0x6A09E667F3BCC909u);
    return rng_mix_a(k ^ rng_mix_b(stream + 0xBB67AE8584CAA73Bu));
}

uint64_t rng_bits(uint64_t key, uint64_t i, uint64_t j) { return rng_bits_inline(key, i, j); }

double rng_open01(uint64_t key, uint64_t i, uint64_t j) { return rng_open01_inline(key, i, j); }

uint64_t rng_lhs_stratum_of(uint64_t key, uint64_t n, uint64_t i) {
    LhsPerm p;
    rng_lhs_init(&p, key, n);
    return rng_lhs_stratum(&p, i);
}

double rng_lhs_uniform(uint64_t key, uint64_t n, uint64_t i) {
    LhsPerm p;
    rng_lhs_init(&p, key, n);
    return rng_lhs_uniform_inline(&p, i);
}

/* The adapter's state: which stream, which draw, and how many uniforms this draw has used. */
typedef struct CounterState {
    uint64_t key, draw, j;
} CounterState;

static void counter_set(void *state, unsigned long seed) {
    CounterState *s = state;
    s->key = seed;
    s->draw = 0;
    s->j = 0;
}

/* GSL samplers expect get() to be uniform over [min, max] = [0, 2^32-1]. */
static unsigned long counter_get(void *state) {
    CounterState *s = state;
    return (unsigned long)(rng_bits_inline(s->key, s->draw, s->j++) >> 32);
}

static double counter_get_double(void *state) {
    CounterState *s = state;
    return rng_open01_inline(s->key, s->draw, s->j++);
}

static const gsl_rng_type counter_type = {
    "sqc-counter", 0xFFFFFFFFul, 0, sizeof(CounterState), counter_set, counter_get, counter_get_double,
};

gsl_rng *rng_gsl_alloc(void) {
    gsl_rng *r = gsl_rng_alloc(&counter_type);
    if (!r) mem_fail("a random number generator could not be allocated"); /* (GSL's error handler is off) */
    return r;
}

void rng_gsl_at(gsl_rng *r, uint64_t key, uint64_t draw) {
    CounterState *s = r->state;
    s->key = key;
    s->draw = draw;
    s->j = 0;
}
